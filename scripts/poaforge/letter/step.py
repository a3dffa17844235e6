"""The letter step: compose the model once, lay it out in every format, in one process.

    python -m poaforge.steps letter CASE_JSON LETTER_JSON POA_PDF POA_DOCX POA_TXT FORM_JSON

Reads case.json (the validated case with its profile and labels); writes letter.json (the
model), poa.pdf (Typst), poa.docx (pandoc), poa.txt and form.json (the form boxes). Every
problem — a label that cannot be filled, a form box over its limit, a missing font — is
found before the first file is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.files import read_json, write_text

__all__ = ["build_letter", "main"]


def build_letter(case: dict[str, Any], letter_json: Path, pdf: Path, docx: Path, txt: Path, form_json: Path) -> dict[str, Any]:
    """Compose the model of ``case`` (case.json content) and write all five outputs; return the model."""
    from poaforge.letter.compose import compose
    from poaforge.letter.docx import write_docx
    from poaforge.letter.formtext import build_form, render_txt
    from poaforge.letter.model import check_model, write_model
    from poaforge.letter.pdf import render_letter

    model = compose(case)
    check_model(model)
    form = build_form(case, model)
    # pandoc (a process of its own, ~0.1 s) lays the DOCX out while Typst sets the PDF; the
    # DOCX is written under a hidden name and put in place only when both succeeded.
    staged = docx.with_name(f".{docx.name}.staged")
    with ThreadPoolExecutor(max_workers=1) as pool:
        docx_job = pool.submit(write_docx, model, staged)
        try:
            render_letter(model, pdf)
            write_text(txt, render_txt(model, form))
            write_text(form_json, json.dumps(form, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
            docx_job.result()
        except BaseException:
            wait([docx_job])
            staged.unlink(missing_ok=True)
            raise
    staged.replace(docx)
    write_model(model, letter_json, checked=True)
    return model


def main(argv: Sequence[str]) -> int:
    """Step ``letter CASE_JSON LETTER_JSON POA_PDF POA_DOCX POA_TXT FORM_JSON``."""
    p = ArgParser(prog="python -m poaforge.steps letter", description="Compose the letter and write it in every format.")
    for name in ("case_json", "letter_json", "poa_pdf", "poa_docx", "poa_txt", "form_json"):
        p.add_argument(name, type=Path)
    args = p.parse_args(argv)
    build_letter(read_json(args.case_json), args.letter_json, args.poa_pdf, args.poa_docx, args.poa_txt, args.form_json)
    return 0
