"""The pipeline's jobs that run several stages of a case in one process.

    python -m poaforge.steps prepare CASE_YAML RESULTS_DIR
    python -m poaforge.steps package RESULTS_DIR [--allow-lossy]

``prepare`` checks the case file (``case.json``), prepares its exhibits (``exhibits.json``,
``exhibits/``) and reads them (``facts.json``, ``text/``); ``package`` builds, after the
letter, the evidence index, ``bundle.pdf``, ``upload/`` with ``upload.json``,
``checklist.md``, the case's row of the status page (``status.json``) and, last,
``manifest.json`` (which hashes every other output).

Each stage is a step of its own in :data:`poaforge.steps.STEPS` (runnable alone by the same
command line); running them here, in order, in one process costs one Python start and one
import of each library instead of one per stage, and gives Snakemake fewer jobs to check
on every run — its cost per job is what a no-op over a thousand cases pays (measured
figures: README, Performance). The first stage that fails stops the job with its located
problems, as it would alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from poaforge.console import ArgParser

__all__ = ["prepare", "package"]


def _run(command: str, *args: object) -> None:
    """Run the stage ``command`` (a step of poaforge.steps) with ``args`` in this process."""
    from poaforge.steps import main

    main([command, *(str(a) for a in args)])


def prepare(argv: Sequence[str]) -> int:
    """Job ``prepare CASE_YAML RESULTS_DIR``: validate → evidence → read (outputs in RESULTS_DIR)."""
    p = ArgParser(prog="python -m poaforge.steps prepare")
    p.add_argument("case_yaml", type=Path)
    p.add_argument("results", type=Path, help="results/<case>")
    args = p.parse_args(list(argv))
    checked = args.results / "case.json"
    _run("validate", args.case_yaml, checked)
    _run("evidence", checked, args.results)
    _run("read", checked, args.results / "exhibits.json", args.results)
    return 0


def package(argv: Sequence[str]) -> int:
    """Job ``package RESULTS_DIR [--allow-lossy]``: index → bundle → upload → checklist →
    status row → manifest, from the files the earlier jobs left in RESULTS_DIR."""
    p = ArgParser(prog="python -m poaforge.steps package")
    p.add_argument("results", type=Path, help="results/<case>")
    p.add_argument("--allow-lossy", action="store_true", help="consent to lossy recompression of uploads")
    args = p.parse_args(list(argv))
    r = args.results
    checked, letter, exhibits, facts = r / "case.json", r / "letter.json", r / "exhibits.json", r / "facts.json"
    _run("index", checked, letter, exhibits, r / "evidence-index.pdf", r / "evidence-index.csv", "--checked", facts)
    _run("bundle", checked, letter, exhibits, r / "bundle.pdf", "--checked", facts)
    _run("upload", checked, exhibits, r / "upload", "--bundle", r / "bundle.pdf", "--list", r / "upload.json",
         *(["--allow-lossy"] if args.allow_lossy else []))
    _run("checklist", checked, letter, r / "form.json", exhibits, r / "checklist.md")
    _run("status-row", checked, r / "status.json")
    _run("manifest", checked, r / "manifest.json")
    return 0
