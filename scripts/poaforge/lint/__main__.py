"""``python -m poaforge.lint report|lint|rules ...`` (the pipeline uses ``report``)."""

from __future__ import annotations

import sys

from ..console import run
from .cli import main_index, main_lint, main_report, main_rules

_COMMANDS = {"report": main_report, "index": main_index, "lint": main_lint, "rules": main_rules}


def _main(argv: list[str]) -> int:
    if not argv or argv[0] not in _COMMANDS:
        print("usage: python -m poaforge.lint {report|index|lint|rules} ...", file=sys.stderr)
        return 2
    return _COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(run(_main))
