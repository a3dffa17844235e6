"""Words of a sentence, as the text rules see them: English words reduced to their Snowball
stem ("checked", "checking" → "check"), Chinese split into words by jieba (``rjieba``, the
jieba-rs binding: its dictionary is built in ~0.1 s, on the first Chinese text only).

A sentence becomes a :class:`Tokens`: each word with its character span in the sentence,
and one *key string* ``|we|did|not|know|the|polici|`` (Chinese: ``|我·们|会|``) that the compiled patterns of
:mod:`poaforge.check.patterns` search. Quoted speech and document titles (``'…'``, ``“…”``,
``《…》``) become one opaque ``«q»`` word, so a buyer's question or a signed 《保证书》 is never
read as the seller's own words. Numbers become ``#``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Token", "Tokens", "tokenize", "split_word", "stem", "script_of", "is_cjk_char", "quoted_spans", "QUOTE", "NUMBER"]

QUOTE = "«q»"
NUMBER = "#"

_IDEO = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_IDEO}]+")
# quoted speech / titles: straight and curly quotes, CJK brackets; an apostrophe inside a
# word (buyer's, don't) is not a quote
_QUOTED = re.compile(
    r"“[^”\n]{1,400}”|‘[^’\n]{1,400}’|「[^」\n]{1,400}」|『[^』\n]{1,400}』|《[^》\n]{1,100}》"
    r"|(?<![\w'])'(?=\S)[^'\n]{1,400}?(?<=\S)'(?![\w'])|(?<![\w\"])\"(?=\S)[^\"\n]{1,400}?(?<=\S)\"(?!\w)")
#: Full-width punctuation matched as its ASCII form; "|" is the key string's separator.
_PUNCT_KEY = str.maketrans({"？": "?", "！": "!", "，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")",
                            "、": ",", "|": "¦", "【": "[", "】": "]", "～": "~"})
_PIECE = re.compile(
    rf"(?P<num>\d+(?:[.,:/-]\d+)*%?)|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)*)|(?P<cjk>[{_IDEO}]+)|(?P<punct>[^\s\w]|_)")


@dataclass(frozen=True)
class Token:
    """One word: ``key`` is what patterns match (stem, Chinese word, ``#``, ``«q»`` or the
    punctuation mark), ``text`` the word as written, ``start``/``end`` its span."""

    key: str
    text: str
    start: int
    end: int


class Tokens:
    """The words of one sentence and their key string; maps key-string offsets to spans."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.items = tokens
        offsets, parts, pos = [], [], 1
        for t in tokens:
            offsets.append(pos)
            # a Chinese word of several characters is written 我·们, so a pattern can match
            # across jieba's word boundaries; one character alone must be a whole word
            key = "·".join(t.key) if len(t.key) > 1 and is_cjk_char(t.key[0]) else t.key
            parts.append(key)
            pos += len(key) + 1
        self.keys = "|" + "|".join(parts) + "|"
        self.key_set = frozenset(t.key for t in tokens)
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self.items)

    def token_at(self, key_pos: int) -> int:
        """Index of the token whose key covers ``key_pos`` in :attr:`keys`."""
        return max(0, bisect_right(self._offsets, key_pos) - 1)

    def span(self, key_start: int, key_end: int) -> tuple[int, int]:
        """Character span in the sentence of the words matched at ``keys[key_start:key_end]``."""
        if not self.items:
            return (0, len(self.text))
        first = self.token_at(key_start)
        last = self.token_at(max(key_start, key_end - 2))
        return (self.items[first].start, self.items[last].end)



def is_cjk_char(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def script_of(text: str) -> str:
    """``zh`` when Chinese characters carry the text (at least as many as Latin words), else ``en``."""
    cjk = sum(len(m) for m in _CJK_RUN.findall(text))
    latin = len(re.findall(r"[A-Za-z]{2,}", text))
    return "zh" if cjk >= 2 and cjk >= latin else "en"


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


#: Words whose stem would merge them with another word that means something else.
_KEEP = {"willing": "willing", "news": "news", "sorry": "sorry", "sorrys": "sorry", "general": "general",
         "generally": "generally", "things": "thing", "business": "business", "businesses": "business",
         "during": "during", "lately": "lately", "management": "management", "manager": "manager",
         "managers": "manager", "lateness": "lateness", "wrongly": "wrongly", "knowingly": "knowingly", "unknowingly": "unknowingly", "us": "us", "as": "as", "this": "this", "was": "was", "has": "has", "is": "is"}


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """The Snowball stem of an English word, lower case; British -ise spellings as -ize."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in _KEEP:
        return _KEEP[w]
    if len(w) > 5 and re.search(r"is(e|ed|es|ing|ation|ations)$", w):
        w = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", w)
    return str(_stemmer().stemWord(w))


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import rjieba

    return rjieba


def _cut(run: str) -> list[tuple[str, int, int]]:
    return [(w, s, e) for w, s, e in _jieba().tokenize(run)]


#: Contractions read as the words they stand for: "we'll" is "we will", "didn't" is "did not".
_CONTRACTED = {"'ll": "will", "n't": "not", "'re": "are", "'ve": "have", "'d": "would", "'m": "am"}
_IRREGULAR = {"won't": ("will", "not"), "can't": ("can", "not"), "shan't": ("shall", "not"), "cannot": ("can", "not")}


def split_word(value: str, start: int) -> list[Token]:
    """One English word as tokens: a contraction gives two ("didn't" → did, not)."""
    low = value.lower().replace("’", "'")
    if low in _IRREGULAR:
        first, second = _IRREGULAR[low]
        cut = len(value) - 3 if "'" in low else 3
        return [Token(first, value[:cut], start, start + cut), Token(second, value[cut:], start + cut, start + len(value))]
    for suffix, word in _CONTRACTED.items():
        if low.endswith(suffix) and len(low) > len(suffix):
            cut = len(value) - len(suffix)
            return [Token(stem(value[:cut]), value[:cut], start, start + cut),
                    Token(word, value[cut:], start + cut, start + len(value))]
    return [Token(stem(value), value, start, start + len(value))]


def _pieces(text: str, base: int, out: list[Token]) -> None:
    for m in _PIECE.finditer(text):
        kind, value = m.lastgroup, m.group()
        start = base + m.start()
        if kind == "num":
            out.append(Token(NUMBER, value, start, start + len(value)))
        elif kind == "word":
            out += split_word(value, start)
        elif kind == "cjk":
            for w, s, e in _cut(value):
                out.append(Token(w, w, start + s, start + e))
        else:
            out.append(Token(value.translate(_PUNCT_KEY), value, start, start + len(value)))


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation or document title in ``text``."""
    return [m.span() for m in _QUOTED.finditer(text)]


@lru_cache(maxsize=4096)
def tokenize(text: str) -> Tokens:
    """The :class:`Tokens` of one sentence (cached: a sentence is tokenised once per run)."""
    out: list[Token] = []
    pos = 0
    for q in _QUOTED.finditer(text):
        _pieces(text[pos:q.start()], pos, out)
        out.append(Token(QUOTE, q.group(), q.start(), q.end()))
        pos = q.end()
    _pieces(text[pos:], pos, out)
    return Tokens(text, out)
