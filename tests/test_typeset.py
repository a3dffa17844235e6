"""Tests for poaforge.typeset: compile, page count, reproducibility, fonts and errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pypdf
import pytest

from poaforge import typeset
from poaforge.errors import BuildError

# A minimal template: every string of data.items as text, one paragraph each.
TEMPLATE = """#let data = json(bytes(sys.inputs.data))
#set page(width: 12cm, height: auto, margin: 1cm)
#set text(font: ("Libertinus Serif", "Noto Serif CJK SC", "DejaVu Serif"))
#set document(date: none)
mode=#sys.inputs.mode
#for s in data.items [#s #parbreak()]
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "tpl" / "t.typ"
    path.parent.mkdir()
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_compile_returns_page_count_and_writes_pdf(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "x.pdf"
    pages = typeset.compile_pdf(template, {"items": ["hello", "world"]}, out)
    assert pages == len(pypdf.PdfReader(out).pages) == 1
    assert "hello" in text_of(out) and "mode=standalone" in text_of(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["x.pdf"]  # no temp file left


def test_mode_reaches_template(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.pdf"
    typeset.compile_pdf(template, {"items": []}, out, mode="bundle")
    assert "mode=bundle" in text_of(out)
    with pytest.raises(ValueError):
        typeset.compile_pdf(template, {"items": []}, out, mode="draft")


def test_byte_identical(template: Path, tmp_path: Path) -> None:
    data = {"items": ["Same input", "同样的输入"]}
    typeset.compile_pdf(template, data, tmp_path / "a.pdf")
    typeset.compile_pdf(template, {"items": ["something else"]}, tmp_path / "other.pdf")
    typeset.compile_pdf(template, data, tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


HOSTILE = ['#read("/etc/passwd")', "#panic()", "$x$", "<b>", "```{=typst}", "\\input{}", "*bold*", "_x_",
           "@ref", "// comment", "中文，标点。", "a\\b"]


def test_strings_are_never_markup(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.pdf"
    typeset.compile_pdf(template, {"items": HOSTILE}, out)
    text = text_of(out)
    for s in HOSTILE:
        assert s in text
    assert "root:" not in text


@pytest.mark.parametrize("chars, hint", [
    ("ሀ", "POAFORGE_FONT_DIRS"),           # Ethiopic: no font here has it
    ("🚚", "fonts-noto-color-emoji"),      # emoji outside DejaVu's monochrome set
])
def test_missing_glyph_is_a_build_error(template: Path, tmp_path: Path, chars: str, hint: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # as on a machine without the colour emoji font (setup installs it)
    monkeypatch.setenv("POAFORGE_FONT_DIRS", ":".join(d for d in typeset.font_dirs() if "emoji" not in d.lower()
                                                      and not any("Emoji" in f for f in os.listdir(d))))
    out = tmp_path / "g.pdf"
    with pytest.raises(BuildError) as err:
        typeset.compile_pdf(template, {"items": [f"ok {chars}"], "source": "cases/c.yaml"}, out)
    message = str(err.value)
    assert message.startswith("cases/c.yaml: ") and f"U+{ord(chars):04X}" in message and hint in message
    assert not out.exists()


def test_cjk_without_cjk_fonts_names_the_package(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu = [d for d in typeset.font_dirs() if "dejavu" in d.lower()]
    monkeypatch.setenv("POAFORGE_FONT_DIRS", ":".join(dejavu) or str(tmp_path))
    with pytest.raises(BuildError, match="fonts-noto-cjk"):
        typeset.check_glyphs({"items": ["申诉说明函"]})


@pytest.mark.parametrize("text", ["Plain ASCII", "Café – “quoted” €5", "中文，标点。（证据3）", "한국어 かな", "✓ → Ω",
                                  "bidi \u202eabc\u202c zwj \u200d", "😀"])
def test_covered_text_passes(text: str) -> None:
    typeset.check_glyphs({"items": [text]})


def test_profile_is_not_checked() -> None:
    typeset.check_glyphs({"profile": {"addressee": {"am": "ሀ"}}, "items": ["x"]})


def test_the_keep_pattern_is_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    # the pattern of unbroken words names 年月日 (Chinese dates) but is never printed: an
    # English letter is not refused, nor a font folder searched, for it
    dejavu = [d for d in typeset.font_dirs() if "dejavu" in d.lower()]
    monkeypatch.setenv("POAFORGE_FONT_DIRS", ":".join(dejavu))
    typeset.check_glyphs({"keep": "[0-9]{4}年[0-9]{1,2}月", "items": ["Refunded 38 orders"]})
    with pytest.raises(BuildError, match="fonts-noto-cjk"):
        typeset.check_glyphs({"keep": "x", "items": ["2026年11月2日"]})


def test_typst_error_is_a_build_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.typ"
    bad.write_text("#let x = (\n", encoding="utf-8")
    with pytest.raises(BuildError, match="Typst could not compile"):
        typeset.compile_pdf(bad, {}, tmp_path / "x.pdf")
    with pytest.raises(BuildError, match="template not found"):
        typeset.compile_pdf(tmp_path / "missing.typ", {}, tmp_path / "x.pdf")


def test_unwritable_output_is_a_build_error(template: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(BuildError, match="cannot write"):
        typeset.compile_pdf(template, {"items": []}, blocker / "x.pdf")


def test_template_cannot_read_outside_root(tmp_path: Path) -> None:
    tpl = tmp_path / "root" / "r.typ"
    tpl.parent.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    tpl.write_text('#read("../secret.txt")', encoding="utf-8")
    with pytest.raises(BuildError):
        typeset.compile_pdf(tpl, {}, tmp_path / "x.pdf")
