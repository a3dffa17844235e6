"""Real-world phrasings (tests/data/check-phrasings.yaml, written for these tests): each
flawed sentence is flagged with a rule of its category, each clean one raises nothing —
checked alone under the heading of its section, as a paragraph of a draft."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from poaforge.check.drafts import check_text
from poaforge.check.tokens import script_of

DATA = yaml.safe_load((Path(__file__).parent / "data" / "check-phrasings.yaml").read_text(encoding="utf-8"))
HEAD = {
    "en": {"opening": "Opening", "root": "Root cause", "action": "Corrective actions", "measure": "Preventive measures",
           "closing": "Closing"},
    "zh": {"opening": "开头", "root": "根本原因", "action": "纠正措施", "measure": "预防措施", "closing": "结尾"},
}


def _on_line_2(section: str, text: str) -> list:  # type: ignore[type-arg]
    head = HEAD[script_of(text)][section]
    return [f for f in check_text(f"{head}\n{text}").findings if f.line == 2]


@pytest.mark.parametrize("item", DATA["flawed"], ids=[i["text"][:40] for i in DATA["flawed"]])
def test_flawed_phrasing_is_flagged_with_its_category(item: dict[str, str]) -> None:
    found = _on_line_2(item["section"], item["text"])
    assert item["category"] in {f.category for f in found}, [(f.rule, f.category, f.match) for f in found]


@pytest.mark.parametrize("item", DATA["clean"], ids=[i["text"][:40] for i in DATA["clean"]])
def test_clean_phrasing_raises_nothing(item: dict[str, str]) -> None:
    assert [str(f) for f in _on_line_2(item["section"], item["text"])] == []
