"""Upload-ready attachments, named and sized as the platform profile asks.

``build_upload(case, exhibits, case_dir, results, out_dir)`` writes ``out_dir`` (usually
``results/<c>/upload/``) exactly as the seller uploads it and returns {exhibit id → file
name}. ``separate`` mode: one file per exhibit — **the original, byte for byte**, whenever
the platform accepts its type and size; otherwise the exhibit's PDF, and
:func:`upload_sources` says why (a type the platform does not take, an owner password or
a damaged cross-reference table a reader needed fixed, an EXIF rotation reviewers would
see sideways, ``images_as_pdf``). A digitally signed PDF is always the original, so its
signature stays valid. The POA letter (``results/poa.pdf``, which must exist) goes first
when the profile names it (``poa_file``, e.g. AliExpress's signed and sealed letter); it
counts against the limits. A file over the size limit is made smaller losslessly (lossy
only with consent), with a note.
``combined`` mode: one PDF named by ``naming``: the bundle when given, else poa.pdf and
the exhibits concatenated in number order.

File names and formats come from :func:`poaforge.submit.plan.planned_uploads`.

Command: ``python -m poaforge.steps upload CASE_JSON EXHIBITS_JSON OUT_DIR [--bundle PDF] [--allow-lossy]``.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from poaforge.errors import BuildError, EvidenceError, Problem
from poaforge.evidence.preflight import check_count
from poaforge.evidence.sniff import EXTENSIONS, LABEL
from poaforge.files import read_json, sha256_file, write_json
from poaforge.submit.plan import Upload, planned_uploads

__all__ = ["MB", "Source", "upload_sources", "shrink", "build_upload", "main"]

MB = 1_000_000  # platforms' "10 MB": count in the smaller decimal unit to stay below it


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def shrink(data: bytes, media: str, limit: int, allow_lossy: bool) -> bytes:
    """Make a file smaller than ``limit`` bytes if possible: lossless first, lossy on consent."""
    from PIL import Image

    if media == "png":
        im = Image.open(io.BytesIO(data))
        buf = io.BytesIO()
        im.save(buf, "PNG", optimize=True)
        data = min(data, buf.getvalue(), key=len)
    elif media == "pdf":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for page in writer.pages:
            page.compress_content_streams()
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        if len(data) > limit and allow_lossy:
            for page in writer.pages:
                for img in page.images:
                    img.replace(img.image.convert("RGB"), quality=70)
        buf = io.BytesIO()
        writer.write(buf)
        data = min(data, buf.getvalue(), key=len)
    if len(data) > limit and allow_lossy and media in ("png", "jpeg"):
        im = Image.open(io.BytesIO(data)).convert("RGB")
        for quality in (85, 70, 55):
            buf = io.BytesIO()
            im.save(buf, "JPEG" if media == "jpeg" else "PNG", quality=quality, optimize=True)
            if buf.tell() <= limit:
                return buf.getvalue()
            im = im.resize((im.width * 3 // 4, im.height * 3 // 4))
    return data


@dataclass(frozen=True)
class Source:
    """Which bytes one uploaded exhibit file holds: "original" (the seller's file, byte for
    byte), "rewritten" (its PDF fixed for readers) or "converted" (its PDF made from another
    type); ``note`` says what changed and why (empty for an original)."""

    exhibit: str
    name: str
    use: str
    note: str


def _pdf_fix(facts: dict) -> str:
    """Why a PDF original cannot be uploaded as it is ("" when it can): a signed PDF always can."""
    if facts.get("signed"):
        return ""
    if facts.get("repaired"):
        return "its cross-reference table was damaged and a reader needed the repair: uploaded as repaired by qpdf"
    if facts.get("encrypted"):
        return "it had an owner password (encrypted PDFs are often rejected): uploaded decrypted, pages unchanged"
    if facts.get("leading_bytes"):
        return "it had junk bytes before the PDF header: uploaded without them, the PDF itself unchanged"
    return ""


def upload_sources(case: dict, exhibits: dict) -> list[Source]:
    """For each exhibit file of the upload, in upload order: original or PDF, and why. Reads no file.

    The checklist and the report show these notes; ``build_upload`` follows them and writes
    them into upload.json."""
    rules = case["profile"]["attachments"]
    prepared = {e["id"]: e for e in exhibits["exhibits"]}
    platform = case["profile"].get("name", "the platform")
    out = []
    for up in planned_uploads(case, exhibits):
        ex = prepared.get((up.exhibit or {}).get("id"))
        if ex is None:
            continue
        media = ex.get("media", "pdf")
        facts = ex.get("facts") or {}
        if media == "pdf":
            fix = _pdf_fix(facts)
            note = "digitally signed: uploaded byte for byte so the signature stays valid" if facts.get("signed") else ""
            out.append(Source(ex["id"], up.name, "rewritten" if fix else "original", fix or note))
        elif up.media == media:
            out.append(Source(ex["id"], up.name, "original", ""))
        else:
            if media not in (rules.get("types") or ()):
                why = f"{platform} does not accept a {LABEL.get(media, media)}"
            elif (ex.get("orientation") or 1) != 1:
                why = f"the photo carries an EXIF rotation ({ex['orientation']}) that some viewers ignore"
            else:
                why = f"{platform} takes images as PDF"
            how = ex.get("conversion") or "converted to PDF"
            out.append(Source(ex["id"], up.name, "converted", f"{why}: uploaded as PDF ({how})"))
    return out


def _plan(case: dict, exhibits: dict, case_dir: Path, results: Path, allow_lossy: bool,
          plan: list[Upload]) -> tuple[list[tuple[str, str, bytes]], dict[str, str]]:
    """([(exhibit id, file name, bytes)], {file name → note}) for the planned exhibit files."""
    from poaforge.evidence.convert import source_bytes
    from poaforge.evidence.preflight import check_file

    rules = case["profile"]["attachments"]
    types = set(rules.get("types") or EXTENSIONS)
    limit = int(float(rules["max_file_mb"]) * MB) if rules.get("max_file_mb") else None
    prepared = {e["id"]: e for e in exhibits["exhibits"]}
    sources = {s.name: s for s in upload_sources(case, exhibits)}
    files, notes = [], {}
    for up in plan:
        meta = up.exhibit or {}
        ex = prepared.get(meta.get("id"))
        if ex is None:
            continue
        where = f"{case.get('case_dir', case_dir)}/{meta.get('file', ex.get('file', ex['id']))}"
        source = sources[up.name]
        if source.use == "original":
            data = source_bytes(case_dir, {**meta, "attachment": ex.get("attachment")}, where)
            plain = {k: v for k, v in meta.items() if k != "attachment"}  # data is the attachment itself already
            _, found = check_file(data, Path(str(ex.get("attachment") or meta["file"])).name, plain,
                                  {**case["profile"], "attachments": {**rules, "max_file_mb": None}})
            if found:
                raise EvidenceError([Problem(file=where, message=m, hint=h) for m, h in found])
        else:
            if "pdf" not in types:
                raise _fail(where, f"is a {LABEL.get(ex.get('media', ''), 'file')} that has to be converted, and the "
                            f"platform accepts only {', '.join(sorted(types))}", "export it in an accepted format")
            data = (results / ex["pdf"]).read_bytes()
        if source.note:
            notes[up.name] = source.note
        if limit and len(data) > limit:
            before = len(data)
            data = shrink(data, up.media, limit, allow_lossy)
            if len(data) > limit:
                hint = "shrink it (fewer pages, lower resolution) or allow lossy compression (allow_lossy)" \
                    if not allow_lossy else "split it or keep only the pages that prove the point"
                raise _fail(where, f"is {len(data) / MB:.1f} MB, over the platform's {rules['max_file_mb']} MB "
                            "limit per file", hint)
            notes[up.name] = "; ".join(filter(None, [source.note, f"made smaller to fit the {rules['max_file_mb']} MB "
                                                     f"limit ({before / MB:.1f} → {len(data) / MB:.1f} MB)"]))
        files.append((ex["id"], up.name, data))
    return files, notes


def build_upload(case: dict, exhibits: dict, case_dir: Path, results: Path, out_dir: Path, *,
                 allow_lossy: bool = False, combined_pdf: Path | None = None, notes_out: dict | None = None) -> dict:
    """Write the attachments to ``out_dir`` (atomically); return {exhibit id → file name}.

    ``notes_out`` receives {file name → what changed and why} for every file that is not
    the seller's original as it is."""
    from poaforge.evidence.intake import replace_dir

    rules = case["profile"]["attachments"]
    poa = results / "poa.pdf"
    where = str(case.get("source", case.get("case", "case")))
    plan = planned_uploads(case, exhibits)
    notes: dict[str, str] = {}
    if rules.get("mode") == "combined":
        src = combined_pdf or poa
        data = src.read_bytes() if combined_pdf else _concat([poa] * poa.exists() + [
            results / e["pdf"] for e in sorted(exhibits["exhibits"], key=lambda e: e["number"])])
        limit = int(float(rules["max_file_mb"]) * MB) if rules.get("max_file_mb") else None
        if limit and len(data) > limit:
            data = shrink(data, "pdf", limit, allow_lossy)
            if len(data) > limit:
                big = sorted(exhibits["exhibits"], key=lambda e: -int(e.get("size", 0)))[:3]
                raise _fail(where, f"the combined PDF is {len(data) / MB:.1f} MB, over the platform's "
                            f"{rules['max_file_mb']} MB limit",
                            "shrink the largest exhibits (" + ", ".join(e["id"] for e in big) + ")"
                            + ("" if allow_lossy else " or allow lossy compression (allow_lossy)"))
        files = [("", plan[0].name, data)]
        mapping = {e["id"]: plan[0].name for e in exhibits["exhibits"]}
    else:
        files, notes = _plan(case, exhibits, case_dir, results, allow_lossy, plan)
        letter = next((up.name for up in plan if up.role == "poa"), None)
        if letter and not poa.exists():
            raise BuildError(Problem(str(poa), message=f"the platform wants the POA letter uploaded as {letter}, "
                                     "but it has not been built", hint="build poa.pdf first (snakemake <case>)"))
        if letter:  # the signed (and sealed) scan when the case names one (poaforge.letter.signed)
            if case.get("signed_scan"):
                from poaforge.letter.signed import signed_pdf

                files.insert(0, ("", letter, signed_pdf(case, poa)))
            else:
                files.insert(0, ("", letter, poa.read_bytes()))
        mapping = {ident: name for ident, name, _ in files if ident}
    too_many = check_count(len(files), case["profile"]) if rules.get("mode") != "combined" else None
    if too_many:
        raise _fail(where, *too_many)
    total = sum(len(d) for _, _, d in files)
    if rules.get("max_total_mb") and total > float(rules["max_total_mb"]) * MB:
        big = sorted(files, key=lambda f: -len(f[2]))[:3]
        raise _fail(where, f"the attachments total {total / MB:.1f} MB, over the platform's "
                    f"{rules['max_total_mb']} MB", "shrink the largest: " + ", ".join(n for _, n, _ in big))
    tmp = out_dir.with_name(f".{out_dir.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for _, name, data in files:
            (tmp / name).write_bytes(data)
        replace_dir(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if notes_out is not None:
        notes_out.update(notes)
    return mapping


def _concat(paths: list[Path]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for path in paths:
        writer.append(path, import_outline=False)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _write_list(out_dir: Path, names: dict[str, str], target: Path, notes: dict[str, str]) -> None:
    """upload.json: every file in ``out_dir`` in upload order, with the exhibit it carries."""
    by_name = {name: ident for ident, name in names.items()}
    order = {name: i for i, name in enumerate(names.values())}
    files = []
    for path in sorted(out_dir.iterdir(), key=lambda p: (order.get(p.name, -1), p.name)):
        if path.is_file() and not path.name.startswith("."):
            digest, size, _ = sha256_file(path)
            files.append({"name": path.name, "exhibit": by_name.get(path.name), "bytes": size, "sha256": digest,
                          "note": notes.get(path.name, "")})
    write_json({"folder": out_dir.as_posix(), "files": files}, target)


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps upload CASE_JSON EXHIBITS_JSON OUT_DIR [--bundle PDF] [--allow-lossy] [--list JSON]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="poaforge.submit.upload", description=__doc__.splitlines()[0])
    parser.add_argument("case_json", type=Path)
    parser.add_argument("exhibits_json", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--bundle", type=Path, help="the bundle PDF, uploaded in combined mode")
    parser.add_argument("--allow-lossy", action="store_true", help="consent to lossy recompression")
    parser.add_argument("--list", type=Path, help="also write the list of uploaded files (name, bytes, SHA-256) here")
    args = parser.parse_args(argv)
    case, exhibits = read_json(args.case_json), read_json(args.exhibits_json)
    notes: dict[str, str] = {}
    names = build_upload(case, exhibits, Path(case["case_dir"]), args.exhibits_json.parent, args.out_dir,
                         allow_lossy=args.allow_lossy, combined_pdf=args.bundle, notes_out=notes)
    if args.list:
        _write_list(args.out_dir, names, args.list, notes)
    return 0
