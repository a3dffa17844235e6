"""Bundle page geometry and stamps: one strip per page, all typeset in one Typst document.

Exhibit pages get an ADDED strip along the bottom of the page as a reader sees it (the
boxes grow on that side, so the original content is never covered); cover and front
pages (compiled in bundle mode with a free bottom margin) get the strip inside their
bottom margin. Pages keep their ``/Rotate``: on a page shown rotated, the strip is added
on the edge that is shown at the bottom and the stamp is turned with it, so annotations
(sticky notes, highlights, links) stay exactly where they were. Page boxes are
normalised first (ISO 32000-2 §14.11.2: any two opposite corners; the crop box is
clipped to the media box), so a box written ``[612 792 0 0]`` loses nothing.

All of it is worked out from the page as read (:func:`place_page`, nothing changed), so the
stamps are typeset before any page is copied; the bundle's copy of the page then gets its
boxes (:meth:`Placement.apply`) and the stamp (:func:`stamp_pages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poaforge.paths import TEMPLATES

__all__ = ["TEMPLATES", "STRIP_PT", "BOXES", "Strip", "Placement", "render", "place_page", "typeset_stamps", "stamp_pages"]

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


def _rect(value: Any) -> list[float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _normal_boxes(page: Any) -> dict[str, list[float]]:
    """The boxes of ``page`` (a ``pikepdf.Dictionary``) with their corners ordered and the crop
    box clipped to the media box, read only: key → [x0, y0, x1, y1] in pt, media and crop first."""
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
    return boxes


@dataclass
class Placement:
    """What the bundle does to one page, worked out from the page as read: where its stamp goes
    (``strip``), its boxes normalised and, for an added strip, grown (key → [x0, y0, x1, y1] pt),
    and the /Rotate to write (None: keep the page's)."""

    strip: Strip
    boxes: dict[str, list[float]]
    rotate: int | None

    def apply(self, page: Any) -> None:
        """Give ``page`` (the bundle's copy of the page this was worked out from) its boxes and /Rotate."""
        import pikepdf

        if self.rotate is not None:
            page["/Rotate"] = self.rotate
        for key, box in self.boxes.items():
            page[key] = pikepdf.Array(box)


def place_page(page: Any, added: bool) -> Placement:
    """Where the stamp of ``page`` (a ``pikepdf.Dictionary``, only read) goes: its boxes
    normalised and, when ``added``, grown by a strip on the side shown at the bottom (after
    /Rotate). Worked out before the page is copied, so the stamps can be typeset first."""
    boxes = _normal_boxes(page)
    x0, y0, x1, y1 = boxes["/CropBox"]
    try:
        given = int(page.get("/Rotate", 0) or 0)
    except (TypeError, ValueError):
        given = 0
    rotate = given % 360 if given % 90 == 0 else 0
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
        for box in boxes.values():
            box[side] = min(box[side], edge) if side in (0, 1) else max(box[side], edge)
    strip = Strip(width, h, scale, added, tuple(round(v, 4) for v in matrix))  # type: ignore[arg-type]
    return Placement(strip, boxes, rotate if rotate != given else None)


def _reserve(text: str) -> float:
    """Room (em) for ``text`` set in the stamp's font, and a gap: full-width (CJK) characters
    take 1 em, others at most 0.65 em (DejaVu Sans' widest digits and capitals)."""
    return round(1.0 + sum(1.0 if ord(c) >= 0x2E80 else 0.65 for c in text), 2)


def typeset_stamps(strips: list[Strip], texts: list[tuple[str, str]], out: Path) -> int:
    """Typeset ``texts[i]`` = (left, right) for ``strips[i]`` into ``out``: one Typst page per
    bundle page (templates/stamp.typ), each the size of its strip; return the page count.
    :func:`stamp_pages` lays them on."""
    specs = [{"w": round(s.width, 3), "h": round(s.height, 3), "size": round(7.5 * s.scale, 3),
              "pad": round(12 * s.scale, 3), "fill": s.added, "rule": s.added,
              "left": left, "right": right, "reserve": _reserve(right)} for s, (left, right) in zip(strips, texts)]
    return render("stamp.typ", {"pages": specs}, out)


def stamp_pages(pdf: Any, pages: list[Any], strips: list[Strip], stamps_pdf: Path) -> None:
    """Lay page i of ``stamps_pdf`` (made by :func:`typeset_stamps`) into ``strips[i]`` of
    ``pages[i]`` (page dictionaries of ``pdf``, a ``pikepdf.Pdf``).

    Each stamp page becomes a Form XObject (its content stream copied as Typst compressed it,
    its font shared by all) drawn after the page's own content, which is wrapped in q … Q and
    otherwise left untouched: no content stream of the page is read, parsed or re-encoded.
    BuildError when the template made another number of stamps than there are pages (a
    stamp longer than one page).
    """
    import pikepdf

    with pikepdf.open(stamps_pdf) as stamps:
        if len(stamps.pages) != len(pages):
            from poaforge.errors import BuildError

            raise BuildError(f"templates/stamp.typ: made {len(stamps.pages)} stamp pages for "
                             f"{len(pages)} bundle pages — keep each stamp on one page")
        # one copy for all: the font and other resources the stamps share are copied once
        forms = pdf.copy_foreign(stamps.make_indirect(pikepdf.Array([stamps.make_indirect(p.as_form_xobject(False))
                                                                      for p in stamps.pages])))
    pre, post = pdf.make_stream(b"q\n"), pdf.make_stream(b"\nQ q /PoaStamp Do Q\n")
    for page, strip, form in zip(pages, strips, forms):
        form["/Matrix"] = pikepdf.Array(strip.matrix)
        res = page.get("/Resources")
        res = pikepdf.Dictionary(res) if isinstance(res, pikepdf.Dictionary) else pikepdf.Dictionary()
        xobjects = res.get("/XObject")
        xobjects = pikepdf.Dictionary(xobjects) if isinstance(xobjects, pikepdf.Dictionary) else pikepdf.Dictionary()
        name, tail = "/PoaStamp", post
        if name in xobjects:
            name = f"/PoaStamp{len(xobjects)}"
            tail = pdf.make_stream(f"\nQ q {name} Do Q\n".encode())
        xobjects[name] = form
        res["/XObject"] = xobjects
        page["/Resources"] = res
        raw = page.get("/Contents")
        old = list(raw) if isinstance(raw, pikepdf.Array) else ([raw] if raw is not None else [])
        page["/Contents"] = pikepdf.Array([pre, *old, tail])
