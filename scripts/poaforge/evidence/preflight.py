"""Everything about the evidence files that can be checked without building: at ``poa validate``.

For each exhibit the file's headers are read — never its pixels or page contents — and
checked against the resource caps (:mod:`poaforge.limits`) and the platform profile's
``attachments`` rules: what the file really is and whether poa-forge can read it
(LibreOffice for office documents), opening passwords, truncated or damaged PDFs, dynamic
XFA forms, page counts, pixel sizes (decompression bombs; the platform's minimum),
scan resolution, file sizes against the platform's per-file limit, types a platform
cannot take even as PDF, and the number of attachments. Each problem is located at the
exhibit's ``file:`` line of the case file and names the exhibit's path.

:func:`check_file` is the one home of these rules: evidence intake runs it first on every
file too, so ``poa validate`` and the build say the same thing.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.errors import EvidenceError, Problem
from poaforge.evidence.sniff import FAMILY, LABEL, describe, sniff
from poaforge.limits import Limits, current, raise_hint, size_text

__all__ = ["Finding", "check_file", "check_path", "check_count", "check_total", "preflight", "MB"]

MB = 1_000_000  # platforms' "10 MB": counted in the smaller decimal unit
Finding = tuple[str, str]  # (what is wrong, how to fix it)
#: exhibit kinds that are scanned documents, held to the profile's min_scan_dpi (a photo or screenshot is not)
_SCANNED = frozenset({"invoice", "sop", "training", "contract", "certificate", "report", "correspondence"})
_EXPORT = "export it as PDF (File → Save as / Print → PDF) and point the exhibit at that file"


def _media(data: bytes, name: str, attachment: str | None) -> tuple[str | None, list[Finding]]:
    media = sniff(data, name)
    if media is None:
        ext = Path(name).suffix.lower()
        renamed = f" renamed {ext}" if ext and ext[1:] in ("pdf", "png", "jpg", "jpeg", "gif", "csv", "txt", "eml", "docx",
                                                            "xlsx", "tif", "tiff", "heic", "webp") else ""
        what = describe(data)
        if what in ("a text file", "an e-mail"):  # readable under its right name
            right = ".eml" if what == "an e-mail" else ".txt"
            return None, [(f"is {what}{renamed}",
                           f"give it the {right} extension (poa-forge reads {what[what.index(' ') + 1:]}s) "
                           "and point the exhibit at the renamed file")]
        return None, [(f"is {what}{renamed}, which poa-forge cannot read", _EXPORT)]
    if attachment and media != "eml":
        return None, [(f"is a {LABEL[media]}, not an e-mail, so it has no attachment '{attachment}'",
                       "remove attachment:, or point file: at the .eml the attachment came with")]
    return media, []


def _image(data: bytes | Path, media: str, exhibit: dict[str, Any], rules: dict[str, Any], caps: Limits) -> list[Finding]:
    from PIL import Image

    if media == "heic":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    Image.MAX_IMAGE_PIXELS = None  # counted here, before anything is decoded
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(data if isinstance(data, Path) else io.BytesIO(data)) as im:
                width, height = im.size
                frames = int(getattr(im, "n_frames", 1) or 1) if media == "tiff" else 1
                dpi = im.info.get("dpi")
    except Image.UnidentifiedImageError:
        return [("cannot be read as an image (its image data is not valid)",
                 "the file is damaged or truncated: export or download it again")]
    except Exception as exc:  # Pillow raises many types for a damaged header
        return [(f"cannot be read as an image ({str(exc)[:100]})", "the file is damaged or truncated: export or download it again")]
    out: list[Finding] = []
    if width * height > caps.pixels:
        out.append((f"has more than {caps.pixels:,} pixels (possible decompression bomb)",
                    "scale the image down (e.g. to 4000 px on the long side) and save it again; or "
                    f"{raise_hint('pixels')}"))
    if frames > caps.pages:
        out.append((f"has {frames:,} pages, more than the limit of {caps.pages:,}",
                    f"split it or keep only the pages that prove the point; or {raise_hint('pages')}"))
    need = rules.get("min_image_px")
    if need:
        lo, hi = sorted(int(v) for v in need)
        small, large = sorted((width, height))
        if small < lo or large < hi:
            out.append((f"is {width}×{height} px; the platform needs at least {lo}×{hi} px",
                        "use the original photo or a full-size screenshot, not a thumbnail"))
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    min_dpi = rules.get("min_scan_dpi")
    if min_dpi and value > 1 and exhibit.get("kind") in _SCANNED and value < int(min_dpi):
        out.append((f"is scanned at {value} dpi; the platform needs at least {min_dpi} dpi",
                    f"scan the document again at {min_dpi} dpi or more"))
    return out


def _platform(media: str, size: int, profile: dict[str, Any]) -> list[Finding]:
    rules = profile.get("attachments") or {}
    types = set(rules.get("types") or ())
    name = profile.get("name", "the platform")
    if types and media not in types and "pdf" not in types:
        return [(f"is a {LABEL[media]}, and {name} accepts only {', '.join(sorted(types))}, not PDF",
                 "export it in an accepted format")]
    limit = rules.get("max_file_mb")
    uploaded_as_is = media in types and not rules.get("images_as_pdf") and rules.get("mode") != "combined"
    if limit and uploaded_as_is and size > float(limit) * MB:
        return [(f"is {size / MB:.1f} MB; {name} accepts at most {limit:g} MB per file",
                 "reduce it (fewer pages, lower resolution, or print to PDF with a smaller file size) and save it again")]
    return []


def check_file(data: bytes, name: str, exhibit: dict[str, Any], profile: dict[str, Any] | None = None,
               caps: Limits | None = None) -> tuple[str | None, list[Finding]]:
    """(media, problems) of one evidence file's content ``data`` (called ``name``), from its headers.

    ``profile`` (the merged platform profile) adds the platform's rules; without it only
    what poa-forge itself needs is checked. An e-mail exhibit with ``attachment`` is checked
    for that attachment, which is then checked as a file of its own."""
    caps = caps or current()
    if not data:
        return None, [("is an empty file (0 bytes)", "export the document again and replace the file")]
    if len(data) > caps.exhibit_bytes:
        return None, [_too_big(len(data), caps)]
    attachment = exhibit.get("attachment")
    media, found = _media(data, name, attachment)
    if media is None:
        return None, found
    if attachment:
        from poaforge.evidence.mail import attachment_bytes

        try:
            data = attachment_bytes(data, str(attachment), name)
        except EvidenceError as exc:
            return None, [(p.message, p.hint) for p in exc.problems]
        return check_file(data, str(attachment), {k: v for k, v in exhibit.items() if k != "attachment"}, profile, caps)
    family = FAMILY[media]
    if family == "office" or (family == "sheet" and str(exhibit.get("kind", "")) in _document_kinds()):
        from poaforge.evidence.office import office_missing, soffice

        if soffice() is None:
            problem = office_missing(name, LABEL[media])
            found.append((problem.message, problem.hint))
    elif family == "pdf":
        from poaforge.evidence.pdffile import inspect_pdf

        try:
            inspect_pdf(data, name, max_pages=caps.pages)
        except EvidenceError as exc:
            found += [(p.message, p.hint) for p in exc.problems]
    elif family == "image":
        found += _image(data, media, exhibit, (profile or {}).get("attachments") or {}, caps)
    if profile:
        found += _platform(media, len(data), profile)
    return media, found


def _too_big(size: int, caps: Limits) -> Finding:
    return (f"is {size_text(size)}, more than the limit of {size_text(caps.exhibit_bytes)} per evidence file",
            f"split it or reduce its resolution; or {raise_hint('exhibit_bytes')}")


def check_path(path: Path, exhibit: dict[str, Any], profile: dict[str, Any] | None = None,
               caps: Limits | None = None) -> list[Finding]:
    """:func:`check_file` for a file on disk, reading only what the checks need: a PDF's or an
    image's headers (first and last 64 KiB, the objects qpdf needs, the image header); other
    types are small and read whole."""
    from poaforge.evidence.sniff import media_of

    caps = caps or current()
    size = path.stat().st_size
    if size > caps.exhibit_bytes:
        return [_too_big(size, caps)]
    with path.open("rb") as fh:
        head = fh.read(2048)
    media = media_of(head) if size else None
    if media is None or exhibit.get("attachment") or FAMILY[media] not in ("pdf", "image"):
        return check_file(path.read_bytes(), path.name, exhibit, profile, caps)[1]
    found: list[Finding] = []
    if FAMILY[media] == "pdf":
        from poaforge.evidence.pdffile import inspect_pdf

        try:
            inspect_pdf(path, path.name, max_pages=caps.pages)
        except EvidenceError as exc:
            found += [(p.message, p.hint) for p in exc.problems]
    else:
        found += _image(path, media, exhibit, (profile or {}).get("attachments") or {}, caps)
    return found + (_platform(media, size, profile) if profile else [])


def _document_kinds() -> frozenset[str]:
    from poaforge.evidence.convert import DOCUMENT_KINDS

    return DOCUMENT_KINDS


def check_total(total: int, caps: Limits | None = None) -> Finding | None:
    """The cap on all evidence files of a case together (``POA_MAX_EVIDENCE_BYTES``), for ``total`` bytes."""
    limit = (caps or current()).evidence_bytes
    if total <= limit:
        return None
    return (f"the evidence files add up to {size_text(total)}, more than the limit of {size_text(limit)}",
            f"shrink the largest exhibits; or {raise_hint('evidence_bytes')}")


def check_count(count: int, profile: dict[str, Any]) -> Finding | None:
    """The attachment-count rule: ``count`` files (the POA letter included when the profile uploads it)."""
    rules = profile.get("attachments") or {}
    limit = rules.get("max_count")
    if rules.get("mode") == "combined" or not limit or count <= int(limit):
        return None
    letter = " (the POA letter counts as one)" if rules.get("poa_file") else ""
    return (f"{count} attachments{letter}, but {profile.get('name', 'the platform')} accepts at most {limit}",
            "merge related exhibits into one PDF exhibit, or drop the weakest")


@cache
def _profile(platform: str, marketplace: str) -> dict[str, Any] | None:
    """The merged platform profile, read once per process (``poa validate`` over many cases)."""
    from poaforge.case.profile import load_profile
    from poaforge.errors import PoaError
    from poaforge.paths import PROJECT

    try:
        return load_profile(platform, marketplace, PROJECT)
    except PoaError:
        return None  # reported by the steps that need the profile


def preflight(doc: Any, files: dict[str, Path], case_dir: Path) -> list[Problem]:
    """Problems of a valid case's evidence files, located at each exhibit's ``file:`` line.

    ``doc`` is the loaded case document, ``files`` the real path of each ``<id>:file``."""
    data = doc.data
    profile = _profile(str(data["platform"]), str(data["marketplace"]))
    caps = current()
    problems: list[Problem] = []
    total = 0
    exhibits = data.get("exhibits", [])
    for i, exhibit in enumerate(exhibits):
        real = files.get(f"{exhibit.get('id')}:file")
        if real is None:
            continue
        line, col = doc.locate(("exhibits", i, "file"))
        shown = f"{case_dir.as_posix()}/{exhibit['file']}"
        try:
            total += real.stat().st_size
            found = check_path(real, exhibit, profile, caps)
        except OSError as exc:
            problems.append(Problem(str(doc.path), line, col, f"exhibit {exhibit['id']}: {shown} cannot be read "
                                    f"({exc.strerror})", "check the file's permissions"))
            continue
        problems += [Problem(str(doc.path), line, col, f"exhibit {exhibit['id']}: {shown} {message}", hint)
                     for message, hint in found]
    too_big = check_total(total, caps)
    if too_big:
        line, col = doc.locate_key(("exhibits",))
        problems.append(Problem(str(doc.path), line, col, *too_big))
    if profile:
        poa = 1 if (profile.get("attachments") or {}).get("poa_file") else 0
        count = check_count(len(exhibits) + poa, profile)
        if count:
            line, col = doc.locate_key(("exhibits",))
            problems.append(Problem(str(doc.path), line, col, count[0], count[1]))
    return problems
