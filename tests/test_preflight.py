"""`poa validate` checks the evidence files' headers against the caps and the platform profile, in well under a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import write_pdf
from fixtures_pdf import encrypted_pdf, image_bytes
from seller_files import heic_photo, real_exhibit, tiff_scan
from poaforge.case.validate import validate_files

CASE = "cases/mini.yaml"
E1 = f"{CASE}:52:11: exhibit E1: cases/mini/evidence"


def _problems(mini: Callable[..., Path], name: str, data: bytes, replace: dict[str, str] | None = None) -> list[str]:
    path = mini({"file: evidence/late.pdf": f"file: evidence/{name}", **(replace or {})})
    (Path("cases/mini/evidence") / name).write_bytes(data)
    return [str(p) for p in validate_files([path])[str(path)]]


@pytest.mark.parametrize(("name", "make", "expected"), [
    ("locked.pdf", lambda: encrypted_pdf("pw", "pw"),
     f"{E1}/locked.pdf is protected by a password — remove the password (print to PDF) and re-export"),
    ("form.pdf", lambda: real_exhibit("pdf-js__xfa_issue14315.pdf"), f"{E1}/form.pdf is a dynamic XFA form"),
    ("cut.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n", f"{E1}/cut.pdf is truncated (the end of the PDF is missing)"),
    ("invoice.pdf", lambda: b"<html><body>Sign in</body></html>", f"{E1}/invoice.pdf is an HTML page renamed .pdf"),
    ("huge.png", lambda: _bomb(), f"{E1}/huge.png has more than 100,000,000 pixels (possible decompression bomb)"),
    ("empty.pdf", lambda: b"", f"{E1}/empty.pdf is an empty file (0 bytes) — export the document again and replace the file"),
])
def test_unusable_files_are_named_at_their_line(mini: Callable[..., Path], name: str, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(mini, name, make())
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def _bomb() -> bytes:
    from hardening.corpus import bomb_png

    return bomb_png(20_000, 10_000)


def test_readable_new_types_pass(mini: Callable[..., Path]) -> None:
    assert _problems(mini, "IMG_0412.HEIC", heic_photo()) == []
    assert _problems(mini, "scan.tif", tiff_scan(3)) == []


def test_platform_rules_aliexpress(mini: Callable[..., Path]) -> None:
    """AliExpress: images at least 600×800 px, at most 5 files with the letter, 10 MB each."""
    aliexpress = {"platform: amazon": "platform: aliexpress", "marketplace: US": "marketplace: CN",
                  "language: en": "language: zh"}
    problems = _problems(mini, "small.png", image_bytes(size=(500, 700)), aliexpress)
    assert f"{E1}/small.png is 500×700 px; the platform needs at least 600×800 px — use the original photo" in \
        "\n".join(problems)


def test_attachment_count_against_the_profile(mini: Callable[..., Path]) -> None:
    text = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
    extra = "".join(f"  - id: X{i}\n    title: Extra {i}\n    file: evidence/checklist.pdf\n    date: 2026-11-10\n"
                    f"    proves: Extra proof number {i}.\n" for i in range(4))
    text = text.replace("platform: amazon", "platform: aliexpress").replace("marketplace: US", "marketplace: CN")
    text = text.replace("    exhibits: [E3]\n", "    exhibits: [E3, X0, X1, X2, X3]\n") + extra
    path = mini(text=text)
    problems = [str(p) for p in validate_files([path])[str(path)]]
    assert any("8 attachments (the POA letter counts as one), but AliExpress" in p and "accepts at most 5" in p
               for p in problems), problems


def test_over_the_platform_file_size(mini: Callable[..., Path]) -> None:
    import io
    import os

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (2600, 2200), os.urandom(2600 * 2200 * 3)).save(buf, "JPEG", quality=100)
    assert buf.tell() > 10_000_000
    problems = _problems(mini, "photo.jpg", buf.getvalue(), {"    date: 2026-11-03\n": "    date: 2026-11-03\n    kind: photo\n"})
    assert problems == [f"{E1}/photo.jpg is {buf.tell() / 1e6:.1f} MB; Amazon accepts at most 10 MB per file — reduce it "
                        "(fewer pages, lower resolution, or print to PDF with a smaller file size) and save it again"]


def test_validate_is_fast_and_reads_headers_only(mini: Callable[..., Path]) -> None:
    """A 300-page PDF and a 40-megapixel photo: checked in well under a second."""
    from hardening.corpus import many_pages_pdf

    path = mini()
    ev = Path("cases/mini/evidence")
    (ev / "late.pdf").write_bytes(many_pages_pdf(300))
    (ev / "refunds.png").write_bytes(image_bytes(size=(8000, 5000)))
    validate_files([path])  # imports
    start = time.perf_counter()
    assert validate_files([path])[str(path)] == []
    assert time.perf_counter() - start < 0.5


def test_office_document_without_libreoffice(mini: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from seller_files import docx

    monkeypatch.setenv("POA_SOFFICE", "/nonexistent/soffice")
    problems = _problems(mini, "contract.docx", docx())
    assert problems[0].startswith(f"{E1}/contract.docx is a Word (DOCX) document, which needs LibreOffice to become PDF "
                                  "pages, and LibreOffice is not installed — install LibreOffice")


def test_clean_case_has_no_problem(mini: Callable[..., Path]) -> None:
    path = mini()
    write_pdf(Path("cases/mini/evidence/late.pdf"), pages=2)
    assert validate_files([path])[str(path)] == []
