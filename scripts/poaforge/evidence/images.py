"""Turn one exhibit image into PDF pages on the profile's paper.

PNG, JPEG, GIF, TIFF (every page of a multi-page scan) and BMP go to img2pdf as they are
(JPEG stays JPEG, PNG and CCITT fax data are copied, other pixels are stored losslessly),
unless Pillow must change the pixels first — a mirrored EXIF orientation, an animated
image (first frame), or more than 8 bits per channel with transparency, which a PDF
image with a soft mask cannot carry through img2pdf. HEIC/HEIF (pillow-heif), AVIF and
lossy WebP are decoded by Pillow and stored as JPEG (quality 92) so that a phone photo
stays a few MB; lossless WebP as PNG. Each change is recorded as a note, and
``ImagePdf.conversion`` names the conversion for the evidence index.
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
#: decoded by Pillow and stored again (img2pdf would keep the decoded pixels losslessly: 20 MB for a phone photo)
_REENCODE = {"heic", "avif", "webp"}
JPEG_QUALITY = 92


@dataclass
class ImagePdf:
    """The converted page plus what a reader of exhibits.json needs to know."""

    pdf: bytes
    width: int
    height: int
    dpi: int | None
    orientation: int
    notes: list[str] = field(default_factory=list)
    pages: int = 1
    conversion: str = ""


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
    if im.mode in ("I;16", "I;16B", "I;16L", "I") and "transparency" in im.info:
        im = _eight_bit_grey(im)
        notes.append("16-bit greyscale with transparency reduced to 8 bits per pixel (a PDF soft mask needs it)")
    elif im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        notes.append(f"colour mode {im.mode} converted to RGB")
        im = im.convert("RGBA" if "A" in im.mode else "RGB")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _eight_bit_grey(im):  # type: ignore[no-untyped-def]
    """A 16-bit greyscale image with a tRNS colour as 8-bit grey plus alpha (LA)."""
    from PIL import Image

    key = im.info["transparency"]
    wide = im.convert("I")
    grey = wide.point(lambda v: v * (1 / 257)).convert("L")
    alpha = wide.point(lambda v: 0 if v == key else 255).convert("L") if isinstance(key, int) else None
    return Image.merge("LA", (grey, alpha)) if alpha is not None else grey


def _reencode(im, lossless: bool) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
    """A decoded HEIC/AVIF/WebP image, upright, as JPEG (lossy source) or PNG (lossless or transparent)."""
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(im)
    buf = io.BytesIO()
    if lossless or upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        upright.save(buf, "PNG")
        return buf.getvalue(), "stored losslessly as PNG"
    upright.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue(), f"stored as JPEG (quality {JPEG_QUALITY})"


_DECODER = {"heic": "pillow-heif (libheif)", "avif": "Pillow (libavif)", "webp": "Pillow (libwebp)"}


def _webp_lossless(data: bytes) -> bool:
    """A WebP file whose image is VP8L (lossless), from its RIFF chunks."""
    return data[12:16] == b"VP8L" or (data[12:16] == b"VP8X" and b"VP8L" in data[30:4096] and b"VP8 " not in data[30:4096])


def image_to_pdf(data: bytes, where: str, *, paper: str, max_pixels: int, media: str = "") -> ImagePdf:
    """Convert one image to PDF pages on ``paper`` ("a4" | "us-letter"), fitted with a border.

    ``media`` is the sniffed type (:mod:`poaforge.evidence.sniff`). With DPI information the
    image keeps its printed size unless it is larger than the page (then it shrinks to
    fit); without it fills the printable area. A multi-page TIFF gives one page per image.
    """
    import img2pdf

    logging.getLogger("img2pdf").setLevel(logging.ERROR)
    if media == "heic":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    im = _open(data, where, max_pixels)
    width, height = im.size
    frames = int(getattr(im, "n_frames", 1) or 1)
    orientation = int(im.getexif().get(0x0112, 1) or 1)
    if media == "heic":
        orientation = int(im.info.get("original_orientation") or 1)  # pillow-heif turns the pixels upright
    dpi = _dpi(im)
    notes: list[str] = []
    conversion = ""
    source, exif_orientation = data, orientation
    if media in _REENCODE:
        source, how = _reencode(im, media == "webp" and _webp_lossless(data))
        conversion = f"{media.upper()} image decoded with {_DECODER[media]}, {how}"
        orientation = 1
        if exif_orientation != 1:
            notes.append(f"orientation {exif_orientation} applied to the pixels")
    elif media == "tiff" and frames > 1:
        _check_frames(im, where, max_pixels)
        conversion = f"multi-page TIFF: all {frames} pages"
    elif orientation in _MIRRORED or frames > 1 or (im.mode.startswith("I") and "transparency" in im.info):
        source = _repaint(im, orientation, notes)
        orientation = 1
    if orientation in (3, 6, 8) and media not in _REENCODE:
        notes.append(f"EXIF orientation {orientation} applied as page rotation (pixels unchanged)")
    if im.mode == "CMYK":
        notes.append("CMYK image kept as CMYK")
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        notes.append("transparency kept as a soft mask")
    if exif_orientation in (5, 6, 7, 8) and media != "heic":  # pillow-heif gives the upright size already
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
            frames = 1
        except Exception:
            raise _fail(where, f"cannot be converted to PDF ({exc})",
                        "open it in an image editor and save it again as PNG or JPEG") from None
    if media in ("tiff", "bmp") and not conversion:
        conversion = f"{media.upper()} image stored losslessly"
    return ImagePdf(pdf=pdf, width=width, height=height, dpi=dpi, orientation=exif_orientation, notes=notes,
                    pages=frames if media == "tiff" else 1, conversion=conversion)


def _check_frames(im, where: str, max_pixels: int) -> None:  # type: ignore[no-untyped-def]
    """Every page of a multi-page TIFF within the pixel cap and decodable."""
    from poaforge.limits import current, raise_hint

    if im.n_frames > current().pages:
        raise _fail(where, f"has {im.n_frames:,} pages, more than the limit of {current().pages:,}",
                    f"split it or keep only the pages that prove the point; or {raise_hint('pages')}")
    for i in range(im.n_frames):
        im.seek(i)
        if im.size[0] * im.size[1] > max_pixels:
            raise _fail(where, f"page {i + 1} has more than {max_pixels:,} pixels (possible decompression bomb)",
                        "scan it again at a lower resolution; or set POA_MAX_PIXELS to raise the cap")
        try:
            im.load()
        except (OSError, ValueError, EOFError) as exc:
            raise _fail(where, f"page {i + 1} cannot be read as an image ({exc})",
                        "the file is damaged or truncated: scan or export it again") from None
    im.seek(0)
