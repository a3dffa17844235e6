"""Signs that a PDF exhibit was changed after it was issued (lint rule POA538).

Read from the seller's original file (never the normalised copy), with pypdf:

* markup annotations drawn on a page (Highlight, FreeText, Ink, Square… — the PDF
  specification's subtype names, listed in ``documents/editors.yaml``);
* incremental updates: the file was saved again with changes appended after its first
  version (more ``%%EOF`` markers than its structure needs; a linearized file has one more);
* the producer or creator of a PDF editor or an online PDF tool, or of a word processor (a
  "Word file re-saved as PDF").

Sellers have been deactivated for "forged or manipulated documents" after adding highlights
and coloured text to an invoice and saving it again [practice, shared DOMAIN.md].
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

__all__ = ["alteration_signs"]


def _names(value: Any) -> str:
    return str(value or "").strip()


def _matches(text: str, names: list[str]) -> str | None:
    low = text.lower()
    return next((n for n in names if n.lower() in low), None)


def alteration_signs(data: bytes, editors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Signs of editing in the PDF ``data``, each ``{"sign": kind, "page": n | None, "detail": text}``
    with ``sign`` one of ``annotation``, ``incremental-update``, ``editor``, ``word-processor``.
    An unreadable file gives no signs (intake reports it)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    signs: list[dict[str, Any]] = []
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        markup = set(editors.get("markup_annotations", []))
        for n, page in enumerate(reader.pages, start=1):
            kinds = []
            for annot in page.get("/Annots") or []:
                sub = str(annot.get_object().get("/Subtype", "")).lstrip("/")
                if sub in markup:
                    kinds.append(sub)
            if kinds:
                signs.append({"sign": "annotation", "page": n, "detail": ", ".join(sorted(set(kinds)))})
        info = reader.metadata or {}
        producer, creator = _names(info.get("/Producer")), _names(info.get("/Creator"))
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return []
    finally:
        log.setLevel(level)
    eofs = len(re.findall(rb"%%EOF", data))
    linearized = b"/Linearized" in data[:2048]
    if eofs > (2 if linearized else 1):
        signs.append({"sign": "incremental-update", "page": None,
                      "detail": f"saved {eofs - (2 if linearized else 1)} more time(s) after it was first written"})
    for field, value in (("Producer", producer), ("Creator", creator)):
        hit = _matches(value, editors.get("editors", []))
        if hit:
            signs.append({"sign": "editor", "page": None, "detail": f"{field} is {value!r}"})
    hit = _matches(creator, editors.get("word_processors", [])) or _matches(producer, editors.get("word_processors", []))
    if hit:
        signs.append({"sign": "word-processor", "page": None, "detail": f"made in {hit} ({creator or producer!r})"})
    return signs
