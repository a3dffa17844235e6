"""The letter of a case as a PDF, from its YAML in one warm process (``poa watch``).

Exactly the pipeline's letter: the case as the validate step writes ``case.json``
(:func:`poaforge.case.normalize.normalise`, read back as JSON), composed once
(:func:`poaforge.letter.compose.compose`) and typeset by
:func:`poaforge.letter.pdf.render_letter`, whose Typst compiler and fonts stay loaded
between calls (a compile then takes a few milliseconds). The PDF is replaced in one
``os.replace`` (:func:`poaforge.files.write_bytes`), so a viewer that reloads on change
never sees half a file; the bytes are those ``snakemake <case>`` writes to ``poa.pdf``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["render_preview"]


def render_preview(case: Any, out: Path) -> int:
    """Typeset the letter of the valid ``case`` (a :class:`poaforge.case.model.Case`) to
    ``out``; return its page count. Raises ``EvidenceError`` for an exhibit that cannot be
    read, ``BuildError`` for a missing glyph, a label that cannot be filled or an
    unwritable ``out``."""
    from poaforge.case.normalize import normalise
    from poaforge.letter.compose import compose
    from poaforge.letter.model import check_model
    from poaforge.letter.pdf import render_letter

    data = json.loads(json.dumps(normalise(case), ensure_ascii=False))  # as the letter step reads case.json
    model = compose(data)
    check_model(model)
    return render_letter(model, Path(out))
