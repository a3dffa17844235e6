"""Running every check on one case, then applying the case's waivers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import casetext, checks_content, checks_deadline, checks_evidence, checks_exhibits, checks_history, checks_length, checks_platform, checks_text
from .catalogue import Catalogue, load_catalogue
from .context import Context
from .finding import Finding
from .similarity import SimilarityIndex, check_similarity
from .text import whole_value

__all__ = ["lint_case", "lint_case_text", "lint_inspected", "last_facts", "profile_for", "CHECKS", "build_index"]

#: Every check, in the order it runs (findings are sorted afterwards).
CHECKS: tuple[Callable[[Context], None], ...] = (
    checks_content.check_root_causes, checks_content.check_actions, checks_content.check_measures,
    checks_content.check_owners, casetext.check_case_text, checks_text.check_language,
    checks_text.check_personal_data, checks_evidence.check_citations, checks_evidence.check_exhibit_dates,
    checks_evidence.check_exhibits, checks_length.check_length, checks_deadline.check_deadline,
    checks_platform.check_metrics, checks_platform.check_exhibit_rules, checks_platform.check_signatory,
    checks_platform.check_language_accepted, checks_history.check_history, checks_exhibits.check_exhibit_facts,
)


def build_index(cases: Sequence[Any], catalogue: Catalogue | None = None) -> SimilarityIndex:
    """The shingle index over ``cases``: build it once per run and pass it as ``others``."""
    cat = catalogue or load_catalogue()
    return SimilarityIndex(cases, cat.settings["similarity"])


def _waive(ctx: Context) -> None:
    waivers = ctx.data.get("waive")
    granted: dict[str, tuple[str, int]] = {}
    placeholders = ctx.phrase_set("placeholders")
    for i, w in enumerate(waivers if isinstance(waivers, list) else []):
        if not isinstance(w, dict):
            continue
        rule, reason = str(w.get("rule", "")), w.get("reason")
        if rule not in ctx.catalogue.rules or rule.startswith("POA9"):
            ctx.emit("POA902", ("waive", i, "rule"), rule=rule)
        elif not isinstance(reason, str) or whole_value(reason) in placeholders:
            ctx.emit("POA901", ("waive", i, "rule"), rule=rule)
        else:
            granted.setdefault(rule, (" ".join(reason.split()), i))
    used = set()
    for n, f in enumerate(ctx.findings):
        if f.rule in granted:
            ctx.findings[n] = dataclasses.replace(f, waived=True, reason=granted[f.rule][0])
            used.add(f.rule)
    for rule, (_, i) in granted.items():
        if rule not in used:
            ctx.emit("POA903", ("waive", i, "rule"), rule=rule)


def lint_case(case: Any, profile: dict[str, Any], others: Sequence[Any] | SimilarityIndex = (),
              now: dt.datetime | None = None, *, catalogue: Catalogue | None = None,
              facts: dict[str, Any] | None = None, invalid: bool = False) -> list[Finding]:
    """Every finding for ``case`` (waived ones marked), sorted by line, column and rule.

    ``others``: the other cases to compare wording with, or a prebuilt
    :class:`SimilarityIndex` (see :func:`build_index`); the case itself is skipped.
    ``now``: also check the deadline against this moment (None: only against as_of).
    ``facts``: the exhibits' facts (``results/<case>/facts.json``); without them the
    cross-checks against the exhibits (POA531-POA542) do not run.
    ``invalid``: the case has validation problems (a list where a mapping belongs, …); a
    check that meets a value of the wrong shape is left out — the problems already say what
    is wrong there — instead of failing the whole run. A valid case never needs this.
    """
    cat = catalogue or load_catalogue()
    ctx = Context(case=case, profile=profile or {}, catalogue=cat, now=now, facts=facts)
    for check in CHECKS:
        if not invalid:
            check(ctx)
            continue
        kept = len(ctx.findings)
        try:
            check(ctx)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            del ctx.findings[kept:]  # a half-run check: none of its findings
    index = others if isinstance(others, SimilarityIndex) else (build_index(others, cat) if others else None)
    if index is not None:
        check_similarity(ctx, index)
    _waive(ctx)
    return sorted(ctx.findings, key=Finding.sort_key)


def profile_for(case: Any, cache: dict[tuple[str, str], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The case's merged platform profile; {} when the case does not name a usable one yet."""
    from poaforge.case.model import PROJECT
    from poaforge.case.profile import load_profile
    from poaforge.errors import PoaError

    cache = {} if cache is None else cache
    data = case.data if isinstance(case.data, dict) else {}
    key = (str(data.get("platform", "")), str(data.get("marketplace", "")))
    if key not in cache:
        try:
            cache[key] = load_profile(key[0], key[1], PROJECT)
        except PoaError:
            cache[key] = {}
    return cache[key]


def lint_inspected(case: Any, problems: Sequence[Any], now: dt.datetime | None = None, *,
                   others: Sequence[Any] | SimilarityIndex = (), catalogue: Catalogue | None = None,
                   profiles: dict[tuple[str, str], dict[str, Any]] | None = None,
                   facts: dict[str, Any] | None = None) -> list[Finding]:
    """The findings of a case as :func:`poaforge.case.model.inspect_case` read it (also an
    invalid one: every field that is present is linted), less those at the place of one of
    its ``problems`` (a missing value: the problem says it already). [] when the file could
    not be read as a mapping. ``profiles``: a cache of merged platform profiles kept by a
    long-running caller (`poa lint` over many cases, the language server, `poa watch`).
    ``facts``: the exhibits' facts (:func:`last_facts`) for the cross-checks POA531-POA542."""
    if case is None or not isinstance(case.data, dict):
        return []
    case = _without_bad_values(case, problems)
    findings = lint_case(case, profile_for(case, profiles), others, now, catalogue=catalogue, facts=facts,
                         invalid=bool(problems))
    said = {(p.line, p.col) for p in problems}
    return [f for f in findings if (f.line, f.col) not in said]


def _without_bad_values(case: Any, problems: Sequence[Any]) -> Any:
    """``case`` without the text values its ``problems`` point at (a date that does not exist,
    text where a block belongs): the rules then neither judge them nor reason from them (an
    exhibit "after the POA date 2026-02-30"). Values in lists stay (removing one would move
    the others); the case itself is not changed."""
    import copy
    import dataclasses

    bad = {(p.line, p.col) for p in problems}
    drop = []
    for path, pos in case.doc.values.items():
        if not path or pos not in bad or not isinstance(path[-1], str):
            continue
        parent: Any = case.data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and isinstance(parent.get(path[-1]), str):
            drop.append(path)
    if not drop:
        return case
    data = copy.deepcopy(case.data)
    for path in drop:
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        parent.pop(path[-1], None)
    return dataclasses.replace(case, doc=dataclasses.replace(case.doc, data=data))


def last_facts(case: Any) -> dict[str, Any] | None:
    """The exhibits' facts the last build read (``results/<case>/facts.json`` beside
    ``cases/``), or None when the case was not built yet or the file is unusable: commands
    outside the pipeline (`poa lint`, the editor) check claims against the exhibits as last
    read; they may be stale until the next build reads changed exhibits again."""
    import json

    if case is None or not isinstance(case.data, dict):
        return None
    path = Path(case.path).parent.parent / "results" / Path(case.path).stem / "facts.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def lint_case_text(text: str, path: str, now: dt.datetime | None = None, *,
                   catalogue: Catalogue | None = None) -> tuple[list[Any], list[Finding]]:
    """Lint a case held in memory (an editor's buffer for ``path``): its problems (schema,
    references; see :func:`poaforge.case.model.inspect_case`) and the findings of every field
    that is present, findings at the place of a problem left out. Nothing is written."""
    from poaforge.case.model import inspect_case

    case, problems = inspect_case(path, text=text)
    return problems, lint_inspected(case, problems, now, catalogue=catalogue)
