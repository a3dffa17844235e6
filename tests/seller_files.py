"""Files as sellers have them, made in the test: phone photos, scans, e-mails, exports, office files."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

__all__ = ["zip_of", "heic_photo", "tiff_scan", "webp", "avif", "bmp", "cmyk_jpeg", "eml", "csv_orders", "xlsx", "docx", "SHARED",
           "real_exhibit"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def zip_of(names: list[str]) -> bytes:
    """A ZIP archive holding an entry "x" under each of ``names`` (Office files are ZIPs too)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


def real_exhibit(name: str) -> bytes:
    """A file of ``shared/real-exhibits`` (POA_SHARED overrides the folder); the test skips without it."""
    import os

    import pytest

    path = Path(os.environ.get("POA_SHARED", SHARED)) / "real-exhibits" / name
    if not path.is_file():
        pytest.skip(f"{path} is not there (the shared real-world test files are not mounted)")
    return path.read_bytes()


def _scene(size: tuple[int, int] = (400, 300)):  # type: ignore[no-untyped-def]
    """Red band at the top, blue on the left, white elsewhere: orientation shows in a render."""
    from PIL import Image

    im = Image.new("RGB", size, "white")
    im.paste((220, 30, 30), (0, 0, size[0], size[1] // 5))
    im.paste((30, 60, 220), (0, 0, size[0] // 8, size[1]))
    return im


def heic_photo(orientation: int = 1) -> bytes:
    """An iPhone-style HEIC photo (pillow-heif), optionally with an EXIF orientation."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    im = _scene((640, 480))
    buf = io.BytesIO()
    kw = {}
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kw["exif"] = exif.tobytes()
    im.save(buf, "HEIF", quality=90, **kw)
    return buf.getvalue()


def tiff_scan(pages: int = 3) -> bytes:
    """A multi-page fax-style TIFF (CCITT G4, 200 dpi), one number per page."""
    from PIL import Image, ImageDraw

    frames = []
    for n in range(pages):
        im = Image.new("1", (850, 1100), 1)
        ImageDraw.Draw(im).rectangle((100, 100 + 200 * n, 700, 200 + 200 * n), fill=0)
        frames.append(im)
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(200, 200))
    return buf.getvalue()


def _save(fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    _scene().save(buf, fmt, **kw)
    return buf.getvalue()


def webp(lossless: bool = False) -> bytes:
    return _save("WEBP", lossless=lossless, quality=90)


def avif() -> bytes:
    return _save("AVIF", quality=90)


def bmp() -> bytes:
    return _save("BMP")


def cmyk_jpeg() -> bytes:
    buf = io.BytesIO()
    _scene().convert("CMYK").save(buf, "JPEG", quality=95)
    return buf.getvalue()


def eml(*, html: bool = False, attachments: dict[str, bytes] | None = None, subject: str = "Shipment 1Z999 delivered") -> bytes:
    """A carrier's e-mail with optional attachments (RFC 5322, MIME)."""
    msg = EmailMessage()
    msg["From"] = "Carrier Notifications <noreply@carrier.example>"
    msg["To"] = "ops@northwind.example"
    msg["Date"] = "Tue, 03 Nov 2026 09:15:00 +0000"
    msg["Subject"] = subject
    msg["Message-ID"] = "<20261103091500.1Z999@carrier.example>"
    text = "Your shipment 1Z999 was delivered on 2 November 2026.\n\nProof of delivery: signed by J. SMITH."
    if html:
        msg.set_content(f"<html><head><style>p{{color:red}}</style></head><body><p>{text.replace(chr(10), '<br>')}</p>"
                        "<script>alert(1)</script></body></html>", subtype="html")
    else:
        msg.set_content(text)
    for name, data in (attachments or {}).items():
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") else ("application", "octet-stream")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def csv_orders(rows: int = 120, encoding: str = "utf-8") -> bytes:
    """An order report export: its own header row, one order per row."""
    lines = ["order-id,purchase-date,sku,quantity,ship-date,carrier,tracking-id"]
    for i in range(rows):
        lines.append(f"111-{i:07d}-0000001,2026-10-{1 + i % 28:02d},NW-MUG-{i % 5},1,2026-10-{2 + i % 27:02d},UPS,1Z999{i:08d}")
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A minimal Excel workbook (SpreadsheetML with inline strings), one sheet per entry."""
    from xml.sax.saxutils import escape

    def cell(ref: str, value: object) -> str:
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    def col(j: int) -> str:
        return chr(65 + j)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        names = list(sheets)
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                             for i in range(len(names))) + "</Types>")
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   + "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                   + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                             f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names))) + "</Relationships>")
        for i, rows in enumerate(sheets.values()):
            body = "".join(f'<row r="{r + 1}">' + "".join(cell(f"{col(j)}{r + 1}", v) for j, v in enumerate(row)) + "</row>"
                           for r, row in enumerate(rows))
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                       f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>')
    return buf.getvalue()


def docx(text: str = "# Supplier invoice INV-2026-118\n\nACME Trading Ltd, 12 Harbour Road, Shenzhen.\n\n"
                     "| Item | Qty |\n|---|---|\n| NW-MUG-1 | 500 |\n") -> bytes:
    """A real Word document, written by pandoc (pypandoc-binary) from Markdown."""
    import os
    import tempfile

    import pypandoc

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "invoice.docx"
        os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
        pypandoc.convert_text(text, "docx", format="md", outputfile=str(out))
        return out.read_bytes()
