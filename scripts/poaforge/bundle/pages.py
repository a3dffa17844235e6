"""Exhibit pages made fit for the bundle, faithfully: form fields flattened, no active content.

:func:`flatten_forms` draws every form field's appearance into its page with qpdf (through
``pikepdf``: ``generate_appearance_streams`` for fields whose values have no appearance yet,
then ``flatten_annotations``), leaving every other annotation — sticky notes, highlights,
links, file attachments — as it was; the form itself (and any XFA data) is dropped, so a
reviewer sees the values as filled in and cannot change them. A signature field keeps its
visible appearance but no longer claims a signature the copy cannot carry.

:func:`strip_active` removes JavaScript, launch, form-submission and import actions from a
page and its annotations (ISO 32000-2 §12.6.4), so the bundle carries no JavaScript.
"""

from __future__ import annotations

import io

__all__ = ["exhibit_reader", "flatten_forms", "strip_active", "ACTIVE"]

#: actions that run code or reach outside the document
ACTIVE = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/RichMediaExecute", "/Rendition"})


def flatten_forms(pdf: bytes) -> bytes:
    """The PDF with its form fields' appearances drawn into the pages and the form removed."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        form = doc.Root.get("/AcroForm")
        if form is not None and form.get("/NeedAppearances"):
            doc.generate_appearance_streams()
        kept = []
        for page in doc.pages:
            annots = page.obj.get("/Annots")
            if annots is None:
                kept.append(None)
                continue
            others = [a for a in annots if not (hasattr(a, "get") and a.get("/Subtype") == "/Widget")]
            widgets = [a for a in annots if hasattr(a, "get") and a.get("/Subtype") == "/Widget"]
            page.obj.Annots = pikepdf.Array(widgets)
            kept.append(others)
        doc.flatten_annotations(mode="all")
        for page, others in zip(doc.pages, kept):
            if others:
                page.obj.Annots = doc.make_indirect(pikepdf.Array(others))
            elif "/Annots" in page.obj:
                del page.obj["/Annots"]
        for key in ("/AcroForm", "/Perms", "/NeedsRendering"):
            if key in doc.Root:
                del doc.Root[key]
        buf = io.BytesIO()
        doc.save(buf, deterministic_id=True, fix_metadata_version=False)
        return buf.getvalue()


def exhibit_reader(path, exhibit: dict):  # type: ignore[no-untyped-def]
    """A pypdf reader of the exhibit's PDF (``path``) as the bundle shows it: form fields
    flattened when its exhibits.json ``facts`` say it has a form, a signature or XFA."""
    from pypdf import PdfReader

    facts = exhibit.get("facts") or {}
    if facts.get("forms") or facts.get("signed") or facts.get("xfa"):
        return PdfReader(io.BytesIO(flatten_forms(path.read_bytes())))
    return PdfReader(path)


def _active(action) -> bool:  # type: ignore[no-untyped-def]
    depth = 0
    while action is not None and depth < 16:
        action = action.get_object()
        if not hasattr(action, "get"):
            return False
        if action.get("/S") in ACTIVE:
            return True
        action, depth = action.get("/Next"), depth + 1
    return False


def strip_active(page) -> int:  # type: ignore[no-untyped-def]
    """Remove active content from a pypdf page of the bundle; return how many actions went."""
    from pypdf.generic import NameObject

    removed = 0
    if "/AA" in page:
        del page[NameObject("/AA")]
        removed += 1
    for ref in page.get("/Annots", []) or []:
        annot = ref.get_object()
        if "/AA" in annot:
            del annot[NameObject("/AA")]
            removed += 1
        if "/A" in annot and _active(annot["/A"]):
            del annot[NameObject("/A")]
            removed += 1
    return removed
