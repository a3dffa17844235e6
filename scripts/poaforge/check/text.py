"""Text helpers: which fields are POA text, phrase matching, sentences, lengths.

"POA text" is what the POA itself says: a root cause's what/gap/role, an action and its
owner, a measure with its owner, frequency and verification. The notice's quotes are the
platform's words and exhibit titles are document names: tone rules never read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["TextField", "Matcher", "POA_KEYS", "SECTIONS", "poa_fields", "exhibit_fields", "normalise",
           "whole_value", "sentences", "cjk_runs", "has_cjk", "latin_words", "size_of", "clip"]

#: Section → keys whose values are POA text, in document order.
POA_KEYS: dict[str, tuple[str, ...]] = {
    "root_causes": ("what", "gap", "role"),
    "corrective_actions": ("action", "owner"),
    "preventive_measures": ("measure", "owner", "frequency", "verification"),
}
SECTIONS = tuple(POA_KEYS)

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]+")
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_LEADING = re.compile(r"^(?:(?:the|our|all|a|an|any|some|我们的|我司的)\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class TextField:
    """One text value of the case: where it is and what it says."""

    path: tuple[str | int, ...]
    section: str
    item_id: str
    key: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.item_id} {self.key}"


def _item_id(section: str, index: int, item: dict[str, Any]) -> str:
    ident = item.get("id")
    return ident if isinstance(ident, str) else f"{section}[{index + 1}]"


def poa_fields(data: dict[str, Any], keys: dict[str, tuple[str, ...]] = POA_KEYS) -> list[TextField]:
    """Every POA text value, in document order."""
    out = []
    for section, names in keys.items():
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            for key in names:
                value = item.get(key)
                if isinstance(value, str):
                    out.append(TextField((section, i, key), section, _item_id(section, i, item), key, value))
    return out


def exhibit_fields(data: dict[str, Any]) -> list[TextField]:
    """Exhibit titles and 'proves' sentences (checked for language, never for tone)."""
    return poa_fields(data, {"exhibits": ("title", "proves")})


def normalise(text: str) -> str:
    """Curly quotes straightened, non-breaking spaces made plain."""
    return text.translate(_QUOTES)


def whole_value(text: str) -> str:
    """A field's value reduced for whole-value lists: lower case, no article, no final stop."""
    value = " ".join(normalise(text).lower().split())
    value = value.rstrip(".。;；,，!！ ")
    return _LEADING.sub("", value).strip()


def _is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


class Matcher:
    """Finds any of a list of phrases: literal (case-insensitive; word boundaries for Latin
    phrases, substrings for Chinese ones) or regular expressions written ``re:…``."""

    def __init__(self, entries: Iterable[str]) -> None:
        parts = []
        literals = sorted({e for e in entries if not e.startswith("re:") and e.strip()}, key=len, reverse=True)
        for phrase in literals:
            body = r"\s+".join(re.escape(w) for w in normalise(phrase).split())
            parts.append(body if _is_cjk(phrase) else rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])")
        parts += [f"(?:{e[3:]})" for e in entries if e.startswith("re:")]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def search(self, text: str) -> str | None:
        """The first phrase found, as written in the text."""
        if self.pattern is None:
            return None
        found = self.pattern.search(normalise(text))
        return found.group(0) if found else None

    def findall(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        return [m.group(0) for m in self.pattern.finditer(normalise(text))]

    def remove(self, text: str) -> str:
        return self.pattern.sub(" ", normalise(text)) if self.pattern else text


def sentences(text: str) -> list[str]:
    """The sentences of English and Chinese text (see :func:`poaforge.check.units.sentences`)."""
    from .units import sentences as spans

    return [text[a:b] for a, b in spans(text)]


def cjk_runs(text: str) -> list[str]:
    return _CJK.findall(text)


def has_cjk(text: str) -> bool:
    return bool(_IDEOGRAPH.search(text))


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def size_of(text: str, cjk: bool) -> int:
    """Length for budgets: words of English text, non-space characters of Chinese text."""
    return len(re.sub(r"\s", "", text)) if cjk else len(_WORD.findall(text))


def clip(text: str, limit: int = 48) -> str:
    """One line, at most ``limit`` characters, for messages."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"
