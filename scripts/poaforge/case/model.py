"""A case: one YAML file, strictly loaded, validated against the schema and checked for
consistency. ``load_case`` either returns a valid case or raises ``CaseError`` listing
every problem of the file, sorted by line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poaforge.case.consistency import check_consistency
from poaforge.case.loader import DataPath, Document, load_yaml, parse_yaml
from poaforge.case.schema_check import check_schema
from poaforge.errors import CaseError, Problem
from poaforge.paths import PROJECT, case_dir_for
from poaforge.steps import RESERVED_IDS

__all__ = ["Case", "load_case", "inspect_case", "find_cases", "PROJECT", "SCHEMA", "CASE_ID"]

SCHEMA = PROJECT / "schemas" / "case.schema.json"
CASE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
CHOICE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


@dataclass
class Case:
    """A valid case: its data (all scalars strings), where it came from and its files."""

    doc: Document
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data  # type: ignore[no-any-return]

    @property
    def path(self) -> Path:
        return Path(self.doc.path)

    @property
    def id(self) -> str:
        return str(self.data["case"])

    @property
    def dir(self) -> Path:
        return case_dir_for(self.path)

    def locate(self, path: DataPath) -> tuple[int, int]:
        return self.doc.locate(path)

    def locate_key(self, path: DataPath) -> tuple[int, int]:
        return self.doc.locate_key(path)


def _check_id(doc: Document, stem: str) -> list[Problem]:
    problems = []
    if not CASE_ID.match(stem):
        problems.append(Problem(doc.path, 1, 1, f"the file name '{stem}' is not a usable case id",
                                "rename the file: letters, digits, '-' and '_', starting with a letter"))
    elif stem in RESERVED_IDS:
        problems.append(Problem(doc.path, 1, 1, f"the case id '{stem}' is the name of a pipeline rule",
                                "rename the file, e.g. to 'case-" + stem + "'"))
    case_id = doc.data.get("case")
    if isinstance(case_id, str) and case_id != stem:
        usable = CASE_ID.match(case_id) and case_id not in RESERVED_IDS  # never advise a name refused above
        problems.append(doc.problem(("case",), f"case id '{case_id}' does not match the file name '{stem}.yaml'",
                                    f"write 'case: {stem}'" + (f" or rename the file to {case_id}.yaml" if usable else "")))
    return problems


def _check_count(doc: Document) -> None:
    """Refuse more exhibits than the cap before checking (and later reading) each of them."""
    from poaforge.limits import current, raise_hint

    limit = current().exhibits
    exhibits = doc.data.get("exhibits")
    if isinstance(exhibits, list) and len(exhibits) > limit:
        raise CaseError(doc.problem(("exhibits",), f"exhibits: {len(exhibits):,} exhibits, more than the limit of {limit:,}",
                                    f"merge related documents into one PDF exhibit, or {raise_hint('exhibits')}", key=True))


def _check_choices(doc: Document) -> list[Problem]:
    """platform and language name files of the project: a new platform or language is a new file."""
    from poaforge.case.profile import list_languages, list_platforms

    problems = []
    for key, known, where in (("platform", list_platforms(PROJECT), "platforms/"),
                              ("language", list_languages(PROJECT), "templates/lang/")):
        value = doc.data.get(key) if isinstance(doc.data, dict) else None
        if isinstance(value, str) and CHOICE.match(value) and value not in known:
            problems.append(doc.problem((key,), f"{key}: '{value}' is not allowed here",
                                        f"one of {', '.join(known)} (each is a file in {where})"))
    return problems


#: Cases inspected while the inputs are known not to change (:func:`inputs_fixed`), by path.
_INSPECTED: dict[tuple[str, str], tuple[Case | None, list[Problem]]] | None = None


@contextmanager
def inputs_fixed() -> Iterator[None]:
    """Within this block the case files and their evidence do not change — one pipeline job,
    whose stages each load the case (checking it, then the quality gate): :func:`inspect_case`
    of a file reads and checks it once (0.2 s of a typical case's job)."""
    global _INSPECTED
    outer, _INSPECTED = _INSPECTED, ({} if _INSPECTED is None else _INSPECTED)
    try:
        yield
    finally:
        _INSPECTED = outer


def inspect_case(path: str | Path, *, schema: Path = SCHEMA, text: str | None = None) -> tuple[Case | None, list[Problem]]:
    """Load the case at ``path`` (or its ``text``, e.g. an editor's unsaved buffer) without
    raising for its problems: the case as read (also when it is invalid; None when it cannot
    be read as YAML at all) and every problem, sorted. ``poa lint`` uses it to report the
    content of an incomplete case beside its problems. Inside :func:`inputs_fixed`, a file
    is inspected once (callers get the same case; they copy what they change)."""
    key = (os.path.abspath(path), str(schema))  # not resolve(): a link loop is reported by the reading below
    if text is None and _INSPECTED is not None and key in _INSPECTED:
        case, problems = _INSPECTED[key]
        return case, list(problems)
    result = _inspect(Path(path), schema, text)
    if text is None and _INSPECTED is not None:
        _INSPECTED[key] = result
    return result[0], list(result[1])


def _inspect(path: Path, schema: Path, text: str | None) -> tuple[Case | None, list[Problem]]:
    try:
        doc = load_yaml(path) if text is None else parse_yaml(text, str(path))
        _check_count(doc)
    except CaseError as exc:
        return None, exc.problems
    problems = _check_id(doc, path.stem) + check_schema(doc, schema) + _check_choices(doc)
    files: dict[str, Path] = {}
    if isinstance(doc.data, dict):
        more, files = check_consistency(doc, case_dir_for(path))
        problems += more
    if not problems:  # the evidence files' headers: type, size, pages, pixels, passwords, platform rules
        from poaforge.evidence.preflight import preflight

        problems += preflight(doc, files, case_dir_for(path))
    return Case(doc=doc, files=files), sorted(set(problems))


def load_case(path: str | Path, *, schema: Path = SCHEMA) -> Case:
    """Load, validate and cross-check the case file at ``path``; ``CaseError`` lists every problem."""
    case, problems = inspect_case(path, schema=schema)
    if problems or case is None:
        raise CaseError(problems)
    return case


def find_cases(names: list[str], cases_dir: Path = Path("cases")) -> list[Path]:
    """Case files for ids or paths in ``names``; every ``cases/*.yaml`` when empty."""
    if not names:
        return sorted(cases_dir.glob("*.yaml"))
    out = []
    for name in names:
        p = Path(name)
        out.append(p if p.suffix in (".yaml", ".yml") or p.exists() else cases_dir / f"{name}.yaml")
    return out
