"""The text rules on a case file: findings point at the matched words inside the YAML value
(folded ``>-`` and literal ``|`` blocks, quoted and plain scalars), every section's sentences
are read, Chinese cases get Chinese messages, and a case held in memory (an editor's buffer)
is linted without writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint_sample import SAMPLE, TEST_PROFILE, write_case
from poaforge.case.model import load_case
from poaforge.check import lint_case
from poaforge.check.engine import lint_case_text

A = "    action: Refunded all 38 affected orders in full.\n"


def _at(path: Path, finding) -> str:  # type: ignore[no-untyped-def]
    """The text the finding's line/col range covers in the file."""
    line = path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    return line[finding.col - 1:finding.end_col - 1]


@pytest.mark.parametrize("value", [
    "    action: >-\n      Refunded all 38 affected orders in full,\n      and we will never let it happen again.\n",
    "    action: |\n      Refunded all 38 affected orders in full,\n      and we will never let it happen again.\n",
    '    action: "Refunded all 38 affected orders in full, \\u0061nd we will never let it happen again."\n',
    "    action: 'Refunded all 38 affected orders in full, and we''ll never let it happen again.'\n",
    "    action: Refunded all 38 affected orders in full,\n      and we will never let it happen again.\n",
])
def test_finding_points_at_the_words_inside_the_value(tmp_path: Path, value: str) -> None:
    path = write_case(tmp_path, "c1", SAMPLE.replace(A, value))
    found = [f for f in lint_case(load_case(path), TEST_PROFILE) if f.rule == "POA201"]
    assert len(found) == 1, [str(f) for f in found]
    covered = _at(path, found[0])
    assert covered.lower().startswith("we"), (found[0].line, found[0].col, covered)
    assert found[0].match in ("we will", "we'll", "we''ll")
    assert found[0].line == next(n for n, l in enumerate(path.read_text().splitlines(), 1) if "we will" in l or "we''ll" in l)


def test_every_section_is_read(tmp_path: Path) -> None:
    text = SAMPLE.replace("38 orders shipped 3 to 6 days late", "We think 38 orders shipped 3 to 6 days late") \
                 .replace("Added a pickup-time test", "Someone added a pickup-time test")
    path = write_case(tmp_path, "c1", text)
    rules = {f.rule for f in lint_case(load_case(path), TEST_PROFILE)}
    assert {"POA107", "POA401"} <= rules


def test_chinese_case_gets_chinese_messages(tmp_path: Path) -> None:
    text = SAMPLE.replace("language: en", "language: zh").replace(
        "action: Refunded all 38 affected orders in full.", "action: 相关人员已经为 38 笔订单全额退款。")
    path = write_case(tmp_path, "c1", text)
    owner = next(f for f in lint_case(load_case(path), TEST_PROFILE) if f.rule == "POA401")
    assert "负责人含糊" in owner.message and owner.match == "相关人员"


def test_case_in_memory_is_linted_like_the_file(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c1")
    buffer = path.read_text(encoding="utf-8").replace(A, "    action: Sorry, we refunded all 38 orders.\n")
    problems, findings = lint_case_text(buffer, str(path))
    assert problems == [] and [f.rule for f in findings] == ["POA402"]
    assert "Sorry" not in path.read_text(encoding="utf-8")            # nothing was written
    # an incomplete buffer: its problem and the content findings together
    problems, findings = lint_case_text(buffer.replace("    owner: Customer Service Manager\n", "", 1), str(path))
    assert any("'owner' is missing" in p.message for p in problems) and [f.rule for f in findings] == ["POA402"]
