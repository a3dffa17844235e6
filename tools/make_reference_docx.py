"""Regenerate templates/reference-a4.docx and templates/reference-us-letter.docx: pandoc's
default reference document with our styles, one per paper size (page size and margins as
the PDF letter: 24 mm left and right, 20 mm top, 25 mm bottom).

Run once after changing the styles below: ``.venv/bin/python tools/make_reference_docx.py``.
The results are committed; builds only read them (poaforge.letter.docx picks the one of the
profile's paper).
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FONTS = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri" />'
#: page width and height in twentieths of a point
PAPERS = {"a4": (11906, 16838), "us-letter": (12240, 15840)}
MARGINS = '<w:pgMar w:top="1134" w:right="1361" w:bottom="1417" w:left="1361" w:header="567" w:footer="709" w:gutter="0" />'


def _style(style_id: str, name: str, ppr: str = "", rpr: str = "", based: str = "Normal") -> str:
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}" />'
            f'<w:basedOn w:val="{based}" /><w:qFormat /><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')


#: the letter's own paragraph styles (poaforge.letter.docx names them with custom-style)
STYLES = "".join([
    _style("Sender", "Sender", '<w:keepNext /><w:spacing w:before="0" w:after="20" />',
           '<w:b /><w:sz w:val="28" /><w:szCs w:val="28" />'),
    _style("Letterhead", "Letterhead", '<w:spacing w:before="0" w:after="240" /><w:pBdr><w:bottom w:val="single" w:sz="6" '
           'w:space="6" w:color="505050" /></w:pBdr>', '<w:sz w:val="19" /><w:szCs w:val="19" />'),
    _style("Meta", "Meta", '<w:spacing w:before="0" w:after="60" />'),
    _style("POAParagraph", "POA Paragraph", '<w:spacing w:before="120" w:after="120" />'),
    _style("POAParagraphCJK", "POA Paragraph CJK", '<w:spacing w:before="120" w:after="120" /><w:ind w:firstLineChars="200" '
           'w:firstLine="420" />'),
    _style("POAItem", "POA Item", '<w:keepNext /><w:spacing w:before="160" w:after="40" /><w:ind w:left="425" w:hanging="425" />'),
    _style("POADetail", "POA Detail", '<w:spacing w:before="0" w:after="40" /><w:ind w:left="425" />',
           '<w:sz w:val="20" /><w:szCs w:val="20" />'),
    _style("POATable", "POA Table", '<w:spacing w:before="20" w:after="20" />', '<w:sz w:val="18" /><w:szCs w:val="18" />'),
    _style("Closing", "Closing", '<w:keepNext /><w:spacing w:before="360" w:after="240" />'),
    _style("ClosingCJK", "Closing CJK", '<w:keepNext /><w:spacing w:before="360" w:after="240" /><w:ind w:firstLineChars="200" '
           'w:firstLine="420" />'),
    _style("Signatory", "Signatory", '<w:keepLines /><w:spacing w:before="0" w:after="0" />'),
])


def restyle(styles: str) -> str:
    """Calibri / Microsoft YaHei everywhere, near-black headings, an 11 pt body, our styles."""
    styles = re.sub(r"<w:rFonts\s[^>]*Theme=[^>]*/>", FONTS, styles)
    styles = re.sub(r'<w:color w:val="[0-9A-F]{6}"[^/]*/>', '<w:color w:val="1F1F1F" />', styles)
    styles = styles.replace('<w:sz w:val="24" />\n        <w:szCs w:val="24" />', '<w:sz w:val="22" />\n        <w:szCs w:val="22" />', 1)
    for size, new in (("56", "32"), ("40", "24")):  # title 16 pt, heading 1 12 pt
        styles = styles.replace(f'<w:sz w:val="{size}" />\n      <w:szCs w:val="{size}" />',
                                f'<w:b />\n      <w:sz w:val="{new}" />\n      <w:szCs w:val="{new}" />', 1)
    return styles.replace("</w:styles>", STYLES + "</w:styles>")


def page(document: str, paper: str) -> str:
    """The section properties of ``paper``: size and margins."""
    width, height = PAPERS[paper]
    return document.replace("<w:sectPr>", f'<w:sectPr><w:pgSz w:w="{width}" w:h="{height}" />{MARGINS}', 1)


def build(default: bytes, paper: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(default))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "word/styles.xml":
                data = restyle(data.decode("utf-8")).encode("utf-8")
            elif info.filename == "word/document.xml":
                data = page(data.decode("utf-8"), paper).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def main() -> None:
    default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                             check=True, capture_output=True).stdout
    for paper in PAPERS:
        out = TEMPLATES / f"reference-{paper}.docx"
        out.write_bytes(build(default, paper))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
