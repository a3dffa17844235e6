"""Pipeline steps: ``python -m poaforge.steps STEP ARGS...``, one per Snakemake rule.

Each step's module is imported only when that step runs, so a job pays only for the
libraries it uses. User errors are printed as ``where: what — how to fix``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from .console import run
from .errors import UsageError

__all__ = ["STEPS", "main"]

#: step → (module, function taking argv)
STEPS: dict[str, tuple[str, str]] = {
    "validate": ("poaforge.validate", "step"),
    "lint-index": ("poaforge.lint.cli", "main_index"),
    "lint-report": ("poaforge.lint.cli", "main_report"),
    "evidence": ("poaforge.evidence", "main"),
    "render": ("poaforge.render", "main"),
    "docx": ("poaforge.docx", "main"),
    "formtext": ("poaforge.formtext", "main"),
    "upload": ("poaforge.upload", "main"),
    "bundle": ("poaforge.bundle", "main"),
    "checklist": ("poaforge.checklist", "main"),
    "manifest": ("poaforge.manifest", "main"),
    "changes": ("poaforge.changes", "main"),
    "status-page": ("poaforge.status", "main_page"),
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in STEPS:
        raise UsageError(f"unknown step {argv[0] if argv else '(none)'}; steps: {', '.join(STEPS)}")
    module, func = STEPS[argv[0]]
    return int(getattr(importlib.import_module(module), func)(list(argv[1:])) or 0)


if __name__ == "__main__":
    sys.exit(run(main))
