"""The moments a case and the command line name, as aware UTC datetimes, and how they are shown.

A date-only deadline ends at 23:59 UTC that day (the checklist says so to the seller); a
date-only ``as_of`` or ``--now`` is taken at 00:00 UTC (the POA is signed that day).
"""

from __future__ import annotations

import datetime as dt

from poaforge.errors import Problem, UsageError

__all__ = ["UTC", "parse_deadline", "day_start", "parse_now", "utc_minute"]

UTC = dt.timezone.utc


def parse_deadline(value: str) -> dt.datetime | None:
    """The deadline as an aware datetime (a date alone: 23:59 UTC), or None when it is not readable."""
    try:
        if len(value) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(23, 59), UTC)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_start(value: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` at 00:00 UTC, or None when it is not a date."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), UTC)
    except (TypeError, ValueError):
        return None


def parse_now(value: str | None, hint: str = "write YYYY-MM-DDTHH:MM+00:00 (or a date)") -> dt.datetime:
    """``--now``: the clock when None, else an ISO date-time (no zone: UTC) or date (00:00 UTC)."""
    if value is None:
        return dt.datetime.now(UTC)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(Problem("--now", message=f"'{value}' is not a date-time", hint=hint)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_minute(moment: dt.datetime) -> str:
    """``2026-11-28 07:59 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
