"""Turn one exhibit image (PNG, JPEG, GIF) into a one-page PDF on the profile's paper.

Lossless: the original bytes go to img2pdf (JPEG stays JPEG, PNG is copied) unless Pillow
must change the pixels first — a mirrored EXIF orientation, or an animated GIF (first
frame). Each change is recorded as a note.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field

from poaforge.errors import EvidenceError, Problem

__all__ = ["PAPER_PT", "ImagePdf", "image_to_pdf"]

PAPER_PT = {"a4": (595.276, 841.89), "us-letter": (612.0, 792.0)}
BORDER_PT = 28.35  # 10 mm
_MIRRORED = {2, 4, 5, 7}


@dataclass
class ImagePdf:
    """The converted page plus what a reader of exhibits.json needs to know."""

    pdf: bytes
    width: int
    height: int
    dpi: int | None
    orientation: int
    notes: list[str] = field(default_factory=list)


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def _complete(data: bytes, fmt: str | None) -> bool:
    """A JPEG that ends with its end-of-image marker, or a PNG with its IEND chunk, is passed
    to img2pdf without decoding its pixels (img2pdf embeds JPEG data as it is); other files
    are decoded once to prove they are whole."""
    tail = data.rstrip(b"\x00")[-16:]
    return (fmt == "JPEG" and tail.endswith(b"\xff\xd9")) or (fmt == "PNG" and b"IEND" in tail)


def _open(data: bytes, where: str, max_pixels: int):  # type: ignore[no-untyped-def]
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
            if not _complete(data, im.format):
                im.load()  # decodes every pixel: raises for a damaged or truncated file
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _fail(where, f"has more than {max_pixels:,} pixels (possible decompression bomb)",
                        "scale the image down (e.g. to 4000 px on the long side) and save it again; "
                        "or set POA_MAX_PIXELS to raise the cap") from None
        except Image.UnidentifiedImageError:
            raise _fail(where, "cannot be read as an image (its image data is not valid)",
                        "the file is damaged or truncated: export or download it again") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _fail(where, f"cannot be read as an image ({exc})",
                        "the file is damaged or truncated: export or download it again") from None
    return im


def _dpi(im) -> int | None:  # type: ignore[no-untyped-def]
    dpi = im.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if value > 1 else None


def _repaint(im, orientation: int, notes: list[str]) -> bytes:  # type: ignore[no-untyped-def]
    """Return PNG bytes of the (first frame of the) image, upright; lossless for its pixels."""
    from PIL import ImageOps

    if getattr(im, "n_frames", 1) > 1:
        kind = "GIF" if im.format == "GIF" else f"image ({im.format})"
        notes.append(f"animated {kind} with {im.n_frames} frames: only the first frame is shown")
        im.seek(0)
        im = im.copy()
    if orientation in _MIRRORED:
        im = ImageOps.exif_transpose(im)
        notes.append(f"mirrored EXIF orientation {orientation} applied; pixels re-saved losslessly as PNG")
    if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        notes.append(f"colour mode {im.mode} converted to RGB")
        im = im.convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def image_to_pdf(data: bytes, where: str, *, paper: str, max_pixels: int) -> ImagePdf:
    """Convert one image to a PDF page on ``paper`` ("a4" | "us-letter"), fitted with a border.

    With DPI information the image keeps its printed size unless it is larger than the
    page (then it shrinks to fit); without it fills the printable area.
    """
    import img2pdf

    logging.getLogger("img2pdf").setLevel(logging.ERROR)
    im = _open(data, where, max_pixels)
    width, height = im.size
    orientation = int(im.getexif().get(0x0112, 1) or 1)
    dpi = _dpi(im)
    notes: list[str] = []
    source, exif_orientation = data, orientation
    if orientation in _MIRRORED or getattr(im, "n_frames", 1) > 1:
        source = _repaint(im, orientation, notes)
        orientation = 1
    if orientation in (3, 6, 8):
        notes.append(f"EXIF orientation {orientation} applied as page rotation (pixels unchanged)")
    if im.mode == "CMYK":
        notes.append("CMYK image kept as CMYK")
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        notes.append("transparency kept as a soft mask")
    if exif_orientation in (5, 6, 7, 8):
        width, height = height, width  # report the upright size
    fit = img2pdf.FitMode.shrink if dpi else img2pdf.FitMode.into
    layout = img2pdf.get_layout_fun(PAPER_PT[paper], None, (BORDER_PT, BORDER_PT), fit, True)
    closed = source is data
    if closed:
        im.close()  # img2pdf decodes the file itself: do not hold the pixels twice (300 MB each at 100 MP)
    try:
        pdf = img2pdf.convert(source, layout_fun=layout, nodate=True, engine=img2pdf.Engine.internal)
    except Exception as exc:  # img2pdf raises plain Exception subclasses for odd images
        try:
            source = _repaint(_open(data, where, max_pixels) if closed else im, 1, notes)
            pdf = img2pdf.convert(source, layout_fun=layout, nodate=True, engine=img2pdf.Engine.internal)
            notes.append(f"re-saved as PNG first ({exc})")
        except Exception:
            raise _fail(where, f"cannot be converted to PDF ({exc})",
                        "open it in an image editor and save it again as PNG or JPEG") from None
    return ImagePdf(pdf=pdf, width=width, height=height, dpi=dpi, orientation=exif_orientation, notes=notes)
