"""Appeal history: the case as it was filed (from git), what changed since a rejected
submission, and whether the reviewer's feedback is visibly answered.

A submission records ``commit:``, the git commit of the case file as filed; the filed
text is ``git show <commit>:cases/<case>.yaml`` and its evidence the blobs of
``cases/<case>/`` in that commit. ``results/<case>/changes.md`` lists what changed since
the latest rejected submission; lint rules POA606/POA607 (``lint/checks_history.py``)
warn about sentences reused from it and feedback points left unanswered.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.case.loader import Document

__all__ = ["Filed", "Point", "HistoryUnavailable", "blob_id", "rejected_submission", "has_rejected_text", "filed_version", "git_bytes",
           "section_changes", "feedback_points", "reused_fields", "SECTIONS"]

#: Sections compared item by item (by id), with their titles.
SECTIONS = {"violations": "Violations in the notice", "root_causes": "Root causes",
            "corrective_actions": "Corrective actions", "preventive_measures": "Preventive measures",
            "exhibits": "Exhibits"}
_DATED = {"corrective_actions": "done", "preventive_measures": "effective", "exhibits": "date"}
_REJECTED = re.compile(r"(?m)^[^#\n]*\boutcome:[ \t]*[\"']?rejected\b")


class HistoryUnavailable(Exception):
    """The filed version cannot be read; ``args[0]`` says why."""


@dataclass
class Filed:
    """The latest rejected submission and the case as filed then (``doc`` None when unknown)."""

    submission: dict[str, Any]
    doc: Document | None = None
    reason: str = ""
    blobs: dict[str, str] = field(default_factory=dict)   # evidence path → git blob id at the commit

    @property
    def version(self) -> str:
        return str(self.submission.get("version", "?"))

    @property
    def data(self) -> dict[str, Any] | None:
        return self.doc.data if self.doc is not None and isinstance(self.doc.data, dict) else None


@dataclass(frozen=True)
class Point:
    """One point of the reviewer's feedback and whether the case visibly answers it."""

    id: str
    label: str
    section: str
    phrase: str
    status: str          # answered | unanswered | unknown
    why: str


def has_rejected_text(text: str) -> bool:
    """Cheap test for the Snakefile: does the case file record a rejected submission?"""
    return bool(_REJECTED.search(text))


def rejected_submission(data: dict[str, Any]) -> dict[str, Any] | None:
    """The rejected submission with the highest version, or None."""
    subs = [s for s in data.get("submissions") or [] if isinstance(s, dict) and s.get("outcome") == "rejected"]
    return max(subs, key=lambda s: int(str(s.get("version", "0"))) if str(s.get("version", "")).isdigit() else 0, default=None)


def git_bytes(folder: Path, *args: str) -> bytes:
    """Output of ``git -C folder args``; raises HistoryUnavailable with git's own reason."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=30, check=False)
    except FileNotFoundError:
        raise HistoryUnavailable("git is not installed") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise HistoryUnavailable(f"git could not run ({exc})") from None
    if done.returncode:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryUnavailable(lines[-1] if lines else f"git {' '.join(args[:1])} failed")
    return done.stdout


@cache
def _filed(case_path: Path, commit: str) -> tuple[Document | None, str, tuple[tuple[str, str], ...]]:
    from poaforge.case.loader import parse_yaml
    from poaforge.errors import CaseError

    try:
        raw = git_bytes(case_path.parent, "show", f"{commit}:./{case_path.name}")
    except HistoryUnavailable as exc:
        shown = case_path.relative_to(Path.cwd()) if case_path.is_relative_to(Path.cwd()) else case_path
        return None, f"git cannot show {shown} at commit {commit}: {exc}", ()
    try:
        doc = parse_yaml(raw.decode("utf-8-sig"), f"{case_path.name}@{commit}")
    except (UnicodeDecodeError, CaseError) as exc:
        return None, f"the case file at commit {commit} cannot be read ({str(exc).splitlines()[0]})", ()
    blobs: list[tuple[str, str]] = []
    folder = case_path.parent / case_path.stem
    if folder.is_dir():
        try:
            listing = git_bytes(folder, "ls-tree", "-r", commit, ".").decode("utf-8", "replace")
        except HistoryUnavailable:
            listing = ""
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob":
                blobs.append((path, parts[2]))
    return doc, "", tuple(blobs)


def filed_version(case_path: Path, data: dict[str, Any]) -> Filed | None:
    """The latest rejected submission of ``data`` with the case as filed, or None if none was rejected."""
    sub = rejected_submission(data)
    if sub is None:
        return None
    commit = sub.get("commit")
    if not isinstance(commit, str) or not commit:
        return Filed(sub, reason=f"submission {sub.get('version')} records no commit")
    doc, reason, blobs = _filed(Path(case_path).resolve(), commit)
    return Filed(sub, doc, reason, dict(blobs))


def blob_id(path: Path) -> str | None:
    """Git's blob id of a file on disk (as ``git hash-object`` gives), None if unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's object id, not security


def _items(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    seq = (data.get("notice") or {}).get("violations") if section == "violations" else data.get(section)
    return [i for i in seq if isinstance(i, dict) and isinstance(i.get("id"), str)] if isinstance(seq, list) else []


def _norm(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def section_changes(old: dict[str, Any], new: dict[str, Any], case_dir: Path | None = None,
                    blobs: dict[str, str] | None = None) -> dict[str, dict[str, list[Any]]]:
    """Per section: ``added`` / ``removed`` items, ``edited`` as (item, [fields]), ``replaced`` exhibits."""
    out: dict[str, dict[str, list[Any]]] = {}
    for section in SECTIONS:
        before = {i["id"]: i for i in _items(old, section)}
        after = _items(new, section)
        ids = {i["id"] for i in after}
        res: dict[str, list[Any]] = {"added": [i for i in after if i["id"] not in before],
                                     "removed": [i for i in before.values() if i["id"] not in ids],
                                     "edited": [], "replaced": []}
        for item in after:
            prev = before.get(item["id"])
            if prev is None:
                continue
            fields = [k for k in dict.fromkeys([*prev, *item]) if _norm(prev.get(k)) != _norm(item.get(k))]
            if fields:
                res["edited"].append((item, fields))
            if section == "exhibits" and case_dir is not None and blobs and prev.get("file") == item.get("file"):
                was, now = blobs.get(str(item.get("file"))), blob_id(case_dir / str(item.get("file")))
                if was and now and was != now:
                    res["replaced"].append(item)
        out[section] = res
    return out


def _changed(res: dict[str, list[Any]]) -> bool:
    return any(res[k] for k in ("added", "edited", "replaced"))


def feedback_points(data: dict[str, Any], filed: Filed, settings: dict[str, Any],
                    changes: dict[str, dict[str, list[Any]]] | None = None) -> list[Point]:
    """Each feedback point (``settings['points']``) the reviewer's words raise, and whether it is answered.

    With the filed text: answered when its section has items added or edited since (for
    exhibits also files replaced). Without it: answered when an item of the section is dated
    after the rejected submission; root causes carry no such date, so their status is unknown.
    """
    feedback = " ".join(str(filed.submission.get("feedback", "")).lower().split())
    points = []
    for spec in settings.get("points", []):
        phrase = next((p for p in spec["phrases"] if p.lower() in feedback), None)
        if phrase is None:
            continue
        section = spec["section"]
        if changes is not None:
            res = changes[section]
            ok = _changed(res)
            why = (f"{len(res['added'])} added, {len(res['edited'])} edited"
                   + (f", {len(res['replaced'])} file(s) replaced" if res["replaced"] else "")) if ok else "unchanged"
            status = "answered" if ok else "unanswered"
        elif section in _DATED:
            key, filed_on = _DATED[section], str(filed.submission.get("date", ""))
            later = [i["id"] for i in _items(data, section) if str(i.get(key, "")) > filed_on]
            status = "answered" if later else "unanswered"
            why = f"{', '.join(later)} dated after {filed_on}" if later else f"nothing dated after {filed_on}"
        else:
            status, why = "unknown", "cannot compare without the filed text"
        points.append(Point(spec["id"], spec["label"], section, phrase, status, why))
    return points


class _AsCase:
    """The filed version, shaped like a loaded case for the similarity index."""

    def __init__(self, doc: Document, label: str) -> None:
        self.doc, self.id, self.path, self.data = doc, label, Path(doc.path), doc.data

    def locate(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        return self.doc.locate(path)


def reused_fields(case: Any, filed: Filed, similarity: dict[str, Any]) -> list[tuple[tuple[str | int, ...], int, int, int]]:
    """(field path, words reused, words in all, sentences reused) for each field of ``case``
    holding sentences (nearly) unchanged from the filed version."""
    from poaforge.check.similarity import SimilarityIndex

    if filed.doc is None or filed.data is None:
        return []
    index = SimilarityIndex([_AsCase(filed.doc, f"{case.id}@submission-{filed.version}")], similarity)
    fields: dict[tuple[str | int, ...], list[int]] = {}
    for sentence, hit in index.copied(case):
        row = fields.setdefault(sentence.path, [0, 0, 0])
        row[1] += sentence.size
        if hit is not None:
            row[0] += sentence.size
            row[2] += 1
    return [(path, a, b, n) for path, (a, b, n) in fields.items() if n]
