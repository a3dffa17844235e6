"""Form text: numbered points per box, citations, character counts and limits, poa.txt."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from poaforge.case.profile import load_labels, load_profile
from poaforge.console import run
from poaforge.errors import BuildError, ProfileError
from poaforge.letter.formtext import build_form, cite, main, render_txt, write

ROOT = Path(__file__).resolve().parents[1]
NASTY = '#read("/etc/passwd") $x$ <b>bold</b> ```{=typst} *a* \\n \\\\ 😀 FBA仓'


def make_case(platform: str = "amazon", marketplace: str = "US", language: str = "en", **over: Any) -> dict:
    """case.json content: a small valid case plus the pipeline's computed fields."""
    case: dict[str, Any] = {
        "case": "demo", "platform": platform, "marketplace": marketplace, "language": language, "as_of": "2026-11-20",
        "seller": {"legal_name": "Shenzhen Demo Trading Co., Ltd.", "store_name": "DemoStore", "seller_id": "A1B2C3",
                   "responsible_person": {"name": "Li Wei", "title": "Operations Director"}},
        "notice": {"received": "2026-11-10", "deadline": "2026-11-27T23:59:00-08:00", "enforcement": "account-suspension",
                   "reference": "NTC-123",
                   "violations": [{"id": "V1", "policy": "Order Defect Rate", "code": "ODR", "quote": "ODR 1.8%"}]},
        "root_causes": [{"id": "RC1", "violations": ["V1"], "what": "Carrier X lost 14 parcels.", "when": "2026-09-01/2026-10-15",
                         "role": "Logistics Coordinator", "gap": "No daily check of untracked parcels.",
                         "exhibits": ["E2", "E1"]}],
        "corrective_actions": [
            {"id": "CA1", "root_causes": ["RC1"], "action": "Refunded 14 orders.", "owner": "Customer Service Manager",
             "done": "2026-11-12", "exhibits": ["E2"]},
            {"id": "CA2", "root_causes": ["RC1"], "action": "Moved to carrier Y.", "owner": "Logistics Manager",
             "due": "2026-11-30", "exhibits": []}],
        "preventive_measures": [{"id": "PM1", "root_causes": ["RC1"], "measure": "Daily tracking audit.",
                                 "owner": "Logistics Coordinator", "effective": "2026-11-13", "frequency": "daily",
                                 "verification": "Weekly report.", "exhibits": ["E3"]}],
        "exhibits": [{"id": f"E{n}", "title": t, "file": f"e{n}.pdf", "date": "2026-11-12", "proves": "it"}
                     for n, t in enumerate(["ODR screenshot", "Refund log", "Audit SOP"], start=1)],
    }
    case.update(over)
    for i, ex in enumerate(case["exhibits"]):
        ex.update(number=i + 1, sha256="0" * 64, size=100, media="pdf")
    case["profile"] = load_profile(platform, marketplace, ROOT)
    case["labels"] = load_labels(language, case["profile"], ROOT)
    case.update(source="cases/demo.yaml", case_dir="cases/demo")
    return case


def test_english_fields() -> None:
    form = build_form(make_case())
    assert form["language"] == "en"
    keys = [f["key"] for f in form["fields"]]
    assert keys == ["root_causes", "corrective_actions", "preventive_measures"]
    rc, ca, pm = (f["text"] for f in form["fields"])
    assert rc == ("1. Carrier X lost 14 parcels.\n"
                  "   When: 2026-09-01 to 2026-10-15; Role involved: Logistics Coordinator\n"
                  "   Process gap: No daily check of untracked parcels. (Exhibits 1, 2)")
    assert ca == ("1. Refunded 14 orders.\n   Owner: Customer Service Manager; Completed on: 2026-11-12 (Exhibit 2)\n\n"
                  "2. Moved to carrier Y.\n   Owner: Logistics Manager; Scheduled for completion by: 2026-11-30")
    assert pm.endswith("Verification: Weekly report. (Exhibit 3)")
    for field in form["fields"]:
        assert field["chars"] == len(field["text"]) and field["limit"] == 4000 and field["fits"]


def test_chinese_single_box() -> None:
    case = make_case("aliexpress", "global", "zh")
    case["root_causes"][0]["what"] = "物流商丢失 14 个包裹。"
    (field,) = build_form(case)["fields"]
    assert field["label"] == "申诉理由" and field["limit"] is None
    assert field["text"].startswith("问题原因分析\n1. 物流商丢失 14 个包裹。\n   发生时间：2026-09-01至2026-10-15；涉及岗位：")
    assert "流程漏洞：No daily check of untracked parcels.（证据1、2）" in field["text"]
    assert "完成日期：2026-11-12（证据2）" in field["text"] and "计划完成日期：2026-11-30" in field["text"]
    assert "\n\n后续预防措施\n1. " in field["text"]
    txt = render_txt(build_form(case))
    assert txt.startswith("申诉说明函\n\n致：全球速卖通平台审核团队\n")
    assert f"== 申诉理由（{field['chars']} 字符） ==\n" in txt and "此致\n敬礼！" in txt


def test_several_violations_are_named() -> None:
    case = make_case()
    case["notice"]["violations"].append({"id": "V2", "policy": "Late shipment", "quote": "late"})
    case["root_causes"][0]["violations"] = ["V1", "V2"]
    rc = build_form(case)["fields"][0]["text"]
    assert "   Violation: Order Defect Rate (ODR)\n   Violation: Late shipment\n" in rc


def test_case_text_is_literal() -> None:
    case = make_case()
    case["root_causes"][0]["what"] = NASTY
    form = build_form(case)
    assert form["fields"][0]["text"].startswith("1. " + NASTY + "\n")
    assert NASTY in render_txt(form)


def test_characters_are_counted_in_nfc() -> None:
    case = make_case()
    case["preventive_measures"][0]["measure"] = "Cafe\u0301"  # e + combining accent → é
    field = build_form(case)["fields"][2]
    assert "Café" in field["text"] and field["text"] == unicodedata.normalize("NFC", field["text"])
    assert field["chars"] == len(field["text"])


@pytest.mark.parametrize("extra", [0, 1])
def test_limit_is_enforced_at_the_boundary(extra: int) -> None:
    case = make_case()
    size = build_form(case)["fields"][0]["chars"]
    case["profile"]["form_fields"][0]["limit"] = size - extra
    if not extra:
        assert build_form(case)["fields"][0]["fits"]
        return
    with pytest.raises(BuildError) as err:
        build_form(case)
    assert str(err.value) == (
        f'cases/demo.yaml: form field "root_causes" (What are the root causes of the issue?) is {size} characters, '
        f"over its limit of {size - 1} by 1 — shorten it by at least 1 characters; the longest items are "
        f"RC1 ({size} characters). The limit is a setting: form_fields in platforms/amazon.yaml")
    lenient = build_form(case, strict=False)["fields"][0]
    assert not lenient["fits"] and lenient["chars"] == size


def test_too_long_names_longest_items() -> None:
    case = make_case()
    case["corrective_actions"][1]["action"] = "x" * 4100
    with pytest.raises(BuildError, match=r'form field "corrective_actions" .* the longest items are CA2 \(\d+ characters\), CA1'):
        build_form(case)


def test_citations() -> None:
    case = make_case()
    assert cite([], case) == "" and cite(["E3"], case) == "(Exhibit 3)" and cite(["E3", "E1", "E3"], case) == "(Exhibits 1, 3)"
    with pytest.raises(BuildError, match="unknown exhibit id"):
        cite(["E9"], case)
    zh = make_case("aliexpress", "global", "zh")
    assert cite(["E2", "E1"], zh) == "（证据1、2）"


def test_bad_label_template_is_a_profile_error() -> None:
    case = make_case()
    case["labels"]["opening"] = "Store {shop}"
    with pytest.raises(ProfileError, match="unknown field 'shop'"):
        build_form(case)


def test_txt_layout() -> None:
    txt = render_txt(build_form(make_case()))
    assert txt.startswith("Plan of Action\n\nTo: Amazon Seller Performance Team\nDate: 2026-11-20\n")
    assert "in response to your notice (reference: NTC-123)." in txt
    assert "\n\n== What are the root causes of the issue? (" in txt and " / 4000 characters) ==\n1. Carrier X" in txt
    assert txt.endswith("Sincerely,\n\nLi Wei\nOperations Director\nShenzhen Demo Trading Co., Ltd.\n")


def test_write_and_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_json = tmp_path / "case.json"
    case_json.write_text(json.dumps(make_case(), ensure_ascii=False), encoding="utf-8")
    txt, form = tmp_path / "poa.txt", tmp_path / "form.json"
    write(case_json, txt, form)
    first = (txt.read_bytes(), form.read_bytes())
    assert run(main, [str(case_json), str(txt), str(form)]) == 0
    assert (txt.read_bytes(), form.read_bytes()) == first
    data = json.loads(form.read_text(encoding="utf-8"))
    assert sorted(data["fields"][0]) == ["chars", "fits", "key", "label", "limit", "text"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.json", "form.json", "poa.txt"]

    big = make_case()
    big["root_causes"][0]["gap"] = "y" * 5000
    case_json.write_text(json.dumps(big), encoding="utf-8")
    assert run(main, [str(case_json), str(txt), str(form)]) == 1
    err = capsys.readouterr().err
    assert err.startswith('cases/demo.yaml: form field "root_causes"') and "Traceback" not in err
    assert run(main, [str(tmp_path / "missing.json"), str(txt), str(form)]) == 1
    assert run(main, []) == 2
