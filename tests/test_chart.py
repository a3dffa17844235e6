"""Metric charts: a CSV export of daily values becomes an exhibit PDF showing the metric
against the profile's target before and after the fix; its data, its errors, and the
exhibit in a real build (numbered, cited, bundled)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DATA
from poaforge.errors import EvidenceError
from poaforge.evidence.chart import chart_inputs, chart_pdf, read_series

AMAZON_METRICS = [{"name": "order_defect_rate", "label": "Order Defect Rate", "op": "<", "threshold": 1.0, "unit": "%",
                   "window": "60 days"},
                  {"name": "valid_tracking_rate", "label": "Valid Tracking Rate", "op": ">=", "threshold": 95.0, "unit": "%",
                   "window": "30 days"}]
LABELS = {"title": "{label}", "subtitle": "{first}-{last} {op}{threshold}{unit}{window}", "target": "target {op} {threshold}{unit}",
          "fix": "fix {date}", "before": "before {date}", "after": "after {date}", "all": "all", "period": "p", "days": "d",
          "mean": "m", "min": "lo", "max": "hi", "outside": "o", "daily": "v", "date": "date", "value": "value"}
WHERE = "cases/mini/evidence/odr.csv"


def _csv(values: list[float], start: dt.date = dt.date(2026, 10, 1), header: str = "date,order_defect_rate") -> bytes:
    rows = [header] + [f"{start + dt.timedelta(days=i)},{v}" for i, v in enumerate(values)]
    return ("\n".join(rows) + "\n").encode()


def _case(done: list[tuple[str, list[str]]], paper: str = "us-letter") -> dict:
    return {"case": "mini", "language": "en", "profile": {"paper": paper, "metrics": AMAZON_METRICS},
            "corrective_actions": [{"id": f"CA{n}", "done": d, "exhibits": ex} for n, (d, ex) in enumerate(done, 1)]}


# ten days: 1.4 … before the fix on 2026-10-06, then falling under the 1% target
VALUES = [1.2, 1.4, 1.6, 1.5, 1.3, 0.9, 0.7, 0.5, 0.4, 1.0]


def test_chart_data_before_and_after_the_fix() -> None:
    series = read_series(_csv(VALUES), WHERE, AMAZON_METRICS)
    assert series.metric == "order_defect_rate" and len(series.points) == 10
    case = _case([("2026-10-20", ["E1"]), ("2026-10-06", ["E4"]), ("2026-10-03", [])])
    data = chart_inputs(case, {"id": "E4", "file": "evidence/odr.csv"}, series, LABELS)
    # the fix is the earliest action citing the chart (CA2, 2026-10-06), not the earliest of all
    assert data["labels"]["fix"] == "fix 2026-10-06"
    before, after = data["stats"]
    assert before == ["before 2026-10-06", {"first": "2026-10-01", "last": "2026-10-05", "days": 5, "mean": "1.4%",
                                            "min": "1.2%", "max": "1.6%", "outside": 5}]
    assert after == ["after 2026-10-06", {"first": "2026-10-06", "last": "2026-10-10", "days": 5, "mean": "0.7%",
                                          "min": "0.4%", "max": "1%", "outside": 1}]   # 1.0 is not under 1%
    assert [v["out"] for v in data["values"]] == [True] * 5 + [False] * 4 + [True]
    box = data["box"]
    ys = [p["y"] for p in data["points"]]
    assert all(box["top"] <= y <= box["top"] + box["ph"] for y in ys)
    assert ys[2] == min(ys) and ys[8] == max(ys)          # higher value, higher on the page
    assert min(ys) < data["threshold_y"] < max(ys)
    assert data["points"][0]["x"] == box["left"] and data["points"][-1]["x"] == box["left"] + box["pw"]
    assert data["fix_x"] == data["points"][5]["x"]
    assert [t["label"] for t in data["yticks"]] == ["0%", "0.5%", "1%", "1.5%", "2%"]
    # no action cites the chart: the earliest action of the case marks the fix
    assert chart_inputs(case, {"id": "E9", "file": "x.csv"}, series, LABELS)["labels"]["fix"] == "fix 2026-10-03"


def test_target_direction_from_the_profile() -> None:
    series = read_series(_csv([96, 94.5, 95], header="date,Valid Tracking Rate"), WHERE, AMAZON_METRICS)
    data = chart_inputs(_case([]), {"id": "E1", "file": "t.csv"}, series, LABELS)
    assert series.metric == "valid_tracking_rate" and [v["out"] for v in data["values"]] == [False, True, False]
    assert data["fix_x"] is None and [s[0] for s in data["stats"]] == ["all"]


@pytest.mark.parametrize(("body", "line", "message"), [
    (b"date,odr\n2026-10-01,1\n2026-10-02,2\n", 1, "header 'date,odr' is not 'date,<metric>' with a metric of the platform profile"
     " — write the header as date,<metric>, the metric one of: order_defect_rate, valid_tracking_rate"),
    (b"date,order_defect_rate\n2026-10-01,1\n2026-13-01,2\n", 3, "'2026-13-01' is not a date"),
    (b"date,order_defect_rate\n2026-10-01,1\n\n2026-10-02,n/a\n", 4, "row '2026-10-02,n/a' has no number after the date"),
    (b"date,order_defect_rate\n2026-10-02,1\n2026-10-01,2\n", 3, "2026-10-01 does not come after 2026-10-02"),
    (b"date,order_defect_rate\n2026-10-01,1\n", 0, "has 1 daily values"),
    (b"\xff\xfe", 0, "is not UTF-8 text"),
])
def test_bad_exports_are_located(body: bytes, line: int, message: str) -> None:
    with pytest.raises(EvidenceError) as err:
        read_series(body, WHERE, AMAZON_METRICS)
    shown = str(err.value.problems[0])
    assert shown.startswith(f"{WHERE}:{line}:1: " if line else f"{WHERE}: ") and message in shown


def test_chart_pdf_shows_the_data_and_is_reproducible(tmp_path: Path) -> None:
    series = read_series(_csv(VALUES, header="date,order_defect_rate"), WHERE, AMAZON_METRICS)
    case = _case([("2026-10-06", ["E4"])])
    pdf = chart_pdf(case, {"id": "E4", "file": "evidence/odr.csv"}, series)
    assert pdf == chart_pdf(case, {"id": "E4", "file": "evidence/odr.csv"}, series)
    (tmp_path / "c.pdf").write_bytes(pdf)
    reader = PdfReader(tmp_path / "c.pdf")
    assert len(reader.pages) == 1 and float(reader.pages[0].mediabox.width) == 612
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Order Defect Rate: daily values", "Target < 1% (60 days)", "target < 1%", "fix 2026-10-06",
                     "Before the fix (2026-10-06)", "From the fix (2026-10-06)", "2026-10-01 – 2026-10-05 5 1.4% 1.2% 1.6% 5",
                     "2026-10-06 – 2026-10-10 5 0.7% 0.4% 1% 1", "2026-10-03 1.6%", "2026-10-09 0.4%"):
        assert expected in text, expected


@pytest.mark.e2e
def test_chart_exhibit_in_a_real_build(tmp_path: Path) -> None:
    """`snakemake` on a case whose metric cites a CSV export: the chart is Exhibit 4 of the
    bundle and an upload attachment; the status page lists the case."""
    from e2e import copy_project, snakemake

    root = copy_project(tmp_path / "project", cases=[])
    case = (DATA / "mini.yaml").read_text(encoding="utf-8")
    case = case.replace("    exhibits: [E2]\npreventive_measures:", "    exhibits: [E2, E4]\npreventive_measures:")
    case += ("  - id: E4\n    title: Order Defect Rate by day\n    file: evidence/odr-daily.csv\n    date: 2026-11-18\n"
             "    kind: report\n    proves: The Order Defect Rate fell under 1% after the refunds of 2026-11-05.\n"
             "metrics:\n  - name: order_defect_rate\n    value: \"0.5\"\n    unit: \"%\"\n    window: 60 days\n"
             "    date: 2026-11-07\n    exhibit: E4\n")
    (root / "cases" / "mini.yaml").write_text(case, encoding="utf-8")
    from conftest import write_pdf, write_png

    ev = root / "cases" / "mini" / "evidence"
    write_pdf(ev / "late.pdf", pages=2)
    write_png(ev / "refunds.png")
    write_pdf(ev / "checklist.pdf")
    (ev / "odr-daily.csv").write_bytes(_csv([1.3, 1.5, 1.4, 1.2, 0.8, 0.6, 0.5], start=dt.date(2026, 11, 1)))
    done = snakemake(root)
    assert done.returncode == 0, done.stderr[-3000:]
    res = root / "results" / "mini"
    exhibits = json.loads((res / "exhibits.json").read_text(encoding="utf-8"))["exhibits"]
    chart = next(e for e in exhibits if e["id"] == "E4")
    assert (chart["number"], chart["media"], chart["pages"]) == (4, "csv", 1)
    bundle = PdfReader(res / "bundle.pdf")
    pages = [" ".join((p.extract_text() or "").split()) for p in bundle.pages]
    at = next(i for i, t in enumerate(pages) if "Order Defect Rate: daily values" in t)
    assert "fix 2026-11-05" in pages[at] and "Exhibit 4" in pages[at]
    assert any(re.search(r"Exhibit_4_Order_Defect_Rate_by_day\.pdf", p.name) for p in (res / "upload").iterdir())
    index = (root / "results" / "index.html").read_text(encoding="utf-8")
    assert '<tr id="case-mini"' in index and 'href="mini/bundle.pdf"' in index
