"""Tell what a file is from its bytes, not from its name.

``sniff(data, name)`` gives the media of an evidence file: one of :data:`MEDIA` (what
poa-forge reads), or None; ``describe(data)`` names what an unreadable file really is,
for the error. Binary formats are known by their signature alone (a PNG named ``.jpg``
is a PNG); text is read as an e-mail, a table or plain text only when the file name
agrees (``.eml``, ``.csv``/``.tsv``, ``.txt``), so that an HTML page or a text saved
as ``invoice.pdf`` is refused rather than typeset as text.

Signatures: the formats' specifications (PDF 2.0 §7.5.2 header; PNG; JFIF; GIF87a/89a;
TIFF 6.0; RIFF/WebP; ISO/IEC 14496-12 ``ftyp`` brands for HEIF/AVIF; BMP; ZIP-based
OOXML and OpenDocument; OLE2 for old Office files; RFC 5322 header fields for e-mail).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

__all__ = ["EXTENSIONS", "MEDIA", "FAMILY", "LABEL", "media_of", "sniff", "describe"]

#: media → file extension of an upload in that media (what a profile's ``types`` lists)
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "gif": "gif", "tiff": "tif", "webp": "webp",
              "heic": "heic", "avif": "avif", "bmp": "bmp", "eml": "eml", "txt": "txt", "csv": "csv",
              "xlsx": "xlsx", "xls": "xls", "ods": "ods", "docx": "docx", "doc": "doc", "odt": "odt", "rtf": "rtf"}
#: every media poa-forge reads, in the order the README lists them
MEDIA = tuple(EXTENSIONS)
#: media → how it becomes PDF pages (the converter family)
FAMILY = {"pdf": "pdf", **dict.fromkeys(("png", "jpeg", "gif", "tiff", "webp", "heic", "avif", "bmp"), "image"),
          "eml": "email", "txt": "text", "csv": "table", **dict.fromkeys(("xlsx", "xls", "ods"), "sheet"),
          **dict.fromkeys(("docx", "doc", "odt", "rtf"), "office")}
#: media → its name in messages and notes
LABEL = {"pdf": "PDF", "png": "PNG image", "jpeg": "JPEG image", "gif": "GIF image", "tiff": "TIFF image",
         "webp": "WebP image", "heic": "HEIC/HEIF photo", "avif": "AVIF image", "bmp": "BMP image",
         "eml": "e-mail (.eml)", "txt": "text file", "csv": "CSV table", "xlsx": "Excel (XLSX) workbook",
         "xls": "Excel 97–2003 (XLS) workbook", "ods": "OpenDocument spreadsheet", "docx": "Word (DOCX) document",
         "doc": "Word 97–2003 (DOC) document", "odt": "OpenDocument text", "rtf": "RTF document"}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"{\\rtf", "rtf"),
]
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_OOXML = {"word/": "docx", "xl/": "xlsx"}
_ODF = {b"application/vnd.oasis.opendocument.text": "odt", b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_TEXT_NAMES = {".txt": "txt", ".text": "txt", ".log": "txt", ".md": "txt", "": "txt", ".eml": "eml",
               ".csv": "csv", ".tsv": "csv"}
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]?", re.M)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ftyp(head: bytes) -> str | None:
    """HEIF or AVIF from the ISO base media ``ftyp`` box: the major brand decides, and for the
    generic image brands (mif1, msf1) the compatible brands do."""
    if head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i:i + 4] for i in range(16, min(max(size, 16), len(head), 256), 4)}
    if major in _AVIF_BRANDS or (major in (b"mif1", b"msf1") and _AVIF_BRANDS & compatible):
        return "avif"
    if major in _HEIF_BRANDS or _HEIF_BRANDS & compatible:
        return "heic"
    return None


def media_of(head: bytes) -> str | None:
    """The media of a binary format recognised from the file's first bytes alone, else None.

    The signature must start the file, except for PDF, which readers also accept after up
    to 1 KiB of junk bytes (as some scanners and mail gateways write it).
    """
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(head) >= 26 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    found = _ftyp(head)
    if found:
        return found
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def _zip_media(data: bytes) -> str | None:
    if data[30:38] == b"mimetype":  # OpenDocument: an uncompressed "mimetype" entry comes first
        for mime, media in _ODF.items():
            if data[38:38 + len(mime)] == mime:
                return media
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    for prefix, media in _OOXML.items():
        if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
            return media
    return None


def _ole_media(data: bytes, suffix: str) -> str | None:
    """Old Office files share one container; their streams name the application."""
    if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data[:1 << 20] or suffix == ".doc":
        return "doc"
    if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:1 << 20] or suffix == ".xls":
        return "xls"
    return None


def _text(data: bytes) -> str | None:
    """The file as text (UTF-8, UTF-16 with BOM, or GB18030 as Chinese Excel and mail clients
    write it), or None for binary data."""
    sample = data[:65536]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        if enc == "utf-16" and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, ValueError):
            continue
        if not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text[:65536]):
            return text
    return None


def _looks_like_markup(data: bytes) -> str | None:
    text = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta")):
        return "an HTML page"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return "an SVG drawing"
    if text.startswith(b"<?xml"):
        return "an XML file"
    return None


def sniff(data: bytes, name: str = "") -> str | None:
    """The media of an evidence file (a key of :data:`EXTENSIONS`), or None when poa-forge cannot read it.

    ``name`` (the file's name) only tells text kinds apart: ``.eml`` → "eml", ``.csv``/``.tsv``
    → "csv", ``.txt`` (or no extension) → "txt". An e-mail saved as ``.txt`` whose first
    lines are header fields (From:, Subject:, …) is read as an e-mail.
    """
    suffix = PurePosixPath(name).suffix.lower()
    found = media_of(data[:2048])
    if found:
        return found
    if data.startswith(b"PK\x03\x04"):
        return _zip_media(data)
    if data.startswith(_OLE):
        return _ole_media(data, suffix)
    if _looks_like_markup(data) or suffix not in _TEXT_NAMES:
        return None
    text = _text(data)
    if text is None:
        return None
    media = _TEXT_NAMES[suffix]
    if media == "txt" and _is_mail(data):
        return "eml"
    return media


def _is_mail(data: bytes) -> bool:
    head = data[:8192].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    fields = {m.group(0).split(b":")[0].lower() for m in _HEADER.finditer(head)}
    return {b"from", b"date"} <= fields and bool({b"subject", b"to", b"message-id"} & fields)


_SIGNATURES: list[tuple[bytes, str]] = [
    (_OLE, "an old Office document"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a GZIP archive"), (b"PK\x03\x04", "a ZIP archive"), (b"BM", "a BMP image"),
]


def describe(data: bytes) -> str:
    """Name what a file that :func:`sniff` cannot read really is ("an HTML page", "a ZIP archive", …)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            names = []
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint (PPTX) presentation"
        if "mimetype" in names:
            return "an OpenDocument file of a kind poa-forge does not read"
    if data[4:8] == b"ftyp":
        return "a video or an image in an ISO media container"
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    markup = _looks_like_markup(data)
    if markup:
        return markup
    if _text(data) is not None:
        return "an e-mail" if _is_mail(data) else "a text file"
    return "a file of unknown type"
