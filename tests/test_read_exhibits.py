"""Reading exhibits: text with positions, OCR, the content-addressed cache, and the real
`snakemake` job build_case (a rebuild that changes only the case text reads no exhibit)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e import copy_project, snakemake

from poaforge.errors import BuildError
from poaforge.evidence import ocr
from poaforge.evidence.text import TextCache, page_text, read_pdf

EXAMPLES = Path(__file__).resolve().parents[1] / "cases"


def test_text_layer_has_positions_inside_the_page() -> None:
    pages = read_pdf((EXAMPLES / "amazon-trademark/evidence/invoice-lb-2026-0318.pdf").read_bytes())
    assert len(pages) == 1 and pages[0]["source"] == "text"
    page = pages[0]
    assert "COMMERCIAL INVOICE" in page_text(page)
    for left, top, right, bottom, text in page["segments"]:
        assert 0 <= left < right <= page["width"] and 0 <= top < bottom <= page["height"] and text.strip()
    title = next(s for s in page["segments"] if s[4] == "COMMERCIAL INVOICE")
    assert title[1] < page["height"] / 4  # near the top, measured from the top


def test_photo_is_read_by_ocr() -> None:
    import img2pdf

    pdf = img2pdf.convert((EXAMPLES / "amazon-trademark/evidence/relabelled-lids-photo.jpg").read_bytes())
    page = read_pdf(pdf, ["en"])[0]
    assert page["source"] == "ocr" and page["ocr"]["languages"] == "eng" and page["ocr"]["confidence"] > 60
    assert "QINGMU" in page_text(page) and "QM-LID-10" in page_text(page)


def test_chinese_photo_is_read_with_chinese() -> None:
    import img2pdf

    a4 = img2pdf.get_layout_fun(pagesize=(img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)), fit=img2pdf.FitMode.into)
    pdf = img2pdf.convert((EXAMPLES / "aliexpress-ip/evidence/ruku-yanshou-photo.jpg").read_bytes(), layout_fun=a4)
    page = read_pdf(pdf, ["zh"])[0]
    assert page["ocr"]["languages"] == "chi_sim+eng"
    assert "准予入库" in page_text(page) and "2026-11-18" in page_text(page)


def test_chinese_photo_in_an_english_case_is_read_again_with_chinese() -> None:
    """English first (the case's language); the English model still sees words, at a low
    confidence, so the page is read again with Chinese and that read is kept."""
    import img2pdf

    pdf = img2pdf.convert((EXAMPLES / "aliexpress-ip/evidence/ruku-yanshou-photo.jpg").read_bytes())
    page = read_pdf(pdf, ["en"])[0]
    assert page["ocr"]["languages"] == "chi_sim+eng"
    assert "准予入库" in page_text(page)


def test_a_photo_without_text_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A photo in which the English read sees no word at all is not read again with Chinese
    (that read would double the cost of every text-less photo and find nothing either)."""
    import io
    import random

    import img2pdf
    from PIL import Image

    from poaforge.evidence import ocr

    reads: list[str] = []
    real = ocr.recognise
    monkeypatch.setattr(ocr, "recognise", lambda image, languages: reads.append(languages) or real(image, languages))

    rng = random.Random(7)
    im = Image.frombytes("RGB", (600, 450), bytes(rng.randrange(256) for _ in range(600 * 450 * 3)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    page = read_pdf(img2pdf.convert(buf.getvalue()), ["en"])[0]
    assert page["source"] == "none" and page_text(page) == ""
    assert reads == ["eng"]


def test_blank_page_gets_a_note() -> None:
    from pypdf import PdfWriter

    import io
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    page = read_pdf(buf.getvalue())[0]
    assert page["source"] == "none" and page["segments"] == [] and "no readable text" in page["note"]


def test_cache_reads_each_content_once(tmp_path: Path) -> None:
    data = (EXAMPLES / "amazon-trademark/evidence/invoice-lb-2026-0318.pdf").read_bytes()
    cache = TextCache(tmp_path)
    first = cache.read(data, ["en"])
    again = TextCache(tmp_path)
    assert again.read(data, ["en"]) == first and (again.reads, again.hits) == (0, 1)
    assert again.read(data + b"\n", ["en"]) and again.reads == 1  # other bytes: read


def test_missing_language_data_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POA_TESSDATA", str(tmp_path))
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    ocr.tessdata.cache_clear()
    try:
        with pytest.raises(BuildError) as err:
            ocr.tessdata()
        assert "tesseract-ocr-eng" in str(err.value) and "POA_TESSDATA" in str(err.value)
    finally:
        ocr.tessdata.cache_clear()


@pytest.mark.e2e
def test_pipeline_reads_once_and_fills_the_index(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", cases=["amazon-trademark"])
    res = project / "results" / "amazon-trademark"
    first = snakemake(project, "amazon-trademark")
    assert first.returncode == 0, first.stderr[-3000:]
    log = (project / "logs/amazon-trademark/build_case.log").read_text(encoding="utf-8")
    assert "read 9 exhibits (11 pages, 2 by OCR): 9 read, 0 from the cache" in log
    photo = json.loads((res / "text" / "E6.text.json").read_text(encoding="utf-8"))
    assert photo["pages"][0]["source"] == "ocr" and photo["file"] == "evidence/relabelled-lids-photo.jpg"
    facts = json.loads((res / "facts.json").read_text(encoding="utf-8"))
    assert facts["exhibits"]["E3"]["kind"]["kind"] == "invoice" and set(facts["checked"].values()) == {"✓"}
    index = subprocess.run(["pdftotext", "-layout", str(res / "evidence-index.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Checked" in index and "against the" in index and "✓" in index
    assert "checked" in (res / "evidence-index.csv").read_text(encoding="utf-8").splitlines()[0]
    texts = {p.name: p.read_bytes() for p in (res / "text").iterdir()}
    facts_bytes = (res / "facts.json").read_bytes()
    cache_files = {p: p.stat().st_mtime_ns for p in (project / "results/.cache/text").rglob("*.json")}

    # a claim the exhibit does not show: only the case text changes
    case = project / "cases" / "amazon-trademark.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Audited all 126 active listings", "Audited all 129 active listings"),
                    encoding="utf-8")
    second = snakemake(project, "amazon-trademark")
    assert second.returncode == 0, second.stderr[-3000:]
    log = (project / "logs/amazon-trademark/build_case.log").read_text(encoding="utf-8")
    assert "0 read, 9 from the cache" in log
    assert {p: p.stat().st_mtime_ns for p in cache_files} == cache_files
    # nothing new in the cache: no exhibit read, nor its facts computed, again
    assert set((project / "results/.cache/text").rglob("*.json")) == set(cache_files)
    assert any("/facts/" in str(p) for p in cache_files)
    assert {p.name: p.read_bytes() for p in (res / "text").iterdir()} == texts
    report = (res / "report.txt").read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(case.read_text(encoding="utf-8").splitlines(), 1) if "129 active" in t)
    assert f'POA531 warning: CA2: "129" not found in Exhibit 1 (evidence/listing-audit-2026-11-08.pdf), p. 1' in report
    assert any(f"amazon-trademark.yaml:{ln}:" in report for ln in (line - 1, line, line + 1))
    index = subprocess.run(["pdftotext", "-layout", str(res / "evidence-index.pdf"), "-"], capture_output=True, text=True).stdout
    assert "not found: 129" in index

    # from clean, with the cache: the same bytes (reproducible)
    case.write_text(case.read_text(encoding="utf-8").replace("129 active", "126 active"), encoding="utf-8")
    shutil.rmtree(res)
    third = snakemake(project, "amazon-trademark")
    assert third.returncode == 0, third.stderr[-3000:]
    assert (res / "facts.json").read_bytes() == facts_bytes


@pytest.mark.e2e
def test_invoice_to_another_company_stops_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", cases=["walmart-us"])
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "examples"))
    from make_evidence import load_spec, render_file

    spec = load_spec("walmart-us")
    item = next(i for i in spec["files"] if i["file"] == "evidence/invoice-php-58213.pdf")
    rows = item["data"]["blocks"][0]["rows"]
    rows[2][1] = "Bluewater Retail Group Inc., 88 Ocean Avenue, Newark, NJ 07102, USA"
    render_file(item, spec.get("defaults", {}), project / "cases" / "walmart-us")
    run = snakemake(project, "walmart-us")
    assert run.returncode != 0
    report = run.stderr  # the gate prints its findings (a failed job's outputs are removed by Snakemake)
    assert ('POA534 error: E5: Exhibit 5 (evidence/invoice-php-58213.pdf) is addressed to "Bluewater Retail Group Inc.'
            in report) and "(p. 1), not to Cedar Lane Goods LLC" in report
    assert not (project / "results/walmart-us/bundle.pdf").exists()
