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
from poaforge.dates import parse_now, utc_minute
from poaforge.errors import BuildError, CaseError, PoaError, Problem, UsageError
from poaforge.files import read_json, write_text

from .catalogue import load_catalogue
from .corpus import corpus_index
from .engine import build_index, last_facts, lint_case, lint_inspected
from .finding import Finding
from .report import counts, exhibit_notes, summary_line, to_json, to_text

__all__ = ["main_lint", "main_rules", "main_report", "load_others", "now_line"]


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


def now_line(now: dt.datetime | None) -> str:
    """What a deadline was judged against, said once at the top of `poa lint`'s output."""
    if now is None:
        return "now: not used — deadlines judged against each case's as_of (the POA's date)"
    return f"now: {utc_minute(now)} (the clock) — deadlines are judged against it and against each case's as_of"


def main_lint(argv: Sequence[str]) -> int:
    """``poa lint [CASE ...] [--format text|json] [--now ISO]``: exit 1 on errors.

    An incomplete or invalid case is linted too: its validation problems and the findings of
    every field that is present come out together, sorted by line (the build still refuses
    it: ``poa validate`` and the pipeline stop at the problems)."""
    from poaforge.case.model import find_cases, inspect_case
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
    inspected: list[tuple[Path, Any, list[Problem]]] = []
    for path in paths:
        case, problems = inspect_case(path)
        inspected.append((path, case, problems))
        if case is not None and not problems:
            loaded[path.resolve()] = case
    index = build_index(load_others([c.path.parent for c in loaded.values()], loaded), cat)
    profiles: dict[tuple[str, str], dict[str, Any]] = {}
    results: list[tuple[Path, Any, list[Problem], list[Finding]]] = []
    for path, case, problems in inspected:
        findings = lint_inspected(case, problems, now, others=index, catalogue=cat, profiles=profiles,
                                  facts=last_facts(case))
        results.append((path, case, problems, findings))
    total = {"error": sum(len(pr) for _, _, pr, _ in results), "warning": 0, "waived": 0}
    for _, _, _, findings in results:
        for k, v in counts(findings).items():
            total[k] += v
    invalid = sum(1 for _, _, pr, _ in results if pr)
    if args.format == "json":
        out = {"now": now.isoformat() if now else None, "counts": total,
               "cases": [dict(to_json(f, c, cat, now=now) if c is not None else {"file": str(pth), "findings": []},
                              problems=[vars(pr) for pr in pr_], valid=not pr_)
                         for pth, c, pr_, f in results],
               "invalid": [str(pr) for _, _, prs, _ in results for pr in prs]}
        print(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(now_line(now))
        for _, _, problems, findings in results:
            rows = [((pr.file, pr.line, pr.col, ""), str(pr)) for pr in problems]
            rows += [((f.file, f.line, f.col, f.rule), str(f)) for f in findings]
            for _, text in sorted(rows, key=lambda r: r[0]):
                print(text)
        tail = f" ({invalid} not valid yet: fix the problems above before building)" if invalid else ""
        print(f"{len(results)} case{'s' if len(results) != 1 else ''} linted: {summary_line(total)}{tail}")
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
        print("| Rule | Severity | Category | Finding | How to fix | Example | Source |\n|---|---|---|---|---|---|---|")
        for r in rules:
            cells = [r.id, r.severity, r.category, r.message.replace("{where}: ", ""), r.fix, f"`{r.example}`", r.source]
            print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        for r in rules:
            print(f"{r.id} {r.severity:<7} {r.message}\n              fix: {r.fix}\n              e.g. {r.example}\n"
                  f"              why: {r.rationale} [{r.source}; {r.category}]")
    return 0


def main_report(argv: Sequence[str]) -> int:
    """Pipeline step: lint one case, write report.json and report.txt, print the findings;
    exit 0 whatever they are (the ``gate`` step, :mod:`poaforge.gate`, stops the build
    on errors; the report is a log of the case's job, so Snakemake keeps it when the gate stops it)."""
    from poaforge.case.model import load_case
    p = ArgParser(prog="python -m poaforge.steps lint-report")
    p.add_argument("case_json", type=Path)
    p.add_argument("case_yaml", type=Path)
    p.add_argument("report_json", type=Path)
    p.add_argument("report_txt", type=Path)
    p.add_argument("--index", type=Path, help="cache file of the similarity index of the sibling cases "
                                               "(read when current, else rebuilt and saved); default: no cache")
    p.add_argument("--facts", type=Path, help="the exhibits' facts (results/<case>/facts.json, step read): "
                                              "check the letter against its exhibits")
    p.add_argument("--exhibits", type=Path, help="exhibits.json of the evidence step: the report lists what intake "
                                                 "changed on the way (conversions, repairs, flattened forms)")
    _add_now(p)
    args = p.parse_args(list(argv))
    now = _now(args.now)
    try:
        case_json = json.loads(args.case_json.read_text(encoding="utf-8"))
        profile = case_json["profile"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(Problem(str(args.case_json), message=f"cannot read the validated case ({exc})",
                                 hint="rebuild it: snakemake <case> --forcerun build_case")) from None
    case = load_case(args.case_yaml)
    cat = load_catalogue()
    index = corpus_index(case, cat, args.index)
    facts = read_json(args.facts) if args.facts else None
    findings = lint_case(case, profile, index, now, catalogue=cat, facts=facts)
    write_text(args.report_json, json.dumps(to_json(findings, case, cat, now=now), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    notes = exhibit_notes(case_json, read_json(args.exhibits)) if args.exhibits else []
    text = to_text(findings, case, cat, now=now, exhibit_notes=notes)
    write_text(args.report_txt, text)
    sys.stdout.write(text)
    return 0
