"""The job that builds one case: every stage, in order, in one process.

    python -m poaforge.steps case CASE_YAML RESULTS_DIR [--gate-off] [--allow-lossy] [--index LINT_INDEX]

Stages (each a step of :data:`poaforge.steps.STEPS`, runnable alone by the same command line):
validate (``case.json``) → evidence (``exhibits.json``, ``exhibits/``) → read (``facts.json``,
``text/``) → lint-report (``report.json``, ``report.txt``) → gate (``gate.json``, or the
build stops with the report's errors) → letter (``letter.json``, ``poa.pdf``/``.docx``/``.txt``,
``form.json``) → index → front (``parts/``: the POA and the index typeset for the bundle) →
bundle → upload (``upload/`` with ``upload.json``) → checklist →
status-row (``status.json``) → manifest (SHA-256 of every output), last.

One job per case, one Python start and one import of each library: Snakemake costs about
2.5 ms per job on every run and a few hundred milliseconds per job that runs, and a process
start with its imports costs as much again (measured figures: README, Performance;
docs/pipeline.md). The reading of exhibits and the lint index are cached by content, so an
edit of the case text re-reads nothing. The first stage that fails stops the job with its
located problems, as it would alone. Snakemake deletes the job's declared outputs as it starts
it and after it failed (an earlier build's documents no longer match the case) but keeps its
logs, among them the quality gate's report; the job itself removes ``upload/`` as it starts
(listed by ``upload.json``, not a declared output).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from poaforge.console import ArgParser
from poaforge.errors import PoaError

__all__ = ["build"]


def _run(command: str, *args: object) -> None:
    """Run the stage ``command`` (a step of poaforge.steps) with ``args`` in this process,
    after a line naming it (``STAGE_MARK``) in the job's log."""
    import sys

    from poaforge.steps import STAGE_MARK, main

    sys.stdout.flush()  # what the earlier stage printed comes before the mark
    print(f"{STAGE_MARK} {command}", file=sys.stderr, flush=True)
    _STAGE[0] = command
    main([command, *(str(a) for a in args)])


def build(argv: Sequence[str]) -> int:
    """Job ``case CASE_YAML RESULTS_DIR …``: every stage of the case (module docstring);
    outputs in RESULTS_DIR. Returns 0; a stage's user error propagates (exit 1)."""
    p = ArgParser(prog="python -m poaforge.steps case")
    p.add_argument("case_yaml", type=Path)
    p.add_argument("results", type=Path, help="results/<case>")
    p.add_argument("--index", type=Path, help="the similarity index's cache (results/lint-index.json)")
    p.add_argument("--gate-off", action="store_true", help="report lint errors but build all the same (poa rebuild)")
    p.add_argument("--allow-lossy", action="store_true", help="consent to lossy recompression of uploads")
    args = p.parse_args(list(argv))
    from poaforge.case.model import inputs_fixed
    from poaforge.gate import remove_stale, removed_notice

    with inputs_fixed():
        # upload/ is not a declared output (upload.json lists it): Snakemake removed the earlier
        # build's other documents as the job started; its uploads go now, so a case stopped at
        # any stage, or interrupted, never leaves last build's files where a seller uploads from
        earlier = remove_stale([args.results / "upload.json"], args.results)
        try:
            _stages(args)
        except PoaError as exc:
            _report_early_stop(args.results, exc)
            if earlier:
                exc.problems = sorted([removed_notice(str(args.case_yaml), args.results), *exc.problems])
            raise
    return 0


_STAGE = [""]  # the stage running now


def _report_early_stop(results: Path, exc: PoaError) -> None:
    """A case stopped before the quality gate's report was written (checking the case file or
    preparing its exhibits failed): ``report.txt`` and ``report.json`` say so, with the
    problems printed, instead of being left empty (Snakemake creates a job's missing logs).
    ``report.json`` then has no ``counts``: readers treat the case as not linted."""
    import json

    from poaforge.files import write_text
    from poaforge.steps import step_named

    stages = step_named("case").stages
    stage = _STAGE[0]
    if stage not in stages[:stages.index("lint-report")]:  # the report is there (or no stage ran)
        return
    does = step_named(stage).does
    lines = [str(problem) for problem in exc.problems]
    try:
        results.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    write_text(results / "report.txt", f"The quality gate did not run: {does} stopped the case.\n\n" + "".join(f"{line}\n" for line in lines))
    write_text(results / "report.json", json.dumps({"ok": False, "stopped_at": stage, "problems": lines},
                                                   ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def _stages(args: argparse.Namespace) -> None:
    r = args.results
    checked, exhibits, facts, letter = r / "case.json", r / "exhibits.json", r / "facts.json", r / "letter.json"
    _run("validate", args.case_yaml, checked)
    _run("evidence", checked, r)
    _run("read", checked, exhibits, r)
    _run("lint-report", checked, args.case_yaml, r / "report.json", r / "report.txt", "--facts", facts,
         "--exhibits", exhibits, "--now", "none", *(["--index", args.index] if args.index else []))
    _run("gate", r / "report.json", r / "gate.json", *(["--off"] if args.gate_off else []))
    _run("letter", checked, letter, r / "poa.pdf", r / "poa.docx", r / "poa.txt", r / "form.json")
    _run("index", checked, letter, exhibits, r / "evidence-index.pdf", r / "evidence-index.csv", "--checked", facts)
    _run("front", checked, letter, exhibits, r / "parts", "--checked", facts)
    _run("bundle", checked, letter, exhibits, r / "bundle.pdf", "--checked", facts, "--parts", r / "parts")
    _run("upload", checked, exhibits, r / "upload", "--bundle", r / "bundle.pdf", "--list", r / "upload.json",
         *(["--allow-lossy"] if args.allow_lossy else []))
    _run("checklist", checked, letter, r / "form.json", exhibits, r / "checklist.md")
    _run("status-row", checked, r / "status.json")
    _run("manifest", checked, r / "manifest.json")
