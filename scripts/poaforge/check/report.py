"""The lint report of one case: ``report.json`` (machine-readable) and ``report.txt``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from .catalogue import Catalogue, load_catalogue
from .finding import SEVERITIES, Finding

__all__ = ["to_json", "to_text", "counts", "summary_line", "judged_against"]


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Active findings per severity, and the number waived."""
    out = {sev: sum(1 for f in findings if f.severity == sev and not f.waived) for sev in SEVERITIES}
    out["waived"] = sum(1 for f in findings if f.waived)
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(c: dict[str, int]) -> str:
    text = f"{_plural(c['error'], 'error')}, {_plural(c['warning'], 'warning')}"
    return text + (f", {c['waived']} waived" if c.get("waived") else "")


def judged_against(case: Any, now: dt.datetime | None) -> dict[str, Any]:
    """What the deadline (and every date) was judged against: the case's ``as_of`` (the
    POA's date), and the clock only when ``now`` was given (``poa lint``, not the build)."""
    data = case.data if isinstance(case.data, dict) else {}
    as_of = data.get("as_of") if isinstance(data.get("as_of"), str) else None
    return {"as_of": as_of, "now": now.isoformat() if now else None}


def to_json(findings: Sequence[Finding], case: Any, catalogue: Catalogue | None = None, *,
            now: dt.datetime | None = None) -> dict[str, Any]:
    """``report.json``: counts, active findings, waived findings, the rules that ran and what
    the dates were judged against."""
    cat = catalogue or load_catalogue()
    c = counts(findings)
    return {
        "case": case.id if isinstance(case.data, dict) and isinstance(case.data.get("case"), str) else case.path.stem,
        "file": str(case.path),
        "ok": c["error"] == 0,
        "counts": c,
        "findings": [f.to_dict() for f in findings if not f.waived],
        "waived": [f.to_dict() for f in findings if f.waived],
        "rules_run": sorted(cat.rules),
        "judged_against": judged_against(case, now),
    }


def to_text(findings: Sequence[Finding], case: Any, catalogue: Catalogue | None = None, *,
            now: dt.datetime | None = None, exhibit_notes: Sequence[str] = ()) -> str:
    """``report.txt``: one line per finding as a linter prints it, waivers apart, a summary;
    then ``exhibit_notes`` (lines from :func:`exhibit_notes`): what intake changed on the way."""
    cat = catalogue or load_catalogue()
    active = [f for f in findings if not f.waived]
    waived = [f for f in findings if f.waived]
    judged = judged_against(case, now)
    against = f"as_of {judged['as_of']} (the POA's date)" if judged["as_of"] else "no as_of date"
    if judged["now"]:
        against += f" and the clock ({judged['now']})"
    lines = [f"poa lint: case {case.id} ({case.path})", f"dates and the deadline judged against {against}", ""]
    lines += [str(f) for f in active] or ["no findings"]
    if waived:
        lines += ["", "waived (rule excused by the case's waive: list, with its reason):"]
        lines += [f"  {f}" for f in waived]
    lines += ["", f"{summary_line(counts(findings))} — {len(cat.rules)} rules run"]
    if any(f.severity == "error" for f in active):
        lines.append("errors stop the build of this case: fix them, or waive a rule with a reason")
    if exhibit_notes:
        lines += ["", "exhibits not sent exactly as given, or with something to know (uploads and bundle):"]
        lines += [f"  {line}" for line in exhibit_notes]
    return "\n".join(lines) + "\n"


def exhibit_notes(case_json: dict[str, Any], exhibits: dict[str, Any]) -> list[str]:
    """One line per exhibit note, in exhibit order: ``E3 (evidence/x.heic) upload Attachment_3.pdf:
    <what changed and why>`` for an upload that is not the seller's file byte for byte (or is a
    signed original), ``E3 (…) bundle: <note>`` for what the bundle's copy shows differently
    (flattened form fields, an animated image's first frame, …). ``case_json`` is case.json
    (with its profile), ``exhibits`` exhibits.json of the evidence step. Reads no file."""
    from poaforge.submit.upload import upload_sources

    files = {e["id"]: e.get("file", "") for e in case_json.get("exhibits", [])}
    sources = {src.exhibit: src for src in upload_sources(case_json, exhibits)}
    lines = []
    for ex in exhibits.get("exhibits", []):
        where = f"{ex['id']} ({files.get(ex['id'], '')})"
        src = sources.get(ex["id"])
        if src is not None and src.note:
            lines.append(f"{where} upload {src.name}: {src.note}")
        lines += [f"{where} bundle: {note}" for note in ex.get("notes") or []]
    return lines
