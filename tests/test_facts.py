"""Facts read from exhibit text, and the claims a letter makes (pure functions)."""

from __future__ import annotations

import pytest

from poaforge.check.checks_exhibits import pages_text
from poaforge.check.names import name_matches
from poaforge.check.claims import claims, sold_units
from poaforge.evidence.facts import language_of, norm_number, parse_dates


@pytest.mark.parametrize(("text", "iso"), [
    ("Invoice date 2026-03-18", "2026-03-18"),
    ("Date: 2026/3/8", "2026-03-08"),
    ("开票日期：2025年9月30日", "2025-09-30"),
    ("Issued on 18 March 2026", "2026-03-18"),
    ("March 18, 2026", "2026-03-18"),
    ("18/03/2026", "2026-03-18"),
    ("03/18/2026", "2026-03-18"),
])
def test_dates(text: str, iso: str) -> None:
    assert [d for d, _ in parse_dates(text)] == [iso]


def test_ambiguous_and_impossible_dates_are_not_guessed() -> None:
    assert parse_dates("04/05/2026") == [] and parse_dates("2026-02-30") == []


@pytest.mark.parametrize(("raw", "norm"), [("1,600", "1600"), ("1,600.00", "1600"), ("1.80", "1.8"), ("038", "38"), ("0", "0")])
def test_numbers(raw: str, norm: str) -> None:
    assert norm_number(raw) == norm


@pytest.mark.parametrize(("names", "text", "ok"), [
    (["Qingmu Home Supplies Co., Ltd."], "QINGMU HOME SUPPLIES COMPANY LIMITED, Room 506, Hangzhou", True),
    (["Qingmu Home Supplies Co., Ltd."], "Qingmu Home Supplies Co Ltd", True),
    (["Qingmu Home Supplies Co., Ltd."], "Bright Star Trading LLC, 88 Ocean Avenue", False),
    (["Qingmu Home Supplies Co., Ltd.", "杭州青木家居用品有限公司"], "杭州青木家居用品有限公司", True),
    (["Qingmu Home Supplies Co., Ltd."], "杭州青木家居用品有限公司", False),
    (["Cedar Lane Goods LLC"], "Cedar Lane Goods, LLC", True),
])
def test_recipient_names(names: list[str], text: str, ok: bool) -> None:
    assert name_matches(names, text) is ok


def test_language() -> None:
    assert language_of("Commercial invoice for 600 kitchen scales") == "en"
    assert language_of("增值税普通发票 购买方名称 杭州青木家居用品有限公司 VELORIA") == "zh"
    assert language_of("") is None


def test_sold_units() -> None:
    assert sold_units("1,600 and 1,100 units invoiced against 1,184 and 806 sold in 365 days") == 1990
    assert sold_units("We sold 1,500 units of the scale.") == 1500
    assert sold_units("共售出 300 件") == 300 and sold_units("售出300件，销量稳定") == 300


def test_pages_text() -> None:
    assert pages_text([1, 2, 3], 3) == "p. 1–3" and pages_text([2], 3) == "p. 2" and pages_text([1, 3], 3) == "p. 1, 3"


def test_claims_skip_durations_versions_and_years() -> None:
    data = {"exhibits": [{"id": "E1", "proves": "x"}], "corrective_actions": [{"id": "CA1", "exhibits": ["E1"], "action": (
        "Answered within 24 hours every 6 months in 2026 with SOP v3.0 and a 10-minute sync; refunded 38 orders of ASIN "
        "B0FV7K2M9Q on 2026-11-05 for $1,250.50 via 3PL.")}]}
    profile = {"evidence": {"ids": {"asin": {"label": "ASIN", "pattern": "B0[0-9A-Z]{8}"}}}}
    got = {(c.kind, c.norm) for c in claims(data, profile) if c.where == "CA1"}
    assert got == {("number", "38"), ("id", "B0FV7K2M9Q"), ("date", "2026-11-05"), ("number", "1250.5")}


def test_inline_citation_narrows_the_exhibits() -> None:
    data = {"exhibits": [{"id": "E1", "proves": "a"}, {"id": "E2", "proves": "b"}],
            "corrective_actions": [{"id": "CA1", "exhibits": ["E1", "E2"],
                                    "action": "Refunded 38 orders (Exhibit 2). Trained 12 agents."}]}
    scopes = {c.norm: c.exhibits for c in claims(data, {})}
    assert scopes == {"38": ("E2",), "12": ("E1", "E2")}


@pytest.mark.parametrize(("declared", "detected", "flagged"), [
    ("photo", "photo", False), (None, "photo", False), ("invoice", "photo", True), ("report", None, True)])
def test_unreadable_page_is_flagged_unless_a_photo(declared: str | None, detected: str | None, flagged: bool) -> None:
    from poaforge.check.checks_exhibits import cross_check

    ex = {"id": "E1", "file": "evidence/x.jpg", "title": "Shelf", "date": "2026-11-01", "proves": "p"}
    if declared:
        ex["kind"] = declared
    facts = {"E1": {"pages": 1, "unreadable": [1], "kind": {"kind": detected, "page": 1, "text": ""} if detected else None,
                    "tokens": [{"numbers": [], "ids": [], "dates": []}], "signs": [], "language": None, "ids": {}}}
    rules = {i.rule for i in cross_check({"exhibits": [ex], "platform": "amazon"}, {}, facts)}
    assert ("POA541" in rules) is flagged
