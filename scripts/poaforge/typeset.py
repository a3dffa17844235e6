"""Compile a Typst template to PDF, reproducibly and with a clear error for missing fonts.

``compile_pdf(template, inputs, out)`` hands ``inputs`` to the template as JSON in
``sys.inputs.data`` (``#let data = json(bytes(sys.inputs.data))``) and the mode
(``"standalone"`` or ``"bundle"``) in ``sys.inputs.mode``.  Case text therefore reaches
Typst as data and is never parsed as markup.

One ``typst.Compiler`` (and one scanned font set) is kept per process and template
folder: scanning the fonts costs ~0.06 s, a compile with a warm compiler a few ms.
System fonts are ignored: only the fonts embedded in Typst (Libertinus Serif, New
Computer Modern, DejaVu Sans Mono) and the DejaVu / Noto CJK / Noto Color Emoji folders
found by :func:`font_dirs` are used, so a stray system font cannot change a build.

Typst draws an empty box for a character no font has, and says nothing.  Before
compiling, :func:`check_glyphs` looks every character of the case text up in the
fonts' ``cmap`` tables (parsed here: fontTools is not a dependency) and raises
``BuildError`` naming the characters and the font package to install.  Plain Latin text
is never looked up; otherwise the tables are read once per process (Noto Serif CJK:
~25 ms; later look-ups ~3 ms).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import struct
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator

from poaforge.errors import BuildError, Problem
from poaforge.files import write_bytes

__all__ = ["TIMESTAMP", "MODES", "compile_pdf", "check_glyphs", "font_dirs", "page_count"]

#: Creation time handed to Typst (UNIX seconds).  The build clock must never leak into an
#: output, or two builds of the same case differ.  0 means "unknown"; templates set
#: ``document(date: …)`` to the case's ``as_of`` date where a date is meaningful.
TIMESTAMP = 0

MODES = ("standalone", "bundle")

#: Font files we look for (file-name prefixes) and the folders searched for them;
#: ``POAFORGE_FONT_DIRS`` (os.pathsep-separated folders) replaces the search.
FONT_PREFIXES = ("DejaVu", "NotoSerifCJK", "NotoSansCJK", "NotoColorEmoji")  # coverage look-up order
#: where fonts are looked for: the project's own fonts/ folder first, then the system's
FONT_ROOTS = (str(Path(__file__).resolve().parents[2] / "fonts"), "/usr/share/fonts", "/usr/local/share/fonts",
              os.path.expanduser("~/.local/share/fonts"), "/Library/Fonts", os.path.expanduser("~/Library/Fonts"))
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

# Keys of the inputs whose strings are not printed as they are: platform data in every
# language (its displayed parts are resolved into labels or the case language) and "keep",
# the pattern of words the templates keep unbroken (it names 年月日 for Chinese dates: an
# English letter needs no Chinese font for it).
_NOT_SHOWN = frozenset({"profile", "keep"})

_compilers: dict[str, Any] = {}
_fonts: Any = None


def font_dirs() -> list[str]:
    """Folders holding the DejaVu, Noto CJK and Noto Color Emoji font files (sorted)."""
    env = os.environ.get("POAFORGE_FONT_DIRS")
    if env:
        return sorted({d for d in env.split(os.pathsep) if d and os.path.isdir(d)})
    found: set[str] = set()
    for root in FONT_ROOTS:
        for folder, _dirs, files in os.walk(root):
            if any(f.startswith(FONT_PREFIXES) and f.lower().endswith(FONT_SUFFIXES) for f in files):
                found.add(folder)
    return sorted(found)


def _font_files(dirs: Iterable[str]) -> list[str]:
    """All font files in ``dirs``; the ones we asked for first (they decide fastest)."""
    files = []
    for d in dirs:
        for folder, _sub, names in os.walk(d):
            files += [os.path.join(folder, n) for n in names if n.lower().endswith(FONT_SUFFIXES)]
    def rank(path: str) -> tuple[int, bool, str]:
        name = os.path.basename(path)
        known = [i for i, prefix in enumerate(FONT_PREFIXES) if name.startswith(prefix)]
        return (known[0] if known else len(FONT_PREFIXES), "Bold" in name, path)

    return sorted(files, key=rank)


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if key in _NOT_SHOWN:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def check_glyphs(inputs: dict[str, Any], where: str = "case") -> None:
    """Raise ``BuildError`` when a character of ``inputs`` has no glyph in the fonts."""
    chars = _needed("".join(_strings(inputs)))
    if not chars:
        return
    for path in _font_files(font_dirs()):
        for ranges in _coverage(path):
            chars = {c for c in chars if not _covers(ranges, c)}
        if not chars:
            return
    raise BuildError(_glyph_problem(sorted(chars), where))


# --- glyph coverage -----------------------------------------------------------------

# Shown by the embedded Latin font whatever the folders hold: never looked up.
_FAST = frozenset(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x100), 0x2013, 0x2014, 0x2018,
                                   0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC, 0x2122, 0x9, 0xA, 0xD])
_EMOJI = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F1E6, 0x1F1FF))
_CJK = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_cmaps: dict[str, list[list[tuple[int, int]]]] = {}


def _needed(text: str) -> set[int]:
    """Code points of ``text`` that need a glyph and are not trivially covered."""
    out = set()
    for ch in set(text) - _FAST:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs"):
            continue  # controls, format characters (bidi, ZWJ), separators: no glyph drawn
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            continue  # variation selectors
        out.add(cp)
    return out


def _covers(ranges: list[tuple[int, int]], cp: int) -> bool:
    i = bisect.bisect_right(ranges, (cp, 0x10FFFF + 1)) - 1
    return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]


def _coverage(path: str) -> list[list[tuple[int, int]]]:
    """Sorted code point ranges of each face of a font file (cached; [] if unreadable)."""
    if path not in _cmaps:
        try:
            with open(path, "rb") as fh:
                _cmaps[path] = _read_cmaps(fh)
        except (OSError, struct.error, ValueError):
            _cmaps[path] = []
    return _cmaps[path]


def _read(fh: Any, offset: int, size: int) -> bytes:
    fh.seek(offset)
    data = fh.read(size)
    if len(data) != size:
        raise ValueError("truncated font")
    return bytes(data)


def _read_cmaps(fh: Any) -> list[list[tuple[int, int]]]:
    faces = [0]
    head = _read(fh, 0, 12)
    if head[:4] == b"ttcf":
        (n,) = struct.unpack_from(">I", head, 8)
        faces = list(struct.unpack(f">{n}I", _read(fh, 12, 4 * n)))
    seen: dict[int, list[tuple[int, int]]] = {}
    for face in faces:
        (num,) = struct.unpack(">H", _read(fh, face + 4, 2))
        directory = _read(fh, face + 12, 16 * num)
        for tag, _sum, off, length in struct.iter_unpack(">4sIII", directory):
            if tag == b"cmap" and off not in seen:
                seen[off] = _parse_cmap(_read(fh, off, length))
    return list(seen.values())


def _parse_cmap(data: bytes) -> list[tuple[int, int]]:
    (_ver, num) = struct.unpack_from(">HH", data, 0)
    subtables = {}
    for i in range(num):
        pid, eid, off = struct.unpack_from(">HHI", data, 4 + 8 * i)
        subtables[(struct.unpack_from(">H", data, off)[0], pid, eid)] = off
    usable = [k for k in subtables if k[0] in (4, 12) and k[1:] in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3))]
    if not usable:
        return []
    at = subtables[max(usable)]  # format 12 (full Unicode) when there is one
    if max(usable)[0] == 12:
        (n,) = struct.unpack_from(">I", data, at + 12)
        return sorted((a, b) for a, b, _gid in struct.iter_unpack(">III", data[at + 16:at + 16 + 12 * n]))
    ranges: list[tuple[int, int]] = []
    seg = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{seg}H", data, at + 14)
    starts = struct.unpack_from(f">{seg}H", data, at + 16 + 2 * seg)
    deltas = struct.unpack_from(f">{seg}h", data, at + 16 + 4 * seg)
    ro_at = at + 16 + 6 * seg
    for i, (start, end) in enumerate(zip(starts, ends)):
        if start == 0xFFFF:
            continue
        (ro,) = struct.unpack_from(">H", data, ro_at + 2 * i)
        if ro == 0:
            ranges.append((start, end))
            continue
        for cp in range(start, end + 1):  # glyph ids from the array; 0 is "missing"
            (gid,) = struct.unpack_from(">H", data, ro_at + 2 * i + ro + 2 * (cp - start))
            if gid and (gid + deltas[i]) & 0xFFFF:
                ranges.append((cp, cp))
    return sorted(ranges)


def _glyph_problem(missing: list[int], where: str) -> Problem:
    shown = ", ".join(f"{chr(c)!r} (U+{c:04X})" for c in missing[:12]) + (" …" if len(missing) > 12 else "")
    emoji = any(a <= c <= b for c in missing for a, b in _EMOJI)
    cjk = any(a <= c <= b for c in missing for a, b in _CJK)
    if cjk:
        hint = ("install the Noto CJK fonts (Debian/Ubuntu: apt install fonts-noto-cjk; elsewhere: "
                "Noto Sans CJK and Noto Serif CJK) or set POAFORGE_FONT_DIRS to their folder")
    elif emoji:
        hint = ("remove the emoji (a POA reads better without them) or install Noto Color Emoji "
                "(Debian/Ubuntu: apt install fonts-noto-color-emoji)")
    else:
        hint = ("replace the characters, or put a font that has them in a folder listed in "
                "POAFORGE_FONT_DIRS (with the DejaVu and Noto CJK folders)")
    return Problem(file=where, message=f"no installed font can show {shown}; the PDF would print empty boxes",
                   hint=hint)


def _compiler(root: Path) -> Any:
    import typst

    global _fonts
    key = str(root.resolve())
    if key not in _compilers:
        if _fonts is None:
            _fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=font_dirs())
        _compilers[key] = typst.Compiler(root=key, font_paths=_fonts, ignore_system_fonts=True)
    return _compilers[key]


_fonts_seen: tuple[tuple[str, int], ...] = ()


def _fonts_fingerprint() -> tuple[tuple[str, int], ...]:
    """The font folders and their times: a font added or removed in one changes it."""
    seen = []
    for folder in font_dirs():
        try:
            seen.append((folder, os.stat(folder).st_mtime_ns))
        except OSError:
            continue
    return tuple(seen)


def preload(root: Path) -> None:
    """Load the fonts and make Typst's compiler for the templates in ``root`` now: in the job
    server (poaforge.jobserver), so the jobs forked from it find them loaded (~70 ms a job).
    Loading them starts no thread (checked there)."""
    global _fonts_seen
    _fonts_seen = _fonts_fingerprint()
    _compiler(Path(root))


def forget_stale_fonts() -> None:
    """In a job forked from the job server: drop the fonts :func:`preload` loaded when the
    font folders (or ``POAFORGE_FONT_DIRS``) changed since; they are loaded again on use."""
    global _fonts
    if _fonts is not None and _fonts_fingerprint() != _fonts_seen:
        _fonts = None
        _compilers.clear()


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF written by Typst (flat page tree; pypdf otherwise)."""
    counts = re.findall(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    if len(counts) == 1:
        return int(counts[0])
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _typst_problem(template: Path, err: Exception) -> Problem:
    message = getattr(err, "message", None) or str(err).strip().splitlines()[0]
    hints = "; ".join(getattr(err, "hints", None) or [])
    diag = (getattr(err, "diagnostic", "") or "").strip()
    return Problem(
        file=str(template),
        message=f"Typst could not compile the template: {message}" + (f" ({diag})" if diag and diag != message else ""),
        hint=hints or "this is a bug in the template, not in the case; report it with the case file",
    )


def compile_pdf(template: Path, inputs: dict[str, Any], out: Path, *, mode: str = "standalone") -> int:
    """Compile ``template`` with ``inputs`` to ``out`` (written atomically); return the page count.

    The template's folder is Typst's root (it cannot read files outside it).  Raises
    ``BuildError`` for a missing glyph, a Typst error or an unwritable ``out``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    template = Path(template)
    out = Path(out)
    where = str(inputs.get("source") or template)
    check_glyphs(inputs, where)
    if not template.is_file():
        raise BuildError(Problem(str(template), message="template not found", hint="run from the project folder"))
    sys_inputs = {"data": json.dumps(inputs, ensure_ascii=False, sort_keys=True), "mode": mode}
    try:
        pdf, warnings = _compiler(template.parent).compile_with_warnings(
            input=str(template.resolve()), format="pdf", sys_inputs=sys_inputs, timestamp=TIMESTAMP
        )
    except Exception as err:  # typst.TypstError, and RuntimeError for I/O inside typst
        raise BuildError(_typst_problem(template, err)) from None
    for w in warnings:
        print(f"{template}: typst warning: {getattr(w, 'message', w)}", file=sys.stderr)
    write_bytes(out, pdf, what="the PDF")
    return page_count(pdf)

