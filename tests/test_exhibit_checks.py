"""The letter checked against its exhibits (POA531-POA542): planted mismatches in generated
evidence, English and Chinese, each found at the case line that makes the claim and the exhibit
page; the clean case gives none. Runs the real reading (text layer, OCR) and the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from exhibit_cases import SELLER_EN, SELLER_ZH, invoice, run_checks, write_case

OURS = {f"POA{n}" for n in range(531, 543)}


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POA_TEXT_CACHE", str(tmp_path / "text-cache"))


def ours(findings: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in findings:
        if f.rule in OURS:
            out.setdefault(f.rule, []).append(f)
    return out


def line_of(case_file: Path, needle: str) -> int:
    return next(n for n, line in enumerate(case_file.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clean_case_has_no_finding(tmp_path: Path, lang: str) -> None:
    case = write_case(tmp_path, lang)
    findings, facts = run_checks(case)
    assert ours(findings) == {}, [str(f) for f in findings if f.rule in OURS]
    assert set(facts["checked"].values()) == {"✓"}
    inv = facts["exhibits"]["E1"]
    assert inv["kind"]["kind"] == "invoice" and inv["date"]["value"] == "2026-03-18"
    assert inv["quantities"]["total"] == 1000 and inv["language"] == lang


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_wrong_count(tmp_path: Path, lang: str) -> None:
    case = write_case(tmp_path, lang, refunds=31)          # the letter says 38 refunds (Exhibit 3 / 附件3)
    found = ours(run_checks(case)[0])
    assert list(found) == ["POA531"]
    f = found["POA531"][0]
    assert f.line == line_of(case, "38")
    assert '"38"' in f.message and "Exhibit 3 (evidence/refunds.pdf), p. 1" in f.message
    assert "lists 31" in f.message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_invoice_400_days_old(tmp_path: Path, lang: str) -> None:
    # the case still says 2026-03-18: the document's own date is what counts
    case = write_case(tmp_path, lang, invoice_doc=invoice(lang=lang, date="2025-09-30"))
    found = ours(run_checks(case)[0])
    if lang == "en":  # an Amazon case; the AliExpress profile sets no invoice window
        f = found["POA533"][0]
        assert "dated 2025-09-30 (p. 1), 400 days before the notice (2026-11-04)" in f.message
        assert "at most 365 days" in f.message and f.line == line_of(case, "evidence/invoice.pdf")
    page = "(p. 1)" if lang == "en" else "（第 1 页）"   # a Chinese case gets the Chinese message
    assert "2025-09-30" in found["POA542"][0].message and page in found["POA542"][0].message


def test_invoice_400_days_old_chinese_invoice_amazon_case(tmp_path: Path) -> None:
    case = write_case(tmp_path, "en", invoice_doc=invoice(lang="zh", date="2025-09-30", buyer=SELLER_EN))
    found = ours(run_checks(case)[0])
    assert "400 days before the notice" in found["POA533"][0].message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_invoice_to_another_company(tmp_path: Path, lang: str) -> None:
    other = "Bright Star Trading LLC" if lang == "en" else "深圳市明星贸易有限公司"
    case = write_case(tmp_path, lang, invoice_doc=invoice(lang=lang, buyer=other))
    found = ours(run_checks(case)[0])
    assert list(found) == ["POA534"], found
    f = found["POA534"][0]
    page = "(p. 1)" if lang == "en" else "（第 1 页）"
    assert other in f.message and page in f.message and f.line == line_of(case, "evidence/invoice.pdf")


def test_recipient_tolerates_case_punctuation_and_legal_form(tmp_path: Path) -> None:
    case = write_case(tmp_path, "en", invoice_doc=invoice(buyer="QINGMU HOME SUPPLIES COMPANY LIMITED"))
    assert "POA534" not in ours(run_checks(case)[0])


def test_chinese_name_accepted_when_the_case_gives_both(tmp_path: Path) -> None:
    case = write_case(tmp_path, "zh", invoice_doc=invoice(lang="zh", buyer=SELLER_ZH))
    assert "POA534" not in ours(run_checks(case)[0])
    case.write_text(case.read_text(encoding="utf-8").replace("  local_name: 杭州青木家居用品有限公司\n", ""), encoding="utf-8")
    assert "POA534" in ours(run_checks(case)[0])


@pytest.mark.parametrize(("lang", "title", "kind"), [("en", "ORDER CONFIRMATION", "order confirmation"),
                                                     ("en", "PROFORMA INVOICE", "pro-forma invoice"),
                                                     ("zh", "订单确认书", "订单确认")])
def test_order_confirmation_offered_as_invoice(tmp_path: Path, lang: str, title: str, kind: str) -> None:
    case = write_case(tmp_path, lang, invoice_doc=invoice(lang=lang, title=title))
    found = ours(run_checks(case)[0])
    f = found["POA532"][0]
    said = f"p. 1 reads \"{title}\"" if lang == "en" else f"第 1 页写的是“{title}”"
    assert f.severity == "error" and said in f.message and kind in f.message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_highlighted_invoice(tmp_path: Path, lang: str) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, FloatObject

    case = write_case(tmp_path, lang)
    pdf = case.parent / f"planted-{lang}" / "evidence" / "invoice.pdf"
    writer = PdfWriter(clone_from=PdfReader(pdf))
    quad = ArrayObject([FloatObject(v) for v in (380, 570, 405, 570, 380, 560, 405, 560)])
    writer.add_annotation(0, Highlight(rect=(380, 560, 405, 570), quad_points=quad))
    with pdf.open("wb") as fh:
        writer.write(fh)
    findings, facts = run_checks(case)
    f = ours(findings)["POA538"][0]
    said = "looks edited after it was issued p. 1: Highlight" if lang == "en" else "看起来在开具后被修改过 p. 1：Highlight"
    assert said in f.message and f.line == line_of(case, "evidence/invoice.pdf")
    assert "edited after issue" in facts["checked"]["E1"] or "开具后被修改" in facts["checked"]["E1"]


def test_incremental_update_is_a_sign(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    case = write_case(tmp_path, "en")
    pdf = case.parent / "planted-en" / "evidence" / "invoice.pdf"
    writer = PdfWriter(pdf, incremental=True)
    writer.add_metadata({"/Title": "changed"})
    with pdf.open("wb") as fh:
        writer.write(fh)
    assert "saved 1 more time(s)" in ours(run_checks(case)[0])["POA538"][0].message


def test_chinese_invoice_in_an_amazon_case(tmp_path: Path) -> None:
    case = write_case(tmp_path, "en", invoice_doc=invoice(lang="zh", buyer=SELLER_EN))
    found = ours(run_checks(case)[0])
    f = found["POA539"][0]
    assert 'is written in "zh", but Amazon reads documents in en' in f.message and f.line == line_of(case, "evidence/invoice.pdf")
    text = case.read_text(encoding="utf-8").replace("kind: invoice,", "kind: invoice, translation: evidence/invoice.pdf,")
    case.write_text(text, encoding="utf-8")
    assert "POA539" not in ours(run_checks(case)[0])


def test_english_document_in_an_aliexpress_case(tmp_path: Path) -> None:
    case = write_case(tmp_path, "zh", invoice_doc=invoice(lang="en", buyer=SELLER_EN))
    assert "只审阅 zh 的文件" in ours(run_checks(case)[0])["POA539"][0].message   # the case is Chinese: so is the message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scanned_image_invoice_is_read_by_ocr(tmp_path: Path, lang: str) -> None:
    buyer = SELLER_EN if lang == "en" else SELLER_ZH
    case = write_case(tmp_path, "en" if lang == "en" else "zh", scanned=True,
                      invoice_doc=invoice(lang=lang, date="2025-09-30", buyer=buyer))
    findings, facts = run_checks(case)
    inv = facts["exhibits"]["E1"]
    assert inv["ocr_pages"] == [1] and inv["date"]["value"] == "2025-09-30" and inv["kind"]["kind"] == "invoice"
    found = ours(findings)
    assert "2025-09-30" in found["POA542"][0].message
    if lang == "en":
        assert "400 days before the notice" in found["POA533"][0].message
    text = (case.parent.parent / "results" / case.stem / "text" / "E1.text.json").read_text(encoding="utf-8")
    assert '"source": "ocr"' in text or '"source":"ocr"' in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_missing_authorisation_in_an_ip_case(tmp_path: Path, lang: str) -> None:
    case = write_case(tmp_path, lang, authorised=False)
    found = ours(run_checks(case)[0])
    f = found["POA540"][0]
    assert f.line == line_of(case, "policy:")
    assert "ip-complaint" in f.message and ("authorisation" in f.message or "授权" in f.message)


def test_units_sold_beyond_the_invoices(tmp_path: Path) -> None:
    case = write_case(tmp_path, "en")
    text = case.read_text(encoding="utf-8").replace("resold genuine VELORIA goods", "sold 1,500 units of genuine VELORIA goods")
    case.write_text(text, encoding="utf-8")
    found = ours(run_checks(case)[0])
    assert "1,500 units sold, but the invoices cited (Exhibit 1) cover only 1,000" in found["POA537"][0].message


def test_blank_page_is_noted(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    case = write_case(tmp_path, "en")
    pdf = case.parent / "planted-en" / "evidence" / "refunds.pdf"
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.add_blank_page()
    with pdf.open("wb") as fh:
        writer.write(fh)
    findings, facts = run_checks(case)
    assert "Exhibit 3 (evidence/refunds.pdf) p. 2 gives no readable text" in ours(findings)["POA541"][0].message
    assert facts["exhibits"]["E3"]["unreadable"] == [2]


def test_supplier_without_contact(tmp_path: Path) -> None:
    doc = invoice()
    doc["org_lines"] = []
    case = write_case(tmp_path, "en", invoice_doc=doc)
    f = ours(run_checks(case)[0])["POA536"][0]
    assert "does not show the supplier's address, phone, e-mail or website" in f.message


def test_recipient_address_differs(tmp_path: Path) -> None:
    doc = invoice()
    doc["blocks"][0]["rows"][2][1] = f"{SELLER_EN}, 18 Harbour Road, Jiangbei District, Ningbo 315020, China"
    case = write_case(tmp_path, "en", invoice_doc=doc)
    assert "differs from seller.address" in ours(run_checks(case)[0])["POA535"][0].message
