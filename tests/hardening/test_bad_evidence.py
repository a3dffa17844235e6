"""Evidence files from scanners, phones, e-mails and other platforms' exports.

Each entry replaces exhibit E1 of the mini case and runs the validate and evidence steps
as Snakemake does: a broken file ends in one line naming the file, what is wrong and how
to fix it; a legitimate one builds, with a note in exhibits.json when it was changed.
The originals stay byte-identical either way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fixtures_pdf import encrypted_pdf, image_bytes, marked_image, typst_pdf
from seller_files import zip_of

from .conftest import Step
from .corpus import (
    CASE,
    MINI_TEXT,
    animated,
    bomb_png,
    broken_xref,
    docx_bytes,
    many_pages_pdf,
    png16,
    tree_hashes,
    write_case,
    zip_bytes,
)

GOOD = typst_pdf("Page {n} of the carrier report", pages=3)
EXPORT = "export it as PDF (File → Save as / Print → PDF) and point the exhibit at that file"
CANNOT = "which poa-forge cannot read"
PASSWORD = "is protected by a password — remove the password (print to PDF) and re-export"
DAMAGED = "the file is damaged or truncated: export or download it again"
OWNER = "had an owner password (editing restrictions): this copy is decrypted"
REPAIRED = "damaged cross-reference table: qpdf rebuilt it (a reader needed the repair); check every page is complete"
TRUNCATED = "is truncated (the end of the PDF is missing) — download or export the file again and check it opens"
BOMB = ("has more than 100,000,000 pixels (possible decompression bomb) — scale the image down (e.g. to 4000 px on the "
        "long side) and save it again; or set POA_MAX_PIXELS to raise the cap")


def _bad(name: str, make: Callable[[], bytes], message: str) -> tuple[str, Callable[[], bytes], int, list[str] | None]:
    return name, make, 1, [f"cases/mini/evidence/{name}: {message}"]


def _ok(name: str, make: Callable[[], bytes], notes: list[str]) -> tuple[str, Callable[[], bytes], int, list[str] | None]:
    return name, make, 0, notes


#: (file name, content, exit code of the evidence step, its stderr lines — or, when it builds, E1's notes)
CORPUS = [
    _bad("user-password.pdf", lambda: encrypted_pdf("open-sesame", "owner"), PASSWORD),
    _bad("user-password-aes256.pdf", lambda: encrypted_pdf("open-sesame", "owner", "AES-256"), PASSWORD),
    _bad("user-password-rc4.pdf", lambda: encrypted_pdf("open-sesame", "owner", "RC4-128"), PASSWORD),
    _ok("owner-only.pdf", lambda: encrypted_pdf("", "owner"), [OWNER]),
    _ok("owner-only-aes256.pdf", lambda: encrypted_pdf("", "owner", "AES-256"), [OWNER]),
    _ok("owner-only-rc4.pdf", lambda: encrypted_pdf("", "owner", "RC4-40"), [OWNER]),
    _bad("truncated.pdf", lambda: GOOD[: len(GOOD) // 2],
         "is truncated (the end of the PDF is missing) — download or export the file again and check it opens"),
    _bad("cut-at-eof.pdf", lambda: GOOD[:-200] + b"\n%%EOF\n", TRUNCATED),
    _bad("header-only.pdf", lambda: b"%PDF-1.7\n%%EOF\n", TRUNCATED),
    _bad("no-pages.pdf", lambda: many_pages_pdf(0), "has no pages — export or print it to PDF again"),
    _bad("web-page.pdf", lambda: b"<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body>Login</body></html>",
         f"is an HTML page renamed .pdf, {CANNOT} — {EXPORT}"),
    _bad("mail.pdf", lambda: b"From: supplier@example.com\nSubject: invoice\n\nsee attachment\n",
         "is a text file renamed .pdf — give it the .txt extension (poa-forge reads text files) and point the exhibit "
         "at the renamed file"),
    _bad("random.pdf", lambda: bytes(range(256)) * 4, f"is a file of unknown type renamed .pdf, {CANNOT} — {EXPORT}"),
    _ok("broken-xref.pdf", lambda: broken_xref(GOOD), [REPAIRED]),
    _ok("junk-before-header.pdf", lambda: b"\r\nX-Mailer: junk\r\n\r\n" + GOOD,
        ["20 bytes before the PDF header (%PDF-) removed; the PDF itself is unchanged"]),
    _ok("bytes-after-eof.pdf", lambda: GOOD + b"\r\n<html>saved by a browser</html>\r\n",
        ["31 bytes after the end of the PDF (%%EOF) are ignored by readers; the file is used as it is"]),
    _bad("10000-pages.pdf", lambda: many_pages_pdf(10_000),
         "has 10,000 pages, more than the limit of 2,000 — split it or keep only the pages that prove the point; "
         "or set POA_MAX_PAGES to raise the cap"),
    _bad("bomb.png", lambda: bomb_png(30_000, 30_000), BOMB),
    _bad("bomb-small-file.png", lambda: bomb_png(10_001, 10_000), BOMB),
    _bad("truncated.png", lambda: image_bytes("RGB", (400, 300))[:120], f"cannot be read as an image (image file is truncated) — {DAMAGED}"),
    _bad("truncated.jpg", lambda: image_bytes("RGB", (400, 300), "JPEG")[:400],
         f"cannot be read as an image (Truncated File Read) — {DAMAGED}"),
    _bad("not-really.gif", lambda: b"GIF89a" + b"\xff" * 20, f"cannot be read as an image (its image data is not valid) — {DAMAGED}"),
    _ok("cmyk.jpg", lambda: image_bytes("CMYK", (300, 200), "JPEG"), ["CMYK image kept as CMYK"]),
    _ok("rgb16.png", lambda: png16(), []),
    _ok("grey16.png", lambda: image_bytes("I;16", (300, 200)), []),
    _ok("palette.png", lambda: image_bytes("P", (300, 200)), []),
    _ok("palette-transparent.png", lambda: image_bytes("P", (300, 200), transparency=0), ["transparency kept as a soft mask"]),
    _ok("greyscale-alpha.png", lambda: image_bytes("LA", (300, 200)), ["transparency kept as a soft mask"]),
    _ok("bilevel.png", lambda: image_bytes("1", (300, 200)), []),
    _ok("animated.gif", lambda: animated("GIF"), ["animated GIF with 3 frames: only the first frame is shown"]),
    _ok("animated.png", lambda: animated("PNG"), ["animated image (PNG) with 3 frames: only the first frame is shown"]),
    *[_ok(f"exif-{o}.jpg", lambda o=o: marked_image(o), [f"mirrored EXIF orientation {o} applied; pixels re-saved losslessly as PNG"])
      for o in (2, 4, 5, 7)],
    *[_ok(f"exif-{o}.jpg", lambda o=o: marked_image(o), [f"EXIF orientation {o} applied as page rotation (pixels unchanged)"])
      for o in (3, 6, 8)],
    _bad("evidence.zip", zip_bytes, f"is a ZIP archive, {CANNOT} — {EXPORT}"),
    _bad("zipped.pdf", zip_bytes, f"is a ZIP archive renamed .pdf, {CANNOT} — {EXPORT}"),
    _ok("scan.tiff", lambda: image_bytes("RGB", (50, 50), "TIFF"), []),
    _ok("photo.webp", lambda: image_bytes("RGB", (50, 50), "WEBP"), []),
    _bad("photo.png", lambda: b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64,
         f"cannot be read as an image (its image data is not valid) — {DAMAGED}"),
    _ok("screen.bmp", lambda: image_bytes("RGB", (50, 50), "BMP"), []),
    _bad("logo.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', f"is an SVG drawing, {CANNOT} — {EXPORT}"),
    _bad("slides.pptx", lambda: zip_of(["[Content_Types].xml", "ppt/presentation.xml"]),
         f"is a PowerPoint (PPTX) presentation, {CANNOT} — {EXPORT}"),
]


def _use(proj: Path, name: str, data: bytes) -> Path:
    write_case(proj, MINI_TEXT.replace("file: evidence/late.pdf", f"file: evidence/{name}"))
    path = proj / "cases/mini/evidence" / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "make", "code", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_evidence_corpus(proj: Path, step: Step, name: str, make: Callable[[], bytes], code: int,
                         expected: list[str]) -> None:
    _use(proj, name, make())
    before = tree_hashes(proj / "cases")
    validated = step("validate", CASE, "results/mini/case.json")
    if code and validated[0]:  # seen in the file's headers: `poa validate` says it, at the exhibit's line
        where, message = expected[0].split(": ", 1)
        assert validated == (1, [f"{CASE}:52:11: exhibit E1: {where} {message}"])
        assert tree_hashes(proj / "cases") == before
        return
    assert validated == (0, [])
    got, err = step("evidence", "results/mini/case.json", "results/mini")
    if code:
        assert (got, err) == (1, expected)
        assert not (proj / "results/mini/exhibits.json").exists()
        assert not (proj / "results/mini/exhibits").exists()
    else:
        assert (got, err) == (0, [])
        exhibits = json.loads((proj / "results/mini/exhibits.json").read_text(encoding="utf-8"))["exhibits"]
        assert exhibits[0]["notes"] == expected
        _readable_unencrypted(proj / "results/mini" / exhibits[0]["pdf"], exhibits[0]["pages"])
    assert tree_hashes(proj / "cases") == before  # originals untouched


def _readable_unencrypted(pdf: Path, pages: int) -> None:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert not reader.is_encrypted
    assert len(reader.pages) == pages >= 1


def test_repaired_pdf_keeps_every_page(proj: Path, step: Step) -> None:
    from pypdf import PdfReader

    _use(proj, "broken.pdf", broken_xref(GOOD))
    step("validate", CASE, "results/mini/case.json")
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])
    text = [p.extract_text() for p in PdfReader(proj / "results/mini/exhibits/1.pdf").pages]
    assert [t.strip() for t in text] == [f"Page {n} of the carrier report" for n in (1, 2, 3)]


@pytest.mark.parametrize("orientation", [2, 4, 5, 7])
def test_mirrored_photo_comes_out_upright(proj: Path, step: Step, orientation: int) -> None:
    """The red band ends up at the top and the blue band on the left, as the photographer saw it."""
    from PIL import Image
    from pypdf import PdfReader

    _use(proj, "photo.jpg", marked_image(orientation))
    step("validate", CASE, "results/mini/case.json")
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])
    page = PdfReader(proj / "results/mini/exhibits/1.pdf").pages[0]
    assert page.get("/Rotate", 0) == 0
    im = page.images[0].image.convert("RGB")
    assert im.size == (200, 300)
    assert isinstance(im, Image.Image)
    top, left, right = im.getpixel((120, 10)), im.getpixel((10, 200)), im.getpixel((190, 200))
    assert top[0] > 200 and top[2] < 80, top  # red
    assert left[2] > 200 and left[0] < 80, left  # blue
    assert min(right) > 200, right  # white


def test_empty_file_stops_validation(proj: Path, step: Step) -> None:
    _use(proj, "empty.pdf", b"")
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{CASE}:52:11: exhibit E1: cases/mini/evidence/empty.pdf is an empty file (0 bytes) — export the document again "
        "and replace the file"])


def test_every_problem_is_reported_at_once(proj: Path, step: Step) -> None:
    """Three broken exhibits: three lines, one run (not one per build)."""
    write_case(proj)
    ev = proj / "cases/mini/evidence"
    (ev / "late.pdf").write_bytes(encrypted_pdf("pw", "pw"))
    (ev / "refunds.png").write_bytes(b"<html></html>")
    (ev / "checklist.pdf").write_bytes(GOOD[:100])
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{CASE}:52:11: exhibit E1: cases/mini/evidence/late.pdf {PASSWORD}",
        f"{CASE}:57:11: exhibit E2: cases/mini/evidence/refunds.png is an HTML page renamed .png, {CANNOT} — {EXPORT}",
        f"{CASE}:62:11: exhibit E3: cases/mini/evidence/checklist.pdf {TRUNCATED}"])


def test_failed_intake_keeps_the_previous_exhibits(proj: Path, step: Step) -> None:
    """All or nothing: a failed run leaves the last good exhibits/ and exhibits.json as they were."""
    write_case(proj)
    step("validate", CASE, "results/mini/case.json")
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])
    before = tree_hashes(proj / "results/mini")
    (proj / "cases/mini/evidence/checklist.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    assert step("evidence", "results/mini/case.json", "results/mini")[0] == 1
    assert tree_hashes(proj / "results/mini") == before
    assert sorted(p.name for p in (proj / "results/mini").iterdir()) == ["case.json", "exhibits", "exhibits.json"]


def test_pdf_with_javascript_is_not_run_and_builds(proj: Path, step: Step) -> None:
    """Active content is data to us: the exhibit builds and nothing is executed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(GOOD)))
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi'); this.exportDataObject({cName: 'x', nLaunch: 2});")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(script)})
    buf = io.BytesIO()
    writer.write(buf)
    _use(proj, "active.pdf", buf.getvalue())
    step("validate", CASE, "results/mini/case.json")
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])


@pytest.mark.e2e
def test_snakemake_stops_on_unusable_evidence(tmp_path: Path) -> None:
    """Three bad exhibits in one real run: all three named at once, nothing built, originals intact."""
    from .corpus import build_fails

    err = build_fails(tmp_path / "p", evidence={"late.pdf": encrypted_pdf("pw", "pw"), "refunds.png": bomb_png(30_000, 30_000),
                                                 "checklist.pdf": many_pages_pdf(10_000)})
    assert f"{CASE}:52:11: exhibit E1: cases/mini/evidence/late.pdf {PASSWORD}" in err
    assert f"{CASE}:57:11: exhibit E2: cases/mini/evidence/refunds.png {BOMB}" in err
    assert (f"{CASE}:62:11: exhibit E3: cases/mini/evidence/checklist.pdf has 10,000 pages, more than the limit of 2,000 "
            "— split it or keep only the pages that prove the point; or set POA_MAX_PAGES to raise the cap") in err

