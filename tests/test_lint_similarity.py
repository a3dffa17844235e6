"""Templated text: sentences copied between cases (POA604, POA605) and the index's cost."""

from __future__ import annotations

import time
from pathlib import Path

from lint_sample import SAMPLE, TEST_PROFILE, perturb, write_case
from poaforge.case.model import load_case
from poaforge.check import build_index, lint_case

OWN = {
    "what: 38 orders shipped 3 to 6 days late after the warehouse switched carriers on 2026-09-01.":
        "what: Listing photos for 12 lamps reused a competitor's studio images in August.",
    "gap: The carrier onboarding checklist had no pickup-time check.":
        "gap: The listing SOP never asked for proof of an image licence.",
    "measure: Added a pickup-time test to the carrier onboarding checklist in the ERP.":
        "measure: Listings now require an uploaded licence file before the publish button unlocks.",
    "verification: Monthly audit of carrier pickup scans by the Operations Director.":
        "verification: Quarterly sample of 30 listings checked against licence files by Compliance.",
    "action: Refunded all 38 affected orders in full.": "action: Deleted the 12 lamp listings and their photos.",
}


def _own_text() -> str:
    text = SAMPLE
    for old, new in OWN.items():
        text = text.replace(old, new)
    return text


def _line(path: Path, marker: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if marker in line)


def test_copied_case_reports_other_case_and_line(tmp_path: Path) -> None:
    a = load_case(write_case(tmp_path, "alpha", perturb(1)))
    b_text = _own_text().replace(OWN["action: Refunded all 38 affected orders in full."],
                                 "action: Refunded all 17 affected orders in full.")
    b = load_case(write_case(tmp_path, "beta", b_text))
    findings = lint_case(b, TEST_PROFILE, [a, b])
    copied = [f for f in findings if f.rule == "POA604"]
    assert [(f.line, f.severity) for f in copied] == [(_line(b.path, "action: Refunded all 17"), "warning")]
    assert f"copied from case alpha ({a.path}:{_line(a.path, 'action: Refunded')})" in copied[0].message
    assert "100%" in copied[0].message
    assert not [f for f in findings if f.rule == "POA605"]


def test_whole_case_copy_is_an_error(tmp_path: Path) -> None:
    cases = [load_case(write_case(tmp_path, name, perturb(i))) for i, name in enumerate(["one", "two"], 1)]
    findings = lint_case(cases[0], TEST_PROFILE, cases)
    whole = [f for f in findings if f.rule == "POA605"]
    assert len(whole) == 1 and whole[0].severity == "error" and "case two" in whole[0].message
    assert whole[0].line == _line(cases[0].path, "root_causes:")


def test_the_case_written_later_is_the_copy(tmp_path: Path) -> None:
    """A case copied for a new notice (received later) is flagged; the case it was copied from
    is not, so its rebuild is not stopped by the copy. With the same dates, both are."""
    old = load_case(write_case(tmp_path, "old", perturb(1)))
    later = perturb(2).replace("received: 2026-11-02", "received: 2026-11-16").replace("as_of: 2026-11-20", "as_of: 2026-11-28")
    new = load_case(write_case(tmp_path, "new", later))
    index = build_index([old, new])
    assert not [f for f in lint_case(old, TEST_PROFILE, index) if f.rule in ("POA604", "POA605")]
    whole = [f for f in lint_case(new, TEST_PROFILE, index) if f.rule == "POA605"]
    assert len(whole) == 1 and "case old" in whole[0].message and "waive POA605" in whole[0].fix
    twin = load_case(write_case(tmp_path, "twin", perturb(3)))  # the dates of "old"
    index = build_index([old, new, twin])
    assert [f.rule for f in lint_case(old, TEST_PROFILE, index) if f.rule == "POA605"] == ["POA605"]


def test_own_wording_and_self_are_not_copies(tmp_path: Path) -> None:
    a = load_case(write_case(tmp_path, "alpha"))
    b = load_case(write_case(tmp_path, "beta", _own_text()))
    assert lint_case(b, TEST_PROFILE, [a, b]) == []
    assert lint_case(a, TEST_PROFILE, [a]) == []            # a case never copies itself


def test_shared_owner_and_frequency_are_not_templated(tmp_path: Path) -> None:
    a = load_case(write_case(tmp_path, "alpha"))
    b = load_case(write_case(tmp_path, "beta", _own_text()))
    # both keep "Customer Service Manager", "before every carrier change": no finding
    assert not [f for f in lint_case(b, TEST_PROFILE, build_index([a, b])) if f.rule.startswith("POA6")]


def test_index_grows_linearly(tmp_path: Path) -> None:
    texts = [perturb(i) for i in range(120)]
    cases = [load_case(write_case(tmp_path, f"c{i:03d}", t)) for i, t in enumerate(texts)]

    def run(n: int) -> float:
        t0 = time.perf_counter()
        index = build_index(cases[:n])
        for case in cases[:n]:
            lint_case(case, TEST_PROFILE, index)
        return time.perf_counter() - t0

    run(10)
    small, large = run(30), run(120)
    assert large < 0.1 + small * 4 * 2.5      # 4× the cases: far from 16× (quadratic)
