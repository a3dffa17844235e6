"""Submission checklist: deadline, where to click, boxes, attachments, manual steps, per platform."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from poaforge.case.profile import load_labels, load_profile
from poaforge.console import run
from poaforge.submit.checklist import deadline_of, main, render_checklist
from poaforge.submit.plan import planned_uploads

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def make_case(platform: str = "amazon", marketplace: str = "US", language: str = "en") -> dict:
    """case.json content: a small valid case plus the pipeline's computed fields."""
    case: dict[str, Any] = {
        "case": "demo", "platform": platform, "marketplace": marketplace, "language": language, "as_of": "2026-11-20",
        "seller": {"legal_name": "Demo Trading Co., Ltd.", "store_name": "Demo Store", "seller_id": "A1B2C3",
                   "responsible_person": {"name": "Li Wei", "title": "Operations Director"}},
        "notice": {"received": "2026-11-10", "deadline": "2026-11-27T23:59:00-08:00", "enforcement": "account-suspension",
                   "reference": "NTC-123", "violations": [{"id": "V1", "policy": "Order Defect Rate", "quote": "ODR 1.8%"}]},
        "metrics": [{"name": name, "value": value, "unit": "%", "window": "30 days", "date": "2026-11-10", "exhibit": "E1"}
                    for name, value in [("order_defect_rate", "1.8"), ("valid_tracking_rate", "99.5")]],
        "root_causes": [{"id": "RC1", "violations": ["V1"], "what": "Lost parcels.", "when": "2026-09-01",
                         "role": "Logistics Coordinator", "gap": "No tracking check.", "exhibits": ["E1"]}],
        "corrective_actions": [{"id": "CA1", "root_causes": ["RC1"], "action": "Refunded.", "owner": "CS Manager",
                                "done": "2026-11-12", "exhibits": ["E2"]}],
        "preventive_measures": [{"id": "PM1", "root_causes": ["RC1"], "measure": "Audit.", "owner": "CS Manager",
                                 "effective": "2026-11-13", "frequency": "daily", "verification": "Report.", "exhibits": ["E3"]}],
        "exhibits": [
            {"id": "E1", "title": "ODR screenshot", "file": "odr.png", "date": "2026-11-10", "proves": "ODR", "language": "en"},
            {"id": "E2", "title": "Refund log <b>*", "file": "refunds.pdf", "date": "2026-11-12", "proves": "refunds",
             "language": "de"},
            {"id": "E3", "title": "审核制度", "file": "sop.jpg", "date": "2026-11-13", "proves": "SOP", "language": "en",
             "translation": "sop-zh.pdf"},
        ],
    }
    for i, ex in enumerate(case["exhibits"]):
        ex.update(number=i + 1, sha256="0" * 64, size=100, media={"png": "png", "jpg": "jpeg"}.get(ex["file"][-3:], "pdf"))
    case["profile"] = load_profile(platform, marketplace, ROOT)
    case["labels"] = load_labels(language, case["profile"], ROOT)
    case.update(source="cases/demo.yaml", case_dir="cases/demo")
    return case


EXHIBITS = {"exhibits": [{"id": "E1", "number": 1, "pdf": "exhibits/1.pdf", "pages": 1, "sha256": "0", "notes": []},
                         {"id": "E2", "number": 2, "pdf": "exhibits/2.pdf", "pages": 4, "sha256": "0", "notes": []}]}


@pytest.mark.parametrize(("platform", "site", "lang", "present", "absent"), [
    ("amazon", "US", "en", [
        "# Submission checklist: demo", "Seller Central → Performance → Account Health.",
        "1. Box “What are the root causes of the issue?”: paste its part of poa.txt (", " / 4000 characters).",
        "1. `Attachment_1_ODR_screenshot.png`: Exhibit 1, ODR screenshot (1 page)",
        "2. `Attachment_2_Refund_log_b.pdf`: Exhibit 2, Refund log \\<b\\>\\* (4 pages)",
        "3. `Attachment_3_E3.jpg`: Exhibit 3, 审核制度\n",
        "- Nothing: upload the generated files as they are.",
        "- [ ] Order Defect Rate: 1.8 % on 2026-11-10 (target < 1 %, 60 days)",
    ], ["Valid Tracking Rate", "seal", "sign it"]),
    ("tiktok-shop", "US", "en", [
        "Upload one file: `Appeal_NTC-123.pdf`", "- [ ] Print the POA, have Li Wei (Operations Director) sign it by hand",
        "Box “Appeal reason”: paste its part of poa.txt (",
    ], ["Attachment_1", "Nothing:"]),
    ("tiktok-shop", "UK", "en", ["Upload one file: `Appeal_NTC-123.pdf`", "- Nothing: upload"], ["sign it by hand"]),
    ("aliexpress", "global", "zh", [
        "# 提交清单：demo", "登录速卖通卖家后台", "1. `申诉说明函_Demo_Store.pdf`：申诉说明函（poa.pdf）",
        "2. `附件1_ODR_screenshot.png`：证据1，ODR screenshot", "4. `附件3_E3.jpg`：证据3，审核制度",
        "限制：单个文件不超过 10 MB、最多 5 个文件、图片不小于 600×800 像素。",
        "- [ ] 打印申诉说明函，由 Li Wei（Operations Director）亲笔签字，以不低于 300 dpi 扫描",
        "- [ ] 在申诉说明函“（公司盖章处）”处加盖公司公章",
        "- [ ] 证据1（ODR screenshot）为“en”文件：请取得经认证的“zh”译文",
        "- [ ] 证据3（审核制度）：译文 `sop-zh.pdf` 须经翻译机构认证", "剩余 8 天 7 小时",
    ], ["平台最多接受", "Order Defect Rate"]),
    ("walmart", "US", "en", [
        "1. `Plan_of_Action_Demo_Store.pdf`: the POA letter (poa.pdf)", "2. `Attachment_1_ODR_screenshot.png`",
        "- [ ] Check that the letter ends with the name and title of Li Wei (Operations Director).",
    ], ["Order Defect Rate", "Valid Tracking Rate", "Limits:"]),
])
def test_checklist_per_platform(platform: str, site: str, lang: str, present: list[str], absent: list[str]) -> None:
    text = render_checklist(make_case(platform, site, lang), EXHIBITS, NOW)
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text
    assert render_checklist(make_case(platform, site, lang), EXHIBITS, NOW) == text


def test_only_the_latest_reading_of_a_metric_counts() -> None:
    case = make_case()
    case["metrics"].append(dict(case["metrics"][0], value="0.4", date="2026-11-18"))
    assert "Order Defect Rate" not in render_checklist(case, None, NOW)
    case["metrics"].append(dict(case["metrics"][0], value="1.2", date="2026-11-19"))
    assert "- [ ] Order Defect Rate: 1.2 % on 2026-11-19 (target < 1 %, 60 days)" in render_checklist(case, None, NOW)


def test_too_many_files_for_the_platform() -> None:
    case = make_case("aliexpress", "global", "zh")
    case["exhibits"] = [dict(case["exhibits"][0], id=f"E{n}", number=n) for n in range(1, 6)]
    assert len(planned_uploads(case)) == 6
    assert "**平台最多接受 5 个文件，现有 6 个：请先将相关证据合并为一个 PDF 再上传。**" in render_checklist(case, None, NOW)


@pytest.mark.parametrize(("deadline", "now", "expected"), [
    ("2026-11-27T23:59:00-08:00", NOW, "- **2026-11-27T23:59:00-08:00** (2026-11-28 07:59 UTC): 8 days 7 hours left"),
    ("2026-11-21", NOW, "- **2026-11-21** (no time given, counted to 23:59 UTC): 1 days 23 hours left"),
    ("2026-11-19", NOW, "(no time given, counted to 23:59 UTC): **PASSED**: the deadline passed 0 days 0 hours ago"),
    ("2026-11-10T12:00:00+00:00", datetime(2026, 11, 20), "**PASSED**: the deadline passed 9 days 12 hours ago"),
])
def test_deadline(deadline: str, now: datetime, expected: str) -> None:
    case = make_case()
    case["notice"]["deadline"] = deadline
    assert expected in render_checklist(case, None, now)


def test_deadline_parsing() -> None:
    assert deadline_of("2026-11-27") == (datetime(2026, 11, 27, 23, 59, tzinfo=timezone.utc), True)
    moment, date_only = deadline_of("2026-11-27T23:59:00Z")
    assert moment == datetime(2026, 11, 27, 23, 59, tzinfo=timezone.utc) and not date_only


def test_main_uses_as_of_midnight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_json, exhibits_json, out = tmp_path / "case.json", tmp_path / "exhibits.json", tmp_path / "checklist.md"
    case_json.write_text(json.dumps(make_case(), ensure_ascii=False), encoding="utf-8")
    exhibits_json.write_text(json.dumps(EXHIBITS), encoding="utf-8")
    assert run(main, [str(case_json), str(exhibits_json), str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_checklist(make_case(), EXHIBITS, NOW)
    assert run(main, [str(case_json), str(out), "--now", "2026-12-01"]) == 0
    assert "**PASSED**" in out.read_text(encoding="utf-8")
    assert run(main, [str(case_json), str(out), "--now", "soon"]) == 2
    assert run(main, [str(case_json)]) == 2
    assert "Traceback" not in capsys.readouterr().err
