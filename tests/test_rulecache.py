"""The compiled text rules are kept between processes (poaforge.check.rulecache): what is read
back is what compiling gives, an edit of a language file is seen at once, and a damaged or
unwritable cache only costs the compile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poaforge.check import rulecache
from poaforge.check.textrules import _load, load_text_rules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "lint", tmp_path / "lint")
    return tmp_path


def _ids() -> frozenset[str]:
    from poaforge.check.catalogue import load_catalogue

    return frozenset(load_catalogue(ROOT).rules)


def _as_data(rules: dict) -> dict:
    return {lang: (lr.rules, lr.predicates, lr.by_key, lr.by_text, lr.always) for lang, lr in rules.items()}


def _compiled(root: Path, ids: frozenset[str]) -> dict:
    out = {}
    for path in sorted((root / "lint" / "text").glob("*.yaml")):
        lang = _load(path, f"lint/text/{path.name}", ids)
        out[lang.language] = lang
    return out


def test_rules_read_back_are_the_compiled_ones(project: Path) -> None:
    ids = _ids()
    first = load_text_rules.__wrapped__(project, ids)
    kept = list((project / "results" / ".cache" / "lint").glob("text-rules-*.json"))
    assert len(kept) == 1
    again = load_text_rules.__wrapped__(project, ids)  # from the file
    assert again is not first
    assert _as_data(again) == _as_data(first) == _as_data(_compiled(project, ids))


def test_an_edit_of_a_language_file_is_seen_and_replaces_the_kept_rules(project: Path) -> None:
    ids = _ids()
    load_text_rules.__wrapped__(project, ids)
    before = {p.name for p in (project / "results" / ".cache" / "lint").iterdir()}
    en = project / "lint" / "text" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    rule = next(r for r, lr in _compiled(project, ids)["en"].rules.items() if lr.match)
    first = _compiled(project, ids)["en"].rules[rule].match[0].source
    assert first in text
    en.write_text(text.replace(first, first + " & NOT zzqx", 1), encoding="utf-8")
    after = load_text_rules.__wrapped__(project, ids)
    assert after["en"].rules[rule].match[0].source == first + " & NOT zzqx"
    now = {p.name for p in (project / "results" / ".cache" / "lint").iterdir()}
    assert len(now) == 1 and now != before


def test_a_damaged_cache_is_compiled_again(project: Path) -> None:
    ids = _ids()
    first = load_text_rules.__wrapped__(project, ids)
    (kept,) = (project / "results" / ".cache" / "lint").glob("text-rules-*.json")
    kept.write_text('{"en": {"rules": 3}}', encoding="utf-8")
    key = kept.name[len("text-rules-"):-len(".json")]
    assert rulecache.load(project, key) is None
    assert _as_data(load_text_rules.__wrapped__(project, ids)) == _as_data(first)


def test_a_results_folder_that_cannot_be_written_only_costs_the_compile(project: Path) -> None:
    (project / "results").write_text("not a folder", encoding="utf-8")
    ids = _ids()
    assert _as_data(load_text_rules.__wrapped__(project, ids)) == _as_data(_compiled(project, ids))
