"""What a reader of each format sees as the letter's words: poa.pdf (body area, no page
furniture), poa.docx (document.xml in order) and poa.txt (without the form-box marker lines).

All three go through the same :func:`normalise`: whitespace collapsed; no space next to a
Chinese character (Chinese has none; a PDF may show a gap); a line break after a hyphen
joined (a PDF line may end at "self-"); a non-breaking hyphen read as a hyphen; fill-in lines
of underscores dropped (the PDF draws the line).
"""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from pathlib import Path

__all__ = ["normalise", "pdf_body_text", "docx_text", "txt_letter_text", "words"]

MM = 72 / 25.4
_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"


def normalise(text: str) -> str:
    text = text.replace("\u2011", "-")
    text = re.sub(r"(?<=\S)-\s+", "-", text)
    text = " ".join(t for t in text.split() if not re.fullmatch(r"_+", t))
    return re.sub(f"(?<=[{_CJK}]) | (?=[{_CJK}])", "", text)


def words(text: str) -> list[str]:
    return normalise(text).split(" ")


def pdf_body_text(pdf: Path, top_mm: float = 20, bottom_mm: float = 25) -> str:
    """Text in content order (pdftotext -raw) of each page's body: the running header in the
    top margin and the page footer in the bottom margin are left out."""
    from pypdf import PdfReader

    out = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        args = ["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                "-x", "0", "-y", str(round(top_mm * MM)), "-W", str(round(width)),
                "-H", str(round(height - (top_mm + bottom_mm) * MM)), str(pdf), "-"]
        out.append(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    return "\n".join(out)


def docx_text(docx: Path) -> str:
    """Text of word/document.xml in order: paragraphs, table cells, breaks and tabs as spaces."""
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"<w:(br|tab|cr)\b[^>]*/>|</w:p>|</w:tc>", " ", xml)
    xml = re.sub(r"<w:noBreakHyphen\s*/>", "-", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def txt_letter_text(txt: Path, labels: dict[str, str]) -> str:
    """poa.txt without the marker lines around each form box (built from the labels)."""
    def pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"\{\w+\}", template)
        return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$")

    marks = [pattern(labels["field_header"]), pattern(labels["field_end"])]
    lines = txt.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not any(m.match(line) for m in marks))
