"""The words of a language: one date style, lists, number runs, citations, label errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from poaforge.case.profile import load_labels, load_profile
from poaforge.errors import ProfileError
from poaforge.letter.words import Words, plain

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def en() -> Words:
    return Words(load_labels("en", load_profile("amazon", "US", ROOT), ROOT))


@pytest.fixture(scope="module")
def zh() -> Words:
    return Words(load_labels("zh", load_profile("aliexpress", "global", ROOT), ROOT))


@pytest.mark.parametrize(("iso", "english", "chinese"), [
    ("2026-10-29", "29 October 2026", "2026年10月29日"),
    ("2026-01-01", "1 January 2026", "2026年1月1日"),
    ("not a date", "not a date", "not a date"),
    ("2026-02-30", "2026-02-30", "2026-02-30"),
])
def test_one_date_style_per_language(en: Words, zh: Words, iso: str, english: str, chinese: str) -> None:
    assert en.date(iso) == english and zh.date(iso) == chinese


def test_periods_and_deadlines(en: Words, zh: Words) -> None:
    assert en.period("2026-09-01/2026-10-15") == "1 September 2026 to 15 October 2026"
    assert zh.period("2026-09-01/2026-10-15") == "2026年9月1日至2026年10月15日"
    assert en.moment("2026-12-04T23:59:00-08:00") == "4 December 2026, 23:59 (UTC\u221208:00)"
    assert zh.moment("2026-12-01T18:00:00+08:00") == "2026年12月1日 18:00（UTC+08:00）"
    assert en.moment("2026-12-05T07:59:00+00:00") == "5 December 2026, 07:59 (UTC)"
    assert en.moment("2026-12-05") == "5 December 2026"


def test_iso_dates_in_case_text_take_the_letter_style(en: Words, zh: Words) -> None:
    assert en.in_text("On 2026-08-25 we moved; orders 2026-10-30 to 2026-11-17.") == \
        "On 25 August 2026 we moved; orders 30 October 2026 to 17 November 2026."
    assert zh.in_text("2026-09-03，运营专员上架") == "2026年9月3日，运营专员上架"
    # ids that contain date-like digits are not dates
    assert en.in_text("Appeal 2026-11-02-A3HCQ7N2XK9PLM and SKU 12026-11-020") == "Appeal 2026-11-02-A3HCQ7N2XK9PLM and SKU 12026-11-020"


def test_plain_text() -> None:
    assert plain("没有 第二人复核。 仓库按数量验收。Latin words stay.") == "没有第二人复核。仓库按数量验收。Latin words stay."
    assert plain("Invoice \u202egpj.exe\u202c attached") == "Invoice gpj.exe attached"
    assert plain("Cafe\u0301") == "Café"


def test_lists_and_number_runs(en: Words, zh: Words) -> None:
    assert en.join(["A"]) == "A" and en.join(["A", "B"]) == "A and B" and en.join(["A", "B", "C"]) == "A, B and C"
    assert zh.join(["甲", "乙", "丙"]) == "甲、乙、丙"
    assert en.numbers([3, 1, 2, 5]) == "1 to 3 and 5" and en.numbers([7, 9]) == "7 and 9"
    assert zh.numbers([7, 8, 9, 10, 11]) == "7至11"
    assert en.count("root_causes", 1) == "1 root cause" and en.count("root_causes", 3) == "3 root causes"


def test_citations_split_for_links(en: Words, zh: Words) -> None:
    assert en.cite([]) is None
    one = en.cite([3])
    assert one == {"gap": " ", "before": "(Exhibit ", "numbers": [3], "sep": ", ", "after": ")", "text": "(Exhibit 3)"}
    assert en.cite([5, 2, 5])["text"] == "(Exhibits 2, 5)"
    cited = zh.cite([2, 1])  # AliExpress names its files 附件N, so the letter cites them so
    assert cited["text"] == "（附件1、2）" and cited["gap"] == ""


def test_a_label_with_an_unknown_field_names_the_file() -> None:
    labels = load_labels("en", load_profile("amazon", "US", ROOT), ROOT)
    words = Words({**labels, "date_format": "{dd}/{mm}/{year}"}, where="templates/lang/en.yaml")
    with pytest.raises(ProfileError, match=r"^templates/lang/en\.yaml: label date_format .* unknown field 'dd' — use only"):
        words.date("2026-01-01")
    with pytest.raises(ProfileError, match="month_names has 11 names, not 12"):
        Words({**labels, "month_names": "a b c d e f g h i j k"})
