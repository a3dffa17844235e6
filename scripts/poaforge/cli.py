"""The ``poa`` command: one entry point, a sub-command per task."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from poaforge.console import run

__all__ = ["main", "COMMANDS"]

#: sub-command → (module, function, one-line help); modules are imported only when used.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("poaforge.case.validate", "main", "check case files against the schema and each other"),
    "lint": ("poaforge.check.cli", "main_lint", "check cases against the known reasons POAs are rejected"),
    "check": ("poaforge.check.cli_check", "main_check", "check POA drafts written anywhere (.txt, .md, .docx) for rejection reasons"),
    "rules": ("poaforge.check.cli", "main_rules", "list the lint rule catalogue"),
    "new": ("poaforge.portfolio.scaffold", "main_new", "start a case from a scenario scaffold (never overwrites)"),
    "scenarios": ("poaforge.portfolio.scaffold", "main_scenarios", "list the scenario scaffolds for `poa new`"),
    "status": ("poaforge.portfolio.status", "main", "table of every case: deadline, time left, build, lint, submissions"),
    "rebuild": ("poaforge.portfolio.rebuild", "main_rebuild", "rebuild a filed submission from git history"),
    "lsp": ("poaforge.editor.lsp", "main", "language server for editors (stdio): findings as you type, hover, go to definition, completion"),
    "watch": ("poaforge.editor.watch", "main", "re-check a case and re-render its poa.pdf on every save"),
    "jobserver": ("poaforge.jobserver", "main", "list (status) or end (stop) the warm processes that run your builds' jobs"),
}


def _usage() -> str:
    lines = ["usage: poa COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, _, help_) in COMMANDS.items()]
    lines += ["", "Build documents with `snakemake <case>`; see README.md."]
    return "\n".join(lines)


def dispatch(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if argv else 2
    if argv[0] == "--version":
        from . import __version__
        print(f"poa {__version__}")
        return 0
    if argv[0] not in COMMANDS:
        print(f"poa: unknown command '{argv[0]}'\n\n{_usage()}", file=sys.stderr)
        return 2
    module, func, _ = COMMANDS[argv[0]]
    return int(getattr(importlib.import_module(module), func)(list(argv[1:])))


def main() -> None:
    sys.exit(run(dispatch))
