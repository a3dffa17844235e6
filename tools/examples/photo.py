"""Draw photo-like JPEGs (warehouse shelves, notice boards, packaging) with Pillow.

A scene is data: a wall/floor background and a list of shapes (cartons, shelf beams,
labels with barcodes, printed sheets, text).  The picture is then given a slight
perspective, lighting fall-off, sensor noise and blur, and stored rotated with the
matching EXIF Orientation tag so that viewers (and the pipeline) must honour it.
Deterministic: every random draw comes from ``random.Random(seed)``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

__all__ = ["render_photo"]

FONT_LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_LATIN_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
CJK_SC_INDEX = 2  # JP, KR, SC, TC, HK in the Noto CJK collections

# stored image = upright image transposed by this; the viewer undoes it via the tag
_STORE = {1: None, 3: "ROTATE_180", 6: "ROTATE_90", 8: "ROTATE_270"}


def _font(size: int, bold: bool, text: str) -> Any:
    from PIL import ImageFont

    if any(ord(ch) > 0x2E80 for ch in text):
        return ImageFont.truetype(FONT_CJK_BOLD if bold else FONT_CJK, size, index=CJK_SC_INDEX)
    return ImageFont.truetype(FONT_LATIN_BOLD if bold else FONT_LATIN, size)


def _barcode(draw: Any, rng: random.Random, x0: int, y0: int, x1: int, y1: int) -> None:
    x = x0
    while x < x1 - 4:
        w = rng.choice((1, 2, 2, 3, 4))
        if rng.random() < 0.55:
            draw.rectangle((x, y0, min(x + w, x1), y1), fill=(25, 25, 25))
        x += w + rng.choice((1, 2, 3))


def _lines(draw: Any, x: int, y: int, lines: list[str], size: int, fill: Any, bold_first: bool = False) -> int:
    for i, line in enumerate(lines):
        font = _font(size if i or not bold_first else int(size * 1.25), bold_first and i == 0, line)
        draw.text((x, y), line, font=font, fill=fill)
        y += int(font.size * 1.35)
    return y


def _shape(draw: Any, rng: random.Random, s: dict[str, Any]) -> None:
    k = s["k"]
    xy = [int(v) for v in s["xy"]]
    x0, y0, x1, y1 = (xy + xy)[:4]
    if k == "rect":
        draw.rectangle((x0, y0, x1, y1), fill=s["fill"])
    elif k == "carton":
        base = tuple(int(c) + rng.randint(-10, 10) for c in (176, 134, 84))
        draw.rectangle((x0, y0, x1, y1), fill=base, outline=(120, 88, 52), width=2)
        mid = (x0 + x1) // 2
        draw.rectangle((mid - 9, y0, mid + 9, y1), fill=(196, 160, 110))
        draw.line((x0, y0 + 6, x1, y0 + 6), fill=(150, 110, 66), width=3)
        if "text" in s:
            _lines(draw, x0 + 12, y1 - 40, [s["text"]], 15, (60, 40, 20))
    elif k in ("label", "sheet"):
        draw.rectangle((x0 + 4, y0 + 5, x1 + 4, y1 + 5), fill=(60, 60, 60))
        draw.rectangle((x0, y0, x1, y1), fill=s.get("fill", "#fbfbf5"), outline=(90, 90, 90), width=1)
        size = int(s.get("size", 18))
        y = _lines(draw, x0 + 12, y0 + 10, s.get("lines", []), size, (20, 20, 20), bold_first=True)
        if s.get("barcode"):
            _barcode(draw, rng, x0 + 12, y + 4, x1 - 12, min(y1 - 8, y + 4 + size * 2))
    elif k == "text":
        draw.text((x0, y0), s["text"], font=_font(int(s.get("size", 20)), bool(s.get("bold")), s["text"]), fill=s.get("fill", "#202020"))


def render_photo(spec: dict[str, Any], out: Path) -> None:
    """Render ``spec`` (size, seed, orientation, wall, floor, horizon, shapes, date) to a JPEG."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = (int(v) for v in spec.get("size", (1200, 900)))
    rng = random.Random(int(spec.get("seed", 1)))
    img = Image.new("RGB", (w, h), spec.get("wall", "#c9c4b8"))
    draw = ImageDraw.Draw(img)
    horizon = int(spec.get("horizon", h * 0.82))
    draw.rectangle((0, horizon, w, h), fill=spec.get("floor", "#8d8f91"))
    for s in spec.get("shapes", []):
        _shape(draw, rng, s)
    # perspective: the camera was a little to the left and tilted
    k = float(spec.get("skew", 0.04))
    coeffs = _perspective(w, h, k)
    img = img.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=spec.get("wall", "#c9c4b8"))
    img = img.rotate(float(spec.get("tilt", -1.2)), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(70, 70, 70))
    # lighting fall-off towards the corners
    light = Image.radial_gradient("L").resize((w, h)).point(lambda v: 255 - int(v * 0.35))
    img = Image.composite(img, Image.new("RGB", (w, h), (30, 30, 30)), light)
    # sensor noise, then the slight softness of a phone camera
    noise = Image.frombytes("L", (w // 2, h // 2), rng.randbytes((w // 2) * (h // 2))).resize((w, h)).convert("RGB")
    img = Image.blend(img, noise, 0.04).filter(ImageFilter.GaussianBlur(0.7))
    orientation = int(spec.get("orientation", 1))
    if _STORE[orientation]:
        img = img.transpose(getattr(Image.Transpose, _STORE[orientation]))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x0132] = spec["date"].replace("-", ":") + " " + spec.get("time", "10:12:31")  # DateTime
    exif[0x0131] = "poa-forge example generator"  # Software
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, "JPEG", quality=int(spec.get("quality", 78)), exif=exif.tobytes(), dpi=(72, 72), optimize=True)


def _perspective(w: int, h: int, k: float) -> list[float]:
    """Coefficients mapping the output rectangle to a slightly keystoned source quad."""
    src = [(0, 0), (w, k * h), (w, h - k * h), (0, h)]
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    return _solve(rows)


def _solve(m: list[list[float]]) -> list[float]:
    """Gauss-Jordan elimination on an augmented n x (n+1) matrix."""
    n = len(m)
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]
