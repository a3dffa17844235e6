"""One exhibit's content turned into PDF pages, by the converter its media calls for.

:func:`convert` dispatches on :data:`poaforge.evidence.sniff.FAMILY`: a PDF is inspected
and kept (or minimally rewritten, :mod:`~poaforge.evidence.pdffile`); images go through
:mod:`~poaforge.evidence.images`; e-mails, text files and tables are typeset
(:mod:`~poaforge.evidence.mail`, :mod:`~poaforge.evidence.render`); a CSV cited by a
metric of the case is drawn as a chart (:mod:`~poaforge.evidence.chart`); office
documents go through LibreOffice (:mod:`~poaforge.evidence.office`). Workbooks are
tables, unless the exhibit's ``kind`` says it is a laid-out document (invoice, contract,
certificate, correspondence), which LibreOffice keeps as the supplier made it.
Conversions other than PDF and plain PNG/JPEG/GIF are content-addressed
(:mod:`~poaforge.evidence.cache`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poaforge.errors import EvidenceError, Problem
from poaforge.evidence.sniff import FAMILY, LABEL

__all__ = ["Intake", "DOCUMENT_KINDS", "convert", "charted", "source_bytes"]

#: exhibit kinds whose workbook is a laid-out document (LibreOffice), not a data table
DOCUMENT_KINDS = frozenset({"invoice", "contract", "certificate", "correspondence"})


@dataclass
class Intake:
    """One exhibit, checked: the PDF to use and what exhibits.json says about it."""

    media: str
    pdf: bytes
    pages: int
    sha256: str
    size: int
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    orientation: int | None = None
    notes: list[str] = field(default_factory=list)
    conversion: str = ""
    facts: dict[str, Any] | None = None  # PdfFacts of a PDF exhibit


def charted(case: dict[str, Any], exhibit: dict[str, Any]) -> bool:
    """True when a metric of the case names this exhibit (a CSV of daily values drawn as a chart)."""
    return any(m.get("exhibit") == exhibit.get("id") for m in case.get("metrics", []) or [])


def source_bytes(case_dir: Path, exhibit: dict[str, Any], where: str) -> bytes:
    """The exhibit's own bytes: its file, or the named attachment of its e-mail file."""
    data = (case_dir / exhibit["file"]).read_bytes()
    if exhibit.get("attachment"):
        from poaforge.evidence.mail import attachment_bytes

        return attachment_bytes(data, str(exhibit["attachment"]), where)
    return data


def _pdf(data: bytes, where: str, max_pages: int) -> Intake:
    from poaforge.evidence.pdffile import inspect_pdf, readable_copy

    facts = inspect_pdf(data, where, max_pages=max_pages, deep=True)
    pdf, notes = readable_copy(data, facts, where)
    if facts.signed:
        notes.append("digitally signed: the upload is the original, byte for byte; the bundle's copy cannot carry a "
                     "valid signature (verify it on the uploaded file)")
    if facts.forms:
        notes.append("has form fields: the bundle shows their values flattened into the page")
    if facts.xfa:
        notes.append("has XFA form data as well; the bundle shows the PDF's own pages")
    if facts.javascript:
        notes.append("contains JavaScript: it is never run, and the bundle's copy carries none")
    if facts.embedded_files:
        notes.append("has embedded files (" + ", ".join(facts.embedded_files[:8]) + "): they are attached to the bundle")
    return Intake("pdf", pdf, facts.pages, "", 0, notes=notes, facts=facts.to_json())


def _image(data: bytes, media: str, where: str, paper: str, max_pixels: int) -> Intake:
    from poaforge.evidence.images import image_to_pdf

    img = image_to_pdf(data, where, paper=paper, max_pixels=max_pixels, media=media)
    conversion = img.conversion or f"{LABEL[media]} placed on a {paper.upper()} page (img2pdf, lossless)"
    return Intake(media, img.pdf, img.pages, "", 0, img.width, img.height, img.dpi, img.orientation, img.notes,
                  conversion=conversion)


def _typeset(case: dict[str, Any], exhibit: dict[str, Any], data: bytes, media: str, where: str,
             digest: str) -> Intake:
    from poaforge.evidence import render, table

    family = FAMILY[media]
    notes: list[str] = []
    if family == "email":
        from poaforge.evidence.mail import mail_pages, read_mail

        mail = read_mail(data, where)
        pdf, pages = mail_pages(case, exhibit, mail, digest)
        conversion = f"e-mail typeset by poa-forge: header fields, text, {len(mail.attachments)} attachment(s) listed"
    elif family == "text":
        pdf, pages = render.text_pages(case, exhibit, table.decode_text(data, where), digest)
        conversion = "text file typeset by poa-forge, lines as written"
    else:
        if family == "table":
            sheets = [table.read_csv(data, where)]
        else:
            sheets, notes = table.read_workbook(data, where)
        rows = sum(len(s["rows"]) for s in sheets)
        what = f"{LABEL[media]}, {rows:,} rows" + (f", {len(sheets)} sheets" if len(sheets) > 1 else "")
        pdf, pages = render.table_pages(case, exhibit, sheets, what, digest)
        conversion = f"{what}: typeset by poa-forge as a table with the file's own header row"
    return Intake(media, pdf, pages, "", 0, notes=notes, conversion=conversion)


def _office(data: bytes, media: str, where: str) -> Intake:
    from poaforge.evidence.office import office_to_pdf, office_version
    from poaforge.typeset import page_count

    pdf = office_to_pdf(data, "." + media, where, LABEL[media])
    return Intake(media, pdf, page_count(pdf), "", 0,
                  conversion=f"{LABEL[media]} converted by {office_version() or 'LibreOffice'} (headless), its own layout")


def convert(case: dict[str, Any], exhibit: dict[str, Any], data: bytes, media: str, where: str, *,
            paper: str, max_pages: int, max_pixels: int, cache_root: Path | None = None) -> Intake:
    """PDF pages of one exhibit whose content ``data`` has ``media``; EvidenceError naming ``where``."""
    from poaforge.evidence.cache import cached, key_of

    digest = hashlib.sha256(data).hexdigest()
    family = FAMILY[media]
    if family == "sheet" and str(exhibit.get("kind", "")) in DOCUMENT_KINDS:
        family = "office"
    if family == "pdf":
        got = _pdf(data, where, max_pages)
    elif family == "table" and charted(case, exhibit):
        from poaforge.evidence.chart import chart_intake

        got = chart_intake(case, exhibit, data, where)
    elif family == "image" and media in ("png", "jpeg", "gif"):
        got = _image(data, media, where, paper, max_pixels)
    else:
        parts = {"sha256": digest, "media": media, "family": family, "paper": paper, "max_pixels": max_pixels,
                 "lang": case.get("language"), "title": exhibit.get("title"), "file": exhibit.get("file"),
                 "attachment": exhibit.get("attachment"),
                 "cited": sorted(str(e.get("attachment")) + f"={e.get('number')}" for e in case.get("exhibits", [])
                                 if e.get("file") == exhibit.get("file") and e.get("attachment"))}

        def produce() -> tuple[bytes, dict[str, Any]]:
            if family == "image":
                made = _image(data, media, where, paper, max_pixels)
            elif family == "office":
                made = _office(data, media, where)
            else:
                made = _typeset(case, exhibit, data, media, where, digest)
            meta = {k: v for k, v in made.__dict__.items() if k not in ("pdf", "sha256", "size")}
            return made.pdf, meta

        pdf, meta = cached(cache_root, key_of(parts), produce)
        got = Intake(**{**meta, "pdf": pdf, "sha256": "", "size": 0})
    if got.pages > max_pages:
        from poaforge.limits import raise_hint

        raise EvidenceError(Problem(file=where, message=f"makes {got.pages:,} pages, more than the limit of {max_pages:,}",
                                    hint=f"keep only the part that proves the point; or {raise_hint('pages')}"))
    got.sha256, got.size, got.media = digest, len(data), media
    return got
