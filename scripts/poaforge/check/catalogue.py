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

__all__ = ["Rule", "Catalogue", "Term", "load_catalogue", "load_data", "DEFAULT_ROOT", "CATEGORIES"]

#: The repository top: ``lint/`` lives here.
DEFAULT_ROOT = PROJECT

_ID = re.compile(r"^POA[0-9]{3}$")
_SOURCES = ("official", "practice", "single")
#: The defect categories of the POA development corpus, then the kinds of rules about facts outside the text.
CATEGORIES = ("vague-root-cause", "future-promise", "vague-owner", "apology-emotional", "blame", "question-to-reviewer",
              "business-intro", "evidence-missing", "overly-long", "boilerplate", "missing-section",
              "deadline", "personal-data", "language", "platform", "waiver", "evidence-content")
SECTION_NAMES = ("opening", "root_cause", "corrective", "preventive", "closing", "evidence", "unknown")
_LISTS = ("vague_owners", "placeholders", "vague_frequency", "vague_verification")


@dataclass(frozen=True)
class Rule:
    """One catalogue entry. ``sections``: the POA parts a text rule reads (empty: not a text rule)."""

    id: str
    severity: str
    message: str
    fix: str
    rationale: str
    source: str
    example: str
    category: str = ""
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """A glossary entry: ``right`` form, ``wrong`` forms, whether casing counts, languages."""

    right: str
    wrong: tuple[str, ...] = ()
    casing: bool = False
    languages: tuple[str, ...] = ()


@dataclass
class Catalogue:
    """Rules by id, settings, phrase lists (all languages merged), the glossary, and the
    rule messages of other languages (``lint/lang/<code>.yaml``: language → rule → (message, fix))."""

    rules: dict[str, Rule]
    settings: dict[str, Any]
    phrases: dict[str, list[str]] = field(default_factory=dict)
    personal_data: dict[str, list[str]] = field(default_factory=dict)
    glossary: list[Term] = field(default_factory=list)
    root: Path = DEFAULT_ROOT
    messages: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    _matchers: dict[str, Matcher] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text(self) -> Any:
        """The compiled text rules, by language (:func:`poaforge.check.textrules.load_text_rules`)."""
        from .textrules import load_text_rules

        return load_text_rules(self.root, frozenset(self.rules))

    def wording(self, rule_id: str, language: str) -> tuple[str, str]:
        """(message, fix) of a rule in ``language``, English when there is no translation."""
        rule = self.rules[rule_id]
        return self.messages.get(language, {}).get(rule_id, (rule.message, rule.fix))

    def word(self, key: str, language: str, default: str) -> str:
        """A word of the output (section names, "error") in ``language``."""
        return self.words.get(language, {}).get(key, default)

    def matcher(self, key: str) -> Matcher:
        """The compiled matcher of the phrase list ``key``, built on first use, once per
        catalogue (a case uses some of the lists; compiling one costs ~15 ms). KeyError for a
        list the catalogue does not have."""
        if key not in self._matchers:
            self._matchers[key] = Matcher(self.phrases[key])
        return self._matchers[key]

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


def load_data(text: str) -> Any:
    """Parse a trusted data file of the project (the gate's rules, patterns and headings; the document
    kinds and page labels of the evidence stage) with libyaml when PyYAML has it:
    ten times faster than the pure-Python parser, which matters for a language server."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _fail(shown: str, message: str, hint: str = "restore the file from git or fix the entry") -> ProfileError:
    return ProfileError(Problem(shown, message=message, hint=hint))


def _read(path: Path, root: Path) -> Any:
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        return load_data(path.read_text(encoding="utf-8"))
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
              and isinstance(rat, dict) and isinstance(rat.get("text"), str) and rat.get("source") in _SOURCES
              and entry.get("category") in CATEGORIES)
        if not ok:
            raise _fail(shown, f"rule {rid!r} needs id POAnnn, severity error|warning, category ({', '.join(CATEGORIES)}), "
                               f"message, fix, example, rationale.text and rationale.source ({'|'.join(_SOURCES)})")
        if rid in rules:
            raise _fail(shown, f"rule {rid} is listed twice")
        sections = entry.get("sections") or []
        if sections == ["all"]:
            sections = list(SECTION_NAMES)
        if not isinstance(sections, list) or not set(sections) <= set(SECTION_NAMES):
            raise _fail(shown, f"rule {rid}: sections must be 'all' or a list of {', '.join(SECTION_NAMES)}")
        rules[rid] = Rule(rid, entry["severity"], entry["message"].strip(), entry["fix"].strip(),
                          rat["text"].strip(), rat["source"], entry["example"].strip(), entry["category"], tuple(sections))
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
    for path in sorted((root / "lint" / "lang").glob("*.yaml")):
        cat.messages[path.stem], cat.words[path.stem] = _translations(_read(path, root), f"lint/lang/{path.name}", cat.rules)
    return cat


def _translations(data: Any, shown: str, rules: dict[str, Rule]) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Rule messages and fixes of one language file, with the same {placeholders} as in English."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise _fail(shown, "a language file maps rules: {POAnnn: {message: …, fix: …}} (and words:)")
    out = {}
    for rid, entry in data["rules"].items():
        if rid not in rules:
            raise _fail(shown, f"{rid} is not a rule of lint/rules.yaml")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("message", "fix")):
            raise _fail(shown, f"{rid} needs message: and fix:")
        for key, english in (("message", rules[rid].message), ("fix", rules[rid].fix)):
            want, got = set(re.findall(r"{(\w+)}", english)), set(re.findall(r"{(\w+)}", entry[key]))
            if not got <= want:
                raise _fail(shown, f"{rid}.{key} uses {{{', '.join(sorted(got - want))}}}, which the English text does not fill")
        out[str(rid)] = (entry["message"].strip(), entry["fix"].strip())
    words = data.get("words") or {}
    if not isinstance(words, dict):
        raise _fail(shown, "words: maps a key to its translation")
    return out, {str(k): str(v) for k, v in words.items()}
