"""Validate a loaded YAML document against a JSON Schema and explain each error in plain words.

Hints come from the schema itself: every property may carry an ``x-hint`` saying how to
fix a wrong or missing value, so the wording lives beside the field it describes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from poaforge.case.loader import DataPath, Document
from poaforge.errors import Problem

__all__ = ["check_schema", "load_schema", "is_date", "is_datetime", "describe_path"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DONE_DUE = "give 'done: YYYY-MM-DD' for a completed action, or 'due: YYYY-MM-DD' for a scheduled one"
_TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping of fields", "number": "a number"}


def is_date(value: object) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_datetime(value: object) -> bool:
    """True for YYYY-MM-DDTHH:MM[:SS] with a zone (Z or ±HH:MM)."""
    if not isinstance(value, str) or not _DATETIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_range(value: object) -> bool:
    if not isinstance(value, str) or "/" not in value:
        return False
    start, _, end = value.partition("/")
    return is_date(start) and is_date(end)


@lru_cache(maxsize=4)
def load_schema(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _validator(schema_path: str) -> Any:
    """The case schema's validator, built once per process like the schema it reads (the
    pipeline's case job checks the case twice: prepare, then the report)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    # "filled": text with something in it; "unfilled": the placeholder a scaffold leaves
    # (TODO). Editors ignore these two formats, so a scaffold reads clean there while this
    # validator lists every fact still to fill in.
    checker.checks("filled")(lambda v: not isinstance(v, str) or bool(v.strip()))
    checker.checks("unfilled")(lambda v: not isinstance(v, str))
    checker.checks("date")(lambda v: not isinstance(v, str) or is_date(v))
    checker.checks("date-time")(lambda v: not isinstance(v, str) or is_datetime(v))
    checker.checks("date-range")(lambda v: not isinstance(v, str) or _is_range(v))
    return Draft202012Validator(load_schema(schema_path), format_checker=checker)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The schema at a place with its ``$ref`` (and ``allOf: [{$ref}]``, the form editors read
    a field with its own hint in) merged in; the place's own keywords win."""
    while "$ref" in schema and schema["$ref"].startswith("#/"):
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    for member in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
        if isinstance(member, dict):
            schema = {**_resolve(member, root), **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def _schema_at(root: dict[str, Any], path: DataPath) -> dict[str, Any]:
    schema = _resolve(root, root)
    for part in path:
        if isinstance(part, int):
            schema = _resolve(schema.get("items", {}), root)
        else:
            schema = _resolve(schema.get("properties", {}).get(part, {}), root)
    return schema


def describe_path(doc: Document, path: DataPath) -> str:
    """``corrective_actions[2] (CA2).owner`` — list items counted from 1, with their id."""
    out = ""
    data: Any = doc.data
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
            data = data[part] if isinstance(data, list) and part < len(data) else None
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                out += f" ({data['id']})"
        else:
            out += f".{part}" if out else part
            data = data.get(part) if isinstance(data, dict) else None
    return out


def _what(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"'{shown}'"
    return _TYPE_WORDS.get({list: "array", dict: "object"}.get(type(value), ""), "this value")


def _fallback_hint(schema: dict[str, Any]) -> str:
    """How to fix a value whose schema has no ``x-hint``: its choices, else its description."""
    if "enum" in schema:
        return "use one of: " + ", ".join(str(v) for v in schema["enum"])
    desc = str(schema.get("description", "")).strip().rstrip(".")
    if desc:
        return f"expected: {desc}"
    if schema.get("type") == "object":
        return "write this item as fields ('name: value' lines, indented under it)"
    return "compare with an example case in cases/"


def _explain(err: Any, doc: Document, root: dict[str, Any]) -> Problem:
    path: DataPath = tuple(err.absolute_path)
    where = describe_path(doc, path)
    prefix = f"{where}: " if where else ""
    kind = err.validator
    here = _schema_at(root, path)
    hint = here.get("x-hint", "") or _fallback_hint(here)
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)[0]
        sub = _schema_at(root, path + (missing,))
        return doc.problem(path, f"{prefix}'{missing}' is missing", sub.get("x-hint", "") or f"add '{missing}:' ("
                           + _fallback_hint(sub).removeprefix("expected: ") + ")", key=True)
    if kind == "additionalProperties":
        allowed = sorted(here.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        name = extra[0] if extra else "?"
        close = difflib.get_close_matches(name, allowed, n=1)
        fix = f"did you mean '{close[0]}'?" if close else f"remove it; allowed here: {', '.join(allowed)}"
        return doc.problem(path + (name,), f"{prefix}unknown field '{name}'", fix, key=True)
    if kind == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        wanted = "string" if "string" in types else str(types[0])  # text editors may read as a number is still text
        want = _TYPE_WORDS.get(wanted, wanted)
        return doc.problem(path, f"{prefix}must be {want}, not {_what(err.instance)}", hint)
    if kind == "enum":
        return doc.problem(path, f"{prefix}{_what(err.instance)} is not allowed here", hint)
    if kind is None and "then" in err.schema_path:  # corrective_actions: 'due' is not allowed beside 'done'
        return doc.problem(path[:-1] if path and path[-1] == "due" else path, f"{describe_path(doc, path[:-1] if path and path[-1] == 'due' else path)}: has both 'done' and 'due'",
                           _DONE_DUE, key=True)
    if kind == "anyOf" and isinstance(err.instance, dict):
        return doc.problem(path, f"{prefix}has neither 'done' nor 'due'", _DONE_DUE, key=True)
    if kind == "format" and err.validator_value == "filled":
        return doc.problem(path, f"{prefix}{'is empty' if err.instance == '' else 'is blank'}", hint)
    if kind == "anyOf" and any(sub.validator == "enum" for sub in err.context):
        return doc.problem(path, f"{prefix}{_what(err.instance)} is not allowed here", hint)
    if kind in ("format", "anyOf", "pattern"):
        if isinstance(err.instance, str) and _DATE.match(err.instance.split("/")[0]) and kind != "pattern":
            return doc.problem(path, f"{prefix}{_what(err.instance)} is not a real date", hint)
        if kind == "pattern" and err.validator_value == "\\S":
            # "" also fails minLength: the same words make the two errors one problem
            return doc.problem(path, f"{prefix}{'is empty' if err.instance == '' else 'is blank'}", hint)
        return doc.problem(path, f"{prefix}{_what(err.instance)} is not in the expected form", hint)
    if kind == "minItems":
        return doc.problem(path, f"{prefix}needs at least {err.validator_value} item(s)", hint)
    if kind == "minLength":
        return doc.problem(path, f"{prefix}is empty", hint)
    if kind == "maxLength":
        return doc.problem(path, f"{prefix}is too long ({len(err.instance):,} characters; at most {err.validator_value:,})",
                           "shorten it; reviewers read for minutes, and long documents belong in exhibits")
    if kind == "uniqueItems":
        return doc.problem(path, f"{prefix}lists the same id twice", "list each id once")
    return doc.problem(path, f"{prefix}{err.message}", hint)


def check_schema(doc: Document, schema_path: Path) -> list[Problem]:
    """All schema problems of ``doc``, located and explained, sorted by position."""
    root = load_schema(str(schema_path))
    validator = _validator(str(schema_path))
    problems = {_explain(err, doc, root) for err in validator.iter_errors(doc.data)}
    return sorted(problems)
