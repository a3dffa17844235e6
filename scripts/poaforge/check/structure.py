"""Rules about a draft as a whole: its parts (POA001–POA005), the length of its opening
(POA611) and paragraphs about another violation than the notice's (POA615).

Each returns :class:`~poaforge.check.prose.Hit` objects on the draft's units; a missing part
is reported at the heading where it should have come (the next part's heading, or the
first heading of the last part present), so editors show it where it belongs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from poaforge.errors import Problem, ProfileError

from .anchors import Sentence
from .catalogue import Catalogue, load_data
from .patterns import Entry, PatternError, compile_entry, compiler_for
from .prose import Hit
from .sections import Layout
from .text import clip
from .tokens import script_of, tokenize
from .units import SECTION_LABELS, Unit

__all__ = ["structure_hits", "preamble_hits", "metric_hits", "topic_checker", "load_topics", "REQUIRED"]

#: The three parts every POA answers, in order.
REQUIRED = ("root_cause", "corrective", "preventive")
_EMPTY = re.compile(r"^\s*(?:n/?a|none|nil|tbd|todo|see above|same as above|as above|see below|refer to the above|-+|—+"
                    r"|同上|见上文|见上|详见上文|无|暂无|略|待补充)\b[\s,.;，。；]*(?:the (?:issue|problem) (?:has been|was|is) "
                    r"(?:resolved|fixed|solved)\.?)?\s*$", re.IGNORECASE)
_SEVERAL = re.compile(r"\b(?:for|of|covering|on)\s+(?:all|both|these|the)\s+(?:\d+|two|three|four|five|six|several|many)?\s*"
                      r"(?:asins|skus|products|listings|items|violations|complaints|notices|policies)\b|所有\s*\d*\s*个?(?:商品|ASIN|违规)",
                      re.IGNORECASE)


def _hit(rule: str, where: Unit, start: int = 0, end: int | None = None, **values: Any) -> Hit:
    return Hit(rule, where, start, len(where.text) if end is None else end, values)


def _first_units(layout: Layout) -> dict[str, Unit]:
    """The first heading unit (a heading line, or a line opened by an inline label) of each section."""
    lines = {h.line for h in layout.headings}
    out: dict[str, Unit] = {}
    for u in layout.units:
        if _line(u) in lines:
            out.setdefault(u.section, u)
    return out


def _line(unit: Unit) -> int:
    return unit.locate(0)[0]


def structure_hits(layout: Layout, cat: Catalogue, language: str) -> list[Hit]:
    """Missing, empty and merged parts; one cause for several ASINs; a violation left unexplained."""
    out: list[Hit] = []
    heads = {h.line: h for h in layout.headings}
    first = _first_units(layout)
    present = [s for s in REQUIRED if s in first]
    label = {s: cat.word(f"section.{s}", language, SECTION_LABELS[s]) for s in SECTION_LABELS}
    for unit in layout.units:
        head = heads.get(_line(unit))
        if head is None:
            continue
        if len(head.sections) > 1 and (unit.kind == "heading" or head.inline):
            names = " + ".join(label.get(s, s) for s in head.sections)
            end = len(unit.text) if unit.kind == "heading" else 0
            target = unit if unit.kind == "heading" else unit
            out.append(_hit("POA003", target, 0, end or len(unit.text), sections=names, phrase=clip(unit.text, 60)))
        if head.inline and head.sections[0] in REQUIRED and _EMPTY.match(unit.text):
            out.append(_hit("POA002", unit, section=label[head.sections[-1]], phrase=unit.text.strip()))
        if head.sections[0] == "root_cause":
            whole = next((u.text for u in layout.units if _line(u) == head.line and u.kind == "heading"), "")
            m = _SEVERAL.search(whole) or _SEVERAL.search(layout.lines[head.line - 1].text.split(":")[0])
            if m:
                out.append(_hit("POA004", unit, what=m.group().split()[-1], phrase=m.group()))
    if present or layout.units:  # any text at all: a POA must have its three parts
        for i, section in enumerate(REQUIRED):
            if section in first:
                continue
            later = next((first[s] for s in REQUIRED[i + 1:] if s in first), None)
            at = later or (first[present[-1]] if present else None)
            if at is None:
                at = layout.units[0] if layout.units else None
                if at is None:
                    continue
                # no part of a POA at all: say so once, at the first line
                out.append(_hit("POA001", at, 0, 0, section=label[section], where_more="", heading=label[section]))
                continue
            where = cat.word("expected_before" if later else "expected_after", language,
                             " (expected before this heading)" if later else " (expected after this heading)")
            out.append(_hit("POA001", at, 0, 0, section=label[section], where_more=where, heading=label[section]))
    return out


def preamble_hits(layout: Layout, cat: Catalogue) -> list[Hit]:
    """POA611: the body text before the first root cause, over its budget."""
    size = 0
    for unit in layout.units:
        if unit.section in REQUIRED or unit.section == "closing":
            break
        if unit.kind != "body":
            continue
        cjk = script_of(unit.text) == "zh"
        limit = int(cat.setting("preamble_max_chars_cjk" if cjk else "preamble_max_words"))
        for a, b in unit.sentence_spans():
            piece = unit.text[a:b]
            size += len(re.sub(r"\s", "", piece)) if cjk else len(piece.split())
            if size > limit:
                return [_hit("POA611", unit, a, b, size=size, unit="characters" if cjk else "words", limit=limit)]
    return []


Vocabulary = dict[str, dict[str, tuple[Entry, ...]]]


@lru_cache(maxsize=4)
def load_topics(root: Path) -> tuple[Vocabulary, int, dict[str, tuple[dict[str, tuple[Entry, ...]], dict[str, tuple[Entry, ...]]]]]:
    """Topic vocabularies of ``lint/topics.yaml`` per topic and language, ``min_hits``, and per
    metric its naming and explaining words."""
    try:
        data = load_data((Path(root) / "lint" / "topics.yaml").read_text(encoding="utf-8"))
        comp = compiler_for({})

        def vocab(langs: dict[str, list[str]]) -> dict[str, tuple[Entry, ...]]:
            return {lang: tuple(compile_entry(w, {}, frozenset(), comp) for w in words) for lang, words in langs.items()}

        topics = {name: vocab(langs) for name, langs in data["topics"].items()}
        metrics = {name: (vocab(m["name"]), vocab(m["explained"])) for name, m in data["metrics"].items()}
        return topics, int(data["settings"]["min_hits"]), metrics
    except (OSError, KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError, PatternError) as exc:
        raise ProfileError(Problem("lint/topics.yaml", message=f"invalid topic data ({exc})",
                                   hint="restore lint/topics.yaml from git or fix the entry")) from None


def topics_of(text: str, topics: Vocabulary) -> dict[str, tuple[int, int]]:
    """Topic → span of its first word in ``text``."""
    toks = tokenize(text)
    lang = script_of(text)
    out = {}
    for name, by_lang in topics.items():
        for e in by_lang.get(lang, ()):
            span = e.match(toks, lambda _n: False)
            if span is not None:
                out[name] = span
                break
    return out


def topic_checker(main_texts: Sequence[str], root: Path) -> Any:
    """A per-unit check for :func:`~poaforge.check.prose.lint_units`: sentences in the
    corrective and preventive parts about topics ``main_texts`` (the notice, the opening and
    the root cause) never mention."""
    topics, min_hits, _ = load_topics(root)
    counts: dict[str, int] = {}
    for text in main_texts:
        for name in topics_of(text, topics):
            counts[name] = counts.get(name, 0) + 1
    main = {n for n, c in counts.items() if c >= 1}
    strong = sum(counts.values()) >= min_hits

    def check(unit: Unit, sents: Sequence[Sentence]) -> Iterable[Hit]:
        if not strong or unit.section not in ("corrective", "preventive") or unit.kind != "body":
            return
        for s in sents:
            found = topics_of(s.text, topics)
            if found and not (set(found) & main):
                name, span = next(iter(found.items()))
                yield Hit("POA615", unit, s.start + span[0], s.start + span[1],
                          {"topic": name, "main": ", ".join(sorted(main)), "phrase": s.text[span[0]:span[1]]})

    return check


def metric_hits(layout: Layout, cat: Catalogue) -> list[Hit]:
    """POA005: of two or more metrics named before or in the root cause, the ones no other
    root-cause sentence explains — when at least one of them is explained (a draft that only
    states figures is judged by the other rules)."""
    _, _, metrics = load_topics(cat.root)
    named: dict[str, tuple[Unit, int, int, int]] = {}          # metric → unit, start, end, sentence start
    sentences: list[tuple[Unit, int, int]] = []
    for u in layout.units:
        if u.kind != "body" or u.section not in ("opening", "root_cause", "unknown"):
            continue
        for a, b in u.sentence_spans():
            sentences.append((u, a, b))
            toks = tokenize(u.text[a:b])
            lang = script_of(u.text[a:b])
            for name, (names, _) in metrics.items():
                for e in names.get(lang, ()):
                    span = e.match(toks, lambda _n: False)
                    if span is not None and name not in named:
                        named[name] = (u, a + span[0], a + span[1], a)
    if len(named) < 2:
        return []
    explained = set()
    for name, (unit, _, _, at) in named.items():
        explaining = metrics[name][1]
        for u, a, b in sentences:
            if (u is unit and a == at) or u.section != "root_cause":
                continue
            toks = tokenize(u.text[a:b])
            if any(e.match(toks, lambda _n: False) for e in explaining.get(script_of(u.text[a:b]), ())):
                explained.add(name)
                break
    if not explained:
        return []
    return [_hit("POA005", u, s, e, phrase=u.text[s:e]) for name, (u, s, e, _) in named.items() if name not in explained]
