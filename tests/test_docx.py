"""poa.docx: a pandoc AST made in Python from the letter model — case text is never markup,
the paper is the profile's, one title, literal item numbers, the metrics as a table, and it
opens in LibreOffice as the same letter."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from letter_cases import build, example
from letter_text import docx_text, normalise
from poaforge.letter.compose import compose
from poaforge.letter.docx import document, inlines, write_docx

HOSTILE = ['#read("/etc/passwd")', "$x^2$", "<b>bold</b>", "```{=typst}\n#panic()\n```", "\\input{secret}",
           "*not emphasis* _nor this_", "[link](http://x)", "@citation", "<!-- comment -->", "中文 ✓ 😀"]


def _xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_inlines_are_words_spaces_and_breaks_only() -> None:
    kinds = {node["t"] for text in HOSTILE for node in inlines(text)}
    assert kinds <= {"Str", "Space", "LineBreak"}


def test_structure_follows_the_model() -> None:
    model = compose(example("amazon-odr"))
    ast = document(model)
    headers = [b["c"][1][0] for b in ast["blocks"] if b["t"] == "Header"]
    assert headers == ["metrics", "root-causes", "corrective-actions", "preventive-measures"]
    assert not [b for b in ast["blocks"] if b["t"] in ("OrderedList", "BulletList")]  # numbers are the letter's text
    assert "title" not in ast["meta"]  # the letter's own title paragraph is the only title


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_literal(tmp_path: Path, hostile: str) -> None:
    case = example("amazon-trademark")
    case["root_causes"][0]["what"] = hostile
    case["seller"]["store_name"] = hostile
    out = tmp_path / "poa.docx"
    write_docx(compose(case), out)
    text = docx_text(out)
    for line in hostile.split("\n"):
        assert line in text
    assert "root:x:0:0" not in text


@pytest.mark.parametrize(("name", "size"), [("walmart-us", ("12240", "15840")), ("aliexpress-ip", ("11906", "16838")),
                                            ("tiktok-uk-dispatch", ("11906", "16838"))])
def test_paper_and_margins_of_the_profile(tmp_path: Path, name: str, size: tuple[str, str]) -> None:
    out = tmp_path / "poa.docx"
    write_docx(compose(example(name)), out)
    xml = _xml(out)
    page = re.search(r"<w:pgSz [^>]*>", xml)[0]  # type: ignore[index]
    assert f'w:w="{size[0]}"' in page and f'w:h="{size[1]}"' in page and 'w:left="1361"' in xml


def test_one_title_numbers_as_text_and_the_metrics_as_a_table(tmp_path: Path) -> None:
    model = compose(example("amazon-odr"))
    out = tmp_path / "poa.docx"
    write_docx(model, out)
    text = normalise(docx_text(out))
    assert text.count("Plan of Action") == 1
    assert "1. On 25 August 2026 we moved all self-fulfilled orders" in text
    assert "Violation:" not in text and "2026-08-25" not in text
    xml = _xml(out)
    (table,) = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)  # the metrics (the signatory has no seal place here)
    rows = re.findall(r"<w:tr>.*?</w:tr>", table, flags=re.S)
    assert len(rows) == 1 + len(model["metrics"]["rows"])
    assert [normalise(html.unescape(re.sub(r"<[^>]+>", " ", cell))) for cell in re.findall(r"<w:tc>.*?</w:tc>", rows[1], flags=re.S)] == \
        ["Order Defect Rate", "1.8%", "60 days", "28 October 2026", "< 1%", "Misses target", "Exhibit 1"]
    grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)]
    assert abs(sum(grid) - (12240 - 2 * 1361)) < 10  # as wide as the text


def test_reproducible_and_styled(tmp_path: Path) -> None:
    model = compose(example("amazon-trademark"))
    write_docx(model, tmp_path / "a.docx")
    write_docx(model, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    styles = _xml(tmp_path / "a.docx", "word/styles.xml")
    assert 'w:eastAsia="Microsoft YaHei"' in styles and 'w:styleId="POAItem"' in styles
    assert 'w:pStyle w:val="POAItem"' in _xml(tmp_path / "a.docx")
    assert not list(tmp_path.glob(".*tmp*"))


def test_chinese_letter(tmp_path: Path) -> None:
    out = tmp_path / "zh.docx"
    write_docx(compose(example("aliexpress-ip")), out)
    text = normalise(docx_text(out))
    assert "此致 敬礼！" in docx_text(out).replace("\n", " ") or "此致敬礼！" in text
    assert "（公司盖章处）" in text and "2026年11月19日" in text and "POAParagraphCJK" in _xml(out)


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed "
                    "(Debian: apt-get install libreoffice-writer-nogui); the DOCX is checked by its XML only")
@pytest.mark.parametrize(("name", "paper"), [("amazon-odr", (612, 792)), ("aliexpress-ip", (595.3, 841.9))])
def test_libreoffice_opens_it_on_the_profiles_paper(tmp_path: Path, name: str, paper: tuple[float, float]) -> None:
    from pypdf import PdfReader

    paths = build(example(name), tmp_path / "letter")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(paths["docx"])], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "poa.pdf"
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(paper, abs=1)
    assert abs(len(reader.pages) - len(PdfReader(paths["pdf"]).pages)) <= 1
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    if name == "amazon-odr":  # a table: one row's cells side by side on one line
        assert re.search(r"Late Shipment\s.*6\.4%\s+30 days\s+28 October\s+< 4%\s+Misses", layout)
    flat = normalise(layout)
    for item in example(name)["corrective_actions"]:
        assert normalise(item["action"])[:25] in flat
