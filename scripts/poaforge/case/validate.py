"""``poa validate``: check case files; and the pipeline step that writes case.json."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.case.model import find_cases, inspect_case, load_case
from poaforge.console import ArgParser
from poaforge.errors import CaseError, PoaError, Problem

__all__ = ["validate_files", "main", "step"]


def validate_files(paths: list[Path]) -> dict[str, list[Problem]]:
    """Problems per case file (an empty list for a valid one)."""
    result: dict[str, list[Problem]] = {}
    for path in paths:
        try:
            load_case(path)
            result[str(path)] = []
        except PoaError as exc:
            result[str(path)] = exc.problems
    return result


def main(argv: Sequence[str]) -> int:
    parser = ArgParser(prog="poa validate", description="Check case files against the schema and each other.")
    parser.add_argument("cases", nargs="*", help="case ids or paths (default: every cases/*.yaml)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    paths = find_cases(args.cases)
    if not paths:
        print("poa validate: no case files in cases/ — add one, e.g. with `poa new`", file=sys.stderr)
        return 2
    result = validate_files(paths)
    bad = sum(1 for problems in result.values() if problems)
    if args.format == "json":
        out = {"cases": [{"file": f, "valid": not ps, "problems": [p.__dict__ for p in ps]} for f, ps in result.items()],
               "valid": len(result) - bad, "invalid": bad}
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        for file, problems in result.items():
            for problem in problems:
                print(problem)
        print(f"{len(result)} case(s) checked: {len(result) - bad} valid, {bad} invalid", file=sys.stderr)
    return 1 if bad else 0


def step(argv: Sequence[str]) -> int:
    """Pipeline step: ``python -m poaforge.steps validate CASE.yaml OUT/case.json``."""
    from poaforge.case.normalize import normalise
    from poaforge.files import write_json

    case_file, out = Path(argv[0]), Path(argv[1])
    case, problems = inspect_case(case_file)
    if problems or case is None:
        raise CaseError(sorted([*problems, *_text_errors(case, problems)], key=lambda p: (p.line, p.col)))
    write_json(normalise(case), out)
    return 0


def _text_errors(case: Any, problems: Sequence[Problem]) -> list[Problem]:
    """The quality gate's errors in the text already written in an invalid ``case`` (what
    `poa lint` shows beside its ``problems``), so a build that stops at a half-filled case
    says at once what the gate will stop next; [] when the file could not be read as a case.
    Only on failure: the gate's rules are not loaded for a valid case."""
    from poaforge.check.engine import lint_inspected

    return [Problem(f.file, f.line, f.col, f"{f.rule} error: {f.message}", f.fix)
            for f in lint_inspected(case, problems) if f.severity == "error" and not f.waived]
