"""What the editor shows for an id or a mark: hover text (Markdown), completion choices.

Exhibits are numbered as the letter numbers them (the profile's ``exhibit_order``, see
:func:`poaforge.case.normalize.citation_order`) and named with the letter's word for an
exhibit (``templates/lang/<language>.yaml``, the profile's ``labels``): "Exhibit 3", "附件3".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poaforge.errors import PoaError

from .analysis import Mark
from .outline import LIST_WORDS, Item, Outline

__all__ = ["Choice", "hover_item", "hover_mark", "id_choices", "rule_choices", "exhibit_numbers"]

_SIZE_UNITS = ((1 << 20, "MB"), (1 << 10, "kB"))


@dataclass(frozen=True)
class Choice:
    """One completion: the text inserted, a one-line detail and Markdown documentation."""

    label: str
    detail: str
    documentation: str
    order: int


def _short(text: str, most: int = 70) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _size(n: int) -> str:
    for unit, name in _SIZE_UNITS:
        if n >= unit:
            return f"{n / unit:.1f} {name}"
    return f"{n} bytes"


def exhibit_numbers(case: Any, profile: dict[str, Any]) -> dict[str, int]:
    """Exhibit id → its number in the letter (case order, or first-cited order)."""
    from poaforge.case.normalize import citation_order

    data = case.data if case is not None and isinstance(case.data, dict) else {}
    exhibits = [e for e in data.get("exhibits") or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]
    ids = [e["id"] for e in exhibits]
    if profile.get("exhibit_order") == "first-cited" and isinstance(profile.get("sections"), list):
        try:
            ids = [i for i in citation_order(data, profile["sections"]) if i in ids]
        except (KeyError, TypeError, AttributeError):
            pass  # an incomplete case: keep the written order
    return {ident: n for n, ident in enumerate(ids, start=1)}


def _exhibit_word(case: Any, profile: dict[str, Any], n: int, cache: dict[Any, Any]) -> str:
    from poaforge.case.profile import load_labels
    from poaforge.paths import PROJECT

    data = case.data if case is not None and isinstance(case.data, dict) else {}
    key = (str(data.get("language", "")), str(data.get("platform", "")), str(data.get("marketplace", "")))
    if key not in cache:
        try:
            cache[key] = load_labels(key[0], profile, PROJECT) if profile else None
        except PoaError:
            cache[key] = None
    labels = cache[key]
    if not labels or "exhibit_n" not in labels:
        return f"Exhibit {n}"
    return str(labels["exhibit_n"]).format(exhibit=labels.get("exhibit", "Exhibit"), n=n)


def _cited_by(outline: Outline, ident: str) -> list[str]:
    out = []
    for item in outline.items.values():
        refs = item.data.get("exhibits") if item.list != "exhibits" else None
        if isinstance(refs, list) and ident in refs:
            out.append(item.id)
    return out


def _file_line(case: Any, rel: Any) -> str:
    from poaforge.evidence.sniff import media_of
    from poaforge.paths import PathProblem, resolve_inside

    if not isinstance(rel, str) or case is None:
        return ""
    try:
        real = resolve_inside(case.dir, rel)
        with real.open("rb") as fh:
            head = fh.read(2048)
        size = real.stat().st_size
    except (PathProblem, OSError) as exc:
        return f"file: `{rel}` — {exc}"
    return f"file: `{rel}` ({media_of(head) or 'unknown type'}, {_size(size)})"


def hover_item(item: Item, outline: Outline, case: Any, profile: dict[str, Any], cache: dict[Any, Any]) -> str:
    """Markdown for an id: what the item says; for an exhibit its number, file, date, proof."""
    data = item.data
    if item.list == "exhibits":
        n = exhibit_numbers(case, profile).get(item.id)
        head = f"**{item.id}** · {_exhibit_word(case, profile, n, cache) if n else 'exhibit'} — {item.summary or '(no title)'}"
        lines = [head, _file_line(case, data.get("file"))]
        if isinstance(data.get("date"), str):
            lines.append(f"date: {data['date']}")
        if isinstance(data.get("proves"), str):
            lines.append(f"proves: {' '.join(data['proves'].split())}")
        cited = _cited_by(outline, item.id)
        lines.append(f"cited by: {', '.join(cited)}" if cited else "cited by: nothing yet")
        return "\n\n".join(line for line in lines if line)
    word = LIST_WORDS[item.list]
    lines = [f"**{item.id}** · {word} {item.index + 1}", item.summary or "(not written yet)"]
    for key in ("violations", "root_causes", "exhibits"):
        refs = data.get(key)
        if isinstance(refs, list) and refs:
            lines.append(f"{key}: {', '.join(str(r) for r in refs)}")
    for key in ("done", "due", "effective", "when", "owner", "role"):
        if isinstance(data.get(key), str):
            lines.append(f"{key}: {data[key]}")
    return "\n\n".join(lines)


def hover_mark(mark: Mark, catalogue: Any) -> str:
    """Markdown for a diagnostic: the message and fix, and for a rule why reviewers reject it."""
    f = mark.finding
    if f is None:
        p = mark.problem
        text = f"**{mark.source}**: {p.message}" if p is not None else mark.message
        return text + (f"\n\n**Fix:** {p.hint}" if p is not None and p.hint else "")
    rule = catalogue.rules.get(f.rule) if catalogue is not None else None
    lines = [f"**{f.rule}** {f.severity} · {f.category}" + (" · waived" if f.waived else ""), f.message]
    if f.fix:
        lines.append(f"**Fix:** {f.fix}")
    if f.rationale:
        lines.append(f"**Why:** {f.rationale}")
    if rule is not None:
        lines.append(f"**Example of the problem:** `{rule.example}` · source: {rule.source}")
    if f.waived:
        lines.append(f"**Waived:** {f.reason}")
    return "\n\n".join(lines)


def id_choices(outline: Outline, target: str) -> list[Choice]:
    """The ids of list ``target`` with what each item says, in file order."""
    return [Choice(item.id, _short(item.summary), f"**{item.id}** · {LIST_WORDS[target]} {item.index + 1}\n\n{item.summary}", n)
            for n, item in enumerate(outline.of(target))]


def rule_choices(catalogue: Any) -> list[Choice]:
    """Every rule id of the catalogue that can be waived (not POA9xx), with its finding."""
    rules = [catalogue.rules[k] for k in sorted(catalogue.rules) if not k.startswith("POA9")]
    return [Choice(r.id, _short(f"{r.severity}: {r.message.replace('{where}: ', '')}"),
                   f"**{r.id}** {r.severity} · {r.category}\n\n**Fix:** {r.fix}\n\n**Why:** {r.rationale}", n)
            for n, r in enumerate(rules)]

