"""A PDF exhibit read as a seller has it: what it holds, and a readable copy only when one is needed.

:func:`inspect_pdf` opens the file with qpdf (through ``pikepdf``) and returns its
:class:`PdfFacts` — pages, owner password, digital signature, forms, dynamic XFA,
JavaScript, embedded files, bytes outside the PDF — or raises :class:`EvidenceError` for a
file no reader can use (an opening password, truncated, damaged beyond repair, a dynamic
XFA form whose pages are only a "Please wait…" placeholder). ``deep=True`` also decodes
every page's content, to find damage that only shows when the page is drawn.

:func:`readable_copy` gives the bytes the bundle and, when the platform needs it, the
upload use: the original itself unless a rewrite is needed — decrypted (owner password),
repaired (qpdf had to rebuild the cross-reference table: a reader needed the repair), or
the junk before the ``%PDF`` header cut off — each with a note saying what changed and why.

Sources: ISO 32000-2 (header §7.5.2, trailer and ``startxref`` §7.5.5, encryption §7.6,
``SigFlags`` §12.7.3, ``NeedsRendering`` and XFA §12.7.8, JavaScript actions §12.6.4.17,
embedded files §7.11.4); qpdf's damage warnings decide whether a repair was needed.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from poaforge.errors import EvidenceError, Problem

__all__ = ["PdfFacts", "inspect_pdf", "readable_copy", "EXPORT"]

EXPORT = "export or print it to PDF again"
_XFA_FIX = ("open it in Adobe Acrobat Reader, fill it in if needed, and print it to PDF (Microsoft Print to PDF / "
            "Save as PDF); use that file as the exhibit")
_DAMAGE = ("file is damaged", "reconstruct", "invalid xref", "xref not found", "stream data", "unexpected",
           "expected", "offset")


@dataclass
class PdfFacts:
    """What a PDF exhibit holds (exhibits.json ``pdf``): the facts notes and uploads follow."""

    pages: int
    encrypted: str | None = None  # "owner": opens without a password, editing restricted
    signed: bool = False
    forms: bool = False  # interactive form fields (flattened in the bundle)
    xfa: str | None = None  # "static" (the pages hold the form too); dynamic ones are refused
    javascript: bool = False
    embedded_files: list[str] = field(default_factory=list)
    repaired: bool = False  # qpdf had to rebuild the cross-reference table
    leading_bytes: int = 0  # junk before %PDF-
    trailing_bytes: int = 0  # bytes after the last %%EOF (not whitespace)

    def to_json(self) -> dict[str, Any]:
        """The facts as exhibits.json stores them (``facts``)."""
        return asdict(self)


def _fail(where: str, message: str, hint: str = EXPORT) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def _ends(data: bytes, where: str) -> tuple[int, int]:
    """(bytes before the header, non-blank bytes after the last %%EOF); truncated files raise."""
    start = data.find(b"%PDF-", 0, 1024 + 5)
    last = data.rfind(b"startxref")
    eof = data.find(b"%%EOF", last) if last >= 0 else -1
    if start < 0 or last < 0 or eof < 0:
        raise _fail(where, "is truncated (the end of the PDF is missing)", "download or export the file again and check it opens")
    tail = data[eof + 5:]
    return start, len(tail.strip(b"\r\n\t \x00"))


def _damaged(warnings: list[str]) -> bool:
    return any(any(word in w.lower() for word in _DAMAGE) for w in warnings)


def _open(data: bytes | Path, where: str):  # type: ignore[no-untyped-def]
    import pikepdf

    try:
        pdf = pikepdf.open(data if isinstance(data, Path) else io.BytesIO(data), password="", suppress_warnings=True)
    except pikepdf.PasswordError:
        raise _fail(where, "is protected by a password", "remove the password (print to PDF) and re-export") from None
    except (pikepdf.PdfError, pikepdf.DependencyError, ValueError, RecursionError, OSError) as exc:
        reason = str(exc).replace("\n", " ").split(": ", 1)[-1][:120]
        raise _fail(where, f"is damaged and cannot be read as a PDF ({reason})") from None
    return pdf


def _names(tree: Any) -> list[str]:
    """Keys of a PDF name tree (both /Names arrays and /Kids), depth-limited."""
    out: list[str] = []
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > 32 or not hasattr(node, "get"):
            continue
        names = node.get("/Names")
        if names is not None:
            out += [str(names[i]) for i in range(0, len(names), 2)]
        for kid in node.get("/Kids", []) or []:
            stack.append((kid, depth + 1))
    return out


def _is_js(action: Any) -> bool:
    seen = 0
    while action is not None and hasattr(action, "get") and seen < 16:
        if action.get("/S") in ("/JavaScript", "/Launch"):
            return True
        action, seen = action.get("/Next"), seen + 1
    return False


def _scan(pdf: Any, facts: PdfFacts) -> None:
    """Forms, signatures, XFA, JavaScript and embedded files, from the catalog and each page's annotations."""
    root = pdf.Root
    form = root.get("/AcroForm")
    if form is not None:
        fields = form.get("/Fields") or []
        facts.forms = len(fields) > 0
        facts.signed = bool(int(form.get("/SigFlags", 0)) & 1)
        if form.get("/XFA") is not None:
            facts.xfa = "static"
    if root.get("/Perms") is not None:
        facts.signed = True
    names = root.get("/Names")
    if names is not None and names.get("/JavaScript") is not None:
        facts.javascript = True
    if _is_js(root.get("/OpenAction")) or root.get("/AA") is not None:
        facts.javascript = True
    if names is not None and names.get("/EmbeddedFiles") is not None:
        facts.embedded_files += _names(names.EmbeddedFiles)
    for page in pdf.pages:
        if page.obj.get("/AA") is not None:
            facts.javascript = True
        for annot in page.obj.get("/Annots", []) or []:
            if not hasattr(annot, "get"):
                continue
            if _is_js(annot.get("/A")) or annot.get("/AA") is not None:
                facts.javascript = True
            if annot.get("/FT") == "/Sig" and annot.get("/V") is not None:
                facts.signed = True
            if annot.get("/Subtype") == "/FileAttachment":
                spec = annot.get("/FS")
                name = spec.get("/UF") or spec.get("/F") if hasattr(spec, "get") else None
                facts.embedded_files.append(str(name or "attachment"))


def _read_pages(pdf: Any, where: str) -> None:
    """Decode every page's content streams: damage that only shows when a page is drawn."""
    import pikepdf

    for number, page in enumerate(pdf.pages, 1):
        try:
            contents = page.obj.get("/Contents")
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
            for stream in streams:
                if isinstance(stream, pikepdf.Stream):
                    stream.read_bytes()
            _ = page.mediabox
        except (pikepdf.PdfError, ValueError, RecursionError) as exc:
            reason = str(exc).replace("\n", " ").split(": ", 1)[-1][:120]
            raise _fail(where, f"is damaged: page {number} cannot be read ({reason})") from None


def _edges(path: Path, where: str) -> tuple[int, int]:
    """:func:`_ends` from the first and last 64 KiB of a file (the whole file when its end is not there)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        if size <= 1 << 17:
            return _ends(fh.read(), where)
        head = fh.read(1 << 16)
        fh.seek(size - (1 << 16))
        tail = fh.read()
    if b"%%EOF" in tail[tail.rfind(b"startxref"):] and tail.rfind(b"startxref") >= 0:
        return _ends(head + tail, where)
    return _ends(path.read_bytes(), where)


def inspect_pdf(data: bytes | Path, where: str, *, max_pages: int, deep: bool = False) -> PdfFacts:
    """The facts of one PDF (its bytes, or its path: then only its first and last 64 KiB and
    the objects qpdf needs are read), or EvidenceError naming ``where`` when no reader can use it."""
    from poaforge.limits import raise_hint

    leading, trailing = _edges(data, where) if isinstance(data, Path) else _ends(data, where)
    with _open(data, where) as pdf:
        facts = PdfFacts(pages=len(pdf.pages), leading_bytes=leading, trailing_bytes=trailing,
                         encrypted="owner" if pdf.is_encrypted else None)
        if facts.pages == 0:
            raise _fail(where, "has no pages")
        if facts.pages > max_pages:
            raise _fail(where, f"has {facts.pages:,} pages, more than the limit of {max_pages:,}",
                        f"split it or keep only the pages that prove the point; or {raise_hint('pages')}")
        if pdf.Root.get("/NeedsRendering") and pdf.Root.get("/AcroForm", {}).get("/XFA") is not None:
            raise _fail(where, "is a dynamic XFA form: outside Adobe Reader its pages only show a "
                        "\"Please wait…\" placeholder, not the form", _XFA_FIX)
        _scan(pdf, facts)
        if deep:
            _read_pages(pdf, where)
        facts.repaired = _damaged(pdf.get_warnings())
    return facts


def readable_copy(data: bytes, facts: PdfFacts, where: str) -> tuple[bytes, list[str]]:
    """The PDF to bundle (and to upload when a rewrite is needed), with a note per change.

    The original bytes when nothing needs changing; otherwise the smallest fix: junk before
    the header cut off (the PDF itself unchanged), or a qpdf rewrite that decrypts or repairs.
    A rewrite is reproducible (qpdf's deterministic /ID, no dates added)."""
    notes: list[str] = []
    if facts.trailing_bytes:
        notes.append(f"{facts.trailing_bytes:,} bytes after the end of the PDF (%%EOF) are ignored by readers; "
                     "the file is used as it is")
    if not (facts.encrypted or facts.repaired or facts.leading_bytes):
        return data, notes
    if facts.leading_bytes and not (facts.encrypted or facts.repaired):
        body = data[facts.leading_bytes:]
        with _open(body, where) as pdf:
            clean = not pdf.get_warnings() and len(pdf.pages) == facts.pages
        if clean:
            notes.append(f"{facts.leading_bytes:,} bytes before the PDF header (%PDF-) removed; the PDF itself is unchanged")
            return body, notes
    buf = io.BytesIO()
    with _open(data, where) as pdf:
        pdf.save(buf, deterministic_id=True, encryption=False, fix_metadata_version=False)
    if facts.encrypted:
        notes.append("had an owner password (editing restrictions): this copy is decrypted")
    if facts.repaired:
        notes.append("damaged cross-reference table: qpdf rebuilt it (a reader needed the repair); check every page "
                     "is complete")
    elif facts.leading_bytes:
        notes.append(f"{facts.leading_bytes:,} bytes before the PDF header (%PDF-) removed by rewriting the file")
    return buf.getvalue(), notes
