"""What the text rules read: a :class:`Unit` is one paragraph of a draft or one text field
of a case, with the POA section it belongs to and a way back from a character offset to
the line and column of the file it came from. :func:`sentences` splits a unit's text.

Sections are the POA's parts: ``opening``, ``root_cause``, ``corrective``, ``preventive``,
``closing``, ``evidence`` (exhibit lists) and ``unknown`` (a draft without headings).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Unit", "SECTIONS", "SECTION_LABELS", "sentences", "Span"]

SECTIONS = ("opening", "root_cause", "corrective", "preventive", "closing", "evidence", "unknown")
#: How messages name each section in English (other languages: ``section.<name>`` in lint/lang/<code>.yaml).
SECTION_LABELS = {"opening": "opening", "root_cause": "root cause", "corrective": "corrective actions",
                  "preventive": "preventive measures", "closing": "closing", "evidence": "exhibits", "unknown": "text"}

Span = tuple[int, int]

# An English sentence ends at . ! ? (and closing quotes/brackets) before a space and a
# capital, digit, quote or bullet; not after an abbreviation, an initial or a decimal point.
_EN_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9\-•*(]|\s*$)""")
_ZH_END = re.compile(r"[。！？]+[”’」』）)]*|[.!?]+(?=[\u4e00-\u9fff])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|no|nos|co|ltd|inc|corp|llc|mr|mrs|ms|dr|st|ave|approx|dept|fig|ref|jan|feb|mar|apr"
                     r"|jun|jul|aug|sep|sept|oct|nov|dec|u\.s|u\.k|a\.m|p\.m)|\b[A-Z])\.$", re.IGNORECASE)


@dataclass
class Unit:
    """One paragraph or field of text to lint.

    ``locate(offset)`` gives the 1-based (line, column) in the source file of the character
    at ``offset`` of ``text``. ``group`` keys the per-field cap of findings; ``where`` names
    the place in messages ("RC1 what", "root cause"). ``kind`` is ``body``, ``heading``,
    ``greeting``, ``signature`` or ``label`` (a "Seller: …" data line). ``item`` is the
    text of the whole item (a case's root cause with its gap) for item-wide exceptions;
    ``dated`` says the item carries a date of its own (a case's ``due:`` or ``effective:``).
    """

    text: str
    section: str
    locate: Callable[[int], tuple[int, int]]
    group: str
    where: str = ""
    kind: str = "body"
    item: str = ""
    dated: bool = False
    index: int = 0
    spans: list[Span] = field(default_factory=list)

    def sentence_spans(self) -> list[Span]:
        if not self.spans:
            self.spans = sentences(self.text)
        return self.spans


def _cut_points(text: str) -> list[int]:
    from .tokens import quoted_spans

    inside = quoted_spans(text)
    cuts = []
    for m in _EN_END.finditer(text):
        before = text[:m.start() + 1]
        if m.group().startswith(".") and _ABBREV.search(before):
            continue
        cuts.append(m.end())
    cuts += [m.end() for m in _ZH_END.finditer(text)]
    # never inside a quotation, nor right after one: "他问“为什么？”，我们…" is one sentence
    return sorted(c for c in set(cuts) if not any(a < c <= b for a, b in inside))


def sentences(text: str) -> list[Span]:
    """(start, end) of each sentence of ``text``: English and Chinese punctuation, line
    breaks after a full stop; leading/trailing spaces excluded; empty pieces dropped."""
    out: list[Span] = []
    start = 0
    cuts = _cut_points(text) + [len(text)]
    for cut in cuts:
        piece = text[start:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + len(piece.rstrip())))
        start = cut
    return out
