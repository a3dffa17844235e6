"""What the seller uploads, decided once: every file's name, role and format.

:func:`planned_uploads` reads no file: from case.json (the platform profile's
``attachments`` rules) and exhibits.json (sniffed media, EXIF orientation) it lists the
files in upload order. ``poaforge.submit.upload`` writes them; the evidence index, the bundle
and the checklist show the same names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from poaforge.evidence.sniff import EXTENSIONS

__all__ = ["Upload", "safe_title", "attachment_name", "poa_name", "combined_name", "planned_uploads", "upload_names"]

NAME_MAX = 60


def safe_title(title: str, fallback: str) -> str:
    """File-name part of a title: accents on Latin letters dropped ("Café" → "Cafe"), letters
    and digits of every script kept ("商标注册证"), anything else (spaces, punctuation, path
    separators, emoji) → ``_``; ``fallback`` when nothing is left."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    plain = unicodedata.normalize("NFC", plain)
    plain = "".join(c if c.isalnum() or c in "_-" else "_" for c in plain)
    plain = re.sub(r"_+", "_", plain).strip("_-")
    return plain or fallback


def attachment_name(pattern: str, *, number: int | str = "", title: str = "", ident: str = "", ext: str = "pdf",
                    store: str = "", case: str = "", reference: str = "", exhibit: str = "Exhibit") -> str:
    """Fill a profile name pattern ({exhibit} {number} {title} {ext} {store} {case} {reference}).

    ``exhibit`` is the letter's word for an exhibit (label ``exhibit``: "Exhibit", "附件"), so a
    file is named as the letter cites it. Values are made file-name safe (:func:`safe_title`);
    the title falls back to the exhibit id (``E<number>`` when none is given) and is cut so the
    name stays ≤ 60 characters.
    """
    ident = ident or f"E{number}"
    values = {"number": number, "ext": ext, "id": ident, "case": safe_title(case, "case"), "exhibit": safe_title(exhibit, "Exhibit"),
              "store": safe_title(store, safe_title(case, "store"))[:40],
              "reference": safe_title(reference, "notice")[:40]}
    clean = safe_title(title, ident)
    room = max(8, NAME_MAX - len(pattern.format(title="", **values)))
    if len(clean) > room:  # cut at the last word that fits: "…_after_the", not "…_after_the_cha"
        cut = clean[:room]
        word_end = max(cut.rfind("_"), cut.rfind("-")) if clean[room] not in "_-" else room
        clean = (cut[:word_end] if word_end > room // 2 else cut).rstrip("_-")
    return pattern.format(title=clean, **values)


def _common(case: dict) -> dict:
    return {"store": case.get("seller", {}).get("store_name", ""), "case": case.get("case", ""),
            "reference": case.get("notice", {}).get("reference", ""),
            "exhibit": (case.get("labels") or {}).get("exhibit", "Exhibit")}


def poa_name(case: dict) -> str | None:
    """Upload name of the POA letter: profile ``attachments.poa_file`` filled in; None when
    the profile sends the POA through the form boxes only (``poa_file: null``)."""
    pattern = case.get("profile", {}).get("attachments", {}).get("poa_file")
    return attachment_name(pattern, **_common(case)) if pattern else None


def combined_name(case: dict) -> str:
    """Upload name of the one PDF in ``combined`` mode (profile ``naming``)."""
    pattern = case["profile"]["attachments"].get("naming") or "Appeal_{reference}.pdf"
    return attachment_name(pattern, **_common(case))


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "yes", "1")


@dataclass(frozen=True)
class Upload:
    """One file the seller uploads: its name, what it holds and its format."""

    name: str
    role: str  # "poa" (the letter), "combined" (the one PDF), "exhibit"
    exhibit: dict | None = None  # the case's exhibit (role "exhibit")
    media: str = "pdf"  # format of the uploaded file: pdf, png, jpeg, gif
    source_media: str = "pdf"  # format of the exhibit's original


def planned_uploads(case: dict, exhibits: dict | None = None) -> list[Upload]:
    """The files to upload, in upload order, with their final names; reads no file.

    ``case`` is case.json, ``exhibits`` exhibits.json (its ``media`` and EXIF
    ``orientation`` decide the format; without it the case's sniffed media counts).
    Separate mode: the POA letter first when the profile names it, then one file per
    exhibit in number order, converted to PDF when the type is not accepted,
    ``images_as_pdf`` is set or the image carries an EXIF rotation. Combined mode: one PDF.
    """
    rules = case.get("profile", {}).get("attachments", {}) or {}
    if rules.get("mode") == "combined":
        return [Upload(combined_name(case), "combined")]
    letter = poa_name(case)
    out = [Upload(letter, "poa")] if letter else []
    prepared = {e["id"]: e for e in (exhibits or {}).get("exhibits", [])}
    types = set(rules.get("types") or EXTENSIONS)
    pattern = rules.get("naming") or "{exhibit}_{number}_{title}.{ext}"
    ordered = sorted(case.get("exhibits", []), key=lambda e: int(e["number"]))
    # zero-padded from ten exhibits on (Exhibit_01 …), so a file picker lists them in order
    width = len(str(max((int(e["number"]) for e in ordered), default=0)))
    for ex in ordered:
        prep = prepared.get(ex["id"], {})
        source = prep.get("media") or ex.get("media") or "pdf"
        source = source if source in EXTENSIONS else "pdf"
        as_pdf = source == "pdf" or source not in types or _flag(rules.get("images_as_pdf")) or \
            (prep.get("orientation") or 1) != 1
        media = "pdf" if as_pdf else source
        name = attachment_name(pattern, number=str(int(ex["number"])).zfill(width), title=ex.get("title", ""), ident=ex["id"],
                               ext=EXTENSIONS[media], **_common(case))
        out.append(Upload(name, "exhibit", ex, media, source))
    return out


def upload_names(case: dict, exhibits: dict | None = None) -> dict[str, str]:
    """Exhibit id → name of the uploaded file holding it (the one PDF in combined mode)."""
    plan = planned_uploads(case, exhibits)
    if plan and plan[0].role == "combined":
        return {e["id"]: plan[0].name for e in case.get("exhibits", [])}
    return {u.exhibit["id"]: u.name for u in plan if u.exhibit is not None}
