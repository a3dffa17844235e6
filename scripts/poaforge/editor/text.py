"""Positions in an editor's text: offsets, 0-based lines and columns, and the word at a place.

Columns here count code points (Python string indexes), as the YAML loader and the quality
gate do; the language server converts them to the client's units (UTF-16 by default) at the
edge. A line ends at ``\\n`` (a ``\\r`` before it belongs to the line).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["Lines", "Span", "word_at", "WORD"]

#: An id or rule id as written in a case file: letters, digits, '-' and '_'.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True, order=True)
class Span:
    """``start``..``end`` offsets (end exclusive) into a text."""

    start: int
    end: int

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.start <= offset <= self.end


class Lines:
    """Offsets of line starts of ``text``, to convert between offsets and (line, column)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, line: int, col: int) -> int:
        """Offset of 0-based ``line``/``col``, clamped to the line's end and the text."""
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[max(0, line)]
        return min(start + max(0, col), self.line_end(line))

    def line_end(self, line: int) -> int:
        """Offset just after the last character of ``line`` (before its ``\\r\\n`` / ``\\n``)."""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return end - 1 if end > self.starts[line] and self.text[end - 1:end] == "\r" else end

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, column) of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def line_text(self, line: int) -> str:
        """The text of 0-based ``line`` without its line end ('' past the end)."""
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line]:self.line_end(line)]


def word_at(text: str, offset: int) -> Span | None:
    """The id-like word (:data:`WORD`) touching ``offset`` (the cursor may be just after it)."""
    lo = max(0, offset - 64)
    for m in WORD.finditer(text, lo, min(len(text), offset + 64)):
        if m.start() <= offset <= m.end():
            return Span(m.start(), m.end())
        if m.start() > offset:
            break
    return None
