"""``results/<case>/changes.md``: what changed since the latest rejected submission.

Written for a case that records a rejected submission: the reviewer's feedback, each
feedback point and whether it is answered, then per section the items added, removed
and edited and the exhibits whose file was replaced, other fields changed, and the
sentences reused from the filed version. The filed version is read from git (see
:mod:`poaforge.portfolio.history`); when no commit is recorded or git cannot show it, the file says
so and judges the feedback from dates only. No time stamps: same inputs, same bytes.

Step: ``python -m poaforge.steps changes CASE_YAML OUT_MD``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.files import write_text
from poaforge.markdown import literal as _md
from poaforge.portfolio.history import SECTIONS, Filed, feedback_points, filed_version, reused_fields, section_changes

__all__ = ["changes_markdown", "main"]

_FIELDS = [("as_of",), ("platform",), ("marketplace",), ("language",), ("seller", "legal_name"), ("seller", "store_name"),
           ("seller", "seller_id"), ("seller", "responsible_person", "name"), ("seller", "responsible_person", "title"),
           ("notice", "received"), ("notice", "deadline"), ("notice", "enforcement"), ("notice", "reference")]
_SNIPPET = {"violations": "policy", "root_causes": "what", "corrective_actions": "action",
            "preventive_measures": "measure", "exhibits": "title"}


def _snippet(item: dict[str, Any], section: str, width: int = 90) -> str:
    text = " ".join(str(item.get(_SNIPPET[section], "")).split())
    return _md(text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …")


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def _head(case_id: str, source: str, filed: Filed) -> list[str]:
    sub = filed.submission
    commit = f"commit `{sub['commit']}`" if sub.get("commit") else "no commit recorded"
    lines = [f"# What changed since submission {filed.version}", "",
             f"Case **{_md(case_id)}** ({_md(source)}) · submission {filed.version} filed {_md(sub.get('date', '?'))}"
             f" · rejected · {commit}", ""]
    if filed.data is None:
        lines += [f"The text filed then cannot be compared with this version: {_md(filed.reason)}.", "",
                  "To compare next time, commit the case file before filing and record the commit in the submission "
                  f"(`commit: <hash>`; `git log -1 --format=%h -- {source}` prints it). "
                  "The feedback points below are judged from dates only.", ""]
    if sub.get("feedback"):
        lines += ["## Reviewer's feedback", "", f"> {_md(sub['feedback'])}", ""]
    return lines


def _points(data: dict[str, Any], filed: Filed, settings: dict[str, Any], changes: Any) -> list[str]:
    points = feedback_points(data, filed, settings, changes)
    if not points:
        return []
    lines = ["## Feedback points", "", "| Point | Asked as | Section | Status |", "|---|---|---|---|"]
    for p in points:
        lines.append(f"| {p.label} | \"{_md(p.phrase)}\" | {SECTIONS[p.section]} | {p.status}: {_md(p.why)} |")
    return lines + [""]


def _sections(changes: dict[str, dict[str, list[Any]]]) -> list[str]:
    lines = []
    for section, title in SECTIONS.items():
        res = changes[section]
        rows = [f"- **{_md(i['id'])}** added — {_snippet(i, section)}" for i in res["added"]]
        rows += [f"- **{_md(i['id'])}** edited: {', '.join(_md(f) for f in fields)}" for i, fields in res["edited"]]
        rows += [f"- **{_md(i['id'])}** file replaced — `{_md(i.get('file'))}` differs from the file filed" for i in res["replaced"]]
        rows += [f"- **{_md(i['id'])}** removed — {_snippet(i, section)}" for i in res["removed"]]
        lines += [f"## {title}", "", *(rows or ["No change."]), ""]
    return lines


def _others(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    rows = []
    for path in _FIELDS:
        was, now = _get(old, path), _get(new, path)
        if was != now:
            rows.append(f"- `{'.'.join(path)}`: {_md(was if was is not None else '(none)')} → {_md(now if now is not None else '(none)')}")
    was, now = len(old.get("metrics") or []), len(new.get("metrics") or [])
    if (old.get("metrics") or []) != (new.get("metrics") or []):
        rows.append(f"- `metrics`: {was} reading(s) → {now} reading(s)")
    return ["## Other fields", "", *(rows or ["No change."]), ""]


def _reused(case: Any, filed: Filed, similarity: dict[str, Any]) -> list[str]:
    rows = []
    for path, reused, total, n in reused_fields(case, filed, similarity):
        item = case.data[path[0]][path[1]]
        rows.append(f"- {_md(item.get('id'))} {path[2]}: {n} sentence(s), {round(100 * reused / max(total, 1))}% of its words")
    return [f"## Sentences reused from submission {filed.version}", "", *(rows or ["None."]), ""]


def _dated(data: dict[str, Any], filed: Filed) -> list[str]:
    date = str(filed.submission.get("date", ""))
    rows = []
    for section, key in (("corrective_actions", "done"), ("preventive_measures", "effective"), ("exhibits", "date")):
        for item in data.get(section) or []:
            if str(item.get(key, "")) > date:
                rows.append(f"- **{_md(item['id'])}** ({key} {_md(item[key])}) — {_snippet(item, section)}")
    counts = ", ".join(f"{len(data.get(s) or [])} {SECTIONS[s].lower()}" for s in list(SECTIONS)[1:])
    return ["## This version", "", f"{counts}.", "", f"Dated after the rejected submission ({_md(date)}):", "",
            *(rows or ["Nothing."]), ""]


def changes_markdown(case: Any, settings: dict[str, Any], similarity: dict[str, Any]) -> str | None:
    """changes.md for a loaded case, or None when it records no rejected submission."""
    filed = filed_version(case.path, case.data)
    if filed is None:
        return None
    lines = _head(case.id, case.path.as_posix(), filed)
    if filed.data is None:
        lines += _points(case.data, filed, settings, None) + _dated(case.data, filed)
    else:
        changes = section_changes(filed.data, case.data, case.dir, filed.blobs)
        lines += _points(case.data, filed, settings, changes) + _sections(changes) + _others(filed.data, case.data)
        lines += _reused(case, filed, similarity)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str]) -> int:
    """Step: ``changes CASE_YAML OUT_MD`` (a case with no rejected submission gets a one-line note)."""
    from poaforge.case.model import load_case
    from poaforge.check.catalogue import load_catalogue
    from poaforge.errors import UsageError

    if len(argv) != 2:
        raise UsageError("usage: python -m poaforge.steps changes CASE_YAML OUT_MD")
    case = load_case(Path(argv[0]))
    cat = load_catalogue()
    text = changes_markdown(case, cat.settings.get("reappeal") or {}, cat.settings["similarity"])
    write_text(Path(argv[1]), text or f"# Changes\n\nCase {_md(case.id)} records no rejected submission.\n")
    print(f"{argv[1]}: written", file=sys.stderr)
    return 0
