"""poa.docx: built from a pandoc AST made in Python, so case text is never markup."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from poaforge.letter.docx import document, inlines, write_docx

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ['#read("/etc/passwd")', "$x^2$", "<b>bold</b>", "```{=typst}\n#panic()\n```", "\\input{secret}",
           "*not emphasis* _nor this_", "[link](http://x)", "@citation", "<!-- comment -->", "中文 ✓ 😀"]


def _case(name: str = "amazon-trademark") -> dict:
    """case.json content of an example case, as the pipeline makes it."""
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise

    return normalise(load_case(ROOT / "cases" / f"{name}.yaml"))


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"<w:br/>", "\n", xml)
    xml = re.sub(r"</w:p>", "\n", xml)
    text = re.sub(r"<[^>]+>", "", xml)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def test_inlines_are_words_spaces_and_breaks_only() -> None:
    kinds = {node["t"] for text in HOSTILE for node in inlines(text)}
    assert kinds <= {"Str", "Space", "LineBreak"}


def test_document_structure_follows_the_profile() -> None:
    case = _case()
    ast = document(case)
    headers = [b for b in ast["blocks"] if b["t"] == "Header"]
    assert [h["c"][1][0] for h in headers] == ["title"] + [s.replace("_", "-") for s in case["profile"]["sections"]]
    lists = [b for b in ast["blocks"] if b["t"] == "OrderedList"]
    assert [len(lst["c"][1]) for lst in lists] == [len(case[s]) for s in case["profile"]["sections"]]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_literal_in_docx(tmp_path: Path, hostile: str) -> None:
    case = _case()
    case["root_causes"][0]["what"] = hostile
    case["seller"]["store_name"] = hostile
    out = tmp_path / "poa.docx"
    write_docx(case, out)
    text = _docx_text(out)
    for line in hostile.split("\n"):
        assert line in text
    assert "root:x:0:0" not in text


def test_docx_is_reproducible_and_styled(tmp_path: Path) -> None:
    case = _case()
    write_docx(case, tmp_path / "a.docx")
    write_docx(case, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert 'w:eastAsia="Microsoft YaHei"' in z.read("word/styles.xml").decode("utf-8")
    assert not list(tmp_path.glob(".*tmp*"))


def test_chinese_docx(tmp_path: Path) -> None:
    case = _case("aliexpress-ip")
    write_docx(case, tmp_path / "zh.docx")
    text = _docx_text(tmp_path / "zh.docx")
    assert case["root_causes"][0]["what"].split()[0][:10] in text
