"""Upload attachments: names, original bytes, conversions and the platform's limits."""

from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from fixtures_pdf import PROFILE, encrypted_pdf, image_bytes, make_case, marked_image, typst_pdf
from poaforge.errors import BuildError, EvidenceError
from poaforge.evidence.intake import prepare
from poaforge.evidence.sniff import media_of
from poaforge.submit.plan import attachment_name, planned_uploads, safe_title, upload_names
from poaforge.submit.upload import build_upload

PATTERN = "Attachment_{number}_{title}.{ext}"


def _noise(fmt: str, size: int = 400) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(("title", "ident", "expected"), [
    ("Shipping SOP v2", "E1", "Attachment_1_Shipping_SOP_v2.pdf"),
    ("Café invoice (März)", "E1", "Attachment_1_Cafe_invoice_Marz.pdf"),
    ("发票 2026", "E3", "Attachment_1_发票_2026.pdf"),  # a title in any script names the file
    ("整改记录（商品排查、退货）", "E3", "Attachment_1_整改记录_商品排查_退货.pdf"),
    ("../../etc/passwd", "E1", "Attachment_1_etc_passwd.pdf"),
    ("A" * 200, "E1", "Attachment_1_" + "A" * 43 + ".pdf"),
    ("Invoice #42 / Supplier: ACME, Inc.", "E1", "Attachment_1_Invoice_42_Supplier_ACME_Inc.pdf"),
    ("***", "E7", "Attachment_1_E7.pdf"),
    # cut at a word boundary, never mid-word
    ("Seller performance dashboard after the changes", "E1", "Attachment_1_Seller_performance_dashboard_after_the.pdf"),
    ("Late delivery and cancellation analysis with zone map", "E1",
     "Attachment_1_Late_delivery_and_cancellation_analysis.pdf"),
])
def test_names(title: str, ident: str, expected: str) -> None:
    name = attachment_name(PATTERN, number=1, title=title, ident=ident, ext="pdf")
    assert name == expected and len(name) <= 60


def test_safe_title_drops_symbols_and_falls_back() -> None:
    assert safe_title("Invoice 🙂", "E2") == "Invoice" and safe_title("🙂 / ***", "E2") == "E2"


def test_pattern_fields_as_the_checklist_uses_them() -> None:
    assert attachment_name("Appeal_{reference}.pdf", case="c", reference="NT 42/7", store="Ex") == "Appeal_NT_42_7.pdf"
    assert attachment_name("{exhibit}{number}_{title}.{ext}", number=2, title="商标注册证", ext="jpg", exhibit="附件") == \
        "附件2_商标注册证.jpg"
    assert attachment_name("{exhibit}_{number}_{title}.{ext}", number=3, title="Refund log") == "Exhibit_3_Refund_log.pdf"


def _profile(**rules: object) -> dict:
    profile = copy.deepcopy(PROFILE)
    profile["attachments"].update(rules)
    return profile


def _build(tmp: Path, files: dict[str, bytes], titles: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    profile = kw.pop("profile", PROFILE)
    kinds = kw.pop("kinds", None)
    case, case_dir, results = make_case(tmp, files, titles=titles, profile=profile, kinds=kinds)
    exhibits = prepare(case, case_dir, results)
    return case, exhibits, case_dir, results


def test_separate_mode_keeps_originals(tmp_path: Path) -> None:
    pdf, png = typst_pdf("Invoice"), image_bytes(size=(900, 900))
    case, exhibits, case_dir, results = _build(tmp_path, {"inv.pdf": pdf, "shot.png": png, "p.jpg": marked_image(6)},
                                               {"inv.pdf": "Supplier invoice", "shot.png": "Dashboard",
                                                "p.jpg": "Photo"}, profile=_profile(poa_file="POA_{store}.pdf"))
    (results / "poa.pdf").write_bytes(typst_pdf("POA"))
    out = results / "upload"
    got = build_upload(case, exhibits, case_dir, results, out)
    assert got == {"E1": "Attachment_1_Supplier_invoice.pdf", "E2": "Attachment_2_Dashboard.png",
                   "E3": "Attachment_3_Photo.pdf"}  # EXIF-rotated photo goes as an upright PDF
    assert sorted(os.listdir(out)) == sorted([*got.values(), "POA_Example_Store.pdf"])
    assert (out / "Attachment_1_Supplier_invoice.pdf").read_bytes() == pdf
    assert (out / "Attachment_2_Dashboard.png").read_bytes() == png


def test_a_planned_letter_must_exist(tmp_path: Path) -> None:
    case, exhibits, case_dir, results = _build(tmp_path, {"inv.pdf": typst_pdf("Invoice")},
                                               profile=_profile(poa_file="POA_{store}.pdf"))
    with pytest.raises(BuildError, match="POA letter uploaded as POA_Example_Store.pdf, but it has not been built"):
        build_upload(case, exhibits, case_dir, results, results / "upload")
    assert not (results / "upload").exists()


def test_images_as_pdf_and_unaccepted_type(tmp_path: Path) -> None:
    profile = _profile(types=["pdf", "jpeg"], images_as_pdf=False)
    case, exhibits, case_dir, results = _build(tmp_path, {"a.png": image_bytes(), "b.jpg": image_bytes(fmt="JPEG")},
                                               profile=profile)
    got = build_upload(case, exhibits, case_dir, results, results / "upload")
    assert got == {"E1": "Attachment_1_Document_1.pdf", "E2": "Attachment_2_Document_2.jpg"}
    assert len(PdfReader(results / "upload" / got["E1"]).pages) == 1


@pytest.mark.parametrize(("rules", "files", "kinds", "message"), [
    ({"min_image_px": [600, 800]}, {"s.png": image_bytes(size=(500, 700))}, None,
     "cases/c/evidence/s.png: is 500×700 px; the platform needs at least 600×800 px — use the original photo"),
    ({"min_scan_dpi": 300}, {"s.png": image_bytes(size=(700, 900), dpi=(150, 150))}, {"s.png": "invoice"},
     "cases/c/evidence/s.png: is scanned at 150 dpi; the platform needs at least 300 dpi — scan the document again"),
    ({"max_count": 1}, {"a.pdf": typst_pdf("a"), "b.pdf": typst_pdf("b")}, None,
     "2 attachments, but Amazon accepts at most 1 — merge related exhibits into one PDF exhibit"),
    ({"max_file_mb": 0.05}, {"big.jpg": _noise("JPEG")}, None,
     "over the platform's 0.05 MB limit per file — shrink it"),
    ({"max_total_mb": 0.001}, {"a.pdf": typst_pdf("a")}, None, "the attachments total"),
])
def test_limits(tmp_path: Path, rules: dict, files: dict, kinds: dict | None, message: str) -> None:
    case, exhibits, case_dir, results = _build(tmp_path, files, profile=_profile(**rules), kinds=kinds)
    with pytest.raises(EvidenceError) as err:
        build_upload(case, exhibits, case_dir, results, results / "upload")
    assert message in str(err.value)
    assert not (results / "upload").exists()


def test_screenshot_dpi_is_not_a_scan(tmp_path: Path) -> None:
    files = {"s.png": image_bytes(size=(700, 900), dpi=(72, 72))}
    case, exhibits, case_dir, results = _build(tmp_path, files, profile=_profile(min_scan_dpi=300),
                                               kinds={"s.png": "screenshot"})
    assert build_upload(case, exhibits, case_dir, results, results / "upload") == {"E1": "Attachment_1_Document_1.png"}


def test_lossy_only_with_consent(tmp_path: Path) -> None:
    case, exhibits, case_dir, results = _build(tmp_path, {"n.png": _noise("PNG")},
                                               profile=_profile(max_file_mb=0.3))
    with pytest.raises(EvidenceError, match="or allow lossy compression"):
        build_upload(case, exhibits, case_dir, results, results / "upload")
    got = build_upload(case, exhibits, case_dir, results, results / "upload", allow_lossy=True)
    assert (results / "upload" / got["E1"]).stat().st_size <= 300_000


def test_combined_mode_uses_bundle(tmp_path: Path) -> None:
    case, exhibits, case_dir, results = _build(tmp_path, {"a.pdf": typst_pdf("a"), "b.png": image_bytes()},
                                               profile=_profile(mode="combined", naming="Appeal_{reference}.pdf"))
    bundle = results / "bundle.pdf"
    bundle.write_bytes(typst_pdf("bundle", pages=4))
    got = build_upload(case, exhibits, case_dir, results, results / "upload", combined_pdf=bundle)
    assert got == {"E1": "Appeal_NOTICE-42.pdf", "E2": "Appeal_NOTICE-42.pdf"}
    assert (results / "upload" / "Appeal_NOTICE-42.pdf").read_bytes() == bundle.read_bytes()
    # without the bundle: POA (none here) + exhibits in number order
    build_upload(case, exhibits, case_dir, results, results / "upload")
    assert len(PdfReader(results / "upload" / "Appeal_NOTICE-42.pdf").pages) == 2


# ---- one authority for names: planned_uploads ----------------------------------------

def test_planned_uploads_reads_no_file_and_follows_the_prepared_exhibits(tmp_path: Path) -> None:
    files = {"a.pdf": typst_pdf("a"), "b.png": image_bytes(), "c.jpg": marked_image(6)}
    case, exhibits, _, _ = _build(tmp_path, files, profile=_profile(poa_file="POA_{store}.pdf"))
    shutil.rmtree(tmp_path / "cases")  # the plan must not need the evidence
    plan = planned_uploads(case, exhibits)
    assert [(u.name, u.role, u.media) for u in plan] == [
        ("POA_Example_Store.pdf", "poa", "pdf"), ("Attachment_1_Document_1.pdf", "exhibit", "pdf"),
        ("Attachment_2_Document_2.png", "exhibit", "png"),
        ("Attachment_3_Document_3.pdf", "exhibit", "pdf"),  # EXIF orientation 6: uploaded as an upright PDF
    ]
    assert upload_names(case, exhibits) == {"E1": "Attachment_1_Document_1.pdf", "E2": "Attachment_2_Document_2.png",
                                            "E3": "Attachment_3_Document_3.pdf"}
    combined = dict(case, profile=_profile(mode="combined", naming="Appeal_{reference}.pdf"))
    assert [(u.name, u.role) for u in planned_uploads(combined, exhibits)] == [("Appeal_NOTICE-42.pdf", "combined")]
    assert set(upload_names(combined, exhibits).values()) == {"Appeal_NOTICE-42.pdf"}


@pytest.mark.parametrize(("head", "media"), [
    (b"%PDF-1.7\n", "pdf"), (b"junk\r\n%PDF-1.4", "pdf"), (b"\x89PNG\r\n\x1a\n...%PDF-", "png"),
    (b"\xff\xd8\xff\xe0", "jpeg"), (b"GIF89a", "gif"), (b"<html>", None), (b"", None),
])
def test_media_is_sniffed_from_the_first_bytes(head: bytes, media: str | None) -> None:
    assert media_of(head) == media


EXAMPLES = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "cases").glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_checklist_index_and_upload_name_the_same_files(tmp_path: Path, name: str) -> None:
    """For every example: the files build_upload writes are exactly those the checklist lists,
    in its order, and the evidence index's "File" column names only those files."""
    from pypdf import PdfWriter

    from poaforge.case.model import PROJECT, load_case
    from poaforge.case.normalize import normalise
    from poaforge.letter.compose import compose
    from poaforge.letter.formtext import build_form
    from poaforge.letter.index import index_rows
    from poaforge.submit.checklist import render_checklist

    case = normalise(load_case(PROJECT / "cases" / f"{name}.yaml"))
    case_dir, results = PROJECT / case["case_dir"], tmp_path / "results"
    exhibits = prepare(case, case_dir, results)
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    with (results / "poa.pdf").open("wb") as fh:
        writer.write(fh)
    build_upload(case, exhibits, case_dir, results, results / "upload")
    uploaded = sorted(os.listdir(results / "upload"))
    model = compose(case)
    text = render_checklist(case, model, build_form(case, model), exhibits)
    section = text.split("\n## ")[4]  # deadline, where, boxes, attachments
    listed = re.findall(r"`([^`]+)`", section)
    assert sorted(listed) == uploaded and listed == [u.name for u in planned_uploads(case, exhibits)]
    files = {r["file"] for r in index_rows(model, exhibits, upload_names(case, exhibits))}
    assert files <= set(uploaded) and "" not in files


# ---- the upload is the original whenever the platform accepts it ------------------------------

def test_signed_pdf_is_uploaded_byte_identical_even_with_an_owner_password(tmp_path: Path) -> None:
    import io

    import pikepdf

    from seller_files import real_exhibit
    from poaforge.submit.upload import upload_sources

    signed = real_exhibit("qpdf__digitally-signed.pdf")
    with pikepdf.open(io.BytesIO(signed)) as pdf:  # the same signed file, restricted by an owner password
        buf = io.BytesIO()
        pdf.save(buf, encryption=pikepdf.Encryption(owner="owner-pw", user="", R=6), static_id=True)
    locked = buf.getvalue()
    case, exhibits, case_dir, results = _build(tmp_path, {"signed.pdf": signed, "locked-signed.pdf": locked,
                                                          "locked.pdf": encrypted_pdf("", "owner-pw")})
    names = build_upload(case, exhibits, case_dir, results, results / "upload")
    assert (results / "upload" / names["E1"]).read_bytes() == signed
    assert (results / "upload" / names["E2"]).read_bytes() == locked
    unlocked = PdfReader(results / "upload" / names["E3"])
    assert not unlocked.is_encrypted and "secret" in unlocked.pages[0].extract_text()
    assert [(s.use, s.note) for s in upload_sources(case, exhibits)] == [
        ("original", "digitally signed: uploaded byte for byte so the signature stays valid"),
        ("original", "digitally signed: uploaded byte for byte so the signature stays valid"),
        ("rewritten", "it had an owner password (encrypted PDFs are often rejected): uploaded decrypted, pages unchanged")]


def test_converted_types_go_up_as_pdf_with_the_reason(tmp_path: Path) -> None:
    from seller_files import csv_orders, eml, heic_photo
    from poaforge.submit.upload import main as upload_main
    import json

    pod = typst_pdf("Proof of delivery")
    files = {"p.heic": heic_photo(), "o.csv": csv_orders(5), "m.eml": eml(attachments={"POD.pdf": pod}),
             "m2.eml": eml(attachments={"POD.pdf": pod})}
    case, case_dir, results = make_case(tmp_path, files)
    case["exhibits"][3]["attachment"] = "POD.pdf"
    exhibits = prepare(case, case_dir, results)
    names = build_upload(case, exhibits, case_dir, results, results / "upload", notes_out=(notes := {}))
    assert [names[e] for e in ("E1", "E2", "E3", "E4")] == [
        "Attachment_1_Document_1.pdf", "Attachment_2_Document_2.pdf", "Attachment_3_Document_3.pdf",
        "Attachment_4_Document_4.pdf"]
    assert (results / "upload" / names["E4"]).read_bytes() == pod  # the e-mail's attachment itself
    assert notes[names["E1"]].startswith("Amazon does not accept a HEIC/HEIF photo: uploaded as PDF (HEIC image decoded")
    assert notes[names["E2"]].startswith("Amazon does not accept a CSV table: uploaded as PDF (CSV table, 5 rows")
    assert names["E4"] not in notes
    (results / "case.json").write_text(json.dumps(case))
    (results / "exhibits.json").write_text(json.dumps(exhibits))
    import os
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        upload_main([str(results / "case.json"), str(results / "exhibits.json"), str(results / "upload"),
                     "--list", str(results / "upload.json")])
    finally:
        os.chdir(cwd)
    listed = {f["name"]: f["note"] for f in json.loads((results / "upload.json").read_text())["files"]}
    assert listed[names["E1"]] == notes[names["E1"]] and listed[names["E4"]] == ""
