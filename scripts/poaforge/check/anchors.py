"""What a sentence is anchored to: the code predicates of the text rules (``@date``,
``@exhibit``, ``@name`` …) and :func:`is_generic`, a sentence with no concrete anchor at all —
no number, date, id, exhibit, named person, system or product, role, or thing of the
seller's operation — which could stand in any POA (practice: reviewers compare appeals with
circulated templates and reject text that names nothing checkable).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

from .textrules import LangRules
from .tokens import QUOTE, Tokens
from .units import Unit

__all__ = ["Sentence", "DATE", "EXHIBIT"]

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
#: A calendar date (ISO, "14 March 2026", "March 14, 2026", "March 2026", 2026 年 3 月 4 日, 3 月 4 日).
DATE = re.compile(
    rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}\b|\b\d{{1,2}}\s+{_MONTHS}\.?\s+\d{{4}}\b"
    rf"|\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b{_MONTHS}\s+\d{{4}}\b|\d{{4}}\s*年\s*\d{{1,2}}\s*月"
    rf"|\d{{1,2}}\s*月\s*\d{{1,2}}\s*日", re.IGNORECASE)
#: A numbered exhibit: "Exhibit 3", "Exhibits 2 and 3", "Attachment_1", "附件 2", "证据3".
EXHIBIT = re.compile(r"\b(?:exhibit|attachment|annex|appendix|enclosure)s?[\s_#]*(?:no\.?\s*)?\d|(?:附件|证据|附录)\s*\d",
                     re.IGNORECASE)
_URL = re.compile(r"https?://|www\.|\b[\w.-]+@[\w-]+\.[\w.]+|\.example\b")
_ZH_NAME = re.compile(r"(?:经理|主管|专员|组长|负责人|总监|助理|代表人|店长|主任|客服)[\u4e00-\u9fff]{2,3}")
# Capitalised words that name nothing specific: sentence words, platforms, months, days.
_NOT_NAMES = frozenset("""i a an the we our my you your it this that these those he she they on in at for from since
as to and or but if when by with all each every any no not one two of after before during until while once
amazon tiktok shop walmart aliexpress marketplace seller sellers performance team support central dear
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december please thank thanks sincerely regards best root cause corrective
preventive actions action measures measure opening closing plan appeal notice""".split())
_CAP_WORD = re.compile(r"(?<![\w'’])([A-Z][a-z]+|[A-Z]{2,}[a-z]*|[A-Z][a-z]*[A-Z]\w*)(?![\w])")
_CONDITIONAL = re.compile(r"^\s*(?:if|when|whenever|should|unless|in case)\b|\b(?:if|whenever|unless|in case)\b", re.I)


class Sentence:
    """One sentence of a unit with its tokens; answers the predicates of the text rules."""

    def __init__(self, unit: Unit, start: int, end: int, tokens: Tokens, lang: LangRules | None) -> None:
        self.unit, self.start, self.end, self.tokens, self.lang = unit, start, end, tokens, lang
        self.text = unit.text[start:end]
        self._cache: dict[str, bool] = {}

    def predicate(self, name: str) -> bool:
        """Value of ``@name`` for this sentence (data predicates from the language file)."""
        if name not in self._cache:
            fn: Callable[[], bool] | None = getattr(self, f"_p_{name}", None)
            if fn is not None:
                self._cache[name] = fn()
            else:
                entries = self.lang.predicates.get(name, ()) if self.lang else ()
                self._cache[name] = any(e.match(self.tokens, self.predicate) is not None for e in entries)
        return self._cache[name]

    def _p_question(self) -> bool:
        keys = [t.key for t in self.tokens.items if t.key not in (")", "]", '"', "'", "”", "’")]
        return bool(keys) and keys[-1] == "?"

    def _p_quoted_question(self) -> bool:
        return any(t.key == QUOTE and ("?" in t.text or "？" in t.text) for t in self.tokens.items)

    def _p_measure(self) -> bool:
        """In the corrective or preventive part."""
        return self.unit.section in ("corrective", "preventive")

    def _p_heading(self) -> bool:
        return self.unit.kind == "heading"

    def _p_date(self) -> bool:
        return self.unit.dated or bool(DATE.search(self.text))

    def _p_number(self) -> bool:
        return any(ch.isdigit() for ch in self.text)

    def _p_exhibit(self) -> bool:
        return bool(EXHIBIT.search(self.text))

    def _p_conditional_clause(self) -> bool:
        return bool(_CONDITIONAL.search(self.text))

    def _p_name(self) -> bool:
        return bool(self.names) or bool(_ZH_NAME.search(self.text))

    @cached_property
    def names(self) -> list[str]:
        """Capitalised words inside the sentence that are not sentence words or platform names."""
        out = []
        for m in _CAP_WORD.finditer(self.text):
            if m.start() == 0 or self.text[:m.start()].rstrip().endswith((":", "-", "•", "(")):
                continue
            if m.group().lower() not in _NOT_NAMES:
                out.append(m.group())
        return out

    def _p_anchor(self) -> bool:
        """Anything concrete: a number, date, exhibit, web or e-mail address, quotation, name, role
        or a thing of the seller's operation (data predicates ``role`` and ``concrete``)."""
        if self._p_number() or self._p_exhibit() or _URL.search(self.text):
            return True
        if any(t.key == QUOTE for t in self.tokens.items):
            return True
        return self._p_name() or self.predicate("role") or self.predicate("concrete")

    def is_generic(self) -> bool:
        """No anchor at all (see the module docstring)."""
        return not self._p_anchor()
