"""Command-line entry points: ``poa lint``, ``poa rules`` and the pipeline's
``python -m poaforge.steps lint-report CASE_JSON CASE_YAML REPORT_JSON REPORT_TXT``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.dates import parse_now
from poaforge.errors import BuildError, CaseError, PoaError, Problem, UsageError
from poaforge.files import write_text

from .catalogue import load_catalogue
from .corpus import corpus_index
from .engine import build_index, lint_case
from .finding import Finding
from .report import counts, summary_line, to_json, to_text

__all__ = ["main_lint", "main_rules", "main_report", "load_others"]


def _now(value: str | None) -> dt.datetime | None:
    if value is not None and value.lower() == "none":
        return None
    return parse_now(value, hint="write YYYY-MM-DDTHH:MM+00:00, or 'none' to check only against as_of")


def _add_now(p: argparse.ArgumentParser) -> None:
    p.add_argument("--now", help="check the deadline against this moment (ISO date-time; default: the clock; "
                                 "'none': only against as_of)")


def load_others(folders: Sequence[Path], loaded: dict[Path, Any] | None = None) -> list[Any]:
    """Every valid case in ``folders`` (invalid ones are skipped: `poa validate` reports them)."""
    from poaforge.case.model import load_case
    loaded = {} if loaded is None else loaded
    for folder in sorted(set(folders)):
        for path in sorted(folder.glob("*.yaml")):
            key = path.resolve()
            if key not in loaded:
                try:
                    loaded[key] = load_case(path)
                except PoaError:
                    loaded[key] = None
    return [c for c in loaded.values() if c is not None]


def main_lint(argv: Sequence[str]) -> int:
    """``poa lint [CASE ...] [--format text|json] [--now ISO]``: exit 1 on errors."""
    from poaforge.case.model import PROJECT, find_cases, load_case
    from poaforge.case.profile import load_profile
    p = ArgParser(prog="poa lint", description="Check cases against the known reasons POAs are rejected.")
    p.add_argument("cases", nargs="*", help="case ids or paths (default: every cases/*.yaml)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_now(p)
    args = p.parse_args(list(argv))
    now = _now(args.now)
    paths = find_cases(args.cases)
    if not paths:
        raise UsageError(Problem("cases/", message="no case files found", hint="run in the project folder or name a case"))
    cat = load_catalogue()
    loaded: dict[Path, Any] = {}
    problems: list[Problem] = []
    targets = []
    for path in paths:
        try:
            case = load_case(path)
        except CaseError as exc:
            problems += exc.problems
            continue
        loaded[path.resolve()] = case
        targets.append(case)
    index = build_index(load_others([c.path.parent for c in targets], loaded), cat)
    results: list[tuple[Any, list[Finding]]] = []
    profiles: dict[tuple[str, str], dict[str, Any]] = {}
    for case in targets:
        key = (case.data["platform"], case.data["marketplace"])
        if key not in profiles:
            profiles[key] = load_profile(key[0], key[1], PROJECT)
        results.append((case, lint_case(case, profiles[key], index, now, catalogue=cat)))
    total = {"error": len(problems), "warning": 0, "waived": 0}
    for _, findings in results:
        for k, v in counts(findings).items():
            total[k] += v
    if args.format == "json":
        out = {"cases": [to_json(f, c, cat) for c, f in results], "counts": total,
               "invalid": [str(pr) for pr in problems]}
        print(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for pr in problems:
            print(f"{pr} (case not valid: not linted)")
        for _, findings in results:
            for f in findings:
                print(f)
        print(f"{len(results)} case{'s' if len(results) != 1 else ''} linted: {summary_line(total)}")
    return 1 if total["error"] else 0


def main_rules(argv: Sequence[str]) -> int:
    """``poa rules [--format text|json|markdown]``: the rule catalogue, one example each."""
    p = ArgParser(prog="poa rules", description="List the lint rule catalogue.")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="markdown: the table for the README")
    args = p.parse_args(list(argv))
    cat = load_catalogue()
    rules = [cat.rules[k] for k in sorted(cat.rules)]
    if args.format == "json":
        print(json.dumps([vars(r) for r in rules], ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        print("| Rule | Severity | Finding | How to fix | Example | Source |\n|---|---|---|---|---|---|")
        for r in rules:
            cells = [r.id, r.severity, r.message.replace("{where}: ", ""), r.fix, f"`{r.example}`", r.source]
            print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        for r in rules:
            print(f"{r.id} {r.severity:<7} {r.message}\n              fix: {r.fix}\n              e.g. {r.example}\n"
                  f"              why: {r.rationale} [{r.source}]")
    return 0


def main_report(argv: Sequence[str]) -> int:
    """Pipeline step: lint one case, write report.json and report.txt, print the findings;
    exit 0 whatever they are (the ``gate`` step, :mod:`poaforge.gate`, stops the build
    on errors, so that Snakemake, which deletes a failed job's outputs, keeps the report)."""
    from poaforge.case.model import load_case
    p = ArgParser(prog="python -m poaforge.steps lint-report")
    p.add_argument("case_json", type=Path)
    p.add_argument("case_yaml", type=Path)
    p.add_argument("report_json", type=Path)
    p.add_argument("report_txt", type=Path)
    p.add_argument("--index", type=Path, help="cache file of the similarity index of the sibling cases "
                                               "(read when current, else rebuilt and saved); default: no cache")
    _add_now(p)
    args = p.parse_args(list(argv))
    now = _now(args.now)
    try:
        profile = json.loads(args.case_json.read_text(encoding="utf-8"))["profile"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(Problem(str(args.case_json), message=f"cannot read the validated case ({exc})",
                                 hint="rebuild it: snakemake --forcerun validate_case <case>")) from None
    case = load_case(args.case_yaml)
    cat = load_catalogue()
    index = corpus_index(case, cat, args.index)
    findings = lint_case(case, profile, index, now, catalogue=cat)
    write_text(args.report_json, json.dumps(to_json(findings, case, cat), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    text = to_text(findings, case, cat)
    write_text(args.report_txt, text)
    sys.stdout.write(text)
    return 0
