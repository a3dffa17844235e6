"""One error hierarchy for everything a user can cause.

Every user error is printed as ``where: what is wrong — how to fix it`` and never as a
traceback.  ``where`` is ``file:line:col`` for a case file, or an exhibit's path.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "PoaError", "CaseError", "EvidenceError", "ProfileError", "BuildError", "UsageError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: ``file:line:col: message — hint``."""

    file: str
    line: int = 0
    col: int = 0
    message: str = ""
    hint: str = ""

    def __str__(self) -> str:
        where = self.file if not self.line else f"{self.file}:{self.line}:{self.col}"
        text = f"{where}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class PoaError(Exception):
    """Base class: an error the user can fix; carries one or more problems."""

    exit_code = 1

    def __init__(self, problems: Problem | list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="poa", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CaseError(PoaError):
    """The case file is unreadable, invalid or inconsistent."""


class EvidenceError(PoaError):
    """An exhibit file cannot be used as it is."""


class ProfileError(PoaError):
    """A platform profile or language file is invalid."""


class BuildError(PoaError):
    """An output cannot be written (disk full, read-only folder, missing font)."""


class UsageError(PoaError):
    """The command line is wrong."""

    exit_code = 2
