"""The rule catalogue and its data files: ``lint/rules.yaml`` (rules and settings),
``lint/phrases/<lang>.yaml`` (phrase lists) and ``lint/glossary.yaml`` (term forms).

All are data, validated on load; a broken file raises :class:`ProfileError` naming it.
Loaded once per process (cached by root folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from poaforge.errors import Problem, ProfileError
from poaforge.paths import PROJECT

from .text import Matcher, whole_value

__all__ = ["Rule", "Catalogue", "Term", "load_catalogue", "DEFAULT_ROOT"]

#: The repository top: ``lint/`` lives here.
DEFAULT_ROOT = PROJECT

_ID = re.compile(r"^POA[0-9]{3}$")
_SOURCES = ("official", "practice", "single")
_LISTS = ("superficial", "process_terms", "promissory", "vague_owners", "placeholders", "apology", "blame",
          "support_case", "business_intro", "vague_measures", "vague_frequency", "vague_verification")


@dataclass(frozen=True)
class Rule:
    """One catalogue entry."""

    id: str
    severity: str
    message: str
    fix: str
    rationale: str
    source: str
    example: str


@dataclass(frozen=True)
class Term:
    """A glossary entry: ``right`` form, ``wrong`` forms, whether casing counts, languages."""

    right: str
    wrong: tuple[str, ...] = ()
    casing: bool = False
    languages: tuple[str, ...] = ()


@dataclass
class Catalogue:
    """Rules by id, settings, phrase lists (all languages merged) and the glossary."""

    rules: dict[str, Rule]
    settings: dict[str, Any]
    phrases: dict[str, list[str]] = field(default_factory=dict)
    personal_data: dict[str, list[str]] = field(default_factory=dict)
    glossary: list[Term] = field(default_factory=list)
    root: Path = DEFAULT_ROOT

    @cached_property
    def matchers(self) -> dict[str, Matcher]:
        """One compiled matcher per phrase list (built once per catalogue)."""
        return {key: Matcher(entries) for key, entries in self.phrases.items()}

    @cached_property
    def personal_matchers(self) -> dict[str, Matcher]:
        return {kind: Matcher(entries) for kind, entries in sorted(self.personal_data.items())}

    @cached_property
    def value_sets(self) -> dict[str, frozenset[str]]:
        """Whole-value lists (vague owners, placeholders) in the form :func:`whole_value` gives."""
        return {key: frozenset(whole_value(p) for p in entries) for key, entries in self.phrases.items()}

    def setting(self, *keys: str) -> Any:
        value: Any = self.settings
        for key in keys:
            value = value[key]
        return value


def _fail(shown: str, message: str, hint: str = "restore the file from git or fix the entry") -> ProfileError:
    return ProfileError(Problem(shown, message=message, hint=hint))


def _read(path: Path, root: Path) -> Any:
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(shown, f"cannot read the lint data file: {exc.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(shown, f"invalid lint data file: {exc}".splitlines()[0]) from None


def _str_list(value: Any, shown: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(shown, f"'{key}' must be a list of texts (quote entries such as yes, no, on)")
    for entry in value:
        if entry.startswith("re:"):
            try:
                re.compile(entry[3:])
            except re.error as exc:
                raise _fail(shown, f"'{key}': bad regular expression {entry!r} ({exc})") from None
    return value


def _rules(data: Any, shown: str) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    if not isinstance(data, list):
        raise _fail(shown, "'rules' must be a list")
    for entry in data:
        if not isinstance(entry, dict):
            raise _fail(shown, "each rule must be a mapping")
        rid = entry.get("id")
        rat = entry.get("rationale") or {}
        ok = (isinstance(rid, str) and _ID.match(rid) and entry.get("severity") in ("error", "warning")
              and all(isinstance(entry.get(k), str) and entry[k].strip() for k in ("message", "fix", "example"))
              and isinstance(rat, dict) and isinstance(rat.get("text"), str) and rat.get("source") in _SOURCES)
        if not ok:
            raise _fail(shown, f"rule {rid!r} needs id POAnnn, severity error|warning, message, fix, example, "
                               f"rationale.text and rationale.source ({'|'.join(_SOURCES)})")
        if rid in rules:
            raise _fail(shown, f"rule {rid} is listed twice")
        rules[rid] = Rule(rid, entry["severity"], entry["message"].strip(), entry["fix"].strip(),
                          rat["text"].strip(), rat["source"], entry["example"].strip())
    return rules


def _glossary(data: Any, shown: str) -> list[Term]:
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        raise _fail(shown, "the glossary needs a 'terms' list")
    out = []
    for t in terms:
        if not isinstance(t, dict) or not isinstance(t.get("right"), str):
            raise _fail(shown, f"glossary entry {t!r} needs 'right'")
        out.append(Term(t["right"], tuple(_str_list(t.get("wrong"), shown, "wrong")), t.get("casing") is True,
                        tuple(_str_list(t.get("languages"), shown, "languages"))))
    return out


@lru_cache(maxsize=4)
def load_catalogue(root: Path = DEFAULT_ROOT) -> Catalogue:
    """Read and check ``lint/rules.yaml``, every ``lint/phrases/*.yaml`` and ``lint/glossary.yaml``."""
    root = Path(root)
    data = _read(root / "lint" / "rules.yaml", root)
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise _fail("lint/rules.yaml", "the catalogue needs 'settings' and 'rules'")
    cat = Catalogue(rules=_rules(data.get("rules"), "lint/rules.yaml"), settings=data["settings"], root=root)
    cat.phrases = {key: [] for key in _LISTS}
    files = sorted((root / "lint" / "phrases").glob("*.yaml"))
    if not files:
        raise _fail("lint/phrases/", "no phrase files found", "restore lint/phrases/en.yaml from git")
    for path in files:
        shown = f"lint/phrases/{path.name}"
        lists = _read(path, root)
        if not isinstance(lists, dict):
            raise _fail(shown, "a phrase file is a mapping of list names to phrases")
        for key in _LISTS:
            cat.phrases[key] += _str_list(lists.get(key), shown, key)
        pdata = lists.get("personal_data") or {}
        if not isinstance(pdata, dict):
            raise _fail(shown, "'personal_data' maps a kind (e-mail address…) to patterns")
        for kind, pats in pdata.items():
            cat.personal_data.setdefault(str(kind), []).extend(_str_list(pats, shown, f"personal_data.{kind}"))
    cat.glossary = _glossary(_read(root / "lint" / "glossary.yaml", root), "lint/glossary.yaml")
    return cat
