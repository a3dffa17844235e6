"""One look at a buffer: its validation problems and quality-gate findings as marks with a
range, for the language server (diagnostics) and ``poa watch`` (printed lines).

A case file (``cases/*.yaml``) is read by :func:`poaforge.case.model.inspect_case` (schema,
references, dates, evidence pre-flight) and linted by
:func:`poaforge.check.engine.lint_inspected`, exactly as ``poa lint`` does; a draft (``.txt``,
``.md``) by :func:`poaforge.check.check_text`, as ``poa check`` does. Nothing is written.

Ranges: a finding spans the words it matched (its ``end_line``/``end_col``); a problem spans
the value it is about (the loader's offsets of that value, its first line), else the token at
its position. Offsets and columns count code points.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poaforge.errors import Problem

from .outline import Outline, outline
from .text import Lines, Span

__all__ = ["Mark", "Analysis", "analyse_case", "analyse_draft", "is_case_file", "is_draft_file", "DRAFT_SUFFIXES"]

#: Files read as drafts (``poa check``); case files are ``.yaml``/``.yml`` in a ``cases/`` folder.
DRAFT_SUFFIXES = (".txt", ".md", ".markdown")
_TOKEN = re.compile(r"[^\s:,\[\]{}]+")


@dataclass(frozen=True)
class Mark:
    """One diagnostic: ``severity`` error | warning | hint (a waived finding); ``code`` the
    rule id (a finding) or '' (a validation problem); ``finding``/``problem`` the source."""

    span: Span
    severity: str
    code: str
    source: str
    message: str
    finding: Any = None
    problem: Problem | None = None


@dataclass
class Analysis:
    """The marks of one buffer, what it was read as (``case`` / ``draft``), the case's
    outline when its YAML could be read, the case itself, and the seconds it took."""

    kind: str
    marks: list[Mark] = field(default_factory=list)
    outline: Outline | None = None
    case: Any = None
    problems: list[Problem] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    seconds: float = 0.0


def is_case_file(path: Path) -> bool:
    """A case file: ``*.yaml``/``*.yml`` in a folder named ``cases``."""
    return path.suffix in (".yaml", ".yml") and path.parent.name == "cases"


def is_draft_file(path: Path) -> bool:
    """A draft POA the language server checks like ``poa check``: ``.txt`` or ``.md``."""
    return path.suffix.lower() in DRAFT_SUFFIXES


def _token(lines: Lines, line: int, col: int) -> Span:
    """The token at 1-based ``line``/``col`` (at least one character; the line start for 0)."""
    if line <= 0:
        return Span(0, min(1, len(lines.text)))
    start = lines.offset(line - 1, max(0, col - 1))
    m = _TOKEN.match(lines.text, start, lines.line_end(line - 1))
    end = m.end() if m else min(start + 1, lines.line_end(line - 1))
    return Span(start, max(end, start))


def _value_spans(doc: Any, lines: Lines) -> dict[tuple[int, int], Span]:
    """(line, col) 1-based of every scalar value → its span, cut at the end of its first line."""
    out: dict[tuple[int, int], Span] = {}
    for path, (start, end, _style) in doc.spans.items():
        pos = doc.values.get(path)
        if pos is None:
            continue
        line, _ = lines.position(start)
        out[pos] = Span(start, max(start, min(end, lines.line_end(line))))
    return out


def _problem_marks(problems: list[Problem], lines: Lines, doc: Any) -> list[Mark]:
    spans = _value_spans(doc, lines) if doc is not None else {}
    marks = []
    for p in problems:
        span = spans.get((p.line, p.col)) or _token(lines, p.line, p.col)
        if span.end == span.start:  # an empty value: mark the line's key up to it
            line = lines.position(span.start)[0]
            text = lines.line_text(line)
            first = lines.starts[line] + len(text) - len(text.lstrip(" -"))
            span = Span(first, span.start) if first < span.start else Span(span.start, span.start + 1)
        message = f"{p.message} — {p.hint}" if p.hint else p.message
        marks.append(Mark(span, "error", "", "poa validate", message, problem=p))
    return marks


def _finding_marks(findings: list[Any], lines: Lines, source: str) -> list[Mark]:
    marks = []
    for f in findings:
        start = lines.offset(f.line - 1, f.col - 1)
        if f.end_line:
            span = Span(start, max(start + 1, lines.offset(f.end_line - 1, f.end_col - 1)))
        else:
            span = _token(lines, f.line, f.col)
        message = f"{f.message} — {f.fix}" if f.fix else f.message
        severity = "hint" if f.waived else f.severity
        if f.waived:
            message += f" [waived: {f.reason}]"
        marks.append(Mark(span, severity, f.rule, source, message, finding=f))
    return marks


def analyse_case(path: Path, text: str, *, now: dt.datetime | None = None, catalogue: Any = None,
                 profiles: dict[tuple[str, str], dict[str, Any]] | None = None) -> Analysis:
    """Validation problems and lint findings of the case file ``path`` whose buffer is ``text``.

    ``now``: judge the deadline against it too (``poa lint`` passes the clock); ``catalogue``
    and ``profiles``: loaded once by a long-running caller."""
    from poaforge.case.model import inspect_case
    from poaforge.check.engine import last_facts, lint_inspected

    began = time.perf_counter()
    case, problems = inspect_case(path, text=text)
    findings = lint_inspected(case, problems, now, catalogue=catalogue, profiles=profiles, facts=last_facts(case))
    lines = Lines(text)
    doc = case.doc if case is not None else None
    marks = _problem_marks(problems, lines, doc) + _finding_marks(findings, lines, "poa lint")
    marks.sort(key=lambda m: (m.span, m.code))
    return Analysis("case", marks, outline(doc) if doc is not None else None, case, problems, findings,
                    time.perf_counter() - began)


def analyse_draft(path: Path, text: str, *, catalogue: Any = None) -> Analysis:
    """The findings of ``poa check`` on a draft held in memory."""
    from poaforge.check import check_text

    began = time.perf_counter()
    result = check_text(text, str(path), catalogue=catalogue)
    marks = _finding_marks(result.findings, Lines(text), "poa check")
    return Analysis("draft", marks, findings=result.findings, seconds=time.perf_counter() - began)
