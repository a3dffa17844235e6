"""Tell what a file is from its first bytes, not from its name.

``media_of(head)`` gives the media poa-forge accepts ("pdf", "png", "jpeg", "gif") or
None; ``describe(head, data)`` names what an unaccepted file really is, for the error.
"""

from __future__ import annotations

import io
import zipfile

__all__ = ["EXTENSIONS", "media_of", "describe"]

EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "gif": "gif"}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"), (b"GIF89a", "gif"),
]

_OFFICE = {"word/": "a Word (DOCX) document", "xl/": "an Excel (XLSX) workbook",
           "ppt/": "a PowerPoint (PPTX) presentation"}

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office (DOC/XLS) document"),
    (b"{\\rtf", "an RTF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a GZIP archive"),
    (b"<?xml", "an XML file"),
]


def media_of(head: bytes) -> str | None:
    """Return "pdf", "png", "jpeg" or "gif" for an accepted file's first bytes, else None.

    The signature must start the file, except for PDF, which readers also accept after
    up to 1 KiB of junk bytes (as some scanners and mail gateways write it).
    """
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a ZIP archive"
    for prefix, kind in _OFFICE.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    if "mimetype" in names:
        return "an OpenDocument file"
    return "a ZIP archive"


def describe(head: bytes, data: bytes) -> str:
    """Name what a file that is not PDF/PNG/JPEG/GIF really is ("an HTML page", …)."""
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "a HEIC photo"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta")):
        return "an HTML page"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file of unknown type"
    return "a text file"
