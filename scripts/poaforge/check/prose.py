"""Every text rule on every sentence of every unit: the patterns of ``lint/text/<lang>.yaml``
(each sentence read with the rules of its own script, so a bilingual draft is read in both
languages) and the rules computed here — placeholders (POA616), order ids (POA510),
generic paragraphs (POA613), repetition (POA609) and sentence length (POA610).

The result is a list of :class:`Hit`: rule, unit and the character span of the matched
words, which the caller turns into findings with line and column. At most
``max_per_rule_field`` hits of one rule are kept per unit (field or paragraph); the rest are
counted in :attr:`Hits.dropped`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .anchors import Sentence
from .catalogue import Catalogue
from .text import clip
from .tokens import NUMBER, QUOTE, script_of, tokenize
from .units import Unit

__all__ = ["Hit", "Hits", "lint_units", "PLACEHOLDER"]

#: Unfilled template slots: XX, X月X日, ***, ____, ……, [insert …], [Name], <name>, （店铺名）.
PLACEHOLDER = re.compile(
    r"(?<![A-Za-z0-9])X{2,}(?![A-Za-z0-9])|(?<![A-Za-z])X\s*[年月日号](?:\s*X\s*[月日号])*|(?<![\d*])\*{3,}(?![\d*])"
    r"|_{3,}|…{2,}|\.{4,}|……"
    r"|\[\s*(?:insert|name|your|company|store|shop|seller|date|number|order|asin|brand|product|tbd|todo|xx+)[^\]\n]{0,40}\]"
    r"|<\s*(?:insert|name|your|company|store|shop|seller|date|number|order|asin|brand|product)[^>\n]{0,30}>"
    r"|[（(]\s*(?:店铺名称?|公司名称?|品牌名称?|姓名|名字|日期|订单号|商品名称?|金额|数量|填写[^）)]{0,10})\s*[）)]",
    re.IGNORECASE)
# "Responsible person:", "订单总数为：" — a field label with nothing after it
_EMPTY_FIELD = re.compile(r"^\s*(?:[-•*]\s*)?(?P<label>[^:：]{1,40}?)\s*[:：]\s*$")
_FIELD_WORDS = re.compile(r"\b(?:name|names|person|signature|signed|title|total|number|amount|date|id|contact|address|phone"
                          r"|e-?mail|seller id|store|company)\b|姓名|名称|总数|数量|数目|日期|编号|签名|签字|负责人|联系方式|地址"
                          r"|电话|金额|为$", re.IGNORECASE)
_STOP_EN = frozenset("""the a an and or of to in on at for from by with as is are was were be been being it this that these
those we our us i my me you your they their them he she his her its not no so if then than but also all any each
every which who whom what when where why how have has had do does did will would can could should may might must
there here after before because while once again very more most such other only just now into about over
januari januar january februari february march april may june juli july august septemb september octob october
novemb november decemb december monday tuesday wednesday thursday friday saturday sunday""".split())
_STOP_ZH = frozenset("我们 我 的 了 是 在 和 与 及 对 也 都 就 这 那 这个 那个 已经 已 被 把 将 会 有 没有 不 一 个 我司 本店 公司 店铺 平台".split())


@dataclass
class Hit:
    """A rule matched ``unit.text[start:end]``; ``values`` fill the message's placeholders."""

    rule: str
    unit: Unit
    start: int
    end: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hits:
    """Hits kept, and per rule the number dropped by the per-field cap."""

    items: list[Hit] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


def _applies(cat: Catalogue, rule: str, section: str) -> bool:
    r = cat.rules.get(rule)
    return r is not None and section in r.sections


def _sentences(unit: Unit, cat: Catalogue) -> list[Sentence]:
    out = []
    for start, end in unit.sentence_spans():
        text = unit.text[start:end]
        lang = cat.text.get(script_of(text))
        out.append(Sentence(unit, start, end, tokenize(text), lang))
    return out


def _pattern_hits(unit: Unit, sents: list[Sentence], cat: Catalogue) -> Iterable[Hit]:
    for s in sents:
        if s.lang is None:
            continue
        item_tokens = None
        for rid, entries in s.lang.candidates(s.tokens.key_set, s.text).items():
            if not _applies(cat, rid, unit.section):
                continue
            rule = s.lang.rules[rid]
            span = None
            for n in entries:
                span = rule.match[n].match(s.tokens, s.predicate)
                if span is not None:
                    break
            if span is None or any(e.match(s.tokens, s.predicate) for e in rule.unless):
                continue
            if rule.unless_item and unit.item:
                item_tokens = item_tokens or tokenize(unit.item)
                if any(e.match(item_tokens, s.predicate) for e in rule.unless_item):
                    continue
            a, b = s.start + span[0], s.start + span[1]
            yield Hit(rid, unit, a, b, {"phrase": clip(unit.text[a:b], 60)})


# a line left blank on purpose, to be signed by hand: "Signature: ______", "签字：______"
_SIGN_HERE = re.compile(r"(?:sign(?:ed|ature)?|seal|stamp|签字|签名|签章|盖章|公章)\s*[:：]?\s*$", re.IGNORECASE)


def _placeholders(unit: Unit) -> Iterable[Hit]:
    for m in PLACEHOLDER.finditer(unit.text):
        if m.group().startswith("_") and _SIGN_HERE.search(unit.text[:m.start()]):
            continue
        yield Hit("POA616", unit, m.start(), m.end(), {"phrase": m.group()})
    m = _EMPTY_FIELD.match(unit.text)
    if m and unit.kind != "heading" and _FIELD_WORDS.search(m.group("label").strip()) and len(m.group("label").split()) <= 6:
        yield Hit("POA616", unit, m.start("label"), m.end(), {"phrase": m.group().strip()})


def _content_keys(s: Sentence) -> set[str]:
    stop = _STOP_ZH if script_of(s.text) == "zh" else _STOP_EN
    return {t.key for t in s.tokens.items if t.key not in stop and t.key not in (NUMBER, QUOTE)
            and (len(t.key) > 2 or (len(t.key) > 1 and "\u3400" <= t.key[0] <= "\u9fff")) and t.key.isalnum()}


_CLAUSE = re.compile(r"[，,；;]")


def _clauses(unit: Unit, sents: list[Sentence], cat: Catalogue) -> list[Sentence]:
    """A Chinese sentence's clauses, for repetition inside one long sentence (一句话说三遍)."""
    out = []
    for s in sents:
        if script_of(s.text) != "zh":
            out.append(s)
            continue
        pos = 0
        for piece in [*_CLAUSE.split(s.text)]:
            a = s.start + pos
            pos += len(piece) + 1
            if piece.strip():
                out.append(Sentence(unit, a, a + len(piece), tokenize(piece), s.lang))
    return out


def _repetition(unit: Unit, sents: list[Sentence], cat: Catalogue) -> Iterable[Hit]:
    if len(sents) == 1 and script_of(sents[0].text) == "zh":
        sents = _clauses(unit, sents, cat)
    need = int(cat.setting("repeat_min_sentences"))
    share = float(cat.setting("repeat_overlap"))
    keys = [_content_keys(s) for s in sents]
    counts: Counter[str] = Counter()
    concrete = [s.predicate("concrete") for s in sents]
    for j, (s, k) in enumerate(zip(sents, keys)):
        for i in range(j):
            common = keys[i] & k
            if len(common) >= 2 and len(common) >= share * max(len(keys[i]), len(k)):
                yield Hit("POA609", unit, s.start, s.end, {"phrase": clip(s.text, 60)})
                break
        else:
            counts.update(k)
            again = [w for w in k if counts[w] >= need]
            if again and len(sents) <= 6 and not concrete[j]:
                yield Hit("POA609", unit, s.start, s.end, {"phrase": clip(s.text, 60)})


def _long(unit: Unit, sents: list[Sentence], cat: Catalogue) -> Iterable[Hit]:
    for s in sents:
        cjk = script_of(s.text) == "zh"
        size = len(re.sub(r"\s", "", s.text)) if cjk else len(s.text.split())
        limit = int(cat.setting("sentence_max_chars_cjk" if cjk else "sentence_max_words"))
        if size > limit:
            yield Hit("POA610", unit, s.start, s.end, {"size": size, "unit": "characters" if cjk else "words",
                                                        "limit": limit, "phrase": clip(s.text, 60)})


def _judged(s: Sentence, cat: Catalogue) -> bool:
    text = s.text.rstrip()
    words = len([t for t in s.tokens.items if t.key.isalnum() or t.key == NUMBER])
    need = int(cat.setting("generic_min_words"))
    return not text.endswith((":", "：")) and words >= need


def _generic(unit: Unit, sents: list[Sentence], cat: Catalogue) -> Iterable[Hit]:
    judged = [s for s in sents if _judged(s, cat)]
    generic = [s for s in judged if s.is_generic()]
    if generic and len(generic) >= float(cat.setting("generic_paragraph_share")) * len(judged):
        for s in generic:
            yield Hit("POA613", unit, s.start, s.end, {"phrase": clip(s.text, 60)})


def lint_units(units: Sequence[Unit], cat: Catalogue, *, extra: Sequence[Any] = ()) -> Hits:
    """Run every text rule on ``units``; ``extra`` are callables ``(unit, sentences) → hits``
    for rules that need the whole document (order ids of the platform, topics)."""
    cap = int(cat.setting("max_per_rule_field"))
    out = Hits()
    for unit in units:
        found: list[Hit] = list(_placeholders(unit))
        if unit.kind in ("body", "greeting") or (unit.kind == "label" and unit.section != "unknown"):
            sents = _sentences(unit, cat)
            if unit.kind == "body":
                found += _pattern_hits(unit, sents, cat)
                if _applies(cat, "POA613", unit.section):
                    found += _generic(unit, sents, cat)
                found += _repetition(unit, sents, cat)
                found += _long(unit, sents, cat)
            for fn in extra:
                found += fn(unit, sents)
        per_rule: Counter[str] = Counter()
        for hit in sorted(found, key=lambda h: (h.start, h.rule)):
            per_rule[hit.rule] += 1
            if per_rule[hit.rule] > cap:
                out.dropped[hit.rule] += 1
            else:
                out.items.append(hit)
    return out
