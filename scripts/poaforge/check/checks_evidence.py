"""Evidence checks (POA5xx): citations written into the text, exhibits dated before the
action or measure they prove, exhibits that do not say what they prove, exhibits dated
after the POA. (Unknown exhibit ids and uncited exhibits are load errors already.)"""

from __future__ import annotations

import re
from typing import Any

from .context import Context
from .text import poa_fields, whole_value

__all__ = ["check_citations", "check_exhibit_dates", "check_exhibits"]

_TOKEN = r"[A-Za-z]{0,3}\d+[A-Za-z0-9_-]*"
_CITE_EN = re.compile(rf"\b(?:Exhibits?|Attachments?)\s+({_TOKEN}(?:\s*(?:,|and|&)\s*{_TOKEN})*)", re.IGNORECASE)
_CITE_ZH = re.compile(r"(?:证据|附件)\s*(\d+(?:\s*[、,，和及]\s*\d+)*)")
_SPLIT = re.compile(r"\s*(?:,|，|、|and|&|和|及)\s*", re.IGNORECASE)


def _exhibits(ctx: Context) -> list[dict[str, Any]]:
    seq = ctx.data.get("exhibits")
    return [e for e in seq if isinstance(e, dict)] if isinstance(seq, list) else []


def check_citations(ctx: Context) -> None:
    exhibits = _exhibits(ctx)
    ids = {e.get("id") for e in exhibits}
    for f in poa_fields(ctx.data):
        for pattern in (_CITE_EN, _CITE_ZH):
            for m in pattern.finditer(f.text):
                bad = [t for t in _SPLIT.split(m.group(1)) if t and not (
                    (t.isdigit() and 1 <= int(t) <= len(exhibits)) or t in ids)]
                if bad:
                    ctx.emit("POA501", f.path, where=f.where, phrase=m.group(0).strip(), count=len(exhibits))


def _began(ctx: Context, item: dict[str, Any]) -> str | None:
    """The earliest start date of the root causes an action or measure fixes."""
    seq = ctx.data.get("root_causes")
    causes = {rc.get("id"): rc for rc in seq if isinstance(rc, dict)} if isinstance(seq, list) else {}
    refs = item.get("root_causes") if isinstance(item.get("root_causes"), list) else []
    starts = [str(causes[r]["when"])[:10] for r in refs if r in causes and isinstance(causes[r].get("when"), str)]
    return min(starts) if starts else None


def _dated_refs(ctx: Context, section: str, date_key: str, rule: str) -> None:
    """An exhibit dated before the action or measure it proves: normal proof when it was made
    while the work ran (``rule``, a warning); an error (POA511) when it is older than the
    problem itself, so it cannot show the fix."""
    by_id = {e.get("id"): e for e in _exhibits(ctx)}
    seq = ctx.data.get(section)
    for i, item in enumerate(seq if isinstance(seq, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get(date_key), str):
            continue
        when = item[date_key]
        began = _began(ctx, item)
        refs = item.get("exhibits") if isinstance(item.get("exhibits"), list) else []
        where = item.get("id", f"{section}[{i + 1}]")
        for j, ref in enumerate(refs):
            date = by_id.get(ref, {}).get("date") if isinstance(by_id.get(ref), dict) else None
            if not isinstance(date, str) or date >= when:
                continue
            if began is not None and date < began:
                ctx.emit("POA511", (section, i, "exhibits", j), where=where, exhibit=ref, date=date, began=began)
            else:
                ctx.emit(rule, (section, i, "exhibits", j), where=where, exhibit=ref, date=date, **{date_key: when})


def check_exhibit_dates(ctx: Context) -> None:
    _dated_refs(ctx, "corrective_actions", "done", "POA502")
    _dated_refs(ctx, "preventive_measures", "effective", "POA503")


def check_exhibits(ctx: Context) -> None:
    placeholders = ctx.phrase_set("placeholders")
    as_of = ctx.data.get("as_of")
    seq = ctx.data.get("exhibits")
    for i, ex in enumerate(seq if isinstance(seq, list) else []):
        if not isinstance(ex, dict):
            continue
        eid = ex.get("id", f"exhibits[{i + 1}]")
        proves = ex.get("proves")
        if "proves" in ex and (not isinstance(proves, str) or whole_value(proves) in placeholders
                               or whole_value(proves) == whole_value(str(ex.get("title", "")))):
            ctx.emit("POA504", ("exhibits", i, "proves"), where=eid, value=proves)
        date = ex.get("date")
        if isinstance(date, str) and isinstance(as_of, str) and date > as_of:
            ctx.emit("POA505", ("exhibits", i, "date"), where=eid, date=date, as_of=as_of)
