"""Metric charts as exhibits: an exhibit whose ``file`` is a CSV export of daily metric
values becomes a one-page PDF chart of the metric against the platform profile's target,
before and after the fix, with the values themselves in a table.

A CSV becomes a chart only when a metric of the case names it (``metrics[].exhibit``);
any other CSV is a table (:mod:`poaforge.evidence.table`). The CSV has a header ``date,<metric>`` (the metric's name or label in the platform
profile, e.g. ``order_defect_rate``) and one row per day: ``2026-10-01,1.4`` (a trailing
``%`` is allowed). The fix date is the earliest completion date of the corrective
actions citing the exhibit, or of all corrective actions when none cites it. Layout is
computed here; ``templates/chart/chart.typ`` only draws it; labels come from
``templates/chart/labels.yaml``. The exhibit is numbered, cited and bundled like any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poaforge.case.metrics import within
from poaforge.errors import EvidenceError, Problem
from poaforge.paths import TEMPLATES

__all__ = ["Series", "read_series", "chart_inputs", "chart_pdf", "chart_intake", "MAX_ROWS", "MAX_BYTES"]

MAX_ROWS = 3660
MAX_BYTES = 1_000_000
TEMPLATE = TEMPLATES / "chart" / "chart.typ"
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?%?$")
# plot box (pt): width, height and margins inside it for the axis labels
_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 460.0, 240.0, 44.0, 12.0, 14.0, 30.0


@dataclass(frozen=True)
class Series:
    """The daily values of one metric, read from a CSV export."""

    metric: str
    header: str
    points: list[tuple[dt.date, float]]


def _fail(where: str, line: int, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, line=line, col=1 if line else 0, message=message, hint=hint))


def read_series(data: bytes, where: str, metrics: list[dict[str, Any]]) -> Series:
    """Parse and check a metrics CSV; ``metrics`` are the profile's metric definitions."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(where, 0, "is not UTF-8 text", "export the metrics as CSV (UTF-8)") from None
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise _fail(where, 0, "is empty", "export the daily metric values as CSV: date,<metric>")
    head_no, head = lines[0]
    cols = [c.strip().strip('"') for c in head.split(",")]
    known = {m["name"].lower(): m for m in metrics} | {str(m.get("label", "")).lower(): m for m in metrics}
    names = ", ".join(m["name"] for m in metrics) or "none"
    if len(cols) != 2 or cols[0].lower() != "date" or cols[1].lower() not in known:
        raise _fail(where, head_no, f"header '{head}' is not 'date,<metric>' with a metric of the platform profile",
                    f"write the header as date,<metric>, the metric one of: {names}")
    points: list[tuple[dt.date, float]] = []
    for n, line in lines[1:]:
        cells = [c.strip().strip('"') for c in line.split(",")]
        try:
            day = dt.date.fromisoformat(cells[0])
        except (ValueError, IndexError):
            raise _fail(where, n, f"'{cells[0]}' is not a date", "write each row as YYYY-MM-DD,value") from None
        if len(cells) != 2 or not _NUMBER.match(cells[1]):
            raise _fail(where, n, f"row '{line}' has no number after the date", "write each row as YYYY-MM-DD,value, e.g. 2026-10-01,1.4")
        if points and day <= points[-1][0]:
            raise _fail(where, n, f"{day} does not come after {points[-1][0]}", "sort the rows by date, one row per day")
        points.append((day, float(cells[1].rstrip("%"))))
    if len(points) < 2 or len(points) > MAX_ROWS:
        raise _fail(where, 0, f"has {len(points)} daily values", f"give between 2 and {MAX_ROWS} rows of date,value")
    return Series(known[cols[1].lower()]["name"], cols[1], points)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _ticks(top: float) -> tuple[float, list[float]]:
    """A rounded axis maximum ≥ top and 4–6 evenly spaced ticks from 0."""
    raw = top / 5 if top > 0 else 1
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    count = max(1, math.ceil(top / step))
    return step * count, [round(step * i, 10) for i in range(count + 1)]


def _fix_date(case: dict[str, Any], exhibit_id: str) -> str | None:
    actions = [a for a in case.get("corrective_actions", []) if a.get("done")]
    citing = [a["done"] for a in actions if exhibit_id in a.get("exhibits", [])]
    dates = citing or [a["done"] for a in actions]
    return min(dates) if dates else None


def _stats(rows: list[tuple[dt.date, float]], outside: Any, threshold: float, unit: str) -> dict[str, Any] | None:
    if not rows:
        return None
    values = [v for _, v in rows]
    return {"first": rows[0][0].isoformat(), "last": rows[-1][0].isoformat(), "days": len(rows),
            "mean": _fmt(round(sum(values) / len(values), 2)) + unit, "min": _fmt(min(values)) + unit,
            "max": _fmt(max(values)) + unit,
            "outside": sum(1 for v in values if outside(v, threshold))}


def chart_inputs(case: dict[str, Any], exhibit: dict[str, Any], series: Series, labels: dict[str, str]) -> dict[str, Any]:
    """Everything the template draws, positions in pt inside the plot box."""
    metric = next(m for m in case["profile"]["metrics"] if m["name"] == series.metric)
    threshold, op, unit = float(metric["threshold"]), str(metric["op"]), str(metric.get("unit") or "")

    def outside(value: float, limit: float) -> bool:
        return not within(op, value, limit)

    fix = _fix_date(case, exhibit["id"])
    first, last = series.points[0][0], series.points[-1][0]
    span = max((last - first).days, 1)
    top, yticks = _ticks(max(max(v for _, v in series.points), threshold) * 1.1)
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        return round(_LEFT + pw * (day - first).days / span, 2)

    def y(value: float) -> float:
        return round(_TOP + ph * (1 - min(max(value, 0.0), top) / top), 2)

    xdays = sorted({first + dt.timedelta(days=round(span * i / 5)) for i in range(6)})
    fix_day = dt.date.fromisoformat(fix) if fix else None
    before = [p for p in series.points if fix_day is None or p[0] < fix_day]
    after = [p for p in series.points if fix_day is not None and p[0] >= fix_day]
    fill = {"label": metric["label"], "op": op, "threshold": _fmt(threshold), "unit": unit, "file": exhibit["file"],
            "first": first.isoformat(), "last": last.isoformat(), "date": fix or "",
            "window": f" ({metric['window']})" if metric.get("window") else ""}
    lab = {k: v.format(**fill) for k, v in labels.items()}
    return {
        "paper": case["profile"].get("paper", "a4"), "lang": case.get("language", "en"), "labels": lab,
        "box": {"w": _W, "h": _H, "left": _LEFT, "top": _TOP, "pw": pw, "ph": ph},
        "points": [{"x": x(d), "y": y(v), "out": outside(v, threshold)} for d, v in series.points],
        "threshold_y": y(threshold), "fix_x": x(fix_day) if fix_day and first <= fix_day <= last else None,
        "yticks": [{"y": y(t), "label": _fmt(t) + unit} for t in yticks],
        "xticks": [{"x": x(d), "label": d.isoformat()} for d in xdays],
        "stats": [[title, stats] for title, stats in ((lab["before"] if fix_day else lab["all"], _stats(before, outside, threshold, unit)),
                                                      (lab["after"], _stats(after, outside, threshold, unit))) if stats],
        "values": [{"date": d.isoformat(), "value": _fmt(v) + unit, "out": outside(v, threshold)} for d, v in series.points],
    }


def _labels(lang: str) -> dict[str, str]:
    from poaforge.check.catalogue import load_data

    data = load_data((TEMPLATE.parent / "labels.yaml").read_text(encoding="utf-8"))
    return {**data["en"], **data.get(lang, {})}


def chart_pdf(case: dict[str, Any], exhibit: dict[str, Any], series: Series) -> bytes:
    """The chart exhibit as PDF bytes (reproducible: fixed time stamp)."""
    from poaforge.typeset import compile_pdf

    inputs = chart_inputs(case, exhibit, series, _labels(str(case.get("language", "en"))))
    with tempfile.TemporaryDirectory(prefix="poa-chart-") as tmp:
        out = Path(tmp) / "chart.pdf"
        compile_pdf(TEMPLATE, inputs, out)
        return out.read_bytes()


def chart_intake(case: dict[str, Any], exhibit: dict[str, Any], data: bytes, where: str) -> Any:
    """An :class:`poaforge.evidence.convert.Intake` for a metrics CSV a metric of the case cites (its PDF is the chart)."""
    from poaforge.evidence.convert import Intake

    if len(data) > MAX_BYTES:
        raise _fail(where, 0, f"is {len(data):,} bytes, more than a daily export needs ({MAX_BYTES:,})",
                    "keep only the date column and the metric's column, one row per day")
    series = read_series(data, where, case["profile"].get("metrics", []))
    pdf = chart_pdf(case, exhibit, series)
    return Intake("csv", pdf, 1, hashlib.sha256(data).hexdigest(), len(data),
                  notes=[f"chart of {len(series.points)} daily values of {series.metric} drawn from the CSV export"],
                  conversion=f"chart of the daily {series.metric} values drawn by poa-forge from the CSV export")
