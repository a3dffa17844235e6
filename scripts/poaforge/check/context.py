"""What every check gets: the case, its profile, the catalogue and a way to report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue
from .finding import Finding
from .text import Matcher

__all__ = ["Context"]


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class Context:
    """One lint run over one case. ``emit`` turns a rule id and a data path into a finding."""

    case: Any
    profile: dict[str, Any]
    catalogue: Catalogue
    now: dt.datetime | None = None
    findings: list[Finding] = field(default_factory=list)
    #: the exhibits' facts (results/<case>/facts.json) when they were read, for POA511-POA522
    facts: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.case.data  # type: ignore[no-any-return]

    @property
    def language(self) -> str:
        return str(self.data.get("language", "en"))

    @property
    def file(self) -> str:
        return str(self.case.path)

    @property
    def matchers(self) -> dict[str, Matcher]:
        return self.catalogue.matchers

    @property
    def personal_data(self) -> dict[str, Matcher]:
        return self.catalogue.personal_matchers

    def phrase_set(self, key: str) -> frozenset[str]:
        """A whole-value list (vague owners, placeholders), normalised."""
        return self.catalogue.value_sets.get(key, frozenset())

    def emit(self, rule_id: str, path: tuple[str | int, ...] = (), *, key: bool = False, **values: Any) -> None:
        rule = self.catalogue.rules[rule_id]
        if path:
            line, col = self.case.locate_key(path) if key else self.case.locate(path)
        else:
            line, col = 1, 1
        fmt = _Blank({k: str(v) for k, v in values.items()})
        self.findings.append(Finding(rule.id, rule.severity, self.file, line, col,
                                     rule.message.format_map(fmt), rule.fix.format_map(fmt)))
