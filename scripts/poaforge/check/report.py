"""The lint report of one case: ``report.json`` (machine-readable) and ``report.txt``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .catalogue import Catalogue, load_catalogue
from .finding import SEVERITIES, Finding

__all__ = ["to_json", "to_text", "counts", "summary_line"]


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


def to_json(findings: Sequence[Finding], case: Any, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """``report.json``: counts, active findings, waived findings and the rules that ran."""
    cat = catalogue or load_catalogue()
    c = counts(findings)
    return {
        "case": case.id,
        "file": str(case.path),
        "ok": c["error"] == 0,
        "counts": c,
        "findings": [f.to_dict() for f in findings if not f.waived],
        "waived": [f.to_dict() for f in findings if f.waived],
        "rules_run": sorted(cat.rules),
    }


def to_text(findings: Sequence[Finding], case: Any, catalogue: Catalogue | None = None) -> str:
    """``report.txt``: one line per finding as a linter prints it, waivers apart, a summary."""
    cat = catalogue or load_catalogue()
    active = [f for f in findings if not f.waived]
    waived = [f for f in findings if f.waived]
    lines = [f"poa lint: case {case.id} ({case.path})", ""]
    lines += [str(f) for f in active] or ["no findings"]
    if waived:
        lines += ["", "waived (rule excused by the case's waive: list, with its reason):"]
        lines += [f"  {f}" for f in waived]
    lines += ["", f"{summary_line(counts(findings))} — {len(cat.rules)} rules run"]
    if any(f.severity == "error" for f in active):
        lines.append("errors stop the build of this case: fix them, or waive a rule with a reason")
    return "\n".join(lines) + "\n"
