"""Facts read from an exhibit's pages: what a reviewer checks against the letter.

:func:`exhibit_facts` turns page records (:mod:`poaforge.evidence.text`) into::

    {"pages": 2, "language": "en" | "zh" | None, "kind": {"kind": "invoice", "page": 1, "text": "…"},
     "date": {"value": "2026-03-18", "page": 1, "text": "Invoice date 2026-03-18"},   # the document's own date
     "ids": {"asin": [{"value": "B0FV7K2M9Q", "page": 1}], …},       # the profile's patterns
     "money": [{"amount": "9680", "currency": "USD", "page": 1}],
     "quantities": {"items": [{"value": 600, "page": 1}], "total": 1000, "page": 1},
     "issuer": {"name": "…", "address": "…", "contact": ["+86 …"], "page": 1} | None,
     "recipient": {"text": "…", "page": 1} | None,
     "tokens": [{"numbers": […], "ids": […], "dates": […]}, …],       # per page, for the claims
     "unreadable": [2]}                                               # pages with no readable text

Dates are parsed with ``python-dateutil`` (English forms) and a pattern for Chinese dates
(2026年3月18日); numbers are normalised (``1,600.00`` → ``1600``). Field labels (Bill to, 购买方,
Invoice date, 数量…) are the ones on invoices in English and Chinese practice.
"""

from __future__ import annotations

import re
from typing import Any

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from poaforge.evidence.kinds import Documents

__all__ = ["exhibit_facts", "parse_dates", "norm_number", "NUMBER", "ID_TOKEN", "cjk_share", "language_of"]

NUMBER = re.compile(r"(?<![A-Za-z0-9_.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![A-Za-z0-9_])")
#: An identifier: letters and digits (both), optionally joined by - _ / (LB-2026-0318, B0FV7K2M9Q),
#: or digit groups joined by hyphens (111-0000001-0000001), or a long number (order ids).
ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*"
                      r"(?![A-Za-z0-9_-])|(?<![A-Za-z0-9_-])\d+(?:-\d+){2,}(?![A-Za-z0-9_-])"
                      r"|(?<![A-Za-z0-9_.,-])\d{8,}(?![A-Za-z0-9_-])")
_ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WORDY = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?[ -]{_MONTHS}[ -,]*\d{{4}}\b|\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b",
                    re.IGNORECASE)
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CURRENCY = re.compile(r"(US dollars|US\$|USD|\$|€|EUR|£|GBP|¥|￥|RMB|CNY|元)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                       r"|((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(USD|EUR|GBP|RMB|CNY|元)")
_CURRENCY_NAMES = {"US dollars": "USD", "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY", "RMB": "CNY", "元": "CNY"}
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bwww\.[\w-]+(?:\.[\w-]+)+|https?://\S+|(?:\+|\b00)\d[\d ()-]{7,}\d"
                      r"|(?:Tel|Phone|电话)[:：]?\s*[\d ()+-]{7,}", re.IGNORECASE)
_ADDRESS = re.compile(r"\b(road|rd\.?|street|st\.|avenue|ave\.?|lane|district|building|floor|suite|park(?:way)?|drive|"
                      r"boulevard|zone|town|county|province|no\. ?\d+)\b|[路街道区号楼室市省]|\b\d{5,6}\b", re.IGNORECASE)
# Labels of the parties and fields on invoices (English and Chinese practice).
_RECIPIENT = re.compile(r"^\s*(?:bill(?:ed)? to|sold to|invoice to|buyer|customer|purchaser|consignee|to|"
                        r"购买方(?:名称)?|购货单位|买方|客户(?:名称)?|收货单位)(?:\s*[/&]\s*(?:ship|deliver)(?:ed)? to)?\s*[:：]?\s*",
                        re.IGNORECASE)
_ISSUER = re.compile(r"^\s*(seller|supplier|vendor|sold by|from|exporter|shipper|销售方(?:名称)?|销货单位|卖方|供应商)\s*[:：]?\s*",
                     re.IGNORECASE)
_RECIPIENT_ADDRESS = re.compile(r"^\s*(?:buyer'?s? address|billing address|address|购买方地址|地址(?:、电话)?)\s*[:：]?\s*", re.IGNORECASE)
_DATE_LABEL = re.compile(r"(invoice date|date of issue|issue date|issued on|date|开票日期|发票日期|日期)\s*[:：]?", re.IGNORECASE)
_QTY_HEAD = re.compile(r"^\s*(qty|quantity|units?|pcs|数量)\b", re.IGNORECASE)
_TOTAL = re.compile(r"^\s*(total|合计|总计)\b", re.IGNORECASE)


def norm_number(text: str) -> str:
    """``1,600.00`` → ``1600``, ``1.80`` → ``1.8``: one form for comparing numbers."""
    s = text.replace(",", "")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s.lstrip("0") or "0"


def parse_dates(text: str) -> list[tuple[str, str]]:
    """Every date in ``text`` as (ISO date, the text matched): 2026-03-18, 2026/3/18, 2026年3月18日,
    18 March 2026, March 18, 2026, and d/m/Y or m/d/Y where the day is over 12 (else ambiguous)."""
    import datetime as dt

    from dateutil import parser as dparser

    out: list[tuple[str, str]] = []

    def add(y: int, m: int, d: int, raw: str) -> None:
        try:
            out.append((dt.date(y, m, d).isoformat(), raw))
        except ValueError:
            pass

    for pat in (_ISO, _ZH_DATE):
        for m in pat.finditer(text):
            add(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(0))
    for m in _WORDY.finditer(text):
        try:
            out.append((dparser.parse(m.group(0).replace(",", " "), fuzzy=True).date().isoformat(), m.group(0)))
        except (ValueError, OverflowError):
            pass
    for m in _SLASHED.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 >= b:
            add(y, b, a, m.group(0))
        elif b > 12 >= a:
            add(y, a, b, m.group(0))
    return out


def cjk_share(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin words) in ``text``."""
    return len(_CJK.findall(text)), len(_LATIN_WORD.findall(text))


def language_of(text: str) -> str | None:
    """``zh`` when Chinese characters outnumber Latin words, ``en`` when Latin words do, None for no text."""
    cjk, latin = cjk_share(text)
    if cjk + latin < 5:
        return None
    return "zh" if cjk > latin else "en"


def _tokens(text: str) -> dict[str, list[str]]:
    no_dates = _ISO.sub(" ", _ZH_DATE.sub(" ", text))
    return {"numbers": sorted({norm_number(n) for n in NUMBER.findall(no_dates)}),
            "ids": sorted({t.upper() for t in ID_TOKEN.findall(text)}),
            "dates": sorted({d for d, _ in parse_dates(text)})}


def _right_of(seg: list[Any], segs: list[list[Any]]) -> list[list[Any]]:
    """Segments on the same line right of ``seg``, then those below them aligned with the first."""
    mid = (seg[1] + seg[3]) / 2
    row = sorted((s for s in segs if s[0] > seg[2] - 1 and s[1] <= mid <= s[3]), key=lambda s: s[0])
    if not row:
        return []
    first, out = row[0], [row[0]]
    height = first[3] - first[1]
    for s in sorted(segs, key=lambda s: s[1]):  # continuation lines of a wrapped value (no label left of them)
        if s[1] > out[-1][3] - 1 and s[1] - out[-1][3] < height * 0.9 and abs(s[0] - first[0]) < 3:
            if any(t[2] <= s[0] + 1 and t[1] < s[3] and t[3] > s[1] for t in segs):
                break
            out.append(s)
    return out


def _labelled(pages: list[dict[str, Any]], label: re.Pattern[str]) -> dict[str, Any] | None:
    for page in pages[:2]:
        segs = page.get("segments", [])
        for seg in segs:
            m = label.match(seg[4])
            if not m:
                continue
            rest = seg[4][m.end():].strip()
            if rest and not (":" in m.group(0) or "：" in m.group(0) or rest[0].isalnum()):
                continue                                   # "Customer PO", "To / from": not this label
            parts = [rest] if rest else [s[4] for s in _right_of(seg, segs)]
            if " ".join(parts).strip():
                return {"text": " ".join(parts).strip(), "page": page["page"]}
    return None


def _document_date(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    for page in pages[:1]:
        segs = page.get("segments", [])
        for seg in segs:
            m = _DATE_LABEL.search(seg[4])
            if m and m.start() < 4:
                candidates = [seg[4][m.end():]] + [s[4] for s in _right_of(seg, segs)[:1]]
                for c in candidates:
                    found = parse_dates(c)
                    if found:
                        return {"value": found[0][0], "page": page["page"], "text": f"{seg[4]} {c}".strip()}
        for seg in segs:
            found = parse_dates(seg[4])
            if found:
                return {"value": found[0][0], "page": page["page"], "text": seg[4]}
    return None


def _quantities(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Numbers in the column under a quantity heading (Qty, Quantity, Units, 数量), and the total row."""
    items: list[dict[str, Any]] = []
    total = None
    for page in pages:
        segs = page.get("segments", [])
        for head in (s for s in segs if _QTY_HEAD.match(s[4])):
            totals = [s for s in segs if _TOTAL.match(s[4]) and s[1] > head[3]]
            total_top = min((s[1] for s in totals), default=None)
            for s in segs:
                if s[1] <= head[3] or not (s[0] < head[2] + 4 and s[2] > head[0] - 4):
                    continue
                m = re.fullmatch(r"\s*((?:\d{1,3}(?:,\d{3})+|\d+))\s*(?:pcs|units?|sets?|件|个|套)?\s*", s[4])
                if not m:
                    continue
                value = int(m.group(1).replace(",", ""))
                if total_top is not None and abs(s[1] - total_top) < (s[3] - s[1]):
                    total = {"value": value, "page": page["page"]}
                elif total_top is None or s[1] < total_top:
                    items.append({"value": value, "page": page["page"]})
    if not items and total is None:
        return None
    summed = sum(i["value"] for i in items)
    return {"items": items, "total": total["value"] if total else summed,
            "page": (total or (items[0] if items else {"page": 1}))["page"]}


def _issuer(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who issued it: a labelled seller/supplier, else the letterhead (first text on page 1)."""
    if not pages or not pages[0].get("segments"):
        return None
    labelled = _labelled(pages, _ISSUER)
    page1 = pages[0]
    top = [s[4] for s in page1["segments"] if s[3] <= page1.get("height", 842) * 0.15]  # the letterhead
    text_all = "\n".join(s[4] for p in pages for s in p.get("segments", []))
    name = labelled["text"] if labelled else (top[0] if top else "")
    head = "\n".join(top) + ("\n" + labelled["text"] if labelled else "")
    return {"name": name, "address": next((t for t in top if _ADDRESS.search(t) and t != name), None)
            or (labelled["text"] if labelled and _ADDRESS.search(labelled["text"]) else None),
            "contact": sorted({m.group(0).strip() for m in _CONTACT.finditer(head or text_all)}), "page": 1}


def _recipient(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who the document is addressed to (Bill to, Buyer, 购买方…), with a separately labelled
    address; ``address`` is None when the document shows none for the recipient."""
    rec = _labelled(pages, _RECIPIENT)
    if rec is None:
        return None
    extra = _labelled(pages, _RECIPIENT_ADDRESS)
    text = rec["text"] + (" " + extra["text"] if extra else "")
    rec["address"] = text if _ADDRESS.search(text) else None
    return rec


def _money(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for page in pages:
        for m in _CURRENCY.finditer("\n".join(s[4] for s in page.get("segments", []))):
            cur, amount = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            out.append({"amount": norm_number(amount), "currency": _CURRENCY_NAMES.get(cur, cur), "page": page["page"]})
    return out


def _ids(pages: list[dict[str, Any]], profile: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, spec in ((profile.get("evidence") or {}).get("ids") or {}).items():
        pat = re.compile(rf"(?<![A-Za-z0-9_-])(?:{spec['pattern']})(?![A-Za-z0-9_-])")
        seen = set()
        for page in pages:
            for m in pat.finditer("\n".join(s[4] for s in page.get("segments", []))):
                if m.group(0) not in seen:
                    seen.add(m.group(0))
                    out.setdefault(name, []).append({"value": m.group(0), "page": page["page"]})
    return out


def exhibit_facts(pages: list[dict[str, Any]], *, media: str, profile: dict[str, Any], docs: Documents) -> dict[str, Any]:
    """The facts of one exhibit (see the module docstring); ``profile`` gives the id patterns."""
    from poaforge.evidence.kinds import classify  # (kinds uses the gate's phrase matcher, which uses claims → facts)

    texts = ["\n".join(s[4] for s in p.get("segments", [])) for p in pages]
    return {
        "pages": len(pages),
        "language": language_of("\n".join(texts)),
        "kind": classify(pages, media, docs),
        "date": _document_date(pages),
        "ids": _ids(pages, profile),
        "money": _money(pages),
        "quantities": _quantities(pages),
        "issuer": _issuer(pages),
        "recipient": _recipient(pages),
        "tokens": [_tokens(t) for t in texts],
        "unreadable": [p["page"] for p in pages if p.get("source") == "none"],
        "ocr_pages": [p["page"] for p in pages if p.get("source") == "ocr"],
    }
