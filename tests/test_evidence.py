"""Exhibit intake: type by magic bytes, PDF problems, images upright on the profile paper."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from fixtures_pdf import encrypted_pdf, image_bytes, make_case, marked_image, typst_pdf
from seller_files import zip_of
from poaforge.console import run
from poaforge.errors import EvidenceError
from poaforge.evidence.intake import main, prepare


def _error(tmp_path: Path, name: str, data: bytes, **kw: object) -> str:
    case, case_dir, results = make_case(tmp_path, {name: data})
    with pytest.raises(EvidenceError) as err:
        prepare(case, case_dir, results, **kw)
    assert not (results / "exhibits").exists() and not (results / "exhibits.json").exists()
    return str(err.value)


GOOD = typst_pdf("Invoice page {n}", pages=3)


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("inv.pdf", b"<!DOCTYPE html><html><body>login</body></html>",
     "cases/c/evidence/inv.pdf: is an HTML page renamed .pdf, which poa-forge cannot read — export it as PDF"),
    ("all.zip", zip_of(["a.pdf"]), "cases/c/evidence/all.zip: is a ZIP archive, which poa-forge cannot read"),
    ("x.pdf", zip_of(["xl/workbook.xml"]), "is a ZIP archive renamed .pdf, which poa-forge cannot read"),
    ("logo.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "is an SVG drawing, which poa-forge"),
    ("empty.pdf", b"", "cases/c/evidence/empty.pdf: is an empty file (0 bytes) — export the document again"),
    ("cut.pdf", GOOD[: len(GOOD) // 2],
     "cases/c/evidence/cut.pdf: is truncated (the end of the PDF is missing) — download or export"),
    ("locked.pdf", encrypted_pdf("user-pw", "owner-pw"),
     "cases/c/evidence/locked.pdf: is protected by a password — remove the password (print to PDF) and re-export"),
    ("junk.pdf", b"%PDF-1.7\n garbage garbage\n%%EOF\n", "cases/c/evidence/junk.pdf: is truncated"),
    ("broken.pdf", b"%PDF-1.7\n garbage garbage\nstartxref\n9\n%%EOF\n", "cases/c/evidence/broken.pdf: is damaged"),
    ("photo.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40,
     "cases/c/evidence/photo.heic: cannot be read as an image (its image data is not valid)"),
    ("bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "cases/c/evidence/bad.png: cannot be read as an image"),
])
def test_intake_errors(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    assert expected in _error(tmp_path, name, data)


def test_page_cap_and_pixel_cap(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"a.pdf": GOOD, "b.png": image_bytes(size=(400, 400))})
    with pytest.raises(EvidenceError) as err:
        prepare(case, case_dir, results, max_pages=2, max_pixels=10_000)
    text = str(err.value)
    assert "a.pdf: has 3 pages, more than the limit of 2 — split it" in text
    assert "b.png: has more than 10,000 pixels (possible decompression bomb)" in text


def test_symlink_out_of_case_is_refused(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"a.pdf": GOOD})
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(GOOD)
    (case_dir / "evidence" / "a.pdf").unlink()
    (case_dir / "evidence" / "a.pdf").symlink_to(outside)
    with pytest.raises(EvidenceError, match="points outside the case folder"):
        prepare(case, case_dir, results)


def test_clean_pdf_copied_byte_for_byte_and_json(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"a.pdf": GOOD, "b.png": image_bytes(size=(300, 200))})
    got = prepare(case, case_dir, results)
    assert (results / "exhibits" / "1.pdf").read_bytes() == GOOD
    assert json.loads((results / "exhibits.json").read_text()) == got
    first, second = got["exhibits"]
    assert first | {"sha256": "-", "facts": "-", "pdf_sha256": "-"} == {
        "id": "E1", "number": 1, "file": "evidence/a.pdf", "attachment": None, "pdf": "exhibits/1.pdf", "pages": 3,
        "sha256": "-", "size": len(GOOD), "media": "pdf", "width": None, "height": None, "dpi": None,
        "orientation": None, "notes": [], "conversion": "", "facts": "-", "pdf_bytes": len(GOOD), "pdf_sha256": "-"}
    assert first["pdf_sha256"] == first["sha256"] and first["facts"]["signed"] is False
    assert (second["media"], second["width"], second["height"], second["pages"]) == ("png", 300, 200, 1)


def test_owner_password_is_removed(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"a.pdf": encrypted_pdf("", "owner-pw", "AES-256")})
    got = prepare(case, case_dir, results)
    assert got["exhibits"][0]["notes"] == ["had an owner password (editing restrictions): this copy is decrypted"]
    reader = PdfReader(results / "exhibits" / "1.pdf")
    assert not reader.is_encrypted and "secret" in reader.pages[0].extract_text()


def test_broken_xref_is_repaired_with_a_note(tmp_path: Path) -> None:
    idx = GOOD.rfind(b"startxref")
    data = GOOD[:idx] + b"startxref\n12345\n%%EOF\n"
    case, case_dir, results = make_case(tmp_path, {"a.pdf": data})
    got = prepare(case, case_dir, results)
    assert got["exhibits"][0]["pages"] == 3
    assert "qpdf rebuilt it (a reader needed the repair)" in got["exhibits"][0]["notes"][0]
    assert subprocess.run(["qpdf", "--check", results / "exhibits" / "1.pdf"], capture_output=True).returncode == 0


def _band_positions(pdf: Path, tmp: Path) -> tuple[str, str]:
    """Render the page; return where the red (top) and blue (left) bands are."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "20", "-png", "-singlefile", pdf, tmp / "page"], check=True)
    im = Image.open(tmp / "page.png").convert("RGB")
    reds = [(x, y) for x in range(im.width) for y in range(im.height) if im.getpixel((x, y))[0] > 200
            and im.getpixel((x, y))[2] < 80]
    blues = [(x, y) for x in range(im.width) for y in range(im.height) if im.getpixel((x, y))[2] > 200
             and im.getpixel((x, y))[0] < 80]
    ys = sorted(y for _, y in reds + blues)
    xs = sorted(x for x, _ in reds + blues)
    mid_y, mid_x = (ys[0] + ys[-1]) / 2, (xs[0] + xs[-1]) / 2
    red_y = sum(y for _, y in reds) / len(reds)
    blue_x = sum(x for x, _ in blues) / len(blues)
    return ("top" if red_y < mid_y else "bottom"), ("left" if blue_x < mid_x else "right")


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_exif_orientations_become_upright(tmp_path: Path, orientation: int) -> None:
    case, case_dir, results = make_case(tmp_path, {"p.jpg": marked_image(orientation)})
    got = prepare(case, case_dir, results)["exhibits"][0]
    assert (got["width"], got["height"], got["orientation"]) == (200, 300, orientation)
    assert _band_positions(results / "exhibits" / "1.pdf", tmp_path) == ("top", "left")
    if orientation in (2, 4, 5, 7):
        assert "mirrored" in got["notes"][0]


@pytest.mark.parametrize(("data", "note"), [
    (image_bytes("CMYK", fmt="JPEG"), "CMYK image kept as CMYK"),
    (image_bytes("RGBA"), "transparency kept as a soft mask"),
    (image_bytes("I;16"), None),
    (image_bytes("P", fmt="GIF"), None),
])
def test_image_modes(tmp_path: Path, data: bytes, note: str | None) -> None:
    case, case_dir, results = make_case(tmp_path, {"i.img": data})
    got = prepare(case, case_dir, results)["exhibits"][0]
    assert got["pages"] == 1 and (note is None or note in got["notes"])


def test_animated_gif_first_frame_and_paper(tmp_path: Path) -> None:
    from PIL import Image

    frames = [Image.new("RGB", (100, 100), c) for c in ("red", "green", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    profile = {"paper": "us-letter", "attachments": {}}
    case, case_dir, results = make_case(tmp_path, {"a.gif": buf.getvalue()}, profile=profile)
    got = prepare(case, case_dir, results)["exhibits"][0]
    assert got["notes"] == ["animated GIF with 3 frames: only the first frame is shown"]
    box = PdfReader(results / "exhibits" / "1.pdf").pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


def test_dpi_is_honoured(tmp_path: Path) -> None:
    case, case_dir, results = make_case(tmp_path, {"s.png": image_bytes(size=(300, 150), dpi=(150, 150))})
    got = prepare(case, case_dir, results)["exhibits"][0]
    assert got["dpi"] == 150
    reader = PdfReader(results / "exhibits" / "1.pdf")
    assert b"144.0000 0 0 72.0000" in reader.pages[0].get_contents().get_data()  # 2 in × 1 in


def test_main_reports_error_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    case, case_dir, results = make_case(tmp_path, {"a.pdf": b""})
    (results / "case.json").write_text(json.dumps(case))
    monkeypatch.chdir(tmp_path)
    assert run(main, [str(results / "case.json"), str(results)]) == 1
    assert capsys.readouterr().err.strip() == ("cases/c/evidence/a.pdf: is an empty file (0 bytes) — export the document "
                                               "again and replace the file")
