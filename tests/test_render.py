"""Tests for poaforge.letter.render: the POA letter, the evidence index (PDF + CSV), the command."""

from __future__ import annotations

import copy
import csv
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from poaforge.letter import render
from poaforge.console import run
from poaforge.errors import CaseError
from poaforge.submit.plan import upload_names

DATA = Path(__file__).parent / "data" / "render"
MM = 72 / 25.4


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def en() -> dict[str, Any]:
    return load("case-en.json")


@pytest.fixture
def zh() -> dict[str, Any]:
    return load("case-zh.json")


def exhibits_json(case: dict[str, Any]) -> dict[str, Any]:
    return {"exhibits": [{"id": e["id"], "number": e["number"], "pdf": f"exhibits/{e['number']}.pdf",
                          "pages": e["number"] + 1, "sha256": e["sha256"], "notes": []} for e in case["exhibits"]]}


def pdftext(pdf: Path, *options: str) -> str:
    """Text as pdftotext reads it; "-layout" keeps lines, "-raw" keeps table cells together."""
    args = ["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squash(s: str) -> str:
    """Text without whitespace and hyphens: line breaks, hyphenation and CJK spacing vanish."""
    return re.sub(r"[\s\-‐­]+", "", s)


def words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pat = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pat, html)]


def expected_points(case: dict[str, Any], cite: Any) -> list[str]:
    """Each point's text and its citation, in POA order."""
    numbers = {e["id"]: e["number"] for e in case["exhibits"]}
    out = []
    for key, field in (("root_causes", "what"), ("corrective_actions", "action"), ("preventive_measures", "measure")):
        for item in case[key]:
            out.append(item[field])
            nums = sorted(numbers[x] for x in item["exhibits"])
            if nums:
                out.append(cite(nums))
    return out


def en_cite(nums: list[int]) -> str:
    return f"(Exhibit {nums[0]})" if len(nums) == 1 else f"(Exhibits {', '.join(map(str, nums))})"


def zh_cite(nums: list[int]) -> str:
    return f"（证据{'、'.join(map(str, nums))}）"


def assert_in_order(text: str, parts: list[str]) -> None:
    flat, pos = squash(text), 0
    for part in parts:
        found = flat.find(squash(part), pos)
        assert found >= 0, f"missing or out of order: {part!r}"
        pos = found + len(squash(part))


@pytest.mark.parametrize("name, cite", [("case-en.json", en_cite), ("case-zh.json", zh_cite)])
def test_points_and_citations_in_order(tmp_path: Path, name: str, cite: Any) -> None:
    case = load(name)
    out = tmp_path / "poa.pdf"
    pages = render.render_poa(case, out)
    assert pages == len(pypdf.PdfReader(out).pages)
    text = pdftext(out)
    labels = case["labels"]
    assert_in_order(text, [case["seller"]["legal_name"], labels["title"], case["notice"]["reference"],
                           labels["root_causes"], *expected_points(case, cite), case["seller"]["responsible_person"]["name"]])
    assert_in_order(text, [labels["root_causes"], labels["corrective_actions"], labels["preventive_measures"]])


def test_english_details(en: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    text = pdftext(out, "-layout")
    for part in ["Date: 15 March 2026", "To: Amazon Seller Performance Team", "ODR — Customer Service Performance",
                 "Completed on 2 March 2026 by Customer Service Manager (Exhibit 5)",
                 "Scheduled for completion by 31 March 2026 — Operations Director",
                 "When: 1 January 2026 – 20 February 2026", "Role involved: Warehouse Packing Lead",
                 "Effective: 5 March 2026", "Frequency: weekly", "Page 1 of 2", "Signature"]:
        assert squash(part) in squash(text), part
    assert "Company seal" not in text


def test_chinese_details(zh: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render.render_poa(zh, out)
    text = squash(pdftext(out, "-layout"))
    for part in ["日期：2026年3月15日", "致：速卖通平台规则团队", "已于2026年3月11日完成，负责人：店铺运营经理（证据2）",
                 "（证据2、3）", "第1页，共1页", "（公司盖章）", "针对明道家居旗舰店收到的违规记录AE202603107781"]:
        assert squash(part) in text, part


@pytest.mark.parametrize("paper, size", [("us-letter", (612, 792)), ("a4", (595.28, 841.89))])
def test_paper(en: dict[str, Any], tmp_path: Path, paper: str, size: tuple[float, float]) -> None:
    en["profile"]["paper"] = paper
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.1)


def test_outline_follows_profile_sections(en: dict[str, Any], tmp_path: Path) -> None:
    en["profile"]["sections"] = ["corrective_actions", "root_causes", "preventive_measures"]
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    outline = [o.title for o in pypdf.PdfReader(out).outline]
    assert outline == ["Corrective actions taken", "Root causes", "Preventive measures"]


def test_bundle_mode_links_and_free_bottom_margin(en: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out, mode="bundle")
    reader = pypdf.PdfReader(out)
    uris = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    assert uris[:3] == ["bundle:exhibit-1", "bundle:exhibit-2", "bundle:exhibit-3"]
    assert set(uris) == {f"bundle:exhibit-{n}" for n in range(1, 9)}
    assert "Page 1 of" not in pdftext(out)
    height = float(reader.pages[0].mediabox.height)
    assert max(w[3] for w in words(out)) < height - 15 * MM


HOSTILE = ['#read("/etc/passwd")', '#panic("x")', "$x^2$", "<b>bold</b>", "```{=typst}\n#panic()\n```", "\\input{/etc/passwd}",
           "*bold*", "_x_", "@ref", "// comment", "]", "[", "#", "\"quoted\"", "{{store_name}}"]


def test_hostile_strings_render_literally(en: dict[str, Any], tmp_path: Path) -> None:
    for i, s in enumerate(HOSTILE):
        en["root_causes"][0]["what"] += f" H{i}: {s}"
    en["seller"]["legal_name"] = '#read("/etc/passwd") Ltd.'
    en["corrective_actions"][0]["owner"] = "$owner$ *Manager*"
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    text = pdftext(out)
    for i, s in enumerate(HOSTILE):
        assert squash(f"H{i}: {s}") in squash(text), s
    assert squash('#read("/etc/passwd") Ltd.') in squash(text)
    assert squash("by $owner$ *Manager*") in squash(text)
    assert "root:" not in text


def test_bidi_overrides_are_dropped(en: dict[str, Any], tmp_path: Path) -> None:
    en["root_causes"][0]["what"] = "Invoice \u202egpj.exe\u202c attached"
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    text = pdftext(out)
    assert "Invoice gpj.exe attached" in text and "\u202e" not in text


def test_long_word_wraps_inside_the_margins(en: dict[str, Any], tmp_path: Path) -> None:
    long = "A" * 150 + "B" * 150
    en["root_causes"][0]["what"] = f"Start {long} end."
    en["preventive_measures"][0]["verification"] = "https://sellercentral.amazon.com/" + "x" * 120
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    assert squash(long) in squash(pdftext(out))
    width = float(pypdf.PdfReader(out).pages[0].mediabox.width)
    assert max(w[2] for w in words(out)) <= width - 20 * MM


def test_defaults_without_labels_or_profile_text(en: dict[str, Any], tmp_path: Path) -> None:
    en["labels"] = {}
    en["profile"] = {"paper": "a4"}
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    text = squash(pdftext(out))
    for part in ["Plan of Action", "Root causes", "Corrective actions taken", "Preventive measures", "(Exhibits 1, 2)"]:
        assert squash(part) in text


def test_seal_placeholder_only_when_required(zh: dict[str, Any], tmp_path: Path) -> None:
    zh["profile"]["signature"] = {"signature_required": False, "seal_required": False}
    out = tmp_path / "poa.pdf"
    render.render_poa(zh, out)
    text = pdftext(out, "-layout")
    assert "（公司盖章）" not in text and text.count("签字") == 1  # only the case's own "签字确认"


def test_unknown_exhibit_is_a_case_error(en: dict[str, Any], tmp_path: Path) -> None:
    en["corrective_actions"][0]["exhibits"] = ["E99"]
    with pytest.raises(CaseError, match="CA1 cites exhibit 'E99'"):
        render.render_poa(en, tmp_path / "poa.pdf")


def test_byte_identical(en: dict[str, Any], tmp_path: Path) -> None:
    render.render_poa(en, tmp_path / "a.pdf")
    render.render_poa(copy.deepcopy(en), tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


# ---- account metrics ------------------------------------------------------------------

ODR = {"name": "order_defect_rate", "label": "Order Defect Rate", "op": "<", "threshold": 1.0, "unit": "%",
       "window": "60 days"}


def with_metrics(case: dict[str, Any]) -> dict[str, Any]:
    case["metrics"] = [
        {"name": "order_defect_rate", "value": "0.4", "unit": "%", "window": "orders of 2026-03-01 to 03-14",
         "date": "2026-03-14", "exhibit": "E2"},
        {"name": "order_defect_rate", "value": "2.1", "unit": "%", "window": "60 days", "date": "2026-02-27",
         "exhibit": "E1"},
        {"name": "late_dispatch_rate", "value": "36", "unit": "hours", "window": "7 days", "date": "2026-03-14",
         "exhibit": "E3"},
    ]
    case["profile"]["metrics"] = [ODR]
    return case


def test_metrics_table_before_the_root_causes(en: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render.render_poa(with_metrics(en), out)
    text = pdftext(out, "-layout")
    # grouped by metric, oldest reading first, each against the profile's target, citing its exhibit
    assert_in_order(text, ["Account metrics", "Metric", "Value", "Window", "Date", "Target", "Status", "Exhibit",
                           "Order Defect Rate", "2.1%", "60 days", "27 Feb 2026", "< 1%", "Misses target", "Exhibit 1",
                           "0.4%", "orders of 2026-03-01 to 03-14", "14 Mar 2026", "< 1%", "Meets target", "Exhibit 2",
                           "Late dispatch rate", "36 hours", "7 days", "No published target", "Exhibit 3",
                           "Root causes"])
    table = text[text.index("Account metrics"):text.index("Root causes")]
    assert table.count("Order Defect Rate") == 1  # the label once per metric
    render.render_poa(en, out, mode="bundle")
    uris = [a.get_object()["/A"]["/URI"] for a in pypdf.PdfReader(out).pages[0].get("/Annots", [])]
    assert uris[:3] == ["bundle:exhibit-1", "bundle:exhibit-2", "bundle:exhibit-3"]


def test_no_metrics_no_table(en: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render.render_poa(en, out)
    assert "Account metrics" not in pdftext(out)


def test_metrics_in_chinese_with_the_project_labels(zh: dict[str, Any], tmp_path: Path) -> None:
    from poaforge.case.profile import load_labels

    zh["labels"] = load_labels("zh", zh["profile"], Path(__file__).resolve().parents[1])
    out = tmp_path / "poa.pdf"
    render.render_poa(with_metrics(zh), out)
    assert_in_order(pdftext(out, "-layout"), ["账户指标", "指标", "数值", "统计周期", "目标", "状态",
                                              "Order Defect Rate", "2.1%", "未达标", "证据1", "0.4%", "达标", "证据2",
                                              "36小时", "无公开目标", "证据3"])


def test_folded_yaml_lines_leave_no_space_between_chinese_characters(zh: dict[str, Any], tmp_path: Path) -> None:
    zh["root_causes"][0]["what"] = "商品发布前也没有 第二人复核。 仓库按数量验收。Latin words stay apart."
    out = tmp_path / "poa.pdf"
    render.render_poa(zh, out)
    text = pdftext(out)
    assert "没有第二人复核。仓库按数量验收。" in text and "Latin words stay apart." in text


# ---- evidence index -----------------------------------------------------------------

def test_cited_by(en: dict[str, Any]) -> None:
    cites = render.cited_by(en)
    assert cites["E2"] == ["RC1", "CA2"] and cites["E3"] == ["RC2", "PM2"] and cites["E8"] == ["PM3"]
    assert list(cites) == [e["id"] for e in en["exhibits"]]
    en["metrics"] = [{"name": "order_defect_rate", "value": "2.1", "unit": "%", "window": "60 days", "date": "2026-02-27",
                      "exhibit": "E1"}]
    assert render.cited_by(en)["E1"] == ["RC1", "order_defect_rate"]


def test_index_csv_and_pdf(en: dict[str, Any], tmp_path: Path) -> None:
    uploads = upload_names(en)
    assert uploads["E3"] == "Attachment_3_Zendesk_SLA_settings.png" and uploads["E8"].endswith(".jpg")
    pdf, table = tmp_path / "evidence-index.pdf", tmp_path / "evidence-index.csv"
    pages = render.render_index(en, exhibits_json(en), uploads, pdf, table)
    assert pages == 1
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == list(render.CSV_COLUMNS)
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 9)]
    assert rows[1]["cited_by"] == "RC1;CA2" and rows[1]["pages"] == "3" and rows[1]["sha256"] == en["exhibits"][1]["sha256"]
    text = squash(pdftext(pdf, "-raw"))
    for e in en["exhibits"]:
        assert squash(e["title"]) in text and squash(e["sha256"]) in text and squash(uploads[e["id"]]) in text
    assert squash("RC1, CA2") in text and squash("Page 1 of 1") in text
    box = pypdf.PdfReader(pdf).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_index_chinese_and_bundle_links(zh: dict[str, Any], tmp_path: Path) -> None:
    pdf = tmp_path / "i.pdf"
    render.render_index(zh, exhibits_json(zh), upload_names(zh), pdf, None, mode="bundle")
    text = squash(pdftext(pdf, "-raw"))
    assert squash("证据清单") in text and squash("商品上架管理制度（2026版）") in text
    uris = {a.get_object()["/A"]["/URI"] for a in pypdf.PdfReader(pdf).pages[0].get("/Annots", [])}
    assert uris == {f"bundle:exhibit-{n}" for n in range(1, 5)}
    assert "第1页" not in text


def test_index_csv_only(en: dict[str, Any], tmp_path: Path) -> None:
    assert render.render_index(en, exhibits_json(en), {}, None, tmp_path / "i.csv") == 0
    assert (tmp_path / "i.csv").read_text(encoding="utf-8").startswith("number,id,title,date,proves,cited_by,file,pages,sha256,checked\n")


# ---- command ------------------------------------------------------------------------

def test_main(en: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case, exh = tmp_path / "case.json", tmp_path / "exhibits.json"
    case.write_text(json.dumps(en, ensure_ascii=False), encoding="utf-8")
    exh.write_text(json.dumps(exhibits_json(en)), encoding="utf-8")
    assert run(render.main, [str(case), str(tmp_path / "poa.pdf")]) == 0
    assert run(render.main_index, [str(case), str(exh), str(tmp_path / "i.pdf"), str(tmp_path / "i.csv"), "--mode", "bundle"]) == 0
    assert (tmp_path / "poa.pdf").exists() and (tmp_path / "i.pdf").exists() and (tmp_path / "i.csv").exists()
    assert run(render.main, [str(case)]) == 2
    assert "see `python -m poaforge.steps render --help`" in capsys.readouterr().err
    assert run(render.main, [str(tmp_path / "missing.json"), str(tmp_path / "x.pdf")]) == 1
    assert "missing.json: cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("name, platform, site, parts", [
    ("case-en.json", "amazon", "US", ["2 March 2026", "Customer Service Manager (Exhibit 5)", "(Exhibits 3, 7)"]),
    ("case-zh.json", "aliexpress", "global", ["2026年3月11日", "店铺运营经理（证据2）", "（证据2、3）"]),
])
def test_with_the_project_profiles_and_labels(tmp_path: Path, name: str, platform: str, site: str, parts: list[str]) -> None:
    from poaforge.case.profile import load_labels, load_profile

    root = Path(__file__).resolve().parents[1]
    case = load(name)
    case["profile"] = load_profile(platform, site, root)
    case["labels"] = load_labels(case["language"], case["profile"], root)
    out = tmp_path / "poa.pdf"
    render.render_poa(case, out)
    text = squash(pdftext(out, "-layout"))
    for part in [*parts, case["labels"]["root_causes"], case["labels"]["addressee"], case["labels"]["title"]]:
        assert squash(part) in text, part
    render.render_index(case, exhibits_json(case), upload_names(case), tmp_path / "i.pdf", tmp_path / "i.csv")
    assert squash(case["labels"]["evidence_index"]) in squash(pdftext(tmp_path / "i.pdf"))


def test_index_file_names_wrap_only_after_underscores(en: dict[str, Any], tmp_path: Path) -> None:
    en["exhibits"][2]["title"] = "Zendesk SLA settings for every support queue and the escalation rules"
    uploads = upload_names(en)
    pdf = tmp_path / "i.pdf"
    render.render_index(en, exhibits_json(en), uploads, pdf, None)
    ws = words(pdf)
    head = {w: x for x, _, _, _, w in ws if w in ("File", "Pages")}
    name = uploads["E3"]
    pieces = [w for x, _, _, _, w in ws if head["File"] - 1 <= x < head["Pages"] and w in name and w != "File"]
    assert name in "".join(pieces)
    broken = [w for w in pieces if not w.endswith(("_", "-")) and not name.endswith(w)]
    assert len(pieces) > 1 and broken == [], pieces
    sha = en["exhibits"][0]["sha256"]
    assert sha[:32] in [w for *_, w in ws] and sha[32:] in [w for *_, w in ws]  # two monospace lines of 32


def test_index_names_the_one_combined_file_once(en: dict[str, Any], tmp_path: Path) -> None:
    en["profile"]["attachments"] = {"mode": "combined", "naming": "Appeal_{reference}.pdf", "poa_file": None}
    uploads = upload_names(en)
    assert len(set(uploads.values())) == 1
    pdf, table = tmp_path / "i.pdf", tmp_path / "i.csv"
    render.render_index(en, exhibits_json(en), uploads, pdf, table)
    text = pdftext(pdf)
    name = next(iter(uploads.values()))
    assert text.count(name) == 1 and "All exhibits are uploaded as one file" in text and "File" not in text.split()
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert {r["file"] for r in rows} == {name}  # the CSV keeps one value per row
