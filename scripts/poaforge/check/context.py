"""What every check gets: the case, its profile, the catalogue and a way to report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue
from .finding import Finding, make_finding
from .text import Matcher

__all__ = ["Context"]


@dataclass
class Context:
    """One lint run over one case. ``emit`` turns a rule id and a data path into a finding."""

    case: Any
    profile: dict[str, Any]
    catalogue: Catalogue
    now: dt.datetime | None = None
    findings: list[Finding] = field(default_factory=list)
    #: findings of text rules left out by the per-field cap, per rule
    dropped: Counter[str] = field(default_factory=Counter)
    #: the exhibits' facts (results/<case>/facts.json) when they were read, for POA531-POA542
    facts: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.case.data  # type: ignore[no-any-return]

    @property
    def language(self) -> str:
        lang = self.data.get("language", "en") if isinstance(self.data, dict) else "en"
        return lang if lang in ("en", "zh") else "en"

    @property
    def file(self) -> str:
        return str(self.case.path)

    @property
    def personal_data(self) -> dict[str, Matcher]:
        return self.catalogue.personal_matchers

    def phrase_set(self, key: str) -> frozenset[str]:
        """A whole-value list (vague owners, placeholders), normalised."""
        return self.catalogue.value_sets.get(key, frozenset())

    def emit(self, rule_id: str, path: tuple[str | int, ...] = (), *, key: bool = False, **values: Any) -> None:
        if path:
            line, col = self.case.locate_key(path) if key else self.case.locate(path)
        else:
            line, col = 1, 1
        self.findings.append(make_finding(self.catalogue, rule_id, self.file, (line, col), in_language=self.language,
                                          **values))
