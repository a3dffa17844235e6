"""Scenario scaffolds (``scaffolds/<scenario>.yaml``, shared parts in ``scaffolds/_common.yaml``):
loaded once, checked, and each text picked in the case language.

A scaffold holds the usual violation, the questions the root cause must answer, typical
actions and measures, and the evidence reviewers expect; ``poa new``
(:mod:`poaforge.portfolio.scaffold`) turns one into a case file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.errors import Problem, ProfileError
from poaforge.paths import PROJECT

__all__ = ["Scenario", "load_scenarios", "common_parts", "pick", "SECTIONS"]

SECTIONS = ("root_causes", "corrective_actions", "preventive_measures")
_TEXT_KEYS = ("title", "summary", "policy")
_LIST_KEYS = ("questions", "actions", "measures")


@dataclass(frozen=True)
class Scenario:
    """One scaffold file, checked."""

    id: str
    data: dict[str, Any]
    file: str

    def text(self, key: str, lang: str) -> str:
        return pick(self.data[key], lang)


def pick(value: Any, lang: str) -> Any:
    """``value`` in ``lang``: a mapping {en: …, zh: …} falls back to English, a plain value is shared."""
    if isinstance(value, dict):
        return value.get(lang, value.get("en", next(iter(value.values()), "")))
    return value


def _read(path: Path) -> Any:
    import yaml

    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(Problem(str(path), message=f"cannot read the scaffold ({str(exc).splitlines()[0]})",
                                   hint="restore it from git or fix its YAML")) from None


def _is_text(value: Any) -> bool:
    """A text: a string, or a mapping of languages (en, zh) to strings."""
    if isinstance(value, dict):
        return bool(value) and set(value) <= {"en", "zh"} and all(isinstance(v, str) and v for v in value.values())
    return isinstance(value, str) and bool(value)


def _check(path: Path, data: Any) -> Scenario:
    shown = f"scaffolds/{path.name}"

    def bad(what: str) -> ProfileError:
        return ProfileError(Problem(shown, message=f"invalid scaffold: {what}",
                                    hint="compare it with scaffolds/odr.yaml; each text is a string or {en: …, zh: …}"))

    if not isinstance(data, dict) or data.get("id") != path.stem:
        raise bad(f"'id' must be '{path.stem}' (the file name)")
    for key in _TEXT_KEYS:
        if not _is_text(data.get(key)):
            raise bad(f"'{key}' must be a text or {{en: …, zh: …}} (quote texts that hold commas)")
    for key in _LIST_KEYS:
        if not isinstance(data.get(key), dict) or not all(isinstance(v, list) for v in data[key].values()):
            raise bad(f"'{key}' must map languages to lists")
    if not isinstance(data.get("platforms"), list) or not data["platforms"]:
        raise bad("'platforms' must list the platforms the scenario occurs on")
    evidence = data.get("evidence")
    if not isinstance(evidence, list) or not evidence:
        raise bad("'evidence' must list the evidence reviewers expect")
    for n, ev in enumerate(evidence, 1):
        if not isinstance(ev, dict) or ev.get("for") not in SECTIONS or not str(ev.get("file", "")).startswith("evidence/") \
                or not ev.get("kind") or not _is_text(ev.get("title")) or not _is_text(ev.get("expect")):
            raise bad(f"evidence entry {n} needs title, file (evidence/…), kind, expect and for ({', '.join(SECTIONS)})")
    notes = data.get("notes", {})
    if not isinstance(notes, dict) or not all(_is_text(v) for v in notes.values()):
        raise bad("'notes' must map platforms to texts")
    return Scenario(path.stem, data, shown)


def load_scenarios(root: Path | None = None) -> dict[str, Scenario]:
    """Every scaffold in ``scaffolds/`` (files starting with ``_`` are shared parts), by id."""
    return dict(_scenarios(root or PROJECT))


@cache
def _scenarios(root: Path) -> dict[str, Scenario]:
    folder = root / "scaffolds"
    paths = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not paths:
        raise ProfileError(Problem(f"{folder}/", message="no scenario scaffolds found", hint="restore scaffolds/ from git"))
    return {p.stem: _check(p, _read(p)) for p in paths}


@cache
def common_parts(root: Path) -> dict[str, Any]:
    data = _read(root / "scaffolds" / "_common.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), dict) or not isinstance(data.get("comments"), dict):
        raise ProfileError(Problem("scaffolds/_common.yaml", message="needs 'platforms' and 'comments'",
                                   hint="restore it from git"))
    return data
