"""Tricky PDF pages as real-world files have them, built with pikepdf, and a poppler render comparison.

Each builder returns PDF bytes whose page has something a careless merge gets wrong:
corners of a box swapped, crop/trim/bleed boxes inside an offset media box, /Rotate with
annotations, form fields without appearance streams, JavaScript, an embedded file.
:func:`compare_render` renders a page of the original and of the bundle with
``pdftoppm`` and compares the pixels the original shows.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

__all__ = ["base_page", "swapped_box", "boxes_inside", "rotated_with_notes", "form_pdf", "active_pdf",
           "with_embedded_file", "render", "compare_render"]


def base_page(text: str = "Supplier invoice INV-2026-118", width: int = 612, height: int = 792) -> bytes:
    """A one-page PDF with text at its top and bottom edges and a coloured corner mark (Typst)."""
    import typst

    src = (f'#set document(date: none)\n#set page(width: {width}pt, height: {height}pt, margin: 10pt)\n'
           f'#place(top + left, rect(width: 60pt, height: 30pt, fill: rgb("#d02020")))\n'
           f'#place(top + right, text(size: 18pt)[TOP {text}])\n'
           f'#place(bottom + right, rect(width: 40pt, height: 40pt, fill: rgb("#2040d0")))\n'
           f'#place(bottom + left, text(size: 14pt)[BOTTOM LINE])\n#align(center + horizon, text(size: 24pt)[{text}])')
    return bytes(typst.compile(src.encode(), timestamp=0))


def _edit(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf, pdf.pages[0])
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True)
        return buf.getvalue()


def swapped_box() -> bytes:
    """``/MediaBox [612 792 0 0]``: the corners given top-right first, as some exporters write them."""
    import pikepdf

    return _edit(base_page(), lambda pdf, page: page.obj.__setitem__("/MediaBox", pikepdf.Array([612, 792, 0, 0])))


def boxes_inside() -> bytes:
    """Media box offset from the origin, crop box inside it (swapped corners), trim and bleed boxes."""
    import pikepdf

    def change(pdf, page) -> None:  # type: ignore[no-untyped-def]
        page.obj.MediaBox = pikepdf.Array([0, 0, 612, 792])
        page.obj.CropBox = pikepdf.Array([590, 770, 30, 40])
        page.obj.BleedBox = pikepdf.Array([25, 35, 595, 775])
        page.obj.TrimBox = pikepdf.Array([40, 50, 580, 760])
    return _edit(base_page(), change)


def _appearance(pdf, w: float, h: float, colour: str):  # type: ignore[no-untyped-def]
    import pikepdf

    return pdf.make_stream(f"{colour} rg 0 0 {w} {h} re f".encode(), Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Form, BBox=[0, 0, w, h])


def rotated_with_notes(rotate: int) -> bytes:
    """A page shown with ``/Rotate`` and three annotations with appearances: a sticky note near a
    corner, a highlight over the text, and a link."""
    from pikepdf import Array, Dictionary, Name, String

    def change(pdf, page) -> None:  # type: ignore[no-untyped-def]
        page.obj.Rotate = rotate
        note = Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=[500, 700, 524, 724], Contents=String("Checked by QC"),
                          F=4, AP=Dictionary(N=_appearance(pdf, 24, 24, "1 0.8 0")))
        mark = Dictionary(Type=Name.Annot, Subtype=Name.Highlight, Rect=[150, 380, 460, 420], F=4,
                          QuadPoints=[150, 420, 460, 420, 150, 380, 460, 380], C=[0, 1, 0],
                          AP=Dictionary(N=_appearance(pdf, 310, 40, "0.4 1 0.4")))
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[40, 60, 200, 90], Border=[0, 0, 0],
                          A=Dictionary(S=Name.URI, URI=String("https://example.com/tracking/1Z999")))
        page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(a) for a in (note, mark, link)]))
    return _edit(base_page(), change)


def form_pdf() -> bytes:
    """A filled-in form: a text field with no appearance stream (NeedAppearances) and a ticked checkbox."""
    from pikepdf import Array, Dictionary, Name, String

    def change(pdf, page) -> None:  # type: ignore[no-untyped-def]
        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
        text = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("supplier"),
                                            V=String("ACME Trading Ltd"), DA=String("/Helv 16 Tf 0 g"),
                                            Rect=[72, 600, 400, 630], F=4, P=page.obj))
        tick = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, T=String("received"), V=Name.Yes, AS=Name.Yes,
            Rect=[72, 540, 96, 564], F=4, P=page.obj,
            AP=Dictionary(N=Dictionary(Yes=_appearance(pdf, 24, 24, "0 0 0.6"), Off=_appearance(pdf, 24, 24, "1 1 1")))))
        page.obj.Annots = pdf.make_indirect(Array([text, tick]))
        pdf.Root.AcroForm = Dictionary(Fields=Array([text, tick]), NeedAppearances=True, DA=String("/Helv 0 Tf 0 g"),
                                       DR=Dictionary(Font=Dictionary(Helv=font)))
    return _edit(base_page("Goods received note"), change)


def active_pdf() -> bytes:
    """JavaScript when the document opens, on the page, and behind a link."""
    from pikepdf import Array, Dictionary, Name, String

    def change(pdf, page) -> None:  # type: ignore[no-untyped-def]
        js = Dictionary(S=Name.JavaScript, JS=String("app.alert('hello');"))
        pdf.Root.OpenAction = pdf.make_indirect(js)
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(js)])))
        page.obj.AA = Dictionary(O=pdf.make_indirect(js))
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[40, 60, 200, 90], Border=[0, 0, 0],
                          A=Dictionary(S=Name.JavaScript, JS=String("this.print();")))
        page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
    return _edit(base_page("Tracking report"), change)


def with_embedded_file(name: str = "factur-x.xml", data: bytes = b"<Invoice>INV-2026-118</Invoice>") -> bytes:
    """An e-invoice PDF carrying its XML as an embedded file."""
    import pikepdf

    def change(pdf, page) -> None:  # type: ignore[no-untyped-def]
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name, mime_type="text/xml")
    return _edit(base_page("E-invoice"), change)


def render(pdf: Path, page: int, dpi: int = 40):  # type: ignore[no-untyped-def]
    """Page ``page`` (1-based) of ``pdf`` rendered by poppler, as a Pillow RGB image."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-cropbox", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                        f"{tmp}/p"], check=True, capture_output=True)
        return Image.open(f"{tmp}/p.png").convert("RGB").copy()


def compare_render(original: Path, bundle: Path, bundle_page: int, dpi: int = 40) -> tuple[float, tuple[int, int], tuple[int, int]]:
    """Mean absolute pixel difference between the original's first page and the part of the
    bundle page that shows it (everything above the added strip), and both sizes in pixels."""
    from PIL import ImageChops, ImageStat

    a = render(original, 1, dpi)
    b = render(bundle, bundle_page, dpi)
    top = b.crop((0, 0, a.width, a.height))
    diff = ImageChops.difference(a, top)
    return sum(ImageStat.Stat(diff).mean) / 3, a.size, b.size
