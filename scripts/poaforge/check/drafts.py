"""Checking a draft POA written anywhere (``poa check``), from a file or from text in memory.

:func:`check_lines` is the engine a language server calls as the user types: it takes the
draft's lines and returns sorted :class:`Finding` objects with line, column, end column,
rule, severity, category, message, fix and rationale. :func:`near_copies` adds POA614 across
several drafts and against the project's own wording.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .catalogue import Catalogue, load_catalogue, load_data
from .draft import Line
from .finding import Finding, make_finding
from .orderids import order_id_checker
from .prose import Hit, lint_units
from .sections import Layout, layout
from .structure import metric_hits, preamble_hits, structure_hits, topic_checker
from .tokens import script_of
from .units import SECTION_LABELS

__all__ = ["DraftResult", "check_lines", "check_text", "detect_platform", "PLATFORM_WORDS"]

#: Words that name each platform in a draft (for its order-id shape and signatory rules).
PLATFORM_WORDS = {
    "amazon": re.compile(r"\bamazon\b|\bseller central\b|\basin\b|亚马逊", re.I),
    "tiktok-shop": re.compile(r"\btiktok\b|抖音|tik tok", re.I),
    "aliexpress": re.compile(r"\baliexpress\b|速卖通", re.I),
    "walmart": re.compile(r"\bwalmart\b|沃尔玛", re.I),
}


@dataclass
class DraftResult:
    """The findings of one draft, its language, platform and the findings left out by the cap."""

    file: str
    language: str
    platform: str | None
    findings: list[Finding] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    layout: Layout | None = None


def detect_platform(text: str) -> str | None:
    """The platform a draft names most often, or None."""
    counts = {p: len(rx.findall(text)) for p, rx in PLATFORM_WORDS.items()}
    best = max(counts, key=lambda p: (counts[p], p))
    return best if counts[best] else None


def _finding(cat: Catalogue, hit: Hit, file: str, language: str) -> Finding:
    start = hit.unit.locate(hit.start)
    end = hit.unit.locate(max(hit.start, hit.end - 1)) if hit.end > hit.start else (0, 0)
    end = (end[0], end[1] + 1) if hit.end > hit.start else (0, 0)
    where = cat.word(f"section.{hit.unit.section}", language, SECTION_LABELS[hit.unit.section])
    values = {"where": where, **hit.values}
    return make_finding(cat, hit.rule, file, start, end, in_language=language,
                        match=hit.unit.text[hit.start:hit.end], **values)


@lru_cache(maxsize=16)
def _order_ids(platform: str | None, root: Path) -> dict[str, Any] | None:
    """The ``order_id`` shape of the platform's profile; for a draft that names no platform,
    the one profile that defines a shape (ids of that shape are recognisable on their own).
    Only that key is read, with the fast parser: `poa validate` checks profiles in full."""
    folder = Path(root) / "platforms"
    paths = [folder / f"{platform}.yaml"] if platform else sorted(folder.glob("*.yaml"))
    specs = []
    for path in paths:
        try:
            data = load_data(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
            continue
        spec = data.get("order_id") if isinstance(data, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("pattern"), str):
            specs.append(spec)
    return specs[0] if len(specs) == 1 else None


def check_lines(lines: Sequence[Line], file: str, *, language: str | None = None, platform: str | None = None,
                catalogue: Catalogue | None = None) -> DraftResult:
    """Every rule on a draft's lines (a text file's lines or a document's paragraphs).

    ``language`` (``en``/``zh``) forces the messages' language, else the draft's own script
    decides; ``platform`` (a profile name) sets order-id shapes, else the platform the draft
    names. Nothing is read from disk but the catalogue and the platform profile.
    """
    cat = catalogue or load_catalogue()
    whole = "\n".join(line.text for line in lines)
    lang = language or script_of(whole)
    plat = platform or detect_platform(whole)
    lay = layout(list(lines), cat.root)
    main = [u.text for u in lay.units if u.section in ("opening", "root_cause", "unknown")]
    extra = [order_id_checker(_order_ids(plat, cat.root)), topic_checker(main, cat.root)]
    hits = lint_units(lay.units, cat, extra=extra)
    found = hits.items + structure_hits(lay, cat, lang) + preamble_hits(lay, cat) + metric_hits(lay, cat)
    result = DraftResult(file, lang, plat, layout=lay)
    result.findings = sorted((_finding(cat, h, file, lang) for h in found), key=Finding.sort_key)
    result.dropped = hits.dropped
    return result


def check_text(text: str, file: str = "<draft>", **kwargs: Any) -> DraftResult:
    """:func:`check_lines` on a draft held in memory (one line per line of ``text``)."""
    return check_lines([Line(n, t) for n, t in enumerate(text.split("\n"), 1)], file, **kwargs)
