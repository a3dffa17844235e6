"""Exhibit pages made fit for the bundle, faithfully: form fields flattened, no active content.

:func:`open_exhibit` opens an exhibit's PDF with qpdf (``pikepdf``) for the merge; its
pages are copied from there into the bundle and their streams (images, page content) are
never decoded. When the exhibit has a form, :func:`flatten_forms` draws every form field's
appearance into its page (``generate_appearance_streams`` for fields whose values have no
appearance yet, then ``flatten_annotations``), leaving every other annotation — sticky
notes, highlights, links, file attachments — as it was; the form itself (and any XFA data)
is dropped, so a reviewer sees the values as filled in and cannot change them. A signature
field keeps its visible appearance but no longer claims a signature the copy cannot carry.
All of it happens in memory: the exhibit's file is only read.

:func:`strip_active` removes JavaScript, launch, form-submission and import actions from a
page and its annotations (ISO 32000-2 §12.6.4), so the bundle carries no JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["open_exhibit", "flatten_forms", "strip_active", "ACTIVE"]

#: actions that run code or reach outside the document
ACTIVE = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/RichMediaExecute", "/Rendition"})


def flatten_forms(doc: Any) -> None:
    """Draw the form fields of ``doc`` (an open ``pikepdf.Pdf``) into its pages and remove the form."""
    import pikepdf

    form = doc.Root.get("/AcroForm")
    if form is not None and form.get("/NeedAppearances"):
        doc.generate_appearance_streams()
    kept = []
    for page in doc.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            kept.append(None)
            continue
        widgets = [a for a in annots if isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") == "/Widget"]
        kept.append([a for a in annots if not (isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") == "/Widget")])
        page.obj.Annots = pikepdf.Array(widgets)
    doc.flatten_annotations(mode="all")
    for page, others in zip(doc.pages, kept):
        if others:
            page.obj.Annots = doc.make_indirect(pikepdf.Array(others))
        elif "/Annots" in page.obj:
            del page.obj["/Annots"]
    for key in ("/AcroForm", "/Perms", "/NeedsRendering"):
        if key in doc.Root:
            del doc.Root[key]


def open_exhibit(path: Path, exhibit: dict[str, Any]) -> Any:
    """The exhibit's PDF (``path``) open as a ``pikepdf.Pdf``, as the bundle shows it: form
    fields flattened when its exhibits.json ``facts`` say it has a form, a signature or XFA.
    Raises ``pikepdf.PdfError`` or ``OSError`` when it cannot be read; the caller closes it."""
    import pikepdf

    doc = pikepdf.open(path, access_mode=pikepdf.AccessMode.stream)
    facts = exhibit.get("facts") or {}
    if facts.get("forms") or facts.get("signed") or facts.get("xfa"):
        try:
            flatten_forms(doc)
        except Exception:
            doc.close()
            raise
    return doc


def _active(action: Any) -> bool:
    import pikepdf

    depth = 0
    while isinstance(action, pikepdf.Dictionary) and depth < 16:
        if str(action.get("/S")) in ACTIVE:
            return True
        action, depth = action.get("/Next"), depth + 1
    return False


def strip_active(page: Any) -> int:
    """Remove active content from a bundle page (a ``pikepdf.Dictionary``, already copied
    into the bundle: its source is untouched); return how many actions went."""
    import pikepdf

    removed = 0
    if "/AA" in page:
        del page["/AA"]
        removed += 1
    annots = page.get("/Annots")
    for annot in annots if isinstance(annots, pikepdf.Array) else ():
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        if "/AA" in annot:
            del annot["/AA"]
            removed += 1
        if "/A" in annot and _active(annot["/A"]):
            del annot["/A"]
            removed += 1
    return removed
