"""Office documents (DOCX, DOC, ODT, RTF; workbooks laid out as documents) converted to PDF
with LibreOffice headless, which keeps the supplier's own layout.

Never a re-layout through another tool: an invoice that looks different from the
supplier's original reads as manipulated. Without LibreOffice, :func:`office_missing`
gives the one-line error naming the file and the two ways out (install LibreOffice, or
export the file as PDF). The PDF is made reproducible afterwards: LibreOffice writes the
conversion time, a random document id and a checksum of them, which are removed (qpdf's deterministic /ID).

Install: Debian/Ubuntu ``sudo POA_OFFICE=1 tools/setup.sh`` (``libreoffice-writer-nogui``,
``libreoffice-calc-nogui``); macOS ``brew install --cask libreoffice``; Windows: the
LibreOffice installer, with ``soffice`` on the PATH.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from poaforge.errors import EvidenceError, Problem

__all__ = ["soffice", "office_version", "office_missing", "office_to_pdf", "TIMEOUT_S"]

TIMEOUT_S = 180
_INSTALL = ("install LibreOffice (Debian/Ubuntu: sudo POA_OFFICE=1 tools/setup.sh; macOS: brew install --cask libreoffice) "
            "and build again, or export the file as PDF (File → Export as PDF) and point the exhibit at that PDF")


def soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (``POA_SOFFICE`` overrides the search), or None."""
    env = os.environ.get("POA_SOFFICE")
    if env:
        return env if Path(env).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def office_version() -> str:
    """``LibreOffice 7.4.7.2`` (the version line soffice prints), or "" when absent."""
    exe = soffice()
    if not exe:
        return ""
    try:
        out = subprocess.run([exe, "--headless", "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    words = out.split()
    return " ".join(words[:2]) if len(words) >= 2 else out.strip()


def office_missing(where: str, label: str) -> Problem:
    """The problem for an office document when LibreOffice is not installed."""
    return Problem(file=where, message=f"is a {label}, which needs LibreOffice to become PDF pages, and LibreOffice is "
                   "not installed", hint=_INSTALL)


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def _reproducible(pdf: bytes) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in list(meta.keys()):
                if "Date" in key or "DocumentID" in key or "InstanceID" in key:
                    del meta[key]
        for key in ("/CreationDate", "/ModDate"):
            if key in doc.docinfo:
                del doc.docinfo[key]
        for key in ("/DocChecksum", "/ID"):  # LibreOffice's checksum and random id of the time-stamped original
            if key in doc.trailer:
                del doc.trailer[key]
        buf = io.BytesIO()
        doc.save(buf, deterministic_id=True, fix_metadata_version=False)
    return buf.getvalue()


def office_to_pdf(data: bytes, suffix: str, where: str, label: str) -> bytes:
    """PDF bytes of an office document, converted by LibreOffice in a private profile folder
    (so parallel builds never share one), at most :data:`TIMEOUT_S` seconds."""
    exe = soffice()
    if not exe:
        raise EvidenceError(office_missing(where, label))
    with tempfile.TemporaryDirectory(prefix="poa-office-") as tmp:
        src = Path(tmp) / f"exhibit{suffix}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore", "--nologo",
               "--convert-to", "pdf", "--outdir", str(Path(tmp) / "out"), str(src)]
        env = {**os.environ, "HOME": tmp, "TZ": "UTC", "SAL_USE_VCLPLUGIN": "svp"}
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            raise _fail(where, f"took LibreOffice more than {TIMEOUT_S} s to convert",
                        "export it as PDF yourself (File → Export as PDF)") from None
        out = Path(tmp) / "out" / "exhibit.pdf"
        if run.returncode or not out.is_file() or out.stat().st_size == 0:
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no PDF written"]
            raise _fail(where, f"could not be converted by LibreOffice ({detail[0][:160]})",
                        "open it in Word or LibreOffice, check it is not password-protected, and export it as PDF")
        return _reproducible(out.read_bytes())
