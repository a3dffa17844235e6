"""The one registry of pipeline steps: ``python -m poaforge.steps STEP ARGS...``.

Each :class:`Step` names the Snakemake rule that runs it, the module and function that do
the work, and nothing else.  The Snakefile derives from this list the source files each
rule depends on (:func:`code_inputs`) and the names a case id may not take
(:data:`RESERVED_IDS`), so a step is declared once.

Each step's module is imported only when that step runs, so a job pays only for the
libraries it uses.  User errors are printed as ``where: what — how to fix``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Step", "STEPS", "RESERVED_IDS", "FAILED_MARK", "step_named", "main"]


@dataclass(frozen=True)
class Step:
    """One pipeline step: ``command`` is its name on the command line, ``rule`` the
    Snakemake rule running it, ``module``/``func`` the function taking the argument list,
    ``does`` what it does in a user's words (the run's summary names a failed step so)."""

    command: str
    rule: str
    module: str
    func: str = "main"
    does: str = ""


#: Every step, in pipeline order (case → check → letter → evidence → bundle → submit → portfolio).
STEPS: tuple[Step, ...] = (
    Step("validate", "validate_case", "poaforge.case.validate", "step", does="checking the case file"),
    Step("lint-report", "lint_case", "poaforge.check.cli", "main_report", does="writing the quality-gate report"),
    Step("gate", "gate_case", "poaforge.gate", does="the quality gate"),
    Step("letter", "compose_letter", "poaforge.letter.step", does="composing the letter (PDF, DOCX, form text)"),
    Step("evidence", "prepare_exhibits", "poaforge.evidence.intake", does="preparing the exhibits"),
    Step("read", "read_exhibits", "poaforge.evidence.read", does="reading the exhibits"),
    Step("index", "build_index", "poaforge.letter.index", does="typesetting the evidence index"),
    Step("bundle", "merge_bundle", "poaforge.bundle.merge", does="merging the bundle"),
    Step("upload", "build_upload", "poaforge.submit.upload", does="preparing the uploads"),
    Step("checklist", "write_checklist", "poaforge.submit.checklist", does="writing the checklist"),
    Step("manifest", "write_manifest", "poaforge.submit.manifest", does="writing the manifest"),
    Step("changes", "write_changes", "poaforge.portfolio.changes", does="listing the changes since the rejected submission"),
    Step("status-page", "status_page", "poaforge.portfolio.status", "main_page", does="writing the status page"),
)

#: Names a case id may not take: every rule of the pipeline, the default target, and the
#: project's own folder names (a case named ``results`` would be confusing at best).
RESERVED_IDS: frozenset[str] = frozenset(
    {s.rule for s in STEPS} | {"all", "case", "cases", "results", "logs"}
)


#: The pipeline's shell line appends this, with the exit status, to the log of a step that
#: failed (workflow/common.smk); the run's summary reads such logs as the failed steps'
#: messages (scripts/snakemake_logger_plugin_poaforge).
FAILED_MARK = "poa-forge: this step failed, exit status"


def step_named(command: str) -> Step:
    """The step run by ``python -m poaforge.steps COMMAND``; ``UsageError`` for an unknown one."""
    for s in STEPS:
        if s.command == command:
            return s
    from poaforge.errors import UsageError

    raise UsageError(f"unknown step {command or '(none)'}; steps: {', '.join(s.command for s in STEPS)}")


def main(argv: Sequence[str]) -> int:
    """Run one step: ``argv[0]`` is its command name, the rest its arguments; returns the exit code."""
    s = step_named(argv[0] if argv else "")
    return int(getattr(importlib.import_module(s.module), s.func)(list(argv[1:])) or 0)


if __name__ == "__main__":
    from poaforge.console import run

    sys.exit(run(main))
