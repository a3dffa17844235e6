"""The signed (and sealed) letter: the seller's scan, used in place of the generated letter.

A case names the scan in ``signed_letter`` (one PDF or image, or one image per page);
validation checks each file is a PDF or image inside the case folder, and the validate step
reads it as it reads an exhibit (``case.json["signed_scan"]``). Here the scan becomes one
PDF for the upload and the bundle, after checking it has as many pages as the letter
(``poa.pdf``): a scan of an older, shorter or longer version of the letter is refused with
its path and how to fix it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from poaforge.errors import EvidenceError, Problem

__all__ = ["signed_pdf"]


def signed_pdf(case: dict[str, Any], poa_pdf: Path) -> bytes:
    """The scan named by the case (case.json content with ``signed_scan``) as one PDF on the
    profile's paper, images converted losslessly; EvidenceError naming the scan when it is
    unreadable or its page count differs from ``poa_pdf``'s."""
    from pypdf import PdfReader, PdfWriter

    from poaforge.evidence.intake import read_exhibit

    scan = case["signed_scan"]
    case_dir = Path(case["case_dir"])
    writer = PdfWriter()
    for f in scan["files"]:
        where = f"{case['case_dir']}/{f['file']}"
        intake = read_exhibit(case_dir / f["file"], case_dir, where, paper=case["profile"]["paper"])
        writer.append(PdfReader(io.BytesIO(intake.pdf)), import_outline=False)
    pages, letter = len(writer.pages), len(PdfReader(poa_pdf).pages)
    if pages != letter:
        first = f"{case['case_dir']}/{scan['files'][0]['file']}"
        raise EvidenceError(Problem(first, message=f"the signed letter has {pages} page(s), the letter ({poa_pdf.name}) has {letter}",
                                    hint=f"print {poa_pdf.as_posix()} as it is now, sign"
                                         f"{' and seal' if case['profile']['signature']['seal_required'] else ''} it, "
                                         f"scan all {letter} page(s) and replace the scan (signed_letter in the case file)"))
    writer.add_metadata({"/Producer": "poa-forge"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
