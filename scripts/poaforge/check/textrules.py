"""The text rules' data (``lint/text/<lang>.yaml``), compiled once per process.

Each language file holds word classes, named predicates (patterns a rule can test with
``@name``) and, per rule id, the ``match`` entries, the ``unless`` entries (any of them in the
same sentence excuses it) and ``unless_item`` entries (any of them in the whole item or
paragraph excuses it). Which sections a rule reads is catalogue data (``lint/rules.yaml``,
``text.sections``). A broken file raises :class:`ProfileError` naming the file and entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from poaforge.errors import Problem, ProfileError

from .catalogue import load_data
from .patterns import Entry, PatternError, compile_entry, compiler_for

__all__ = ["LangRules", "TextRule", "load_text_rules", "CODE_PREDICATES"]

#: Predicates computed by code (see :mod:`poaforge.check.anchors`); data may add more.
CODE_PREDICATES = frozenset({"question", "quoted_question", "heading", "date", "number", "exhibit", "name",
                             "conditional_clause", "anchor", "measure"})


@dataclass(frozen=True)
class TextRule:
    """The compiled patterns of one rule in one language."""

    id: str
    match: tuple[Entry, ...]
    unless: tuple[Entry, ...]
    unless_item: tuple[Entry, ...]


@dataclass(frozen=True)
class LangRules:
    """One language file: its rules by id and its data predicates by name.

    ``by_key``/``by_text`` index the match entries by their trigger words (a stem, or a
    Chinese string found in the sentence) and ``always`` lists those without one, so a
    sentence is tried only against the entries it can match (:meth:`candidates`)."""

    language: str
    rules: dict[str, TextRule]
    predicates: dict[str, tuple[Entry, ...]]
    by_key: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    by_text: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    always: list[tuple[str, int]] = field(default_factory=list)

    def index(self) -> None:
        for rid, rule in self.rules.items():
            for n, entry in enumerate(rule.match):
                trig = entry.trigger()
                if trig is None:
                    self.always.append((rid, n))
                    continue
                for key in trig[0]:
                    self.by_key.setdefault(key, []).append((rid, n))
                for text in trig[1]:
                    self.by_text.setdefault(text, []).append((rid, n))

    def candidates(self, key_set: frozenset[str], text: str) -> dict[str, list[int]]:
        """Rule id → indexes of its match entries that the sentence could match, in order."""
        found: dict[str, set[int]] = {}
        for rid, n in self.always:
            found.setdefault(rid, set()).add(n)
        for key in key_set:
            for rid, n in self.by_key.get(key, ()):
                found.setdefault(rid, set()).add(n)
        for piece, entries in self.by_text.items():
            if piece in text:
                for rid, n in entries:
                    found.setdefault(rid, set()).add(n)
        return {rid: sorted(ns) for rid, ns in found.items()}


def _fail(shown: str, message: str) -> ProfileError:
    return ProfileError(Problem(shown, message=message, hint="fix the entry, or restore the file from git"))


def _entries(values: Any, shown: str, where: str, classes: dict[str, list[str]], preds: frozenset[str],
             comp: Any) -> tuple[Entry, ...]:
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail(shown, f"{where} must be a list of patterns (texts)")
    out = []
    for v in values:
        try:
            out.append(compile_entry(v, classes, preds, comp))
        except PatternError as exc:
            raise _fail(shown, f"{where}: {exc}") from None
    return tuple(out)


def _load(path: Path, shown: str, rule_ids: frozenset[str]) -> LangRules:
    try:
        data = load_data(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(shown, f"cannot read the text-rule file ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("language"), str):
        raise _fail(shown, "a text-rule file is a mapping with language:, classes:, predicates: and rules:")
    classes = data.get("classes") or {}
    if not isinstance(classes, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                                for v in classes.values()):
        raise _fail(shown, "classes: maps a NAME to a list of words or phrases (quote entries such as yes, no, on)")
    comp = compiler_for({str(k): v for k, v in classes.items()})
    raw_preds = data.get("predicates") or {}
    names = CODE_PREDICATES | frozenset(str(k) for k in raw_preds)
    preds = {str(k): _entries(v, shown, f"predicates.{k}", classes, names, comp) for k, v in raw_preds.items()}
    rules = {}
    for rid, spec in (data.get("rules") or {}).items():
        if rid not in rule_ids:
            raise _fail(shown, f"rules.{rid}: no such rule in lint/rules.yaml")
        if not isinstance(spec, dict) or not spec.get("match"):
            raise _fail(shown, f"rules.{rid} needs match: (a list of patterns)")
        rules[rid] = TextRule(rid, *(_entries(spec.get(k), shown, f"rules.{rid}.{k}", classes, names, comp)
                                     for k in ("match", "unless", "unless_item")))
    out = LangRules(data["language"], rules, preds)
    out.index()
    return out


@lru_cache(maxsize=4)
def load_text_rules(root: Path, rule_ids: frozenset[str]) -> dict[str, LangRules]:
    """Every ``lint/text/*.yaml`` under ``root``, by language code; compiled once and kept in
    ``results/.cache/lint`` for the next process (:mod:`poaforge.check.rulecache`)."""
    from . import rulecache

    files = sorted((Path(root) / "lint" / "text").glob("*.yaml"))
    key = rulecache.cache_key(files, rule_ids)
    kept = rulecache.load(root, key)
    if kept is not None:
        return kept
    out = {}
    for path in files:
        lang = _load(path, f"lint/text/{path.name}", rule_ids)
        out[lang.language] = lang
    rulecache.save(root, key, out)
    return out
