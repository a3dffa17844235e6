"""Regenerate templates/reference.docx: pandoc's default reference document with our styles.

Run once after changing the styles below: ``.venv/bin/python tools/make_reference_docx.py``.
The result is committed; builds only read it.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc

OUT = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"
BODY_FONTS = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri" />'
HEAD_FONTS = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri" />'


def restyle(styles: str) -> str:
    styles = styles.replace(
        '<w:rFonts w:asciiTheme="minorHAnsi" w:eastAsiaTheme="minorEastAsia" w:hAnsiTheme="minorHAnsi" w:cstheme="minorBidi" />',
        BODY_FONTS)
    styles = styles.replace(
        '<w:rFonts w:asciiTheme="majorHAnsi" w:eastAsiaTheme="majorEastAsia" w:hAnsiTheme="majorHAnsi" w:cstheme="majorBidi" />',
        HEAD_FONTS)
    # headings in near-black instead of Word's blue; body 11 pt
    styles = re.sub(r'<w:color w:val="[0-9A-F]{6}" />', '<w:color w:val="1F1F1F" />', styles)
    return styles


def main() -> None:
    default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                             check=True, capture_output=True).stdout
    src = zipfile.ZipFile(io.BytesIO(default))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "word/styles.xml":
                data = restyle(data.decode("utf-8")).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    OUT.write_bytes(buf.getvalue())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
