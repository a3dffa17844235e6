"""Bundle page geometry and stamps: one strip per page, all drawn in one Typst document.

Exhibit pages get an ADDED strip along the bottom of the page as a reader sees it (the
boxes grow on that side, so the original content is never covered); cover and front
pages (compiled in bundle mode with a free bottom margin) get the strip inside their
bottom margin. Pages keep their ``/Rotate``: on a page shown rotated, the strip is added
on the edge that is shown at the bottom and the stamp is turned with it, so annotations
(sticky notes, highlights, links) stay exactly where they were. Page boxes are
normalised first (ISO 32000-2 §14.11.2: any two opposite corners; the crop box is
clipped to the media box), so a box written ``[612 792 0 0]`` loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf.generic import NameObject, NumberObject

from poaforge.paths import TEMPLATES

__all__ = ["TEMPLATES", "STRIP_PT", "BOXES", "Strip", "render", "normalise_boxes", "prepare_page", "stamp_pages"]

STRIP_PT = 34.0  # 12 mm, scaled with the page width
BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


@dataclass
class Strip:
    """Where one page's stamp goes: its size as read (width × height, pt) and the matrix
    placing the stamp's own space on the page (PDF user space; turned with /Rotate)."""

    width: float
    height: float
    scale: float
    added: bool
    matrix: tuple[float, float, float, float, float, float]


def render(template: str, inputs: dict, out: Path, *, mode: str = "bundle") -> int:
    """Compile ``templates/<template>`` with ``inputs`` as JSON data into ``out``; return pages."""
    from poaforge.typeset import compile_pdf

    return compile_pdf(TEMPLATES / template, inputs, out, mode=mode)


def _rect(value) -> list[float] | None:  # type: ignore[no-untyped-def]
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def normalise_boxes(page) -> list[float]:  # type: ignore[no-untyped-def]
    """Order every box's corners, clip the crop box to the media box; return the visible box."""
    from pypdf.generic import RectangleObject

    media = _rect(page.get("/MediaBox")) or [0.0, 0.0, 612.0, 792.0]
    crop = _rect(page.get("/CropBox")) or media
    crop = [max(crop[0], media[0]), max(crop[1], media[1]), min(crop[2], media[2]), min(crop[3], media[3])]
    if crop[2] <= crop[0] or crop[3] <= crop[1]:
        crop = media  # a crop box outside the media box: readers show the media box
    boxes = {"/MediaBox": media, "/CropBox": crop}
    for key in BOXES[2:]:
        box = _rect(page.get(key)) if key in page else None
        if box is not None:
            boxes[key] = box
    for key, box in boxes.items():
        page[NameObject(key)] = RectangleObject(box)
    return crop


def prepare_page(page, added: bool) -> Strip:  # type: ignore[no-untyped-def]
    """Normalise the page's boxes; when ``added``, grow them by a strip on the side shown at
    the bottom (after /Rotate); return where the stamp goes."""
    from pypdf.generic import RectangleObject

    x0, y0, x1, y1 = normalise_boxes(page)
    rotate = int(page.get("/Rotate", 0) or 0) % 360
    rotate = rotate if rotate in (0, 90, 180, 270) else 0
    if rotate != int(page.get("/Rotate", 0) or 0):
        page[NameObject("/Rotate")] = NumberObject(rotate)
    width = (x1 - x0) if rotate in (0, 180) else (y1 - y0)
    scale = min(4.0, max(0.6, width / 595.0))
    h = STRIP_PT * scale
    grow = h if added else 0.0
    # the side shown at the bottom, the box edge it moves, and the stamp's matrix (a b c d e f)
    if rotate == 0:
        side, edge = 1, y0 - grow
        matrix = (1.0, 0.0, 0.0, 1.0, x0, edge)
    elif rotate == 90:
        side, edge = 2, x1 + grow
        matrix = (0.0, 1.0, -1.0, 0.0, edge, y0)
    elif rotate == 180:
        side, edge = 3, y1 + grow
        matrix = (-1.0, 0.0, 0.0, -1.0, x1, edge)
    else:
        side, edge = 0, x0 - grow
        matrix = (0.0, -1.0, 1.0, 0.0, edge, y1)
    if added:
        for key in BOXES:
            if key in page:
                box = list(RectangleObject(page[key]))
                box = [float(v) for v in box]
                box[side] = min(box[side], edge) if side in (0, 1) else max(box[side], edge)
                page[NameObject(key)] = RectangleObject(box)
    return Strip(width, h, scale, added, tuple(round(v, 4) for v in matrix))  # type: ignore[arg-type]


def _stream(writer, data: bytes):  # type: ignore[no-untyped-def]
    from pypdf.generic import DecodedStreamObject

    obj = DecodedStreamObject()
    obj.set_data(data)
    return writer._add_object(obj.flate_encode())


def _form(writer, stamp, matrix: tuple[float, ...]):  # type: ignore[no-untyped-def]
    """The stamp page as a Form XObject placed on the target page by ``matrix``."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, RectangleObject

    raw = stamp["/Contents"]
    parts = list(raw) if isinstance(raw, ArrayObject) else [raw]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(part.get_object().get_data() for part in parts))
    form = form.flate_encode()
    form.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): RectangleObject(stamp.mediabox),
        NameObject("/Matrix"): ArrayObject(FloatObject(v) for v in matrix),
        NameObject("/Resources"): stamp["/Resources"].clone(writer),
    })
    return writer._add_object(form)


def stamp_pages(writer, pages: list, strips: list[Strip], texts: list[tuple[str, str]], work: Path) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Draw ``texts[i]`` = (left, right) into ``strips[i]`` of ``pages[i]`` via one Typst document.

    Each stamp becomes a Form XObject drawn after the page's own content, which is wrapped
    in q … Q and otherwise left untouched (no content stream is parsed or re-encoded).
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

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
        xobjects[NameObject(name)] = _form(writer, stamp, strip.matrix)
        res[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = res
        raw = dict.get(page, "/Contents")
        raw = raw.get_object() if raw is not None and isinstance(raw.get_object(), ArrayObject) else raw
        old = list(raw) if isinstance(raw, ArrayObject) else ([raw] if raw is not None else [])
        page[NameObject("/Contents")] = ArrayObject([pre, *old, tail])
