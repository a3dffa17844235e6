"""The text of an exhibit, page by page with positions: the PDF's text layer, or OCR.

``read_pdf(data, languages)`` gives one record per page::

    {"page": 1, "width": 595.3, "height": 841.9,        # points
     "source": "text" | "ocr" | "none",
     "segments": [[left, top, right, bottom, "text"], ...],   # points, from the top left
     "ocr": {"languages": "eng", "confidence": 91.8},       # only for OCR pages
     "note": "..."}                                         # only when the page gives no readable text

A page whose text layer holds fewer than :data:`MIN_TEXT_CHARS` characters and that shows an
image (or, with no text at all, drawn shapes) is rendered at :data:`OCR_DPI` and read by OCR
(:mod:`poaforge.evidence.ocr`): English first; when that reads poorly, English and Simplified
Chinese, and the better read is kept. Pages are OCR'd in parallel threads
(``POA_OCR_THREADS``, default: the cores), across all exhibits of a case.

Results are content-addressed (:class:`TextCache`): the key is the SHA-256 of the PDF's bytes,
the reader version and the OCR languages, so an unchanged exhibit is never read twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["READER", "MIN_TEXT_CHARS", "read_pdf", "read_many", "cache_key", "TextCache", "page_text"]

#: Bump when what is read changes: every cached text is then read again.
READER = "poa-text-3"
#: Fewer characters than this in a page's text layer: the page is OCR'd.
MIN_TEXT_CHARS = 20
#: Below this mean confidence an English-only read is tried again with Chinese as well.
RETRY_CONF = 75.0
#: Resolution pages are rendered at for OCR: 10 pt text is ~15 px high. Measured on the bench's 300 dpi
#: table scans: as many words read as at 200 dpi, 3-4x faster than 300 dpi, where table rules break lines.
OCR_DPI = 150
_MAX_SIDE_PX = 4200


def _threads() -> int:
    try:
        return max(1, int(os.environ.get("POA_OCR_THREADS", "0")) or (os.cpu_count() or 1))
    except ValueError:
        return os.cpu_count() or 1


def page_text(page: dict[str, Any]) -> str:
    """The page's text in reading order, one segment per line."""
    return "\n".join(s[4] for s in page.get("segments", []))


def _layer(page: Any, height: float) -> list[list[Any]]:
    tp = page.get_textpage()
    try:
        out = []
        for i in range(tp.count_rects()):
            left, bottom, right, top = tp.get_rect(i)
            text = " ".join(tp.get_text_bounded(left, bottom, right, top).split())
            if text:
                out.append([round(left, 1), round(height - top, 1), round(right, 1), round(height - bottom, 1), text])
        return out
    finally:
        tp.close()


def _drawn(page: Any, record: dict[str, Any]) -> bool:
    """Whether a page with little or no text layer shows something OCR could read: an image, or
    (with no text at all) drawn shapes, such as text converted to outlines. A page saying only
    "Page 12" in text, or a blank page, is not OCR'd."""
    import pypdfium2.raw as raw

    kinds = {obj.type for obj in page.get_objects(max_depth=2)}
    return raw.FPDF_PAGEOBJ_IMAGE in kinds or (not record["segments"] and raw.FPDF_PAGEOBJ_PATH in kinds)


def _render(page: Any) -> tuple[Any, float]:
    width, height = page.get_size()
    scale = min(OCR_DPI / 72.0, _MAX_SIDE_PX / max(width, height, 1))
    bitmap = page.render(scale=scale, grayscale=True)
    return bitmap.to_pil(), scale


def _ocr(image: Any, scale: float, first: str, wide: str) -> tuple[list[list[Any]], dict[str, Any]]:
    from poaforge.evidence.ocr import recognise

    got = recognise(image, first)
    # read again with Chinese when English read poorly; not when it saw no word at all (a photo
    # with no text: Chinese text read with the English model still gives words, at low confidence)
    if wide != first and got.seen and (got.conf < RETRY_CONF or got.chars < MIN_TEXT_CHARS):
        other = recognise(image, wide)
        if other.chars and (other.conf * other.chars > got.conf * got.chars):
            got = other
    segs = [[round(s.box[0] / scale, 1), round(s.box[1] / scale, 1), round(s.box[2] / scale, 1),
             round(s.box[3] / scale, 1), s.text] for s in got.segments]
    return segs, {"languages": got.languages, "confidence": got.conf}


def _needs_ocr(page: Any, record: dict[str, Any]) -> bool:
    return sum(len(s[4].replace(" ", "")) for s in record["segments"]) < MIN_TEXT_CHARS and _drawn(page, record)


def read_many(datas: Sequence[bytes], languages: Sequence[str] = ("en",)) -> list[list[dict[str, Any]]]:
    """The page records of each PDF in ``datas`` (see the module docstring).

    ``languages``: case language codes to OCR with (``en``, ``zh``); English is always one.
    With several cores and files, the files are shared between this process and a forked
    child (:func:`poaforge.child.in_child`; in turn, so scans and text PDFs are spread), each
    reading its share: rendering pages and reading text layers is serial work (pdfium is not
    thread-safe), so one process alone kept about one core busy while OCR waited for pages
    (large bench case: 15 s wall for 17 s of CPU). Raises ``pypdfium2.PdfiumError`` on a file
    pdfium cannot open (intake has already refused those)."""
    threads = _threads()
    if threads < 2 or len(datas) < 2:
        return _read_group(datas, languages, threads)
    from poaforge.child import in_child

    theirs = in_child(_read_group, list(datas[1::2]), list(languages), max(1, threads // 2))
    mine = _read_group(list(datas[0::2]), languages, max(1, threads - threads // 2))
    other = theirs()
    out: list[list[dict[str, Any]]] = []
    for i in range(len(datas)):
        out.append(mine[i // 2] if i % 2 == 0 else other[i // 2])
    return out


def _read_group(datas: Sequence[bytes], languages: Sequence[str], threads: int) -> list[list[dict[str, Any]]]:
    """The page records of each PDF in ``datas``, in this process: text layers are read and pages
    rendered here, one at a time; their OCR runs in ``threads`` parallel threads, a few pages
    ahead at most (so memory stays bounded)."""
    import threading

    import pypdfium2 as pdfium

    from poaforge.evidence.ocr import languages_for

    wide = languages_for(["zh"])                       # chi_sim+eng where installed
    first = wide if "zh" in languages else languages_for(["en"])
    ahead = threading.BoundedSemaphore(2 * threads)
    results: list[list[dict[str, Any]]] = []
    jobs = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for data in datas:
            doc = pdfium.PdfDocument(data)
            pages: list[dict[str, Any]] = []
            try:
                for n in range(len(doc)):
                    page = doc[n]
                    width, height = page.get_size()
                    record: dict[str, Any] = {"page": n + 1, "width": round(width, 1), "height": round(height, 1),
                                              "source": "text", "segments": _layer(page, height)}
                    if _needs_ocr(page, record):
                        image, scale = _render(page)
                        ahead.acquire()
                        job = pool.submit(_ocr, image, scale, first, wide)
                        job.add_done_callback(lambda _: ahead.release())
                        jobs.append((record, job))
                        record["source"] = "ocr"
                    pages.append(record)
                    page.close()
            finally:
                doc.close()
            results.append(pages)
        for record, job in jobs:
            record["segments"], record["ocr"] = job.result()
    for pages in results:
        for record in pages:
            if not any(s[4].strip() for s in record["segments"]):
                record["source"] = "none"
                record["note"] = ("no readable text: no text layer, and OCR found none — a blank page, a photo, "
                                  "or a scan too faint or too small to read")
    return results


def read_pdf(data: bytes, languages: Sequence[str] = ("en",)) -> list[dict[str, Any]]:
    """Every page of one PDF (:func:`read_many` of one)."""
    return read_many([data], languages)[0]


def cache_key(data: bytes, languages: Sequence[str]) -> str:
    """Content address of one read: the PDF's bytes, the reader, the engine and the languages."""
    from poaforge.evidence.ocr import engine_version

    h = hashlib.sha256(data)
    h.update(f"\0{READER}\0{engine_version()}\0{'+'.join(sorted(set(languages)))}".encode())
    return h.hexdigest()


class TextCache:
    """Page records by content address, one JSON file each under ``folder`` (written atomically).

    ``hits``/``reads`` count what a run took from the cache and what it read."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.reads = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[dict[str, Any]] | None:
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(value, dict) or value.get("reader") != READER or not isinstance(value.get("pages"), list):
            return None
        self.hits += 1
        return value["pages"]  # type: ignore[no-any-return]

    def put(self, key: str, pages: list[dict[str, Any]]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        part.write_text(json.dumps({"reader": READER, "pages": pages}, ensure_ascii=False, sort_keys=True,
                                   separators=(",", ":")), encoding="utf-8")
        os.replace(part, path)

    def read(self, data: bytes, languages: Sequence[str]) -> list[dict[str, Any]]:
        """The pages of ``data``: from the cache, or read (and stored)."""
        return self.read_many([data], languages)[0]

    def read_many(self, datas: Sequence[bytes], languages: Sequence[str]) -> list[list[dict[str, Any]]]:
        """The pages of each PDF: from the cache, the others read together (OCR in parallel) and stored."""
        keys = [cache_key(d, languages) for d in datas]
        found = [self.get(k) for k in keys]
        todo = [i for i, pages in enumerate(found) if pages is None]
        # every text from the cache (a rebuild after an edit of the case text): pdfium not even loaded
        for i, pages in zip(todo, read_many([datas[i] for i in todo], languages) if todo else [], strict=True):
            self.put(keys[i], pages)
            found[i] = pages
        self.reads += len(todo)
        return [pages or [] for pages in found]
