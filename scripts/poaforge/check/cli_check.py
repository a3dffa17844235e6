"""``poa check FILE…``: the quality gate on drafts written anywhere (.txt, .md, .docx, .odt).

Prints ``FILE:line:col: ID severity: message — fix`` sorted by file and line (for a Word
document, "line" is the paragraph number), then one summary line; ``--format json`` prints
every finding with its rule, severity, category, line, column, end column, the matched text,
message, fix and rationale. Exit 0 clean or warnings only, 1 when a finding is an error,
2 for a wrong command line. The drafts are only read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from poaforge.console import ArgParser

from .catalogue import load_catalogue
from .draft import read_draft
from .drafts import DraftResult, check_lines
from .nearcopy import near_copies
from .report import counts, summary_line

__all__ = ["main_check"]


def _summary(results: list[DraftResult], cat, language: str) -> str:  # type: ignore[no-untyped-def]
    total = counts([f for r in results for f in r.findings])
    dropped = sum(sum(r.dropped.values()) for r in results)
    n = len(results)
    if language == "zh":
        text = f"已检查 {n} 份草稿：{total['error']} 个错误，{total['warning']} 个警告"
        return text + (f"（另有 {dropped} 条同类问题未逐条列出）" if dropped else "")
    text = f"{n} draft{'s' if n != 1 else ''} checked: {summary_line(total)}"
    return text + (f" ({dropped} more of the same rules not shown)" if dropped else "")


def main_check(argv: Sequence[str]) -> int:
    """``poa check FILE… [--format text|json] [--language en|zh] [--platform NAME]``."""
    p = ArgParser(prog="poa check", description="Check POA drafts written anywhere (.txt, .md, .docx, .odt) "
                                                "against the known reasons POAs are rejected.")
    p.add_argument("files", nargs="+", type=Path, help="draft files")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--language", choices=("en", "zh"), help="language of the messages and of the draft (default: detected)")
    p.add_argument("--platform", help="platform profile for order-id shapes (default: the platform the draft names)")
    args = p.parse_args(list(argv))
    cat = load_catalogue()
    if args.platform is not None:
        from poaforge.case.profile import list_platforms
        from poaforge.errors import Problem, UsageError

        known = list_platforms(cat.root)
        if args.platform not in known:
            raise UsageError(Problem("poa check", message=f"unknown platform '{args.platform}'",
                                     hint=f"use one of: {', '.join(known)}"))
    results = []
    for path in args.files:
        lines = read_draft(path)
        if not any(line.text.strip() for line in lines):
            from poaforge.errors import CaseError, Problem

            raise CaseError(Problem(str(path), message="the draft has no text",
                                    hint="give the file that holds the POA (.txt, .md, .docx or .odt), saved with its text"))
        results.append(check_lines(lines, str(path), language=args.language, platform=args.platform, catalogue=cat))
    near_copies(results, cat)
    language = args.language or Counter(r.language for r in results).most_common(1)[0][0]
    findings = [f for r in results for f in r.findings]
    if args.format == "json":
        out = {"files": [{"file": r.file, "language": r.language, "platform": r.platform,
                          "counts": counts(r.findings), "not_shown": dict(sorted(r.dropped.items()))} for r in results],
               "findings": [f.to_dict() for f in findings], "counts": counts(findings)}
        print(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True))
    else:
        for f in findings:
            print(f)
        print(_summary(results, cat, language))
    return 1 if any(f.severity == "error" for f in findings) else 0
