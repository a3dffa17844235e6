"""Checks a schema cannot express: unique ids, references that resolve, every violation
answered, every root cause fixed and prevented, every exhibit present and cited, the
signed letter's scan a PDF or image inside the case folder, and dates that fit together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poaforge.case.loader import DataPath, Document
from poaforge.case.schema_check import describe_path, is_date
from poaforge.errors import Problem
from poaforge.evidence.sniff import media_of
from poaforge.paths import PathProblem, resolve_inside

__all__ = ["check_consistency", "period_bounds"]


# (list, field, target list, what the target is called)
_REFS: list[tuple[str, str, str, str]] = [
    ("root_causes", "violations", "violations", "violation"),
    ("corrective_actions", "root_causes", "root_causes", "root cause"),
    ("preventive_measures", "root_causes", "root_causes", "root cause"),
    ("root_causes", "exhibits", "exhibits", "exhibit"),
    ("corrective_actions", "exhibits", "exhibits", "exhibit"),
    ("preventive_measures", "exhibits", "exhibits", "exhibit"),
]


def _items(data: dict[str, Any], name: str) -> list[tuple[DataPath, dict[str, Any]]]:
    if name == "violations":
        base: DataPath = ("notice", "violations")
        notice = data.get("notice")
        seq = notice.get("violations", []) if isinstance(notice, dict) else []
    else:
        base, seq = (name,), data.get(name, [])
    if not isinstance(seq, list):
        return []  # the schema reports the wrong type
    return [(base + (i,), item) for i, item in enumerate(seq) if isinstance(item, dict)]


def period_bounds(value: str) -> tuple[str, str]:
    """``'2026-09-01/2026-10-15'`` → both ends; a single date is both ends."""
    start, _, end = value.partition("/")
    return start, end or start


def _ids(doc: Document, problems: list[Problem]) -> dict[str, dict[str, dict[str, Any]]]:
    seen: dict[str, DataPath] = {}
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for name in ("violations", "root_causes", "corrective_actions", "preventive_measures", "exhibits"):
        tables[name] = {}
        for path, item in _items(doc.data, name):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                line = doc.locate(seen[ident] + ("id",))[0]
                problems.append(doc.problem(path + ("id",), f"{describe_path(doc, path)}: id '{ident}' is already used at line {line}",
                                            "give every item its own id"))
                continue
            seen[ident] = path
            tables[name][ident] = item
    return tables


def _references(doc: Document, tables: dict[str, dict[str, dict[str, Any]]], problems: list[Problem]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {name: set() for name in tables}
    for source, field, target, word in _REFS:
        for path, item in _items(doc.data, source):
            refs = item.get(field)
            for j, ref in enumerate(refs if isinstance(refs, list) else []):
                if not isinstance(ref, str):
                    continue
                used[target].add(ref)
                if ref not in tables[target]:
                    known = ", ".join(tables[target]) or "none yet"
                    problems.append(doc.problem(path + (field, j), f"{describe_path(doc, path)}: {word} '{ref}' does not exist",
                                                f"use one of the {word} ids ({known}) or add it"))
    for path, item in _items(doc.data, "metrics"):
        ref = item.get("exhibit")
        if isinstance(ref, str):
            used["exhibits"].add(ref)
            if ref not in tables["exhibits"]:
                problems.append(doc.problem(path + ("exhibit",), f"{describe_path(doc, path)}: exhibit '{ref}' does not exist",
                                            "name the exhibit that shows this value, or add it under exhibits"))
    return used


def _coverage(doc: Document, tables: dict[str, dict[str, dict[str, Any]]], used: dict[str, set[str]], problems: list[Problem]) -> None:
    for path, item in _items(doc.data, "violations"):
        if isinstance(item.get("id"), str) and item["id"] in tables["violations"] and item["id"] not in used["violations"]:
            problems.append(doc.problem(path, f"{describe_path(doc, path)}: violation '{item['id']}' is not answered by any root cause",
                                        f"add a root cause with violations: [{item['id']}]", key=True))
    for kind, word in (("corrective_actions", "corrective action"), ("preventive_measures", "preventive measure")):
        answered = {ref for _, it in _items(doc.data, kind) if isinstance(it.get("root_causes"), list)
                    for ref in it["root_causes"] if isinstance(ref, str)}
        for path, item in _items(doc.data, "root_causes"):
            if isinstance(item.get("id"), str) and item["id"] in tables["root_causes"] and item["id"] not in answered:
                problems.append(doc.problem(path, f"{describe_path(doc, path)}: no {word} addresses root cause '{item['id']}'",
                                            f"add a {word} with root_causes: [{item['id']}]", key=True))
    for path, item in _items(doc.data, "exhibits"):
        if isinstance(item.get("id"), str) and item["id"] in tables["exhibits"] and item["id"] not in used["exhibits"]:
            problems.append(doc.problem(path, f"{describe_path(doc, path)}: exhibit '{item['id']}' is not cited anywhere",
                                        "cite it in the root cause, action or measure it proves, or remove it", key=True))


def _files(doc: Document, case_dir: Path, problems: list[Problem]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path, item in _items(doc.data, "exhibits"):
        for field in ("file", "translation"):
            rel = item.get(field)
            if not isinstance(rel, str) or not rel.strip():
                continue  # the schema reports it (wrong type, empty)
            try:
                real = resolve_inside(case_dir, rel)
            except PathProblem as exc:
                problems.append(doc.problem(path + (field,), f"{describe_path(doc, path)}.{field}: {exc}", exc.hint))
                continue
            found[f"{item.get('id')}:{field}"] = real
    scans = doc.data.get("signed_letter")
    paths = [(("signed_letter",), scans)] if isinstance(scans, str) else \
        [(("signed_letter", j), s) for j, s in enumerate(scans if isinstance(scans, list) else []) if isinstance(s, str)]
    for j, (path, rel) in enumerate(paths):
        try:
            real = resolve_inside(case_dir, rel)
        except PathProblem as exc:
            problems.append(doc.problem(path, f"signed_letter: {exc}", exc.hint))
            continue
        with real.open("rb") as fh:
            head = fh.read(2048)
        if media_of(head) is None:
            problems.append(doc.problem(path, f"signed_letter: '{rel}' is not a PDF, PNG, JPEG or GIF file",
                                        "scan the signed letter to PDF (or one JPEG/PNG per page) and name that file"))
            continue
        found[f"signed_letter:{j}"] = real
    return found


def _dates(doc: Document, tables: dict[str, dict[str, dict[str, Any]]], problems: list[Problem]) -> None:
    data = doc.data
    as_of = data.get("as_of") if is_date(data.get("as_of")) else None
    notice = data.get("notice", {}) if isinstance(data.get("notice"), dict) else {}
    received = notice.get("received") if is_date(notice.get("received")) else None
    deadline = notice.get("deadline")
    if received and as_of and received > as_of:
        problems.append(doc.problem(("notice", "received"), f"notice.received ({received}) is after as_of ({as_of})",
                                    "the POA is dated after the notice arrives: check both dates"))
    if received and isinstance(deadline, str) and is_date(deadline[:10]) and deadline[:10] < received:
        problems.append(doc.problem(("notice", "deadline"), f"notice.deadline ({deadline}) is before the notice was received ({received})",
                                    "copy the deadline from the notice"))
    starts: dict[str, str] = {}
    for path, item in _items(data, "root_causes"):
        when = item.get("when")
        if isinstance(when, str) and "/" in when:
            start, end = period_bounds(when)
            if is_date(start) and is_date(end) and start > end:
                problems.append(doc.problem(path + ("when",), f"{describe_path(doc, path)}.when: the range ends before it starts",
                                            "write the earlier date first: YYYY-MM-DD/YYYY-MM-DD"))
        if isinstance(when, str) and is_date(period_bounds(when)[0]) and isinstance(item.get("id"), str):
            starts[item["id"]] = period_bounds(when)[0]
    for path, item in _items(data, "corrective_actions"):
        done = item.get("done")
        if not is_date(done):
            continue
        if as_of and done > as_of:
            problems.append(doc.problem(path + ("done",), f"{describe_path(doc, path)}: completed on {done}, after the POA's date {as_of}",
                                        "an action done later is scheduled: write 'due:' instead of 'done:', or fix the date"))
        refs = item.get("root_causes") if isinstance(item.get("root_causes"), list) else []
        earliest = min((starts[r] for r in refs if isinstance(r, str) and r in starts), default=None)
        if earliest and done < earliest:
            problems.append(doc.problem(path + ("done",), f"{describe_path(doc, path)}: completed on {done}, before the problem it fixes began ({earliest})",
                                        "check the date of the action and the 'when' of its root cause"))


def check_consistency(doc: Document, case_dir: Path) -> tuple[list[Problem], dict[str, Path]]:
    """Problems beyond the schema, and the real path of every exhibit file (``E1:file``)."""
    problems: list[Problem] = []
    tables = _ids(doc, problems)
    used = _references(doc, tables, problems)
    _coverage(doc, tables, used, problems)
    files = _files(doc, case_dir, problems)
    _dates(doc, tables, problems)
    return problems, files
