"""Exhibit intake: check every evidence file and turn it into readable PDF pages.

``prepare(case, case_dir, out_dir)`` writes ``out_dir/exhibits/<number>.pdf`` and
``out_dir/exhibits.json`` (all or nothing). Each file is first checked by
:func:`poaforge.evidence.preflight.check_file` (the rules ``poa validate`` runs), then
converted by :func:`poaforge.evidence.convert.convert`: a PDF is used byte for byte
unless a reader needs a fix; every other type becomes PDF pages, the conversion named.

exhibits.json, one entry per exhibit (the shape later steps read)::

    {"id", "number", "file", "attachment" (or null), "pdf": "exhibits/<n>.pdf", "pages",
     "sha256", "size", "media"          # of the exhibit's own content (an attachment: its bytes)
     "width", "height", "dpi", "orientation",   # images
     "conversion": "HEIC/HEIF photo decoded with …" or "",    # how the PDF was made
     "facts": {signed, encrypted, forms, xfa, javascript, embedded_files, repaired, …} or null,
     "pdf_bytes": size of exhibits/<n>.pdf, "pdf_sha256",
     "notes": ["…"]}                    # everything a reader of the bundle should know

Command: ``python -m poaforge.steps evidence results/<c>/case.json results/<c>``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path

from poaforge.errors import BuildError, EvidenceError, Problem
from poaforge.evidence.convert import Intake, convert, source_bytes
from poaforge.evidence.preflight import check_file, check_total
from poaforge.files import read_json
from poaforge.limits import DEFAULTS, current, raise_hint, size_text

__all__ = ["MAX_PAGES", "MAX_PIXELS", "Intake", "read_exhibit", "prepare", "replace_dir", "main"]

MAX_PAGES = DEFAULTS.pages  # POA_MAX_PAGES overrides (see poaforge.limits)
MAX_PIXELS = DEFAULTS.pixels  # POA_MAX_PIXELS


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def read_exhibit(path: Path, case_dir: Path, where: str, *, paper: str = "a4",
                 max_pages: int | None = None, max_pixels: int | None = None,
                 max_bytes: int | None = None, case: dict | None = None, exhibit: dict | None = None,
                 cache_root: Path | None = None) -> Intake:
    """Check one evidence file and return its PDF pages; ``where`` names it in errors.

    ``case`` and ``exhibit`` (case.json) give the platform profile, the exhibit's kind,
    attachment and title, and the case's metrics (a CSV a metric cites is a chart).
    Caps left at None come from :func:`poaforge.limits.current` (``POA_MAX_*``)."""
    caps = current()
    caps = dataclasses.replace(caps, pages=max_pages or caps.pages, pixels=max_pixels or caps.pixels,
                               exhibit_bytes=max_bytes or caps.exhibit_bytes)
    case = case or {}
    exhibit = exhibit or {"id": "E1", "file": path.name}
    root = case_dir.resolve()
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise _fail(where, "does not exist", "check the exhibit's file path in the case file") from None
    if not real.is_relative_to(root):
        raise _fail(where, "points outside the case folder (symbolic link)",
                    "copy the file itself into the case folder")
    if not real.is_file():
        raise _fail(where, "is not a file", "point the exhibit at one evidence file")
    size = real.stat().st_size
    if size > caps.exhibit_bytes:
        raise _fail(where, f"is {size_text(size)}, more than the limit of {size_text(caps.exhibit_bytes)} per evidence file",
                    f"split it or reduce its resolution; or {raise_hint('exhibit_bytes')}")
    data = real.read_bytes()
    media, found = check_file(data, real.name, exhibit, None, caps)
    if found or media is None:
        raise EvidenceError([Problem(file=where, message=m, hint=h) for m, h in found])
    if exhibit.get("attachment"):
        data = source_bytes(case_dir, {**exhibit, "file": str(real.relative_to(root))}, where)
        from poaforge.evidence.sniff import sniff

        media = sniff(data, str(exhibit["attachment"])) or media
    got = convert(case, exhibit, data, media, where, paper=paper, max_pages=caps.pages, max_pixels=caps.pixels,
                  cache_root=cache_root)
    if exhibit.get("attachment"):
        got.notes.insert(0, f"attachment '{exhibit['attachment']}' of the e-mail {Path(exhibit['file']).name}")
    return got


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
    total = 0
    for ex in case["exhibits"]:
        try:
            total += (case_dir / ex["file"]).stat().st_size
        except OSError:
            continue  # reported with its own message by read_exhibit
    too_big = check_total(total)
    if too_big:
        raise _fail(str(case.get("case_dir", case_dir)), *too_big)


def _entry(ex: dict, number: int, got: Intake) -> dict:
    return {"id": ex["id"], "number": number, "file": ex["file"], "attachment": ex.get("attachment"),
            "pdf": f"exhibits/{number}.pdf", "pages": got.pages, "sha256": got.sha256, "size": got.size,
            "media": got.media, "width": got.width, "height": got.height, "dpi": got.dpi,
            "orientation": got.orientation, "conversion": got.conversion, "facts": got.facts,
            "pdf_bytes": len(got.pdf), "pdf_sha256": hashlib.sha256(got.pdf).hexdigest(), "notes": got.notes}


def prepare(case: dict, case_dir: Path, out_dir: Path, *, max_pages: int | None = None,
            max_pixels: int | None = None) -> dict:
    """Normalise every exhibit of ``case``; write ``exhibits/`` and ``exhibits.json``; return the JSON.

    All exhibits are checked; every problem is reported together in one EvidenceError.
    Conversions are kept in ``<results>/.cache/evidence`` (content-addressed) for the next build.
    """
    paper = case.get("profile", {}).get("paper", "a4")
    _check_total(case, case_dir)
    cache_root = out_dir.parent / ".cache" / "evidence"
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
                got = read_exhibit(case_dir / ex["file"], case_dir, where, paper=paper, max_pages=max_pages,
                                   max_pixels=max_pixels, case=case, exhibit=ex, cache_root=cache_root)
            except EvidenceError as exc:
                problems.extend(exc.problems)
                continue
            with _writing(out_dir / "exhibits"):
                (tmp / f"{number}.pdf").write_bytes(got.pdf)
            entries.append(_entry(ex, number, got))
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
