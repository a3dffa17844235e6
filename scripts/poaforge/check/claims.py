"""What the letter claims an exhibit shows: every number, id and date in a sentence that cites one.

A claim belongs to the exhibits its item lists (``exhibits: [E2]``), or to those a sentence
names inline ("(Exhibit 4)", "（附件4）", "(E4)"); an exhibit's own ``proves:`` sentence claims
about that exhibit. Read from: root causes' ``what``, corrective actions' ``action``,
preventive measures' ``measure``, exhibits' ``proves``.

Not claims: durations and rhythms ("within 24 hours", "every 6 months", "365 天"), numbers
under 10 (counted in words in most documents), years on their own, versions ("v3.0").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from poaforge.evidence.facts import ID_TOKEN, NUMBER, norm_number, parse_dates

from .text import sentences

__all__ = ["Claim", "claims", "FIELDS", "sold_units"]

#: The fields whose sentences are checked, per section.
FIELDS = {"root_causes": ("what",), "corrective_actions": ("action",), "preventive_measures": ("measure",)}

_INLINE = re.compile(r"(?:Exhibits?|Attachments?|证据|附件)\s*((?:[A-Za-z]{0,3}\d+)(?:\s*(?:,|，|、|and|&|和|及)\s*[A-Za-z]{0,3}\d+)*)"
                     r"|\((E\d+(?:\s*,\s*E\d+)*)\)", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|，|、|and|&|和|及)\s*", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(?:-|–|to\s+\d+\s*)?\s*(?:business |working |calendar )?(?:days?|hours?|hrs?|h\b|weeks?|months?|years?|"
                       r"minutes?|mins?|seconds?|天|日内|小时|个?月|年|周|分钟|个工作日)", re.IGNORECASE)
_BEFORE_DURATION = re.compile(r"(?:every|within|each|per|last|past|over|after|每|近|内)\s*$", re.IGNORECASE)
_UNIT_TOKEN = re.compile(r"^\d+(?:[.,]\d+)?(?:h|hrs?|pcs|kg|g|cm|mm|m|ml|l|x|st|nd|rd|th|s|k|mb|gb|px|dpi|pt)$", re.IGNORECASE)
_VERSION = re.compile(r"^v\d", re.IGNORECASE)
#: Not ids: hyphenated words with a number ("1-business-day", "10-minute") and short terms such as 3PL.
_NOT_ID = re.compile(r"^\d+(?:-[a-z]+)+$|^\d[A-Z]{1,3}$")
_ISO_RANGE = re.compile(r"\d{4}-\d{2}-\d{2}(?:/\d{4}-\d{2}-\d{2})?|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_SOLD = re.compile(r"((?:\d{1,3}(?:,\d{3})+|\d+)(?:\s*(?:,|and|和|及|、)\s*(?:\d{1,3}(?:,\d{3})+|\d+))*)\s*(?:units?\s+)?"
                   r"(?:sold|售出|销量)|(?:sold|售出|销售)\s*(?:a total of\s*)?((?:\d{1,3}(?:,\d{3})+|\d+))\s*(?:units|pcs|件|个|套)",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One number, id or date a field claims its exhibits show.

    ``path``: the field in the case data; ``where``: the item (RC1, E3); ``exhibits``: the
    exhibit ids that should show it; ``kind``: number | id | date; ``text`` as written;
    ``norm``: the form compared with the exhibit's tokens."""

    path: tuple[str | int, ...]
    where: str
    exhibits: tuple[str, ...]
    kind: str
    text: str
    norm: str


def _fields(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, str, tuple[str, ...]]]:
    for section, keys in FIELDS.items():
        for i, item in enumerate(data.get(section) or []):
            if not isinstance(item, dict):
                continue
            refs = tuple(r for r in item.get("exhibits") or [] if isinstance(r, str))
            for key in keys:
                if isinstance(item.get(key), str):
                    yield (section, i, key), str(item.get("id", f"{section}[{i + 1}]")), item[key], refs
    for i, ex in enumerate(data.get("exhibits") or []):
        if isinstance(ex, dict) and isinstance(ex.get("proves"), str) and isinstance(ex.get("id"), str):
            yield ("exhibits", i, "proves"), ex["id"], ex["proves"], (ex["id"],)


def _scope(sentence: str, refs: tuple[str, ...], numbers: dict[int, str]) -> tuple[str, ...]:
    named: list[str] = []
    for m in _INLINE.finditer(sentence):
        for t in _SPLIT.split(m.group(1) or m.group(2)):
            t = t.strip()
            if t.isdigit() and int(t) in numbers:
                named.append(numbers[int(t)])
            elif t.upper() in numbers.values():
                named.append(t.upper())
    return tuple(dict.fromkeys(named)) or refs


def _tokens(sentence: str, id_patterns: list[re.Pattern[str]]) -> Iterator[tuple[str, str, str]]:
    text = _INLINE.sub(" ", sentence)
    for m in _ISO_RANGE.finditer(text):
        for iso, raw in parse_dates(m.group(0)):
            yield "date", raw, iso
    text = _ISO_RANGE.sub(" ", text)
    seen = set()
    for pat in id_patterns:
        for m in pat.finditer(text):
            seen.add(m.group(0))
            yield "id", m.group(0), m.group(0).upper()
    for m in ID_TOKEN.finditer(text):
        tok = m.group(0)
        if tok in seen or _UNIT_TOKEN.match(tok) or _VERSION.match(tok) or tok.isdigit() or _NOT_ID.match(tok):
            continue
        yield "id", tok, tok.upper()
    rest = ID_TOKEN.sub(lambda m: " " * len(m.group(0)), text)
    for m in NUMBER.finditer(rest):
        raw = m.group(0)
        value = float(raw.replace(",", ""))
        after, before = rest[m.end():m.end() + 24], rest[max(0, m.start() - 12):m.start()]
        if _DURATION.match(after) or _BEFORE_DURATION.search(before):
            continue
        if ("." not in raw and value < 10) or ("." not in raw and "," not in raw and 1990 <= value <= 2100):
            continue
        if re.match(r"\s*(?:st|nd|rd|th)\b", after) or re.search(r"[vV]\s*$|[vV]ersion\s*$", before):
            continue
        yield "number", raw, norm_number(raw)


def claims(data: dict[str, Any], profile: dict[str, Any]) -> list[Claim]:
    """Every claim of the case ``data`` (as written or as in case.json), in field order."""
    exhibits = [e for e in data.get("exhibits") or [] if isinstance(e, dict)]
    numbers = {n: str(e.get("id")) for n, e in enumerate(exhibits, start=1)}
    id_patterns = [re.compile(rf"(?<![A-Za-z0-9_-])(?:{spec['pattern']})(?![A-Za-z0-9_-])")
                   for spec in ((profile.get("evidence") or {}).get("ids") or {}).values()]
    out: list[Claim] = []
    for path, where, text, refs in _fields(data):
        for sentence in sentences(text):
            scope = _scope(sentence, refs, numbers)
            if not scope:
                continue
            seen = set()
            for kind, raw, norm in _tokens(sentence, id_patterns):
                if (kind, norm) not in seen:
                    seen.add((kind, norm))
                    out.append(Claim(path, where, scope, kind, raw, norm))
    return out


def sold_units(text: str) -> int:
    """Units the text says were sold: "1,184 and 806 sold" → 1990, "sold 1,500 units" → 1500."""
    total = 0
    for m in _SOLD.finditer(text):
        total += sum(int(n.replace(",", "")) for n in re.findall(r"\d{1,3}(?:,\d{3})+|\d+", m.group(1) or m.group(2)))
    return total
