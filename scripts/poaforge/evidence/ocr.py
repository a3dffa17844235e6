"""OCR of page images: Tesseract through ``tesserocr``, English and Simplified Chinese.

The engine comes with the tesserocr wheel; its language data are the system's ``tessdata``
files (Debian ``tesseract-ocr-eng`` / ``tesseract-ocr-chi-sim``, installed by
``tools/setup.sh``), found in the usual folders or ``POA_TESSDATA``. Nothing is downloaded.

:func:`recognise` returns text lines split into segments at wide gaps (table cells), each
with its box in image pixels and Tesseract's mean word confidence (0-100).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem

__all__ = ["Segment", "Recognised", "tessdata", "engine_version", "recognise", "languages_for", "TESSDATA_DIRS"]

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per page: pages run in parallel instead

#: Where Debian, Fedora, Homebrew and source builds put the language data (POA_TESSDATA first).
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata",
                 "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata")
#: Tesseract's names of the languages poa-forge reads (case language code → traineddata).
_TESS = {"en": "eng", "zh": "chi_sim"}
#: A word below this confidence is noise (Tesseract reports 0-100; source: practice).
MIN_WORD_CONF = 30.0


@dataclass(frozen=True)
class Segment:
    """Text on one line between wide gaps: ``box`` = (left, top, right, bottom) in pixels."""

    text: str
    box: tuple[float, float, float, float]
    conf: float


@dataclass(frozen=True)
class Recognised:
    """One image read: its segments in reading order, the languages used, the mean confidence,
    and how many words Tesseract saw at all (also those under :data:`MIN_WORD_CONF`)."""

    segments: list[Segment]
    languages: str
    conf: float
    seen: int = 0

    @property
    def chars(self) -> int:
        return sum(len(s.text.replace(" ", "")) for s in self.segments)


@cache
def tessdata() -> Path:
    """The tessdata folder holding ``eng.traineddata``; ``BuildError`` with the install line if none."""
    env = os.environ.get("POA_TESSDATA") or os.environ.get("TESSDATA_PREFIX")
    for folder in ([env] if env else []) + list(TESSDATA_DIRS):
        if folder and (Path(folder) / "eng.traineddata").is_file():
            return Path(folder)
    raise BuildError(Problem("tessdata", message="the OCR language data (eng.traineddata) is not installed",
                             hint="run tools/setup.sh as root, or apt-get install tesseract-ocr-eng tesseract-ocr-chi-sim "
                                  "(Fedora: dnf install tesseract-langpack-eng tesseract-langpack-chi_sim), "
                                  "or set POA_TESSDATA to the folder holding eng.traineddata"))


def languages_for(codes: Sequence[str]) -> str:
    """Tesseract language string for case language codes (``["zh", "en"]`` → ``"chi_sim+eng"``),
    keeping only those whose data is installed; English always."""
    names = []
    for code in list(codes) + ["en"]:
        name = _TESS.get(code)
        if name and name not in names and (tessdata() / f"{name}.traineddata").is_file():
            names.append(name)
    return "+".join(names)


@cache
def engine_version() -> str:
    """Tesseract's version (part of the text cache key)."""
    import tesserocr

    return str(tesserocr.tesseract_version()).split()[1]


_local = threading.local()


def _api(languages: str) -> Any:
    """One engine per thread and language set, kept for the process (loading a model costs ~0.1 s)."""
    import tesserocr

    apis = _local.__dict__.setdefault("apis", {})
    if languages not in apis:
        apis[languages] = tesserocr.PyTessBaseAPI(path=str(tessdata()) + os.sep, lang=languages,
                                                  psm=tesserocr.PSM.AUTO)
    return apis[languages]


def _segments(tsv: str, gap_factor: float = 1.6) -> tuple[list[Segment], float]:
    """Words of Tesseract's TSV output grouped into line segments, split where the gap between two
    words is wider than ``gap_factor`` × the line height (a table column)."""
    lines: dict[tuple[str, str, str], list[tuple[float, float, float, float, str, float]]] = {}
    confs = []
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text, conf = cols[11].strip(), float(cols[10])
        if not text or conf < MIN_WORD_CONF:
            continue
        left, top, width, height = (float(c) for c in cols[6:10])
        lines.setdefault((cols[2], cols[3], cols[4]), []).append((left, top, left + width, top + height, text, conf))
        confs.append(conf)
    out: list[Segment] = []
    for words in lines.values():
        words.sort()
        height = max(w[3] - w[1] for w in words)
        run = [words[0]]
        for w in words[1:] + [None]:  # type: ignore[list-item]
            if w is not None and w[0] - run[-1][2] <= gap_factor * height:
                run.append(w)
                continue
            out.append(Segment(_CJK_GAP.sub("", " ".join(r[4] for r in run)), (min(r[0] for r in run), min(r[1] for r in run),
                                                             max(r[2] for r in run), max(r[3] for r in run)),
                               round(sum(r[5] for r in run) / len(run), 1)))
            run = [w] if w is not None else []
    out.sort(key=lambda s: (round(s.box[1] / 8), s.box[0]))
    return out, (sum(confs) / len(confs) if confs else 0.0)


#: Tesseract separates Chinese characters by spaces; Chinese text has none.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def recognise(image: Any, languages: str) -> Recognised:
    """OCR of a Pillow image with ``languages`` (e.g. ``"eng"`` or ``"chi_sim+eng"``).

    Thread-safe (one engine per thread); Tesseract runs without the GIL, so pages can be read
    in parallel. Words under :data:`MIN_WORD_CONF` are dropped."""
    api = _api(languages)
    api.SetImage(image)
    api.Recognize()
    tsv = api.GetTSVText(0)
    segments, conf = _segments(tsv)
    seen = sum(1 for row in tsv.splitlines() if row.startswith("5\t") and row.split("\t")[-1].strip())
    return Recognised(segments, languages, round(conf, 1), seen)
