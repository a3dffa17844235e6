"""The one registry of pipeline steps: ``python -m poaforge.steps STEP ARGS...``.

Each :class:`Step` names the Snakemake rule that runs it, the module and function that do
the work, and nothing else.  A pipeline job of a case runs several stages in one process
(one start-up, one import of each library, one Snakemake job per case — see
``docs/pipeline.md``): such a step lists its ``stages``, each itself a step that can be run
alone from the command line (``python -m poaforge.steps bundle …``) but has no rule.  The
Snakefile derives from this list the source files each rule depends on (its module and its
stages' modules, ``workflow/common.smk``) and the names a case id may not take
(:data:`RESERVED_IDS`), so a step is declared once.

Each step's module is imported only when that step runs, so a job pays only for the
libraries it uses.  User errors are printed as ``where: what — how to fix``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Step", "STEPS", "RESERVED_IDS", "FAILED_MARK", "STAGE_MARK", "step_named", "main"]


@dataclass(frozen=True)
class Step:
    """One pipeline step: ``command`` is its name on the command line, ``rule`` the
    Snakemake rule running it ("" for a stage run only inside another step or by hand),
    ``module``/``func`` the function taking the argument list, ``does`` what it does in a
    user's words (the run's summary names a failed step so), ``stages`` the commands of the
    steps it runs in one process, in order."""

    command: str
    rule: str
    module: str
    func: str = "main"
    does: str = ""
    stages: tuple[str, ...] = ()


#: Every step, in pipeline order: first the one job of a case, then the stages it runs in
#: order, then the portfolio's steps.
STEPS: tuple[Step, ...] = (
    Step("case", "build_case", "poaforge.pipeline", "build",
         does="building the case",
         stages=("validate", "evidence", "read", "lint-report", "gate", "letter", "index", "front", "bundle", "upload",
                 "checklist", "status-row", "manifest")),
    Step("validate", "", "poaforge.case.validate", "step", does="checking the case file"),
    Step("evidence", "", "poaforge.evidence.intake", does="preparing the exhibits"),
    Step("read", "", "poaforge.evidence.read", does="reading the exhibits"),
    Step("lint-report", "", "poaforge.check.cli", "main_report", does="writing the quality-gate report"),
    Step("gate", "", "poaforge.gate", does="the quality gate"),
    Step("letter", "", "poaforge.letter.step", does="composing the letter (PDF, DOCX, form text)"),
    Step("index", "", "poaforge.letter.index", does="typesetting the evidence index"),
    Step("front", "", "poaforge.bundle.merge", "main_front", does="typesetting the POA and the index for the bundle"),
    Step("bundle", "", "poaforge.bundle.merge", does="merging the bundle"),
    Step("upload", "", "poaforge.submit.upload", does="preparing the uploads"),
    Step("checklist", "", "poaforge.submit.checklist", does="writing the checklist"),
    Step("status-row", "", "poaforge.portfolio.status", "main_row", does="writing the case's row of the status page"),
    Step("manifest", "", "poaforge.submit.manifest", does="writing the manifest"),
    Step("changes", "write_changes", "poaforge.portfolio.changes", does="listing the changes since the rejected submission"),
    Step("status-page", "status_page", "poaforge.portfolio.status", "main_page", does="writing the status page"),
)

#: Names a case id may not take: every rule of the pipeline, the default target, and the
#: project's own folder names (a case named ``results`` would be confusing at best).
RESERVED_IDS: frozenset[str] = frozenset(
    {s.rule for s in STEPS if s.rule} | {"all", "case", "cases", "results", "logs"}
)


#: The pipeline's shell line appends this, with the exit status, to the log of a step that
#: failed (workflow/common.smk); the run's summary reads such logs as the failed steps'
#: messages (scripts/snakemake_logger_plugin_poaforge).
FAILED_MARK = "poa-forge: this step failed, exit status"

#: A job running several stages writes this line, with the stage's command, to its log before
#: each stage (poaforge.pipeline); the run's summary shows a failed job's lines after the last
#: such line only — the failing stage's problems, not the earlier stages' notes — and names
#: the stage.
STAGE_MARK = "poa-forge: stage"


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
    from poaforge.jobserver.client import run_step  # in the project's job server when one runs

    sys.exit(run_step(sys.argv[1:]))
