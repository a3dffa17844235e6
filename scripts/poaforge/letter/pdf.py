"""``poa.pdf``: the letter model typeset by Typst (``templates/poa.typ``).

The model goes to the template as JSON data (``sys.inputs.data``), so case text can never
become markup; the template only lays it out. ``mode="bundle"`` drops the page footer (the
bundle stamps its own page numbers) and links every citation to its exhibit
(``bundle:exhibit-<n>``, resolved by :mod:`poaforge.bundle.merge`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poaforge.paths import TEMPLATES
from poaforge.typeset import compile_pdf

__all__ = ["render_letter"]


def render_letter(model: dict[str, Any], out: Path, mode: str = "standalone") -> int:
    """Typeset the letter model (letter.json content) to ``out``; return its page count.

    Raises BuildError for a missing glyph, a Typst error or an unwritable ``out``."""
    return compile_pdf(TEMPLATES / "poa.typ", model, Path(out), mode=mode)
