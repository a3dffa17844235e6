"""The quality gate's decision, a stage of the case's job: ``gate REPORT_JSON GATE_JSON [--off]``.

The lint-report stage writes ``report.json`` and ``report.txt``; this stage reads the report
and stops the case's build when it holds errors. The report is a log of the job in the
Snakefile, so it survives the failed job (Snakemake deletes a failed job's outputs, not its
logs). A failed gate leaves no ``gate.json``, so the next run decides it again.

Run alone, a failed gate also removes what ``--stale`` names of an earlier build
(``upload.json`` with the ``upload/`` folder beside it), which no longer matches the case: a
seller must not upload last week's files for this week's case. The report stays. In the
pipeline, the case's job removes ``upload/`` as it starts (:func:`remove_stale`; Snakemake
removes the declared outputs), so a case stopped at any stage leaves none.

Errors are printed one per line, ``cases/x.yaml:31:9: POA201 error: … — fix``, as the
lint step found them; warnings never stop the build. ``--off`` (``poa rebuild``, which
shows a filed version as it was) lets the build go on and records that the gate was off.

It sits beside ``steps.py`` rather than in ``check/`` because it only reads the report and
imports a handful of modules, not the quality gate's whole machinery (it can be run alone).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.errors import CaseError, Problem
from poaforge.files import read_json, write_json

__all__ = ["main", "errors_of", "remove_stale", "removed_notice"]


def errors_of(report: dict[str, Any]) -> list[Problem]:
    """The active error findings of a ``report.json`` as located problems, in report order.
    ``report`` is the parsed JSON (``findings``: file, line, col, rule, severity, message, fix)."""
    return [Problem(str(f["file"]), int(f["line"]), int(f["col"]), f"{f['rule']} error: {f['message']}", str(f.get("fix", "")))
            for f in report.get("findings", []) if f.get("severity") == "error"]


def remove_stale(paths: Sequence[Path], folder: Path) -> list[Path]:
    """Delete the ``paths`` that exist inside ``folder`` (the case's results folder) and, with
    ``upload.json``, the ``upload/`` folder beside it; return what was removed. Paths outside
    ``folder`` are never touched."""
    removed = []
    root = folder.resolve()
    for path in paths:
        target = path.resolve()
        if root not in target.parents:
            continue
        if target.name == "upload.json" and (target.parent / "upload").is_dir():
            shutil.rmtree(target.parent / "upload")
            removed.append(path.parent / "upload")
        if target.is_file():
            target.unlink()
            removed.append(path)
    return removed


def removed_notice(where: str, folder: Path) -> Problem:
    """The problem saying that the documents of an earlier build in ``folder`` were removed
    (``where``: the case file, as the other problems name it)."""
    return Problem(where, message=f"the documents of its earlier build in {folder}/ were removed: they no "
                   "longer match the case", hint="fix the errors below and run the same command again")


def main(argv: Sequence[str]) -> int:
    """Step: exit 1 printing each error of REPORT_JSON; else write GATE_JSON
    (``{"case", "passed", "enforced", "counts"}``) and exit 0."""
    p = ArgParser(prog="python -m poaforge.steps gate")
    p.add_argument("report", type=Path, help="report.json of the lint step")
    p.add_argument("out", type=Path, help="gate.json, written when the case may be built")
    p.add_argument("--off", action="store_true", help="report errors but let the build go on (poa rebuild)")
    p.add_argument("--stale", type=Path, nargs="*", default=[],
                   help="the case's documents, removed when the gate fails (they would not match the case)")
    args = p.parse_args(list(argv))
    report = read_json(args.report)
    try:
        errors = errors_of(report)
        counts = {k: int(v) for k, v in report["counts"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CaseError(Problem(str(args.report), message="not a lint report",
                                hint="delete it and run the pipeline again (snakemake <case>)")) from None
    if errors and not args.off:
        folder = args.report.parent
        if remove_stale(args.stale, folder):
            errors.insert(0, removed_notice(str(report.get("file") or f"{folder}/"), folder))
        raise CaseError(errors)
    write_json({"case": report.get("case"), "passed": not errors, "enforced": not args.off, "counts": counts}, args.out)
    return 0
