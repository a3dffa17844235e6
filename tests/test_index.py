"""The evidence index (PDF + CSV): one row per exhibit, named and dated as the letter does,
"Cited by" naming points as the letter numbers them, the uploaded file names."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from letter_cases import example
from letter_text import normalise
from poaforge.console import run
from poaforge.letter import index
from poaforge.letter.compose import compose
from poaforge.submit.plan import upload_names


def exhibits_json(case: dict[str, Any]) -> dict[str, Any]:
    return {"exhibits": [{"id": e["id"], "number": e["number"], "pdf": f"exhibits/{e['number']}.pdf",
                          "pages": e["number"] + 1, "sha256": e["sha256"], "notes": []} for e in case["exhibits"]]}


def pdftext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_rows_name_points_as_the_letter_does() -> None:
    case = example("amazon-odr")
    case["corrective_actions"].insert(0, case["corrective_actions"].pop(2))  # CA3 is now the letter's Action 1
    rows = {r["id"]: r for r in index.index_rows(compose(case), exhibits_json(case), upload_names(case))}
    assert rows["E6"]["cited_by"] == ["Action 1"] and rows["E6"]["cited_by_ids"] == ["CA3"]
    assert rows["E8"]["cited_by"] == ["Measure 1", "Measure 2"]
    assert rows["E1"]["cited_by"] == ["Order Defect Rate", "Late Shipment Rate"]
    assert rows["E1"]["cited_by_ids"] == ["order_defect_rate", "late_shipment_rate"]
    assert rows["E2"]["date"] == "30 October 2026" and rows["E2"]["name"] == "Exhibit 2"


def test_index_csv_and_pdf(tmp_path: Path) -> None:
    case = example("amazon-odr")
    model, uploads = compose(case), upload_names(case)
    pdf, table = tmp_path / "evidence-index.pdf", tmp_path / "evidence-index.csv"
    pages = index.render_index(case, model, exhibits_json(case), uploads, pdf, table)
    assert pages == len(pypdf.PdfReader(pdf).pages)
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == list(index.CSV_COLUMNS)
    assert rows[1]["cited_by"] == "Root cause 1;Root cause 2;Root cause 3" and rows[1]["cited_by_ids"] == "RC1;RC2;RC3"
    assert rows[1]["date"] == "2026-10-30" and rows[1]["file"] == "Exhibit_02_Late_shipment_and_order_defect_analysis.pdf"
    text = normalise(pdftext(pdf, "-raw"))
    for e in model["exhibits"]:
        assert normalise(e["title"]) in text.replace("- ", "-") or e["title"].split()[0] in text
    assert "Root cause 1" in text and "Action 1" in text and "Measure 3" in text
    assert not re.search(r"\b(RC|CA|PM)\d\b", text)  # no internal ids the letter never shows
    assert "30 October 2026" in text and "2026-10-30" not in text
    box = pypdf.PdfReader(pdf).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_chinese_index_and_bundle_links(tmp_path: Path) -> None:
    case = example("aliexpress-ip")
    pdf = tmp_path / "i.pdf"
    index.render_index(case, compose(case), exhibits_json(case), upload_names(case), pdf, None, mode="bundle")
    text = normalise(pdftext(pdf, "-raw"))
    assert "证据清单" in text and "整改措施1" in text and "原因1" in text and "2026年11月16日" in text
    assert "附件1_整改记录_商品排查_退货及供应商确认.pdf" in re.sub(r"\s", "", pdftext(pdf, "-raw"))
    uris = {a.get_object()["/A"]["/URI"] for a in pypdf.PdfReader(pdf).pages[0].get("/Annots", [])}
    assert uris == {f"bundle:exhibit-{n}" for n in range(1, 5)}


def test_the_one_combined_file_is_named_once(tmp_path: Path) -> None:
    case = example("tiktok-uk-dispatch")
    uploads = upload_names(case)
    assert len(set(uploads.values())) == 1
    pdf, table = tmp_path / "i.pdf", tmp_path / "i.csv"
    index.render_index(case, compose(case), exhibits_json(case), uploads, pdf, table)
    text = pdftext(pdf)
    name = next(iter(uploads.values()))
    assert text.count(name) == 1 and "All exhibits are uploaded as one file" in text and "File" not in text.split()
    assert {r["file"] for r in csv.DictReader(table.read_text(encoding="utf-8").splitlines())} == {name}


def test_file_names_wrap_only_after_underscores(tmp_path: Path) -> None:
    from test_letter_pdf import word_boxes

    case = example("amazon-odr")
    case["exhibits"][2]["title"] = "OMS order sync settings for every warehouse and the escalation rules"
    uploads = upload_names(case)
    pdf = tmp_path / "i.pdf"
    index.render_index(case, compose(case), exhibits_json(case), uploads, pdf, None)
    ws = word_boxes(pdf)
    head = {w: x for x, _, _, _, w in ws if w in ("File", "Pages")}
    name = uploads["E3"]
    pieces = [w for x, _, _, _, w in ws if head["File"] - 1 <= x < head["Pages"] and w in name and w != "File"]
    assert name in "".join(pieces)
    broken = [w for w in pieces if not w.endswith(("_", "-")) and not name.endswith(w)]
    assert len(pieces) > 1 and broken == [], pieces
    sha = case["exhibits"][0]["sha256"]
    assert sha[:32] in [w for *_, w in ws] and sha[32:] in [w for *_, w in ws]


def test_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = example("walmart-us")
    files = {"case.json": case, "letter.json": compose(case), "exhibits.json": exhibits_json(case)}
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    args = [str(tmp_path / n) for n in files] + [str(tmp_path / "i.pdf"), str(tmp_path / "i.csv")]
    assert run(index.main, args) == 0 and (tmp_path / "i.pdf").exists() and (tmp_path / "i.csv").exists()
    assert run(index.main, args[:2]) == 2
    assert "see `python -m poaforge.steps index --help`" in capsys.readouterr().err
