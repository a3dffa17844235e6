"""The bundle's attachments list (PDF embedded files, ISO 32000-2 §7.11.4): nothing a seller gave is lost.

:func:`attach_originals` attaches the original of every exhibit whose pages are a
rendition of another file (an e-mail, a spreadsheet, a text file, a HEIC/AVIF/WebP photo,
an office document, an e-mail's attachment), and copies the files embedded in exhibit
PDFs (an e-invoice's XML), each named "Exhibit <n> - <file name>". Exhibits whose pages
show the original itself (PDF pages, image pixels kept losslessly or the same JPEG data)
are not attached again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem

__all__ = ["SHOWN_AS_IS", "attach_originals"]

#: media whose pages show the original itself (PDF pages, image pixels kept losslessly or as the same JPEG data)
SHOWN_AS_IS = frozenset({"pdf", "png", "jpeg", "gif", "tiff", "bmp"})


def _attach(pdf: Any, name: str, data: bytes) -> None:
    import pikepdf

    pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)


def attach_originals(pdf: Any, exhibits: list[dict], sources: list[Any], case_dir: Path, where: str) -> None:  # type: ignore[type-arg]
    """Add the originals and embedded files of ``exhibits`` (exhibits.json entries, each with the
    open ``pikepdf.Pdf`` of its PDF in ``sources``) to ``pdf``, the bundle; BuildError naming
    the file when one cannot be read. No date is written: the bundle stays reproducible."""
    import pikepdf

    from poaforge.errors import PoaError

    for ex, source in zip(exhibits, sources):
        prefix = f"Exhibit {ex['number']} - "
        if ex.get("media") not in SHOWN_AS_IS or ex.get("attachment"):
            from poaforge.evidence.convert import source_bytes  # imported only when an original is attached

            name = Path(str(ex.get("attachment") or ex["file"])).name
            try:
                _attach(pdf, prefix + name, source_bytes(case_dir, ex, f"{case_dir}/{ex['file']}"))
            except (OSError, PoaError) as exc:
                raise BuildError(Problem(f"{case_dir}/{ex['file']}", message=f"cannot attach the original to the bundle "
                                         f"({getattr(exc, 'strerror', None) or exc})",
                                         hint="rebuild the case: the evidence file changed or was removed")) from None
        if (ex.get("facts") or {}).get("embedded_files"):
            try:
                for name, spec in sorted(source.attachments.items()):
                    _attach(pdf, prefix + name, spec.get_file().read_bytes())
            except (pikepdf.PdfError, KeyError, ValueError, TypeError, AttributeError) as exc:
                raise BuildError(Problem(where, message=f"cannot copy the files embedded in exhibit {ex['number']} ({exc})",
                                         hint="export the exhibit again")) from None
