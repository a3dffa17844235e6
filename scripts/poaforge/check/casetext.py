"""The text rules on a case: every sentence of every root cause, action and measure, with
findings pointing at the matched words inside the YAML value — on the right line and column
of a folded (``>-``) or literal (``|``) block, not at the key.

:func:`value_locator` maps an offset in a value (as the loader returns it, folded and
unquoted) back to the file: the value's characters are found again, in order, in the file's
text between the value's start and end marks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from .context import Context
from .finding import make_finding
from .orderids import order_id_checker
from .prose import Hit, lint_units
from .structure import topic_checker
from .units import Unit

__all__ = ["case_units", "check_case_text", "value_locator", "TEXT_KEYS", "SECTION_OF"]

#: Case section → (draft section, text keys read by the text rules).
TEXT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "root_causes": ("root_cause", ("what", "gap")),
    "corrective_actions": ("corrective", ("action",)),
    "preventive_measures": ("preventive", ("measure", "verification")),
}
SECTION_OF = {k: v[0] for k, v in TEXT_KEYS.items()}


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def value_locator(source: str, span: tuple[int, int, str] | None, value: str, fallback: tuple[int, int],
                  starts: list[int] | None = None) -> Callable[[int], tuple[int, int]]:
    """A function offset-in-``value`` → (line, column) in ``source`` (1-based)."""
    if span is None or not source:
        return lambda _offset: fallback
    start, end, style = span
    lines = starts if starts is not None else _line_starts(source)
    mapping: list[int] = []

    def build() -> None:               # lazily: most values have no finding
        j = start
        if style in (">", "|"):
            j = source.find("\n", start, end) + 1 or start           # past the ">-" header line
        elif style in ("'", '"'):
            j = start + 1
        for ch in value:
            if ch.isspace():
                mapping.append(min(j, end))
                while j < end and source[j].isspace():
                    j += 1
                continue
            k = source.find(ch, j, min(end, j + 12))
            if k < 0:                      # an escape such as \u00e9: keep going from here
                mapping.append(min(j, end))
                j += 1
            else:
                mapping.append(k)
                j = k + 1

    def locate(offset: int) -> tuple[int, int]:
        if not mapping and value:
            build()
        pos = mapping[offset] if 0 <= offset < len(mapping) else (mapping[-1] + 1 if mapping else start)
        line = bisect_right(lines, pos)
        return line, pos - lines[line - 1] + 1

    return locate


def _item_id(section: str, i: int, item: dict[str, Any]) -> str:
    ident = item.get("id")
    return ident if isinstance(ident, str) else f"{section}[{i + 1}]"


def case_units(case: Any) -> list[Unit]:
    """One unit per text value of the case's root causes, actions and measures."""
    doc = case.doc
    source = getattr(doc, "source", "")
    spans = getattr(doc, "spans", {})
    starts = _line_starts(source) if source else None
    data = case.data if isinstance(case.data, dict) else {}
    out: list[Unit] = []
    for section, (kind, keys) in TEXT_KEYS.items():
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            whole = " ".join(v for k in keys if isinstance(v := item.get(k), str))
            dated = isinstance(item.get("due"), str) or (section == "preventive_measures" and isinstance(item.get("effective"), str))
            for key in keys:
                value = item.get(key)
                if not isinstance(value, str) or not value.strip():
                    continue
                path = (section, i, key)
                locate = value_locator(source, spans.get(path), value, case.locate(path), starts)
                out.append(Unit(value, kind, locate, str(path), where=f"{_item_id(section, i, item)} {key}",
                                item=whole, dated=dated, index=len(out)))
    return out


def _notice_texts(data: dict[str, Any]) -> list[str]:
    notice = data.get("notice") if isinstance(data.get("notice"), dict) else {}
    out = []
    for v in notice.get("violations") or []:
        if isinstance(v, dict):
            out += [str(v.get(k, "")) for k in ("policy", "code", "quote") if v.get(k)]
    return out


def check_case_text(ctx: Context) -> None:
    """Every text rule on every sentence of the case's POA text (see the module docstring)."""
    cat = ctx.catalogue
    units = case_units(ctx.case)
    main = _notice_texts(ctx.data) + [u.text for u in units if u.section == "root_cause"]
    hits = lint_units(units, cat, extra=[order_id_checker(ctx.profile), topic_checker(main, cat.root)])
    from .nearcopy import wording_copies

    for hit in hits.items + wording_copies(units, cat, ctx.file):
        ctx.findings.append(_finding(ctx, hit))
    ctx.dropped.update(hits.dropped)


def _finding(ctx: Context, hit: Hit) -> Any:
    start = hit.unit.locate(hit.start)
    last = hit.unit.locate(max(hit.start, hit.end - 1))
    values = {"where": hit.unit.where, **hit.values}
    return make_finding(ctx.catalogue, hit.rule, ctx.file, start, (last[0], last[1] + 1), in_language=ctx.language,
                        match=hit.unit.text[hit.start:hit.end], **values)
