"""Submission checklist: the deadline as an absolute date-time, where to click, each box with
its limit's source, attachments named as uploaded, what is left to do by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from letter_cases import EXAMPLES, example
from poaforge.console import run
from poaforge.letter.compose import compose
from poaforge.letter.formtext import build_form
from poaforge.submit.checklist import main, render_checklist
from poaforge.submit.plan import planned_uploads


def exhibits_json(case: dict[str, Any]) -> dict[str, Any]:
    return {"exhibits": [{"id": e["id"], "number": e["number"], "pdf": f"exhibits/{e['number']}.pdf",
                          "pages": 1 if e["number"] % 2 else 4, "sha256": "0", "notes": []} for e in case["exhibits"]]}


def checklist(case: dict[str, Any]) -> str:
    model = compose(case)
    return render_checklist(case, model, build_form(case, model), exhibits_json(case))


@pytest.mark.parametrize(("name", "site", "present", "absent"), [
    ("amazon-odr", None, [
        "# Submission checklist: amazon-odr",
        "- **4 December 2026, 23:59 (UTC−08:00) = 5 December 2026, 07:59 (UTC)**",
        "- This checklist is dated 19 November 2026, the date of the letter (as\\_of).",
        "Seller Central → Performance → Account Health.",
        "1. Box “What are the root causes of the issue?”: paste the text between its two `==` lines in poa.txt (",
        " / 4000 characters). Amazon does not publish this box's limit: 4,000 characters is the setting used "
        "(platforms/amazon.yaml).",
        "1. `Exhibit_01_Account_Health_at_deactivation.png`: Exhibit 1, Account Health at deactivation (1 page)",
        "2. `Exhibit_02_Late_shipment_and_order_defect_analysis.pdf`: Exhibit 2, Late shipment and order defect analysis (4 pages)",
        "- Nothing: upload the generated files as they are.",
    ], ["seal", "sign it", "left", "PASSED"]),
    ("tiktok-uk-dispatch", None, [
        "- **5 December 2026 (no time given: counted to 23:59 UTC)**",
        "Upload one file: `Appeal_Violation_record_VR-UK-2026110500318.pdf`",
        "The limit of 1,800 characters comes from one source only: check that the form takes it.",
        "- Nothing: upload",
    ], ["sign it by hand", "left"]),
    ("tiktok-uk-dispatch", "US", ["- [ ] Print the POA, have Priya Nair (Head of Operations) sign it by hand"], ["Nothing:"]),
    ("aliexpress-ip", None, [
        "# 提交清单：aliexpress-ip",
        "- **2026年12月1日 18:00（UTC+08:00），即 2026年12月1日 10:00（UTC）**",
        "- 本清单日期为 2026年11月19日，即函件日期（as\\_of）。",
        "“申诉理由”文本框：粘贴 poa.txt 中两行 `==` 之间的文字（", " 字符）。此文本框的上限未知。",
        "1. `申诉说明函_Chengxi_Home_Store.pdf`：申诉说明函（poa.pdf）",
        "2. `附件1_整改记录_商品排查_退货及供应商确认.pdf`：附件1，整改记录（商品排查、退货及供应商确认）（1 页）",
        "5. `附件4_入库验收第三方标识检查照片.jpg`：附件4，入库验收第三方标识检查照片（4 页）",
        "限制：单个文件不超过 10 MB、最多 5 个文件、图片不小于 600×800 像素。",
        "- [ ] 打印申诉说明函，由 陈立（总经理）亲笔签字，以不低于 300 dpi 扫描",
        "- [ ] 在申诉说明函公司名称与日期旁标有“（公司盖章处）”处加盖公司公章",
        "- [ ] 附件3（自有商标CHENGXI注册记录（英文原件及中文译文））：译文 `evidence/trademark-record-chengxi-zh.pdf` 须经翻译机构认证",
    ], ["剩余", "平台最多接受", "证据1", "证据3"]),
    ("walmart-us", None, [
        "1. `Plan_of_Action_Cedar_Lane_Goods.pdf`: the POA letter (poa.pdf)",
        "2. `Exhibit_01_Seller_performance_dashboard_at_suspension.png`: Exhibit 1",
        "- [ ] Check that the letter ends with the name and title of Marcus Bell (Operations Manager).",
        "No limit is known for this box.",
    ], ["Limits:", "left"]),
])
def test_checklist_per_platform(name: str, site: str | None, present: list[str], absent: list[str]) -> None:
    case = example(name)
    if site:
        from poaforge.case.profile import load_labels, load_profile
        from poaforge.paths import PROJECT

        case["marketplace"] = site
        case["profile"] = load_profile(case["platform"], site, PROJECT)
        case["labels"] = load_labels(case["language"], case["profile"], PROJECT)
    text = checklist(case)
    for part in present:
        assert part in text, part
    for part in absent:
        assert part not in text, part


@pytest.mark.parametrize("name", EXAMPLES)
def test_reproducible_and_without_a_clock(name: str) -> None:
    """The same case gives the same checklist; no 'time left' computed from as_of."""
    text = checklist(example(name))
    assert text == checklist(example(name))
    for word in ("left", "剩余", "hours ago", "天 "):
        assert word not in text


def test_the_attachments_are_the_planned_uploads_in_order() -> None:
    import re

    case = example("aliexpress-ip")
    text = checklist(case)
    section = text.split("\n## ")[4]
    assert re.findall(r"`([^`]+)`", section) == [u.name for u in planned_uploads(case, exhibits_json(case))]


def test_a_deadline_already_past_on_the_letters_date_is_flagged() -> None:
    case = example("walmart-us")
    case["notice"]["deadline"] = "2026-11-15"
    assert "the date of the letter (as\\_of). **The deadline had already passed on that date.**" in checklist(case)


def test_a_metric_still_missing_its_target() -> None:
    case = example("tiktok-uk-dispatch")
    case["metrics"].append(dict(case["metrics"][1], value="5.5", date="2026-11-19"))
    case["metrics"][1]["date"] = "2026-11-18"
    assert "- [ ] Late dispatch rate: 5.5% on 19 November 2026 (target ≤ 4%, window not published)" in checklist(case)
    case["metrics"][-1]["value"] = "1.1"
    assert "Late dispatch rate: " not in checklist(case)


def test_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = example("walmart-us")
    model = compose(case)
    files = {"case.json": case, "letter.json": model, "form.json": build_form(case, model), "exhibits.json": exhibits_json(case)}
    for n, data in files.items():
        (tmp_path / n).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "checklist.md"
    assert run(main, [str(tmp_path / n) for n in files] + [str(out)]) == 0
    assert out.read_text(encoding="utf-8") == checklist(case)
    assert run(main, [str(tmp_path / "case.json"), str(out)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_an_upload_that_is_not_the_original_says_so_and_why() -> None:
    """A HEIC photo Amazon does not take is uploaded as its PDF; an owner-password PDF as a
    decrypted copy; a signed PDF byte for byte: each line of the checklist says which and why."""
    case = example("amazon-odr")
    exhibits = exhibits_json(case)
    by_id = {e["id"]: e for e in exhibits["exhibits"]}
    by_id["E1"].update(media="heic", conversion="HEIC photo converted to PDF")
    by_id["E2"].update(facts={"encrypted": True})
    by_id["E4"].update(facts={"signed": True})
    model = compose(case)
    text = render_checklist(case, model, build_form(case, model), exhibits)
    lines = {line.split("`")[1]: line for line in text.splitlines() if line[:3].rstrip(". ").isdigit() and "`" in line}
    first = next(line for name, line in lines.items() if name.startswith("Exhibit_01_"))
    assert "**Not your original file**: Amazon does not accept a HEIC/HEIF photo: uploaded as PDF (HEIC photo converted to PDF)" in first
    signed = next(line for name, line in lines.items() if name.startswith("Exhibit_04_"))
    assert "Uploaded as it is: digitally signed" in signed
    plain = next(line for name, line in lines.items() if name.startswith("Exhibit_03_"))
    assert "original" not in plain.lower()


def test_the_report_lists_what_intake_changed() -> None:
    """report.txt's closing section: each exhibit whose upload is not the seller's file byte
    for byte (or is a signed original), and each note on the bundle's copy, with the case's file."""
    from poaforge.check.report import exhibit_notes

    case = example("amazon-odr")
    exhibits = exhibits_json(case)
    by_id = {e["id"]: e for e in exhibits["exhibits"]}
    by_id["E1"].update(media="heic", conversion="HEIC photo converted to PDF")
    by_id["E2"].update(notes=["has form fields: the bundle shows their values flattened into the page"])
    files = {e["id"]: e["file"] for e in case["exhibits"]}
    lines = exhibit_notes(case, exhibits)
    assert lines[0].startswith(f"E1 ({files['E1']}) upload Exhibit_01_")
    assert lines[0].endswith("Amazon does not accept a HEIC/HEIF photo: uploaded as PDF (HEIC photo converted to PDF)")
    assert lines[1] == f"E2 ({files['E2']}) bundle: has form fields: the bundle shows their values flattened into the page"
    assert len(lines) == 2
