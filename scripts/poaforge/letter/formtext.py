"""Plain text of the POA, split per appeal-form box, with character counts.

Reads ``case.json`` (the validated case with ``profile`` and ``labels``), writes
``form.json`` (one entry per ``profile.form_fields`` box: text, characters, limit) and
``poa.txt`` (the whole letter as plain text, each box under a ``== label (n / limit) ==``
line). Characters are counted as the platforms do: ``len()`` of the NFC text. Case text
is copied literally; no markup of any kind is interpreted.

Run as ``python -m poaforge.steps formtext case.json poa.txt form.json``.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem, ProfileError, UsageError
from poaforge.files import read_json, write_text

__all__ = ["build_form", "render_txt", "count_text", "write", "cite", "fill", "in_language", "item_lines", "main"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fill(template: str, **values: Any) -> str:
    """Fill a label template; values are inserted as they are, never parsed."""
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ProfileError(Problem("templates/lang", message=f"label '{template}' uses an unknown field {exc}",
                                   hint=f"use only {', '.join('{' + k + '}' for k in values)}")) from None


def cite(ids: list[str], case: dict[str, Any]) -> str:
    """Citation of exhibit *ids* in the case language: "(Exhibits 2, 5)" / "（证据2、5）"; "" for none."""
    labels, numbers = case["labels"], {e["id"]: e["number"] for e in case["exhibits"]}
    missing = [i for i in ids if i not in numbers]
    if missing:
        raise BuildError(Problem(case.get("source", "case"), message=f"unknown exhibit id(s): {', '.join(missing)}",
                                 hint="list the exhibit under exhibits, or fix the id"))
    nums = sorted({int(numbers[i]) for i in ids})
    if not nums:
        return ""
    key = "cite_one" if len(nums) == 1 else "cite_many"
    return fill(labels[key], n=labels["list_sep"].join(str(n) for n in nums))


def _period(value: str, labels: dict[str, Any]) -> str:
    start, _, end = value.partition("/")
    return fill(labels["range"], start=start, end=end) if end else value


def _pair(labels: dict[str, Any], key: str, value: str) -> str:
    return f"{labels[key]}{labels['colon']}{value.strip()}"


def _with_cite(text: str, ids: list[str], case: dict[str, Any]) -> str:
    ref = cite(ids, case)
    if not ref:
        return text
    sep = "" if unicodedata.east_asian_width(ref[0]) in "FW" else " "
    return f"{text}{sep}{ref}"


def item_lines(section: str, item: dict[str, Any], case: dict[str, Any]) -> list[str]:
    """Lines of one entry, without its number."""
    lab, sep = case["labels"], case["labels"]["item_sep"]
    if section == "root_causes":
        lines = [item["what"].strip()]
        violations = {v["id"]: v for v in case["notice"]["violations"]}
        if len(violations) > 1:
            for vid in item["violations"]:
                v = violations.get(vid)
                if v:
                    text = v["policy"].strip() + (f" ({v['code'].strip()})" if v.get("code") else "")
                    lines.append(_pair(lab, "violation", text))
        lines.append(_pair(lab, "when", _period(item["when"], lab)) + sep + _pair(lab, "role", item["role"]))
        lines.append(_pair(lab, "gap", item["gap"]))
    elif section == "corrective_actions":
        lines = [item["action"].strip()]
        date = _pair(lab, "done_on", item["done"]) if item.get("done") else _pair(lab, "due_by", item["due"])
        lines.append(_pair(lab, "owner", item["owner"]) + sep + date)
    else:
        lines = [item["measure"].strip()]
        lines.append(sep.join([_pair(lab, "owner", item["owner"]), _pair(lab, "effective", item["effective"]),
                               _pair(lab, "frequency", item["frequency"])]))
        lines.append(_pair(lab, "verification", item["verification"]))
    lines[-1] = _with_cite(lines[-1], item.get("exhibits", []), case)
    return lines


def _section_items(section: str, case: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, text) per numbered entry of *section*."""
    out = []
    for n, item in enumerate(case.get(section, []), start=1):
        first, *rest = item_lines(section, item, case)
        body = "\n".join([f"{n}. {first}"] + [f"   {line}" for line in rest])
        out.append((item["id"], _nfc(body)))
    return out


def in_language(mapping: dict[str, Any], case: dict[str, Any]) -> Any:
    """The entry of a per-language mapping for the case language, else for the platform's
    first language that has one, else the first entry."""
    lang = case["language"]
    if lang in mapping:
        return mapping[lang]
    first = next((x for x in case["profile"]["languages"] if x in mapping), None)
    return mapping[first] if first else next(iter(mapping.values()))


def build_form(case: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    """form.json content; with *strict*, a box over its limit raises BuildError."""
    labels, fields, problems = case["labels"], [], []
    for spec in case["profile"]["form_fields"]:
        blocks, items = [], []
        for section in spec["sections"]:
            entries = _section_items(section, case)
            items += entries
            body = "\n\n".join(text for _, text in entries)
            blocks.append(f"{labels[section]}\n{body}" if len(spec["sections"]) > 1 else body)
        text = _nfc("\n\n".join(blocks))
        chars, limit = len(text), spec["limit"]
        label = in_language(spec["label"], case)
        fits = limit is None or chars <= limit
        fields.append({"key": spec["key"], "label": label, "text": text, "chars": chars, "limit": limit, "fits": fits})
        if not fits:
            longest = sorted(items, key=lambda it: (-len(it[1]), it[0]))[:3]
            names = ", ".join(f"{i} ({len(t)} characters)" for i, t in longest)
            problems.append(Problem(
                case.get("source", "case"),
                message=f'form field "{spec["key"]}" ({label}) is {chars} characters, '
                        f"over its limit of {limit} by {chars - limit}",
                hint=f"shorten it by at least {chars - limit} characters; the longest items are {names}. "
                     f"The limit is a setting: form_fields in platforms/{case['profile']['platform']}.yaml"))
    if problems and strict:
        raise BuildError(problems)
    seller, notice = case["seller"], case["notice"]
    opening = fill(labels.get("opening", ""), store_name=seller["store_name"], seller_id=seller["seller_id"],
                    legal_name=seller["legal_name"], notice_reference=notice["reference"])
    head = [labels["title"], "", _pair(labels, "to", labels.get("addressee", "")), _pair(labels, "date", case["as_of"]),
            _pair(labels, "company", seller["legal_name"]), _pair(labels, "store", seller["store_name"]),
            _pair(labels, "seller_id", seller["seller_id"]), _pair(labels, "reference", notice["reference"])]
    person = seller["responsible_person"]
    closing = [x for x in (labels["sincerely"], labels["sincerely_line2"]) if x]
    closing += ["", person["name"].strip(), person["title"].strip(), seller["legal_name"].strip()]
    return {
        "language": case["language"],
        "fields": fields,
        "preamble": _nfc("\n".join(head) + ("\n\n" + opening if opening else "")),
        "closing": _nfc("\n".join(closing)),
        "format": {k: labels[k] for k in ("field_header", "count_limit", "count_plain")},
    }


def count_text(field: dict[str, Any], fmt: dict[str, str]) -> str:
    """"123 / 1000 characters" (or "123 characters" for a box without a limit), in the form's language."""
    if field["limit"] is None:
        return fill(fmt["count_plain"], chars=field["chars"])
    return fill(fmt["count_limit"], chars=field["chars"], limit=field["limit"])


def render_txt(form: dict[str, Any]) -> str:
    """poa.txt: preamble, each box under its ``== label (n / limit characters) ==`` line, closing."""
    fmt, parts = form["format"], [form["preamble"]]
    for field in form["fields"]:
        parts.append(fill(fmt["field_header"], label=field["label"], count=count_text(field, fmt)) + "\n" + field["text"])
    parts.append(form["closing"])
    return "\n\n".join(parts) + "\n"


def write(case_json: Path, out_txt: Path, out_json: Path) -> None:
    """Build the form from *case_json*; write poa.txt and form.json atomically."""
    form = build_form(read_json(Path(case_json)))
    write_text(Path(out_json), json.dumps(form, ensure_ascii=False, sort_keys=True, indent=2) + "\n")
    write_text(Path(out_txt), render_txt(form))


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps formtext case.json poa.txt form.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        raise UsageError("usage: python -m poaforge.steps formtext case.json poa.txt form.json")
    write(Path(args[0]), Path(args[1]), Path(args[2]))
    return 0
