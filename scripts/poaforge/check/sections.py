"""A draft's structure: which lines are headings (``lint/sections.yaml``), which section each
paragraph belongs to, and the :class:`Unit` of every paragraph.

Headings are found by their words (root cause / corrective actions / 根本原因 / 整改措施 …)
after any numbering or markup (``1.``, ``二、``, ``B)``, ``#``, ``**``, ``--``), on a short line
without a full stop, or as a label at the start of a line ("Root cause: …"). Lines before the
first heading that look like a title or a "Seller: …" line are labels, not text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from poaforge.errors import Problem, ProfileError

from .draft import Line
from .catalogue import load_data
from .patterns import Entry, PatternError, compile_entry, compiler_for
from .tokens import script_of, tokenize
from .units import Unit

__all__ = ["Heading", "Layout", "layout", "load_headings"]

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|={2,}\s*)?(?:\*\*|__)?\s*"
                     r"(?:(?:\d{1,2}(?:\.\d{1,2})*[.)、．]?|[A-Za-z][.)]|[(（]\s*\d{1,2}\s*[)）]|[①-⑳]"
                     r"|第?[一二三四五六七八九十]{1,3}[、.．:：部分章节]+|(?:Part|Section|Step)\s+\w+\s*[.:：–—-]?|[-–—•*·]+)\s*)?"
                     r"(?:\*\*|__)?\s*", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(?:dear\b|hello\b|hi\b|to whom\b|尊敬的|您好|致[:：]?\s*\S{0,12}[:：]\s*$)", re.IGNORECASE)
_VALEDICTION = re.compile(r"^\s*(?:sincerely|yours|best regards|kind regards|regards|respectfully|此致|敬礼|顺祝)\b", re.IGNORECASE)
_LABEL = re.compile(r"^\s*([^:：]{1,40}?)\s*[:：]\s*(\S.*)?$")
_FINAL = re.compile(r"[.。!！]\s*[\"'”’)）]*\s*$")
# a list item's marker: "- ", "• ", "1. ", "2) ", "(3) ", "a) ", "①"
_BULLET = re.compile(r"^\s*(?:[-–—•*·]+|\d{1,2}[.)、](?!\d)|[(（]\d{1,2}[)）]|[a-zA-Z][.)]|[①-⑳])\s*")


@dataclass(frozen=True)
class Heading:
    """A heading line: the sections it names (two or more: sections merged under one
    heading), and where its own text ends (an inline label leaves text after it)."""

    line: int
    sections: tuple[str, ...]
    text_start: int           # column (0-based) where the text after an inline label starts; 0: none
    inline: bool


@dataclass
class Layout:
    """The draft as the rules see it: headings, paragraphs (units) and the lines of each."""

    lines: list[Line]
    headings: list[Heading] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


@lru_cache(maxsize=4)
def load_headings(root: Path) -> tuple[dict[str, dict[str, tuple[Entry, ...]]], dict[str, int]]:
    """The heading patterns per section and language, and the heading settings."""
    shown = "lint/sections.yaml"
    try:
        data = load_data((Path(root) / "lint" / "sections.yaml").read_text(encoding="utf-8"))
        comp = compiler_for({})
        out: dict[str, dict[str, tuple[Entry, ...]]] = {}
        for section, langs in data["sections"].items():
            out[section] = {lang: tuple(compile_entry("^ " + p, {}, frozenset(), comp) for p in pats)
                            for lang, pats in langs.items()}
        return out, {str(k): int(v) for k, v in data["settings"].items()}
    except (OSError, KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError, PatternError) as exc:
        raise ProfileError(Problem(shown, message=f"invalid heading data ({exc})",
                                   hint="restore lint/sections.yaml from git or fix the entry")) from None


def _size(text: str) -> tuple[int, bool]:
    cjk = script_of(text) == "zh"
    return (len(re.sub(r"\s", "", text)) if cjk else len(text.split())), cjk


def _sections_of(text: str, pats: dict[str, dict[str, tuple[Entry, ...]]]) -> tuple[str, ...]:
    """Sections whose heading words start ``text`` (each half of "二、根本原因 / Root cause")."""
    found: list[str] = []
    for half in re.split(r"\s+/\s+|\s*／\s*", text):
        toks = tokenize(half.strip())
        lang = script_of(half)
        for section, by_lang in pats.items():
            if any(e.match(toks, lambda _n: False) is not None for e in by_lang.get(lang, ())):
                if section not in found:
                    found.append(section)
        if found:
            break
    # "Root cause and solution", "整改措施及预防措施": a second section named later in the line
    joined = re.split(r"\s+(?:and|&|\+)\s+|\s*[及和与、&/]\s*", text, maxsplit=1)
    if len(joined) == 2 and found:
        for section in _sections_of(joined[1], pats) if joined[1] != text else ():
            if section not in found:
                found.append(section)
    return tuple(found)


def _heading(line: Line, pats: dict[str, dict[str, tuple[Entry, ...]]], cfg: dict[str, int]) -> Heading | None:
    raw = line.text
    m = _MARKUP.match(raw)
    body_start = m.end() if m else 0
    body = raw[body_start:].rstrip().rstrip("*_=").rstrip()
    body = re.sub(r"\s*[(（][^()（）]*(?:characters|字符|字|words)[)）]\s*$", "", body)     # "(1841 / 4000 characters)"
    if not body:
        return None
    size, cjk = _size(body)
    label = _LABEL.match(body)
    limit = cfg["heading_max_chars_cjk"] if cjk else cfg["heading_max_words"]
    whole = body.rstrip(":：").strip()
    if (line.heading_level or line.bold or (size <= limit and not _FINAL.search(body))) and not (label and label.group(2)):
        sections = _sections_of(whole, pats)
        if sections:
            return Heading(line.number, sections, 0, False)
    if label and label.group(2):
        head = label.group(1)
        hsize, hcjk = _size(head)
        numbered = bool(re.search(r"\d", re.sub(r"[(（][^)）]*[)）]", "", head)))     # "Attachment 6:" is an exhibit label
        if hsize <= (cfg["label_max_chars_cjk"] if hcjk else cfg["label_max_words"]) and not numbered:
            sections = _sections_of(re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", head), pats)
            if sections:
                return Heading(line.number, sections, body_start + label.start(2), True)
    return None


# "== end of … ==" markers and table rows (columns aligned with spaces, or "a | b | c")
_MARKER = re.compile(r"^\s*={2,}.*={2,}\s*$|^\s*-{3,}\s*$")
_TABLE_ROW = re.compile(r"(?:\S(?: {2,}|\t)\S.*){2}|(?:\s\|\s.*){2}")


def _kind(text: str, before_first: bool, in_closing: bool) -> str:
    if _MARKER.match(text) or _TABLE_ROW.search(text):
        return "label"
    if _GREETING.match(text):
        return "greeting"
    if _VALEDICTION.match(text):
        return "signature"
    final = bool(_FINAL.search(text)) or text.rstrip().endswith(("?", "？"))
    size, cjk = _size(text)
    label = _LABEL.match(text)
    short = size <= (30 if cjk else 12)
    if before_first and not final and (label or short):
        return "label"
    if in_closing and not final and size <= (40 if cjk else 16):
        return "signature"
    return "body"


def _column_locator(line_no: int, base: int):  # type: ignore[no-untyped-def]
    return lambda offset: (line_no, base + offset + 1)


def layout(lines: list[Line], root: Path, *, where: dict[str, str] | None = None) -> Layout:
    """Headings, sections and one unit per line of text (a paragraph of a Word document)."""
    pats, cfg = load_headings(root)
    out = Layout(lines)
    section = "unknown"
    seen_heading = False
    for line in lines:
        if not line.text.strip():
            continue
        head = _heading(line, pats, cfg)
        if head is not None:
            out.headings.append(head)
            section = head.sections[-1] if len(head.sections) > 1 else head.sections[0]
            seen_heading = True
            if not head.inline:
                out.units.append(Unit(line.text, section, _column_locator(line.number, 0), f"line{line.number}",
                                      kind="heading", index=len(out.units)))
                continue
            start = head.text_start
            text = line.text[start:]
            out.units.append(Unit(text, section, _column_locator(line.number, start), f"line{line.number}",
                                  where=(where or {}).get(section, section), index=len(out.units)))
            continue
        kind = _kind(line.text, not seen_heading, section == "closing")
        if kind == "greeting" and section == "unknown":
            section = "opening"              # "Dear Seller Performance team," opens the letter
        bullet = _BULLET.match(line.text)
        start = bullet.end() if bullet and bullet.end() < len(line.text.rstrip()) else 0
        prev = out.units[-1] if out.units else None
        if (kind == "body" and not bullet and prev is not None and prev.kind == "body" and prev.section == section
                and prev.locate(len(prev.text))[0] == line.number - 1 and not _ENDED.search(prev.text)
                and len(lines[line.number - 2].text.strip()) >= 40 and not _LABEL.match(line.text)):
            out.units[-1] = _joined(prev, line)       # a paragraph wrapped over several lines
            continue
        out.units.append(Unit(line.text[start:], section, _column_locator(line.number, start), f"line{line.number}",
                              where=(where or {}).get(section, section), kind=kind, index=len(out.units)))
    return out


# a line that ends a sentence or a clause: the next line starts a new paragraph
_ENDED = re.compile(r"[.。!！?？:：;；\"'”’)）]\s*$")


def _joined(prev: Unit, line: Line) -> Unit:
    """``prev`` continued by ``line`` (a hard-wrapped paragraph): one unit, positions kept."""
    head = len(prev.text) + 1
    first, second = prev.locate, _column_locator(line.number, 0)

    def locate(offset: int) -> tuple[int, int]:
        return first(offset) if offset < head else second(offset - head)

    return Unit(prev.text + " " + line.text, prev.section, locate, prev.group, where=prev.where, kind=prev.kind,
                index=prev.index)
