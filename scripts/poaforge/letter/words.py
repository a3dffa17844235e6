"""The words of one language: labels filled in, dates in the language's one style, lists,
number runs and citations — decided here once for every format.

:class:`Words` wraps the resolved labels of a case (``case.json["labels"]``:
``templates/lang/<language>.yaml`` with the platform's overrides). Every template is filled
with ``str.format_map`` on plain values: case text is inserted as it is and never parsed.
A label that names an unknown ``{field}`` is a :class:`~poaforge.errors.ProfileError`
pointing at the label file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from poaforge.errors import Problem, ProfileError

__all__ = ["Words", "ISO_DATE", "KEEP", "plain"]

#: An ISO date (YYYY-MM-DD) standing alone in case text.
ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
#: Tokens never broken across lines: ids, SKUs, order numbers, codes — letters and digits
#: joined by - _ / with at least one digit ("LM-WT-102", "SP-ODR-261028-4471", "1-business-day") —
#: and Chinese dates ("2026年11月2日"). Every format uses it (Typst keeps each in one box, the
#: DOCX uses non-breaking hyphens).
KEEP = (r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*(?:[-_/][A-Za-z0-9]+)+|[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*[-_/][A-Za-z0-9]*[0-9][A-Za-z0-9]*"
        r"|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"([{_CJK}])[ \\t\\r\\n]+(?=[{_CJK}])")


def plain(text: str) -> str:
    """Case text as the letter shows it: NFC, bidi override characters dropped (they would
    reorder the line), and the spaces a folded YAML line leaves between two Chinese
    characters removed ("没有 第二人复核" → "没有第二人复核"). Nothing else changes."""
    text = _BIDI.sub("", unicodedata.normalize("NFC", str(text)))
    return _CJK_GAP.sub(r"\1", text.strip())


class Words:
    """Labels of one language, and everything composed from them."""

    def __init__(self, labels: dict[str, str], where: str = "templates/lang") -> None:
        self.labels = labels
        self.where = where
        months = labels.get("month_names", "").split()
        if len(months) != 12:
            raise ProfileError(Problem(where, message=f"month_names has {len(months)} names, not 12",
                                       hint="write the twelve month names separated by spaces"))
        self.months = months

    def __getitem__(self, key: str) -> str:
        try:
            return self.labels[key]
        except KeyError:
            raise ProfileError(Problem(self.where, message=f"label '{key}' is missing",
                                       hint="every file in templates/lang/ must have the same keys")) from None

    def fill(self, key: str, **values: Any) -> str:
        """Label ``key`` with its ``{placeholders}`` filled from ``values`` (inserted as text)."""
        template = self[key]
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError) as exc:
            allowed = ", ".join("{" + k + "}" for k in values) or "no placeholders"
            raise ProfileError(Problem(self.where, message=f"label {key} ('{template}') uses an unknown field {exc}",
                                       hint=f"use only {allowed}")) from None

    # --- dates -------------------------------------------------------------------------

    def date(self, iso: str) -> str:
        """``2026-10-29`` in the language's style ("29 October 2026", "2026年10月29日");
        anything that is not an ISO date is returned unchanged."""
        try:
            day = dt.date.fromisoformat(str(iso)[:10]) if len(str(iso)) == 10 else None
        except ValueError:
            day = None
        if day is None:
            return str(iso)
        return self.fill("date_format", day=day.day, month=day.month, year=day.year, month_name=self.months[day.month - 1])

    def period(self, value: str) -> str:
        """A date or a range ``start/end`` in the language's style."""
        start, _, end = str(value).partition("/")
        return self.fill("range", start=self.date(start), end=self.date(end)) if end else self.date(start)

    def moment(self, value: str) -> str:
        """A deadline: a date alone, or a date-time with its zone ("4 December 2026, 23:59 (UTC−08:00)")."""
        if "T" not in str(value):
            return self.date(value)
        try:
            when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
        offset = when.utcoffset()
        if offset is None:
            zone = "UTC"
        else:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "\u2212"
            zone = "UTC" if minutes == 0 else f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return self.fill("datetime_format", date=self.date(when.date().isoformat()), time=when.strftime("%H:%M"), zone=zone)

    def in_text(self, text: str) -> str:
        """Case text with every ISO date in it written in the language's style, so a letter
        never mixes "2026-08-25" with "25 August 2026"."""
        def one(match: re.Match[str]) -> str:
            return self.date(match.group(0))
        return ISO_DATE.sub(one, plain(text))

    # --- lists ---------------------------------------------------------------------------

    def join(self, items: list[str]) -> str:
        """"A", "A and B", "A, B and C" (en); "A、B、C" (zh)."""
        if len(items) <= 1:
            return "".join(items)
        return self["list_sep"].join(items[:-1]) + self["list_last"] + items[-1]

    def numbers(self, nums: list[int]) -> str:
        """Item or exhibit numbers with runs of three or more shortened: [1, 2, 3, 5] → "1 to 3 and 5"."""
        nums = sorted(set(nums))
        parts, i = [], 0
        while i < len(nums):
            j = i
            while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
                j += 1
            if j - i >= 2:
                parts.append(self.fill("number_run", first=nums[i], last=nums[j]))
            else:
                parts += [str(n) for n in nums[i:j + 1]]
            i = j + 1
        return self.join(parts)

    def count(self, kind: str, n: int) -> str:
        """"1 root cause" / "3 root causes" (``count_<kind>_one`` / ``count_<kind>``)."""
        return self.fill(f"count_{kind}_one" if n == 1 else f"count_{kind}", n=n)

    # --- exhibits and citations --------------------------------------------------------

    def exhibit(self, n: int) -> str:
        """"Exhibit 3" / "附件3"."""
        return self.fill("exhibit_n", exhibit=self["exhibit"], n=n)

    def cite(self, nums: list[int]) -> dict[str, Any] | None:
        """The citation of exhibit numbers, split so a layout can link each number:
        ``{"gap", "before", "numbers", "sep", "after", "text"}``; None for no numbers."""
        nums = sorted(set(nums))
        if not nums:
            return None
        key, word = ("cite_one", self["exhibit"]) if len(nums) == 1 else ("cite_many", self["exhibits"])
        marker = "\x00"
        whole = self.fill(key, exhibit=self["exhibit"], exhibits=word, n=marker)
        before, _, after = whole.partition(marker)
        sep = self["list_sep"]
        return {"gap": self["cite_gap"], "before": before, "numbers": nums, "sep": sep, "after": after,
                "text": before + sep.join(map(str, nums)) + after}
