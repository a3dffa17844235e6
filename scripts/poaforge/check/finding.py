"""One lint finding: which rule, where in the case file, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Finding", "SEVERITIES"]

#: Severities in the order they are reported.
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """``cases/x.yaml:31:9: POA204 error: … — fix``; ``waived`` keeps the waiver's reason."""

    rule: str
    severity: str
    file: str
    line: int
    col: int
    message: str
    fix: str
    waived: bool = False
    reason: str = ""

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
