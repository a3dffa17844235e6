"""One lint finding: which rule, where in the case file, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Finding", "SEVERITIES"]

#: Severities in the order they are reported.
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """``cases/x.yaml:31:9: POA204 error: … — fix``; ``waived`` keeps the waiver's reason.

    ``line``/``col`` (1-based) point at the first matched word, ``end_line``/``end_col`` just
    after the last one (0: the rule points at a place, not at words); ``match`` is the text
    matched; ``category`` the kind of defect (see ``lint/rules.yaml``); ``rationale`` why
    reviewers reject it. Editors and the language server read these from ``--format json``.
    """

    rule: str
    severity: str
    file: str
    line: int
    col: int
    message: str
    fix: str
    waived: bool = False
    reason: str = ""
    category: str = ""
    end_line: int = 0
    end_col: int = 0
    match: str = ""
    rationale: str = ""

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.line, self.col, self.rule, self.message)

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.rule} {self.severity}: {self.message}"
        if self.fix:
            text += f" — {self.fix}"
        if self.waived:
            text += f" [waived: {self.reason}]"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def make_finding(cat: Any, rule_id: str, file: str, start: tuple[int, int], end: tuple[int, int] = (0, 0), *,
                 in_language: str = "en", match: str = "", **values: Any) -> Finding:
    """A :class:`Finding` of ``rule_id`` with its message and fix in ``in_language`` (English
    when the catalogue has no translation), the placeholders filled from ``values``."""
    rule = cat.rules[rule_id]
    message, fix = cat.wording(rule_id, in_language)
    fmt = _Blank({k: str(v) for k, v in values.items()})
    return Finding(rule.id, rule.severity, file, start[0], start[1], message.format_map(fmt), fix.format_map(fmt),
                   category=rule.category, end_line=end[0], end_col=end[1], match=match, rationale=rule.rationale)
