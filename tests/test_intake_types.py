"""Evidence as sellers have it: every type converted faithfully, real-world files, notes only when true."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from fixtures_pdf import make_case, typst_pdf
from seller_files import avif, bmp, cmyk_jpeg, csv_orders, docx, eml, heic_photo, real_exhibit, tiff_scan, webp, xlsx
from tricky_pdf import render
from poaforge.errors import EvidenceError
from poaforge.evidence.intake import prepare


def _one(tmp: Path, name: str, data: bytes, **exhibit: object) -> tuple[dict, Path]:
    case, case_dir, results = make_case(tmp, {name: data})
    case["exhibits"][0].update(exhibit)
    got = prepare(case, case_dir, results)["exhibits"][0]
    return got, results / got["pdf"]


def _text(pdf: Path, page: int | None = None) -> str:
    args = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _colours(pdf: Path) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Colour at the top middle and the left middle of the rendered photo (red band, blue band)."""
    im = render(pdf, 1, 30)
    box = im.convert("L").point(lambda v: 255 if v < 250 else 0).getbbox()
    assert box, "the page is blank"
    x0, y0, x1, y1 = box
    return im.getpixel(((x0 + x1) // 2, y0 + 3)), im.getpixel((x0 + 3, (y0 + y1) // 2))


def _red(c: tuple[int, ...]) -> bool:
    return c[0] > 150 and c[2] < 110


def _blue(c: tuple[int, ...]) -> bool:
    return c[2] > 150 and c[0] < 110


@pytest.mark.parametrize(("name", "make", "conversion"), [
    ("IMG_0412.HEIC", heic_photo, "HEIC image decoded with pillow-heif (libheif), stored as JPEG (quality 92)"),
    ("photo.avif", avif, "AVIF image decoded with Pillow (libavif), stored as JPEG (quality 92)"),
    ("screen.webp", lambda: webp(lossless=True), "WEBP image decoded with Pillow (libwebp), stored losslessly as PNG"),
    ("photo.webp", webp, "WEBP image decoded with Pillow (libwebp), stored as JPEG (quality 92)"),
    ("scan.bmp", bmp, "BMP image stored losslessly"),
    ("label.jpg", cmyk_jpeg, "JPEG image placed on a A4 page (img2pdf, lossless)"),
])
def test_images_become_upright_pages_with_the_conversion_named(tmp_path: Path, name: str, make, conversion: str) -> None:  # type: ignore[no-untyped-def]
    got, pdf = _one(tmp_path, name, make())
    assert (got["pages"], got["conversion"]) == (1, conversion)
    top, left = _colours(pdf)
    assert _red(top) and _blue(left), (top, left)


def test_heic_orientation_is_applied(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "IMG_0413.HEIC", heic_photo(orientation=6))
    assert got["notes"] == ["orientation 6 applied to the pixels"] and got["width"] < got["height"]
    top, left = _colours(pdf)
    assert _blue(top) or _red(top)  # turned: a band that was at the side is now at the top


def test_every_page_of_a_tiff_scan(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "fax.tif", tiff_scan(3))
    assert (got["pages"], got["conversion"]) == (3, "multi-page TIFF: all 3 pages")
    boxes = [render(pdf, n, 20).convert("L").point(lambda v: 255 if v < 128 else 0).getbbox() for n in (1, 2, 3)]
    assert all(boxes) and boxes[0][1] < boxes[1][1] < boxes[2][1]  # the bar moves down page by page


def test_sixteen_bit_grey_png_with_transparency(tmp_path: Path) -> None:
    """Pillow's i_trns.png: 16-bit greyscale with a transparent colour, drawn as Pillow draws it on white."""
    from PIL import Image

    data = real_exhibit("Pillow__i_trns.png")
    got, pdf = _one(tmp_path, "i_trns.png", data)
    assert got["pages"] == 1 and "16-bit greyscale with transparency reduced to 8 bits per pixel" in got["notes"][0]
    original = Image.open(io.BytesIO(data))
    key = original.info["transparency"]
    wide = original.convert("I")
    expect = Image.composite(wide.point(lambda v: v * (1 / 257)).convert("L"), Image.new("L", wide.size, 255),
                             wide.point(lambda v: 0 if v == key else 255).convert("L"))
    page = PdfReader(pdf).pages[0]
    shown = page.images[0].image
    assert shown.size == expect.size


def test_real_signed_pdf_is_kept_byte_for_byte(tmp_path: Path) -> None:
    data = real_exhibit("qpdf__digitally-signed.pdf")
    got, pdf = _one(tmp_path, "contract.pdf", data)
    assert pdf.read_bytes() == data and got["facts"]["signed"] is True
    assert got["notes"][0].startswith("digitally signed: the upload is the original, byte for byte")


def test_real_dynamic_xfa_is_refused_with_the_fix(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"customs-form.pdf": real_exhibit("pdf-js__xfa_issue14315.pdf")})
    with pytest.raises(EvidenceError) as err:
        prepare(case, case_dir, results)
    assert str(err.value) == (
        "cases/c/evidence/customs-form.pdf: is a dynamic XFA form: outside Adobe Reader its pages only show a \"Please "
        "wait…\" placeholder, not the form — open it in Adobe Acrobat Reader, fill it in if needed, and print it to PDF "
        "(Microsoft Print to PDF / Save as PDF); use that file as the exhibit")


def test_real_bad_xref_is_repaired_with_a_note(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "bad-xref.pdf", real_exhibit("qpdf__bad-xref.pdf"))
    assert got["facts"]["repaired"] and "qpdf rebuilt it" in got["notes"][0]
    assert "Potato" in _text(pdf)
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


@pytest.mark.parametrize("producer", ["typst", "pypdf", "img2pdf", "pikepdf"])
def test_clean_pdfs_are_neither_repaired_nor_rewritten(tmp_path: Path, producer: str) -> None:
    """The "repaired" note only when a reader needed the repair: files from four producers stay byte-identical."""
    import img2pdf
    import pikepdf
    from pypdf import PdfWriter

    if producer == "typst":
        data = typst_pdf("Page {n}", pages=2)
    elif producer == "pypdf":
        writer = PdfWriter()
        writer.add_blank_page(612, 792)
        buf = io.BytesIO()
        writer.write(buf)
        data = buf.getvalue()
    elif producer == "img2pdf":
        data = img2pdf.convert(bmp(), nodate=True)
    else:
        buf = io.BytesIO()
        pdf = pikepdf.new()
        pdf.add_blank_page()
        pdf.save(buf, deterministic_id=True)
        data = buf.getvalue()
    got, pdf = _one(tmp_path, "clean.pdf", data)
    assert (got["notes"], got["facts"]["repaired"], pdf.read_bytes() == data) == ([], False, True)


def test_bytes_after_eof_are_accepted_and_the_file_kept(tmp_path: Path) -> None:
    tail = b"<html><body>download footer</body></html>"
    data = typst_pdf("Downloaded invoice") + b"\r\n" + tail + b"\r\n"
    got, pdf = _one(tmp_path, "download.pdf", data)
    assert pdf.read_bytes() == data and got["notes"] == [
        f"{len(tail)} bytes after the end of the PDF (%%EOF) are ignored by readers; the file is used as it is"]


def test_eml_shows_headers_body_and_attachments(tmp_path: Path) -> None:
    data = eml(attachments={"POD-1Z999.pdf": typst_pdf("Proof of delivery"), "label.bin": b"\x00\x01"})
    got, pdf = _one(tmp_path, "delivered.eml", data, title="Carrier delivery e-mail")
    text = _text(pdf)
    for expected in ("Carrier Notifications <noreply@carrier.example>", "ops@northwind.example", "Tue, 03 Nov 2026 09:15:00",
                     "Shipment 1Z999 delivered", "signed by J. SMITH", "POD-1Z999.pdf", "label.bin",
                     "Rendition of delivered.eml (e-mail, 2 attachment(s)) made by poa-forge"):
        assert expected in text, expected
    assert got["conversion"] == "e-mail typeset by poa-forge: header fields, text, 2 attachment(s) listed"


def test_html_only_eml_shows_its_text_and_no_script(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "mail.eml", eml(html=True))
    text = _text(pdf)
    assert "signed by J. SMITH" in text and "alert(1)" not in text and "color:red" not in text
    assert "(text taken from the HTML part of the e-mail)" in text


def test_an_attachment_of_an_eml_is_its_own_exhibit(tmp_path: Path) -> None:
    pod = typst_pdf("Proof of delivery 1Z999")
    got, pdf = _one(tmp_path, "delivered.eml", eml(attachments={"POD-1Z999.pdf": pod}), attachment="POD-1Z999.pdf")
    assert (got["media"], got["attachment"], pdf.read_bytes() == pod) == ("pdf", "POD-1Z999.pdf", True)
    assert got["notes"][0] == "attachment 'POD-1Z999.pdf' of the e-mail delivered.eml"


def test_missing_attachment_names_the_ones_there(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"m.eml": eml(attachments={"a.pdf": typst_pdf("a")})})
    case["exhibits"][0]["attachment"] = "b.pdf"
    with pytest.raises(EvidenceError, match=r"m.eml: has no attachment named 'b.pdf' \(its attachments: 'a.pdf'\)"):
        prepare(case, case_dir, results)


def test_csv_order_report_is_a_table_with_its_header_on_every_page(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "orders.csv", csv_orders(120))
    assert got["pages"] >= 3 and got["conversion"].startswith("CSV table, 120 rows: typeset by poa-forge")
    for page in range(1, got["pages"] + 1):
        assert "order-id" in _text(pdf, page) and "tracking-id" in _text(pdf, page)
    assert "111-0000119-0000001" in _text(pdf)


def test_gbk_csv_from_chinese_excel(tmp_path: Path) -> None:
    data = "订单号,数量\n111-0000001,5\n".encode("gb18030")
    _, pdf = _one(tmp_path, "订单.csv", data)
    assert "订单号" in _text(pdf).replace(" ", "")


def test_csv_is_a_chart_only_when_a_metric_cites_it(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"odr.csv": b"date,order_defect_rate\n2026-10-01,1.4\n2026-10-02,0.8\n"})
    case["profile"] = {**case["profile"], "metrics": [{"name": "order_defect_rate", "label": "Order Defect Rate",
                                                       "op": "<", "threshold": 1.0, "unit": "%"}]}
    case["corrective_actions"] = []
    assert prepare(case, case_dir, results)["exhibits"][0]["conversion"].startswith("CSV table, 2 rows")
    case["metrics"] = [{"name": "order_defect_rate", "exhibit": "E1"}]
    assert prepare(case, case_dir, results)["exhibits"][0]["conversion"].startswith("chart of the daily order_defect_rate")


def test_xlsx_sheets_with_their_names(tmp_path: Path) -> None:
    data = xlsx({"Orders": [["order-id", "qty"], ["111-0000001", 5], ["111-0000002", 7.0]], "Empty": []})
    got, pdf = _one(tmp_path, "export.xlsx", data)
    text = _text(pdf)
    assert "Sheet Orders" in text and "111-0000002" in text and " 7 " in text.replace("\n", " ") + " "
    assert got["notes"] == ["empty sheet 'Empty' left out"]


def test_txt_lines_as_written(tmp_path: Path) -> None:
    _, pdf = _one(tmp_path, "tracking.txt", "1Z999 DELIVERED 2026-11-02\n\tsigned: J. SMITH\n".encode())
    text = _text(pdf)
    assert "1Z999 DELIVERED 2026-11-02" in text and "signed: J. SMITH" in text


def test_conversions_are_content_addressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build converts nothing again: the stored PDF is used, byte for byte."""
    from poaforge.evidence import convert

    case, case_dir, results = make_case(tmp_path, {"o.csv": csv_orders(10), "p.heic": heic_photo()})
    first = prepare(case, case_dir, results)
    before = [(results / e["pdf"]).read_bytes() for e in first["exhibits"]]

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(convert, "_typeset", boom)
    monkeypatch.setattr(convert, "_image", boom)
    again = prepare(case, case_dir, results)
    assert again == first and [(results / e["pdf"]).read_bytes() for e in again["exhibits"]] == before


def test_office_without_libreoffice_names_both_ways_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POA_SOFFICE", str(tmp_path / "no-soffice"))
    case, case_dir, results = make_case(tmp_path, {"invoice.docx": docx()})
    with pytest.raises(EvidenceError) as err:
        prepare(case, case_dir, results)
    assert str(err.value) == (
        "cases/c/evidence/invoice.docx: is a Word (DOCX) document, which needs LibreOffice to become PDF pages, and "
        "LibreOffice is not installed — install LibreOffice (Debian/Ubuntu: sudo POA_OFFICE=1 tools/setup.sh; macOS: brew "
        "install --cask libreoffice) and build again, or export the file as PDF (File → Export as PDF) and point the "
        "exhibit at that PDF")


needs_office = pytest.mark.skipif(
    __import__("poaforge.evidence.office", fromlist=["soffice"]).soffice() is None,
    reason="LibreOffice is not installed (Debian: sudo POA_OFFICE=1 tools/setup.sh)")


@needs_office
def test_docx_through_libreoffice_keeps_its_text_and_is_reproducible(tmp_path: Path) -> None:
    from poaforge.evidence.office import office_to_pdf

    data = docx()
    got, pdf = _one(tmp_path, "invoice.docx", data)
    text = _text(pdf)
    assert "Supplier invoice INV-2026-118" in text and "NW-MUG-1" in text
    assert got["conversion"].startswith("Word (DOCX) document converted by LibreOffice")
    assert office_to_pdf(data, ".docx", "x", "DOCX") == office_to_pdf(data, ".docx", "x", "DOCX")


@needs_office
def test_an_invoice_workbook_keeps_its_layout(tmp_path: Path) -> None:
    got, pdf = _one(tmp_path, "invoice.xlsx", xlsx({"Invoice": [["ACME Trading Ltd"], ["Item", "Qty"], ["NW-MUG-1", 500]]}),
                    kind="invoice")
    assert got["conversion"].startswith("Excel (XLSX) workbook converted by LibreOffice")
    assert "ACME Trading Ltd" in _text(pdf) and "500" in _text(pdf)


def test_file_text_that_looks_like_code_is_printed_as_written(tmp_path: Path) -> None:
    """A text file or an e-mail is data: Typst markup, scripts and file reads in it are shown, never run."""
    from hardening.corpus import HOSTILE, PASSWD_LINE

    body = "\n".join(line for h in HOSTILE for line in h.splitlines())
    _, pdf = _one(tmp_path / "t", "notes.txt", body.encode())
    text = " ".join(_text(pdf).split())
    assert '#read("/etc/passwd")' in text and "$x^2$" in text and PASSWD_LINE not in text
    _, pdf = _one(tmp_path / "m", "mail.eml", eml(subject='#read("/etc/passwd") $x$ <b>'))
    text = " ".join(_text(pdf).split())
    assert '#read("/etc/passwd") $x$ <b>' in text and PASSWD_LINE not in text


def test_chinese_email_in_a_chinese_case(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"发货通知.eml": eml(subject="发货通知：订单 111-0000001 已发货")})
    case["language"] = "zh"
    got = prepare(case, case_dir, results)["exhibits"][0]
    text = _text(results / got["pdf"]).replace(" ", "")
    assert "发货通知：订单111-0000001已发货" in text and "发件人" in text and "主题" in text
