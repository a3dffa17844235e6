"""Builders of test PDFs, images and minimal cases for the evidence, upload and bundle tests."""

from __future__ import annotations

import io
from pathlib import Path

__all__ = ["typst_pdf", "front_source", "encrypted_pdf", "marked_image", "image_bytes", "make_case", "bundle_model", "PROFILE"]

PROFILE = {
    "name": "Amazon", "paper": "a4",
    "attachments": {"mode": "separate", "types": ["pdf", "png", "jpeg", "gif"], "images_as_pdf": False,
                    "max_file_mb": 10, "max_total_mb": None, "max_count": None,
                    "naming": "Attachment_{number}_{title}.{ext}", "min_image_px": None,
                    "min_scan_dpi": None},
}


def typst_pdf(body: str, *, pages: int = 1, size: str = "a4") -> bytes:
    """A PDF compiled by Typst from ``body`` repeated on ``pages`` pages."""
    import typst

    src = f'#set document(date: none)\n#set page(paper: "{size}")\n' + "\n#pagebreak()\n".join(
        body.replace("{n}", str(i + 1)) for i in range(pages))
    return typst.compile(src.encode(), timestamp=0)


def front_source(title: str, headings: list[str], numbers: list[int]) -> str:
    """Typst source of a bundle-mode front part: headings and ``bundle:exhibit-<n>`` links."""
    parts = ["#set document(date: none)", "#set page(paper: \"a4\", margin: (bottom: 20mm, rest: 20mm))",
             f"#align(center, text(size: 16pt)[{title}])"]
    for h in headings:
        parts.append(f"= {h}")
        parts.append("Text of the section. " * 30)
        parts.extend(f"- see #link(\"bundle:exhibit-{n}\")[Exhibit {n}]" for n in numbers)
    return "\n\n".join(parts)


def encrypted_pdf(user: str, owner: str, algorithm: str = "AES-128") -> bytes:
    """A one-page PDF encrypted with the given passwords."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(typst_pdf("secret"))))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def marked_image(orientation: int, fmt: str = "JPEG") -> bytes:
    """A portrait 200×300 image, red band at its top when viewed upright, stored so that
    applying EXIF ``orientation`` makes it upright."""
    from PIL import Image, ImageOps

    upright = Image.new("RGB", (200, 300), "white")
    upright.paste((255, 0, 0), (0, 0, 200, 60))
    upright.paste((0, 0, 255), (0, 0, 40, 300))  # blue band on the left: detects mirroring
    inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(inverse[orientation]) if orientation in inverse else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, fmt, exif=exif, quality=95)
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue()))).size == (200, 300)
    return buf.getvalue()


def image_bytes(mode: str = "RGB", size: tuple[int, int] = (120, 80), fmt: str = "PNG", **save: object) -> bytes:
    """A plain image in ``mode`` saved as ``fmt``."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt, **save)
    return buf.getvalue()


def make_case(tmp: Path, files: dict[str, bytes], *, titles: dict[str, str] | None = None,
              profile: dict | None = None, kinds: dict[str, str] | None = None) -> tuple[dict, Path, Path]:
    """Write ``files`` into ``tmp/cases/c/evidence``; return (case, case_dir, results)."""
    case_dir = tmp / "cases" / "c"
    (case_dir / "evidence").mkdir(parents=True)
    exhibits = []
    for i, (name, data) in enumerate(files.items()):
        (case_dir / "evidence" / name).write_bytes(data)
        ex = {"id": f"E{i + 1}", "number": i + 1, "file": f"evidence/{name}",
              "title": (titles or {}).get(name, f"Document {i + 1}")}
        if kinds and name in kinds:
            ex["kind"] = kinds[name]
        exhibits.append(ex)
    case = {"case": "c", "platform": "amazon", "marketplace": "US", "language": "en",
            "as_of": "2026-11-20", "case_dir": "cases/c", "source": "cases/c.yaml",
            "seller": {"legal_name": "Shenzhen Example Co., Ltd.", "store_name": "Example Store",
                       "seller_id": "A1B2C3"},
            "notice": {"reference": "NOTICE-42", "received": "2026-11-01", "deadline": "2026-11-27"},
            "exhibits": exhibits, "profile": profile or PROFILE}
    results = tmp / "results" / "c"
    results.mkdir(parents=True)
    return case, case_dir, results


def bundle_model(case: dict, language: str = "en") -> dict:
    """The parts of the letter model (letter.json) the bundle reads, for a case made by make_case."""
    from poaforge.case.profile import load_labels
    from poaforge.letter.words import KEEP, Words

    labels = load_labels(language, {"languages": [language]}, Path(__file__).resolve().parents[1])
    w = Words(labels)
    exhibits = [{"id": e["id"], "number": e["number"], "name": w.exhibit(e["number"]), "title": e["title"],
                 "heading": f"{w.exhibit(e['number'])} — {e['title']}"} for e in case["exhibits"]]
    notice = case["notice"]
    return {"labels": labels, "exhibits": exhibits, "author": case["seller"]["legal_name"], "store": case["seller"]["store_name"],
            "notice": {"reference": notice["reference"], "received": w.date(notice["received"]),
                       "deadline": w.moment(notice["deadline"])},
            "meta": [{"label": labels["date"], "lines": [w.date(case["as_of"])]}], "paper": case["profile"]["paper"],
            "lang_tag": language, "script": "cjk" if language == "zh" else "latin", "keep": KEEP, "title": labels["title"],
            "signed": None}
