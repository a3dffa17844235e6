"""The compiled text rules kept between runs: ``results/.cache/lint/text-rules-<key>.json``.

Turning the rules' patterns (``lint/text/*.yaml``) into regular-expression sources and
trigger words takes ~60 ms, in every process that lints (each case's job). The result is
plain data — each entry's source, its terms' regular-expression sources and trigger words —
so it is kept as JSON, keyed by the SHA-256 of the language files' names and bytes, the rule
ids of the catalogue and the package's code (:func:`poaforge.deps.package_digest`): any
change of them is a new key. Reading it back takes ~5 ms. A cache that cannot be read or
written is ignored (the rules are compiled as before); one file is kept, the last written.
JSON, not pickle: a file in the results folder is read as data, never run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .patterns import Entry, Term

__all__ = ["cache_key", "load", "save"]

_PREFIX = "text-rules-"


def cache_key(files: Iterable[Path], rule_ids: frozenset[str]) -> str:
    """Hex SHA-256 of the language files (names and bytes), ``rule_ids`` and the package's code."""
    from poaforge.deps import package_digest

    h = hashlib.sha256(package_digest().encode())
    for path in files:
        h.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    h.update(b"\0ids\0" + "\0".join(sorted(rule_ids)).encode())
    return h.hexdigest()


def _folder(root: Path) -> Path:
    return Path(root) / "results" / ".cache" / "lint"


def _entry(e: Entry) -> list[Any]:
    return [e.source, [[t.negated, t.predicate, t.source, None if t.trigger is None
                        else [sorted(t.trigger[0]), sorted(t.trigger[1])]] for t in e.terms]]


def _entry_from(value: list[Any]) -> Entry:
    source, terms = value
    return Entry(source, tuple(Term(bool(neg), pred, src, None if trig is None else (frozenset(trig[0]), frozenset(trig[1])))
                               for neg, pred, src, trig in terms))


def save(root: Path, key: str, rules: dict[str, Any]) -> None:
    """Keep ``rules`` (language → :class:`poaforge.check.textrules.LangRules`) under ``key``;
    earlier files of the folder go. Nothing happens when the folder cannot be written."""
    from poaforge.files import write_text

    data = {lang: {"rules": {rid: [[_entry(e) for e in part] for part in (r.match, r.unless, r.unless_item)]
                             for rid, r in lr.rules.items()},
                   "predicates": {name: [_entry(e) for e in entries] for name, entries in lr.predicates.items()}}
            for lang, lr in rules.items()}
    folder = _folder(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / f"{_PREFIX}{key}.json", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        for old in folder.glob(f"{_PREFIX}*.json"):
            if old.name != f"{_PREFIX}{key}.json":
                old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001  (a cache only: BuildError or OSError from a read-only or full disk)
        return


def load(root: Path, key: str) -> dict[str, Any] | None:
    """The rules kept under ``key`` (language → LangRules, indexed), or None when there are none
    or the file is not what :func:`save` writes."""
    from .textrules import LangRules, TextRule

    try:
        data = json.loads((_folder(root) / f"{_PREFIX}{key}.json").read_text(encoding="utf-8"))
        out = {}
        for lang, spec in data.items():
            rules = {rid: TextRule(rid, *(tuple(_entry_from(e) for e in part) for part in parts))
                     for rid, parts in spec["rules"].items()}
            preds = {name: tuple(_entry_from(e) for e in entries) for name, entries in spec["predicates"].items()}
            out[lang] = LangRules(lang, rules, preds)
            out[lang].index()
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
