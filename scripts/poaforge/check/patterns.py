"""The pattern language of the text rules (``lint/text/<lang>.yaml``), compiled to regular
expressions over a sentence's key string (:mod:`poaforge.check.tokens`).

A *term* is a sequence of elements separated by spaces:

======================  ==========================================================
``check``               an English word, matched by its stem (checks, checked, checking)
``我们会``              Chinese, matched whatever way jieba split it; one character
                        alone only as a whole word ("会" does not match in "机会" or "开会")
``{BLAME_WHO}``         a word class of the language file (each entry is a term itself)
``[a b / c]``           one of several sequences
``x?`` ``[…]?`` ``{C}?``  optional
``~3``                  up to three words of anything
``#`` ``*`` ``«q»``     a number, any one word, a quotation
``^`` ``$``             start, end of the sentence (closing punctuation allowed)
``:`` ``?`` ``(`` …     that punctuation mark
======================  ==========================================================

A *match entry* joins terms and predicates with `` & ``: ``@question & {YOU}``.
``@name`` is a predicate (computed by :mod:`poaforge.check.anchors`, or a named pattern of
the language file); ``NOT`` before a term or predicate negates it. A finding points at the words of the first positive term that matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .tokens import NUMBER, QUOTE, Tokens, is_cjk_char, split_word, stem

__all__ = ["Term", "Entry", "compile_entry", "PatternError"]

_ANY = r"[^|]+\|"
_SEP = "[·|]"          # between two characters of a Chinese word, or between two words
_HYPHENATED = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
_ONE_WORD = re.compile(r"[a-z0-9']+\\\|")       # a compiled one-word literal: stem\|


class PatternError(ValueError):
    """A pattern of a text-rule file cannot be compiled (the message says why)."""


def _top_level(body: str, sep: str) -> list[str]:
    """``body`` cut at ``sep`` where it is outside [groups] and {classes}."""
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise PatternError(f"unbalanced brackets in {body!r}")
    out.append(cur)
    return out


def _split(body: str) -> list[str]:
    """Elements of a term: words, {classes} and [groups] (which may contain spaces)."""
    return [p for p in _top_level(body, " ") if p]


# A trigger says which words a pattern cannot match without: (keys, Chinese substrings), or
# None when it can match any sentence. Sentences without a trigger word skip the regex, and
# a regex is compiled only the first time a sentence has its trigger (start-up stays short).
Trigger = tuple[frozenset[str], frozenset[str]] | None


def _union(triggers: list[Trigger]) -> Trigger:
    if any(t is None for t in triggers):
        return None
    keys: set[str] = set()
    cjk: set[str] = set()
    for t in triggers:
        assert t is not None
        keys |= t[0]
        cjk |= t[1]
    return frozenset(keys), frozenset(cjk)


@lru_cache(maxsize=8192)
def _literal(word: str) -> tuple[str, Trigger]:
    if word == "#":
        return re.escape(NUMBER) + r"\|", (frozenset({NUMBER}), frozenset())
    if word == "*":
        return _ANY, None
    if word == QUOTE:
        return re.escape(QUOTE) + r"\|", (frozenset({QUOTE}), frozenset())
    if any(is_cjk_char(c) for c in word):
        if len(word) == 1:
            return r"(?<=\|)" + re.escape(word) + r"\|", (frozenset(), frozenset({word}))
        return "".join(re.escape(c) + _SEP for c in word), (frozenset(), frozenset({word}))
    if re.fullmatch(r"[A-Za-z]+(?:['’][A-Za-z]+)*", word):
        keys = [t.key for t in split_word(word, 0)]          # "didn't" is "did not", as in the text
        return "".join(re.escape(k) + r"\|" for k in keys), (frozenset({keys[0]}), frozenset())
    if _HYPHENATED.fullmatch(word):                       # non-compliance, a-to-z, re-read
        parts = word.split("-")
        return r"\-\|".join(re.escape(stem(w)) + r"\|" for w in parts), (frozenset({stem(parts[-1])}), frozenset())
    if re.fullmatch(r"\d+", word):
        return re.escape(NUMBER) + r"\|", (frozenset({NUMBER}), frozenset())
    keys = frozenset(c.translate(_PUNCT) for c in word)
    return "".join(re.escape(c) + r"\|" for c in word), (keys, frozenset())     # punctuation, one mark per token


_PUNCT = str.maketrans({"？": "?", "！": "!", "，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")"})


class _Compiler:
    def __init__(self, classes: Mapping[str, list[str]]) -> None:
        self.classes = classes
        self.cache: dict[str, tuple[str, Trigger]] = {}
        self.seqs: dict[str, tuple[str, Trigger]] = {}
        self.stack: list[str] = []

    def cls(self, name: str) -> tuple[str, Trigger]:
        if name in self.cache:
            return self.cache[name]
        if name not in self.classes:
            raise PatternError(f"unknown word class {{{name}}}")
        if name in self.stack:
            raise PatternError(f"word class {{{name}}} refers to itself")
        self.stack.append(name)
        compiled = [self.seq(e) for e in self.classes[name]]
        self.stack.pop()
        alts = sorted({rx for rx, _ in compiled}, key=len, reverse=True)
        # one-word entries share one "\|": (?:check|review|audit)\| parses far faster
        words = [rx[:-2] for rx in alts if _ONE_WORD.fullmatch(rx)]
        rest = [rx for rx in alts if not _ONE_WORD.fullmatch(rx)]
        parts = rest + ([f"(?:{'|'.join(words)})\\|"] if words else [])
        self.cache[name] = ("(?:" + "|".join(parts) + ")", _union([t for _, t in compiled]))
        return self.cache[name]

    def element(self, el: str) -> tuple[str, Trigger, bool]:
        """(regex, trigger, required): gaps, anchors and optional parts are not required."""
        optional = el.endswith("?") and len(el) > 1
        core = el[:-1] if optional else el
        trig: Trigger = None
        required = not optional
        if core.startswith("~") and core[1:].isdigit():
            rx = f"(?:{_ANY}){{0,{int(core[1:])}}}(?:[^|·]+·)*"      # may stop inside a Chinese word
            required = False
        elif core == "^":
            rx, required = r"(?<=^\|)", False
        elif core == "$":
            rx, required = r"(?=(?:[.!?;:,)\]]\|)*$)", False
        elif core.startswith("{") and core.endswith("}"):
            rx, trig = self.cls(core[1:-1])
        elif core.startswith("[") and core.endswith("]"):
            compiled = [self.seq(a.strip()) for a in _alternatives(core[1:-1])]
            rx = "(?:" + "|".join(r for r, _ in compiled) + ")"
            trig = _union([t for _, t in compiled])
        else:
            rx, trig = _literal(core)
        return (f"(?:{rx})?" if optional else rx), trig, required

    def seq(self, body: str) -> tuple[str, Trigger]:
        if body in self.seqs:
            return self.seqs[body]
        self.seqs[body] = self._seq(body)
        return self.seqs[body]

    def _seq(self, body: str) -> tuple[str, Trigger]:
        parts = _split(body.strip())
        if not parts:
            raise PatternError("empty pattern")
        compiled = [self.element(p) for p in parts]
        # the first required element that has a trigger stands for the whole sequence
        trig = next((t for _, t, req in compiled if req and t is not None), None)
        return "".join(rx for rx, _, _ in compiled), trig


def _alternatives(body: str) -> list[str]:
    """The sequences of a [group], cut at its top-level "/"."""
    return [a for a in _top_level(body, "/") if a.strip()]


@lru_cache(maxsize=None)
def _regex(source: str) -> re.Pattern[str]:
    return re.compile(source)


@dataclass(frozen=True)
class Term:
    """One term or predicate of a match entry: its regex source (compiled on first use) and
    the trigger words without which it cannot match."""

    negated: bool
    predicate: str | None
    source: str = ""
    trigger: Trigger = None

    def search(self, tokens: Tokens) -> re.Match[str] | None:
        if self.trigger is not None:
            keys, cjk = self.trigger
            if keys.isdisjoint(tokens.key_set) and not any(c in tokens.text for c in cjk):
                return None
        return _regex(self.source).search(tokens.keys)


@dataclass(frozen=True)
class Entry:
    """A match entry: every term must hold. ``source`` is the entry as written in the data."""

    source: str
    terms: tuple[Term, ...]

    def trigger(self) -> Trigger:
        """The words a sentence needs for this entry to match (its first positive term's)."""
        for term in self.terms:
            if term.predicate is None and not term.negated:
                return term.trigger
        return None

    def match(self, tokens: Tokens, predicate: Callable[[str], bool]) -> tuple[int, int] | None:
        """Character span (in the sentence) of the words found, or None when the entry fails."""
        span: tuple[int, int] | None = None
        for term in sorted(self.terms, key=lambda t: t.predicate is None):
            if term.predicate is not None:
                if predicate(term.predicate) == term.negated:
                    return None
                continue
            found = term.search(tokens)
            if (found is not None) == term.negated:
                return None
            if found is not None and span is None:
                span = tokens.span(found.start(), found.end())
        return span if span is not None else (0, len(tokens.text))


def compile_entry(source: str, classes: Mapping[str, list[str]], predicates: frozenset[str],
                  compiler: _Compiler | None = None) -> Entry:
    """Build one match entry; :class:`PatternError` names what is wrong with it. Each regex
    is checked once here (cheaply: ``sre_parse``) and compiled for matching on first use."""
    comp = compiler or _Compiler(classes)
    terms = []
    for raw in source.split(" & "):
        raw = raw.strip()
        negated = raw.startswith("NOT ")
        body = raw[4:].strip() if negated else raw
        if body.startswith("@"):
            if body[1:] not in predicates:
                raise PatternError(f"unknown predicate {body}; known: {', '.join(sorted('@' + p for p in predicates))}")
            terms.append(Term(negated, body[1:]))
        else:
            rx, trig = comp.seq(body)
            terms.append(Term(negated, None, r"(?<=[|·])" + rx, trig))
    if all(t.negated for t in terms):
        raise PatternError(f"{source!r} needs at least one positive term")
    return Entry(source, tuple(terms))


def compiler_for(classes: Mapping[str, list[str]]) -> _Compiler:
    """One compiler per language file: word classes are compiled once and shared."""
    return _Compiler(classes)
