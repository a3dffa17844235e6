"""Company names and addresses compared as a reviewer would: case, punctuation, legal forms
(Co., Ltd. / Company Limited / 有限公司) and common abbreviations (Rd., Bldg.) do not count.
Fuzzy matching with ``rapidfuzz``; the threshold values are practice, not a platform figure."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["name_matches", "address_matches"]

_ABBREV = {"co": "company", "corp": "corporation", "inc": "incorporated", "ltd": "limited", "intl": "international",
           "rd": "road", "st": "street", "ave": "avenue", "bldg": "building", "dist": "district", "fl": "floor",
           "no": "number", "&": "and"}
_LEGAL = {"company", "limited", "incorporated", "corporation", "llc", "gmbh", "plc", "the", "and", "co", "ltd", "inc",
          "有限公司", "有限责任公司", "股份有限公司", "公司"}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]+|&", text)
    return " ".join(_ABBREV.get(w, w) for w in words)


def _core(name: str) -> str:
    """A company name without punctuation and legal form: 'Qingmu Home Supplies Co., Ltd.' → 'qingmu home supplies'."""
    out = _norm(name)
    for form in sorted(_LEGAL, key=len, reverse=True):
        out = re.sub(rf"(?:(?<=\s)|^){re.escape(form)}(?=\s|$)" if form.isascii() else re.escape(form), " ", out)
    return " ".join(out.split())


def name_matches(names: list[str], text: str, threshold: float = 90.0) -> bool:
    """Whether ``text`` (a recipient block) names one of ``names``: case, punctuation, legal forms
    (Co., Ltd. / Company Limited / 有限公司) and abbreviations do not count (rapidfuzz partial ratio)."""
    from rapidfuzz import fuzz

    target = _core(text)
    for name in names:
        core = _core(name)
        if not core:
            continue
        hay = target
        if re.search(r"[\u4e00-\u9fff]", core):  # Chinese has no spaces between words
            core, hay = core.replace(" ", ""), target.replace(" ", "")
        if len(core) >= 3 and fuzz.partial_ratio(core, hay) >= threshold:
            return True
    return False


def address_matches(address: str, text: str, threshold: float = 85.0) -> bool:
    """Whether ``text`` holds ``address`` (token set ratio: order, abbreviations and extra words
    such as the company name do not count)."""
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(_norm(address), _norm(text)) >= threshold
