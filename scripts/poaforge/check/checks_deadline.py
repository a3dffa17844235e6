"""Deadline (POA701–702): the notice's deadline against the POA's date and the clock.

A date-only deadline ends at 23:59 UTC that day; ``as_of`` is taken at 00:00 UTC (the
POA is signed that day): see :mod:`poaforge.dates`. A case whose latest submission is pending or approved is not
checked against the clock: it has been filed.
"""

from __future__ import annotations

import datetime as dt

from poaforge.dates import UTC, day_start, parse_deadline, utc_minute

from .context import Context

__all__ = ["check_deadline"]

def _filed(ctx: Context) -> bool:
    subs = ctx.data.get("submissions")
    if not isinstance(subs, list) or not subs:
        return False
    last = max((s for s in subs if isinstance(s, dict)), key=lambda s: int(str(s.get("version", "0")) or 0), default={})
    return last.get("outcome") in ("pending", "approved")


def check_deadline(ctx: Context) -> None:
    notice = ctx.data.get("notice") or {}
    raw = notice.get("deadline")
    deadline = parse_deadline(raw) if isinstance(raw, str) else None
    if deadline is None:
        return
    moments: list[tuple[str, dt.datetime, str]] = []
    as_of = ctx.data.get("as_of")
    start = day_start(as_of) if isinstance(as_of, str) else None
    word = ctx.catalogue.word
    if start is not None:
        moments.append((word("against.as_of", ctx.language, "as of"), start, str(as_of)))
    if ctx.now is not None and not _filed(ctx):
        now = ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=UTC)
        moments.append((word("against.now", ctx.language, "now"), now, utc_minute(now)))
    window = dt.timedelta(hours=float(ctx.catalogue.setting("deadline_warning_hours")))
    for against, moment, shown in moments:
        if deadline < moment:
            ctx.emit("POA701", ("notice", "deadline"), deadline=raw, against=against, moment=shown)
            return
    for against, moment, shown in moments:
        if deadline - moment <= window:
            hours = int((deadline - moment).total_seconds() // 3600)
            ctx.emit("POA702", ("notice", "deadline"), deadline=raw, hours=hours, against=against, moment=shown)
            return
