"""Bundle page geometry and stamps: one strip per page, all drawn in one Typst document.

Exhibit pages get an ADDED strip below their visible box (the media box grows downward,
so the original content is never covered); cover and front pages (compiled in bundle
mode with a free bottom margin) get the strip inside their bottom margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from poaforge.paths import TEMPLATES

__all__ = ["TEMPLATES", "STRIP_PT", "Strip", "render", "prepare_page", "stamp_pages"]

STRIP_PT = 34.0  # 12 mm, scaled with the page width


@dataclass
class Strip:
    """Where one page's stamp goes (PDF user space, after rotation was flattened)."""

    left: float
    bottom: float
    width: float
    height: float
    scale: float
    added: bool


def render(template: str, inputs: dict, out: Path, *, mode: str = "bundle") -> int:
    """Compile ``templates/<template>`` with ``inputs`` as JSON data into ``out``; return pages."""
    from poaforge.typeset import compile_pdf

    return compile_pdf(TEMPLATES / template, inputs, out, mode=mode)


def prepare_page(page, added: bool) -> Strip:  # type: ignore[no-untyped-def]
    """Flatten the page's rotation, grow its boxes by a strip when ``added``; return the strip."""
    from pypdf.generic import NameObject, RectangleObject

    if page.rotation % 360:
        page.transfer_rotation_to_content()
        page.compress_content_streams()  # the rotation left an uncompressed content stream
    vis = page.cropbox
    left, bottom, width = float(vis.left), float(vis.bottom), float(vis.width)
    scale = min(4.0, max(0.6, width / 595.0))
    height = STRIP_PT * scale
    if added:
        bottom -= height
        for key in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
            if key in page:
                box = RectangleObject(page[key])
                page[NameObject(key)] = RectangleObject(
                    (float(box.left), min(float(box.bottom), bottom), float(box.right), float(box.top)))
    return Strip(left, bottom, width, height, scale, added)


def _stream(writer, data: bytes):  # type: ignore[no-untyped-def]
    from pypdf.generic import DecodedStreamObject

    obj = DecodedStreamObject()
    obj.set_data(data)
    return writer._add_object(obj.flate_encode())


def _form(writer, stamp, tx: float, ty: float):  # type: ignore[no-untyped-def]
    """The stamp page as a Form XObject placed at (tx, ty) of the target page."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject, RectangleObject

    raw = stamp["/Contents"]
    parts = list(raw) if isinstance(raw, ArrayObject) else [raw]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(part.get_object().get_data() for part in parts))
    form = form.flate_encode()
    form.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): RectangleObject(stamp.mediabox),
        NameObject("/Matrix"): ArrayObject(FloatObject(v) for v in (1, 0, 0, 1, round(tx, 4), round(ty, 4))),
        NameObject("/Resources"): stamp["/Resources"].clone(writer),
    })
    return writer._add_object(form)


def stamp_pages(writer, pages: list, strips: list[Strip], texts: list[tuple[str, str]], work: Path) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Draw ``texts[i]`` = (left, right) into ``strips[i]`` of ``pages[i]`` via one Typst document.

    Each stamp becomes a Form XObject drawn after the page's own content, which is wrapped
    in q … Q and otherwise left untouched (no content stream is parsed or re-encoded).
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    specs = [{"w": round(s.width, 3), "h": round(s.height, 3), "size": round(7.5 * s.scale, 3),
              "pad": round(12 * s.scale, 3), "fill": s.added, "rule": s.added,
              "left": left, "right": right} for s, (left, right) in zip(strips, texts)]
    out = work / "stamps.pdf"
    render("stamp.typ", {"pages": specs}, out)
    stamps = PdfReader(out)
    if len(stamps.pages) != len(pages):
        from poaforge.errors import BuildError

        raise BuildError(f"templates/stamp.typ: made {len(stamps.pages)} stamp pages for "
                         f"{len(pages)} bundle pages — keep each stamp on one page")
    pre, post = _stream(writer, b"q\n"), _stream(writer, b"\nQ q /PoaStamp Do Q\n")
    for page, strip, stamp in zip(pages, strips, stamps.pages):
        res = page.get("/Resources")
        res = DictionaryObject(res.get_object()) if res is not None else DictionaryObject()
        xobjects = res.get("/XObject")
        xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
        name, tail = "/PoaStamp", post
        if name in xobjects:
            name = f"/PoaStamp{len(xobjects)}"
            tail = _stream(writer, f"\nQ q {name} Do Q\n".encode())
        xobjects[NameObject(name)] = _form(writer, stamp, strip.left, strip.bottom)
        res[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = res
        raw = dict.get(page, "/Contents")
        raw = raw.get_object() if raw is not None and isinstance(raw.get_object(), ArrayObject) else raw
        old = list(raw) if isinstance(raw, ArrayObject) else ([raw] if raw is not None else [])
        page[NameObject("/Contents")] = ArrayObject([pre, *old, tail])
