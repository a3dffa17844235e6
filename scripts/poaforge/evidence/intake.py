"""Exhibit intake: check every evidence file and normalise it to a readable PDF.

``prepare(case, case_dir, out_dir)`` writes ``out_dir/exhibits/<number>.pdf`` and
``out_dir/exhibits.json`` (all or nothing). The type comes from the file's first bytes;
PDFs are copied byte for byte when they parse cleanly and are not encrypted, otherwise
rewritten decrypted; images go through :mod:`poaforge.evidence.images`.

Command: ``python -m poaforge.steps evidence results/<c>/case.json results/<c>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from poaforge.errors import BuildError, EvidenceError, Problem
from poaforge.evidence.sniff import describe, media_of
from poaforge.files import read_json
from poaforge.limits import DEFAULTS, current, raise_hint, size_text

__all__ = ["MAX_PAGES", "MAX_PIXELS", "Intake", "read_exhibit", "prepare", "replace_dir", "main"]

MAX_PAGES = DEFAULTS.pages  # POA_MAX_PAGES overrides (see poaforge.limits)
MAX_PIXELS = DEFAULTS.pixels  # POA_MAX_PIXELS


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


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


class _Warnings(logging.Handler):
    """Collects pypdf's warnings (repaired xref, broken objects) while a file is read."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_EXPORT = "export or print it to PDF again"


def _read_pdf(data: bytes, where: str, max_pages: int) -> tuple[bytes, int, list[str]]:
    from pypdf import PasswordType, PdfReader, PdfWriter
    from pypdf.errors import DependencyError, PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise _fail(where, "is truncated (the end of the PDF is missing)",
                    "download or export the file again and check it opens")
    notes: list[str] = []
    handler = _Warnings()
    log = logging.getLogger("pypdf")
    log.addHandler(handler)
    old_propagate = log.propagate
    log.propagate = False
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                result = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise _fail(where, f"uses an encryption that cannot be opened ({exc})",
                            "remove the protection (print to PDF) and re-export") from None
            if result == PasswordType.NOT_DECRYPTED:
                raise _fail(where, "is protected by a password",
                            "remove the password (print to PDF) and re-export")
            notes.append("had an owner password (editing restrictions): the bundled copy is decrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise _fail(where, "has no pages", _EXPORT)
        if pages > max_pages:
            raise _fail(where, f"has {pages:,} pages, more than the limit of {max_pages:,}",
                        f"split it or keep only the pages that prove the point; or {raise_hint('pages')}")
        for page in reader.pages:
            _ = page.mediabox, page.get_contents()
        if reader.is_encrypted or handler.messages:
            if handler.messages:
                notes.append("damaged cross-reference table repaired on reading: check every page is complete")
            writer = PdfWriter(clone_from=reader)
            buf = io.BytesIO()
            writer.write(buf)
            data = buf.getvalue()
    except EvidenceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, OSError) as exc:
        raise _fail(where, f"is damaged and cannot be read as a PDF ({type(exc).__name__}: {exc})",
                    _EXPORT) from None
    finally:
        log.removeHandler(handler)
        log.propagate = old_propagate
    return data, pages, notes


def read_exhibit(path: Path, case_dir: Path, where: str, *, paper: str = "a4",
                 max_pages: int | None = None, max_pixels: int | None = None,
                 max_bytes: int | None = None) -> Intake:
    """Check one evidence file and return its normalised PDF; ``where`` names it in errors.

    Caps left at None come from :func:`poaforge.limits.current` (``POA_MAX_*``)."""
    caps = current()
    max_pages, max_pixels = max_pages or caps.pages, max_pixels or caps.pixels
    max_bytes = max_bytes or caps.exhibit_bytes
    root = case_dir.resolve()
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise _fail(where, "does not exist", "check the exhibit's file path in the case file") from None
    if not real.is_relative_to(root):
        raise _fail(where, "points outside the case folder (symbolic link)",
                    "copy the file itself into the case folder")
    if not real.is_file():
        raise _fail(where, "is not a file", "point the exhibit at a PDF, PNG, JPEG or GIF file")
    size = real.stat().st_size
    if size > max_bytes:
        raise _fail(where, f"is {size_text(size)}, more than the limit of {size_text(max_bytes)} per evidence file",
                    f"split it or reduce its resolution; or {raise_hint('exhibit_bytes')}")
    data = real.read_bytes()
    if not data:
        raise _fail(where, "is empty (0 bytes)", "export the document again")
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    head = data[:2048]
    media = media_of(head)
    if media is None:
        kind = describe(head, data)
        ext = path.suffix.lower()
        renamed = f" renamed {ext}" if ext in (".pdf", ".png", ".jpg", ".jpeg", ".gif") else ""
        raise _fail(where, f"is {kind}{renamed}, not a PDF, PNG, JPEG or GIF",
                    "export it as PDF (File → Save as / Print → PDF) and point the exhibit at that file")
    if media == "pdf":
        pdf, pages, notes = _read_pdf(data, where, max_pages)
        return Intake(media, pdf, pages, digest, size, notes=notes)
    from poaforge.evidence.images import image_to_pdf

    img = image_to_pdf(data, where, paper=paper, max_pixels=max_pixels)
    return Intake(media, img.pdf, 1, digest, size, img.width, img.height, img.dpi,
                  img.orientation, img.notes)


def replace_dir(tmp: Path, final: Path) -> None:
    """Put the finished folder ``tmp`` in place of ``final`` (swap by rename)."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _writing(where: Path):  # type: ignore[no-untyped-def]
    """Turn a failed write (disk full, read-only folder) into a BuildError naming ``where``."""
    try:
        yield
    except OSError as exc:
        raise BuildError(Problem(str(where), message=f"cannot write ({exc.strerror or exc})",
                                 hint="free some disk space and check that the results folder is writable")) from None


def _check_total(case: dict, case_dir: Path) -> None:
    """Refuse a case whose evidence files together exceed POA_MAX_EVIDENCE_BYTES (before reading any)."""
    limit = current().evidence_bytes
    total = 0
    for ex in case["exhibits"]:
        try:
            total += (case_dir / ex["file"]).stat().st_size
        except OSError:
            continue  # reported with its own message by read_exhibit
    if total > limit:
        raise _fail(str(case.get("case_dir", case_dir)), f"the evidence files add up to {size_text(total)}, more than "
                    f"the limit of {size_text(limit)}", f"shrink the largest exhibits; or {raise_hint('evidence_bytes')}")


def prepare(case: dict, case_dir: Path, out_dir: Path, *, max_pages: int | None = None,
            max_pixels: int | None = None) -> dict:
    """Normalise every exhibit of ``case``; write ``exhibits/`` and ``exhibits.json``; return the JSON.

    All exhibits are checked; every problem is reported together in one EvidenceError.
    """
    paper = case.get("profile", {}).get("paper", "a4")
    _check_total(case, case_dir)
    tmp = out_dir / ".exhibits.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with _writing(out_dir):
        tmp.mkdir(parents=True)
    entries, problems = [], []
    try:
        for i, ex in enumerate(case["exhibits"]):
            number = int(ex.get("number", i + 1))
            where = f"{case.get('case_dir', case_dir)}/{ex['file']}"
            try:
                if ex["file"].lower().endswith(".csv"):  # a metrics export, drawn as a chart (poaforge.evidence.chart)
                    from poaforge.evidence.chart import chart_intake
                    got = chart_intake(case, ex, case_dir, where)
                else:
                    got = read_exhibit(case_dir / ex["file"], case_dir, where, paper=paper,
                                       max_pages=max_pages, max_pixels=max_pixels)
            except EvidenceError as exc:
                problems.extend(exc.problems)
                continue
            with _writing(out_dir / "exhibits"):
                (tmp / f"{number}.pdf").write_bytes(got.pdf)
            entries.append({"id": ex["id"], "number": number, "file": ex["file"],
                            "pdf": f"exhibits/{number}.pdf", "pages": got.pages,
                            "sha256": got.sha256, "size": got.size, "media": got.media,
                            "width": got.width, "height": got.height, "dpi": got.dpi,
                            "orientation": got.orientation, "notes": got.notes})
        if problems:
            raise EvidenceError(problems)
        result = {"exhibits": entries}
        with _writing(out_dir / "exhibits"):
            replace_dir(tmp, out_dir / "exhibits")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    target = out_dir / "exhibits.json"
    part = target.with_name(".exhibits.json.tmp")
    try:
        with _writing(target):
            part.write_text(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
            os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps evidence CASE_JSON OUT_DIR [--max-pages N] [--max-pixels N]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="poaforge.evidence.intake", description=__doc__.splitlines()[0])
    parser.add_argument("case_json", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--max-pages", type=int, default=None, help="default: POA_MAX_PAGES or 2000")
    parser.add_argument("--max-pixels", type=int, default=None, help="default: POA_MAX_PIXELS or 100,000,000")
    args = parser.parse_args(argv)
    case = read_json(args.case_json)
    prepare(case, Path(case["case_dir"]), args.out_dir, max_pages=args.max_pages,
            max_pixels=args.max_pixels)
    return 0
