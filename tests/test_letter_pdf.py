"""poa.pdf: the letter model typeset by Typst — paper, outline, links in bundle mode, case
text printed literally, long tokens wrapped, reproducible."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from letter_cases import build, example
from letter_text import normalise, pdf_body_text

MM = 72 / 25.4


def word_boxes(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word, from pdftotext -bbox (y grows downwards)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pat = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    import html as h

    return [(float(a), float(b), float(c), float(d), h.unescape(w)) for a, b, c, d, w in re.findall(pat, html)]


def model_of(case: dict[str, Any]) -> dict[str, Any]:
    from poaforge.letter.compose import compose

    return compose(case)


def render(case: dict[str, Any], out: Path, mode: str = "standalone") -> int:
    from poaforge.letter.pdf import render_letter

    return render_letter(model_of(case), out, mode)


@pytest.mark.parametrize(("name", "size"), [("walmart-us", (612, 792)), ("aliexpress-ip", (595.28, 841.89)),
                                            ("tiktok-uk-dispatch", (595.28, 841.89))])
def test_paper_of_the_profile(tmp_path: Path, name: str, size: tuple[float, float]) -> None:
    out = tmp_path / "poa.pdf"
    pages = render(example(name), out)
    reader = pypdf.PdfReader(out)
    assert pages == len(reader.pages)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.1)


def test_outline_follows_the_letter(tmp_path: Path) -> None:
    case = example("amazon-odr")
    case["profile"]["sections"] = ["corrective_actions", "root_causes", "preventive_measures"]
    out = tmp_path / "poa.pdf"
    render(case, out)
    assert [o.title for o in pypdf.PdfReader(out).outline] == [
        "Account metrics", "Corrective actions taken", "Root causes", "Preventive measures"]


def test_bundle_mode_links_every_citation_and_leaves_the_bottom_free(tmp_path: Path) -> None:
    out = tmp_path / "poa.pdf"
    render(example("amazon-odr"), out, mode="bundle")
    reader = pypdf.PdfReader(out)
    uris = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    assert set(uris) == {f"bundle:exhibit-{n}" for n in range(1, 12)}
    assert "Page 1 of" not in "".join(p.extract_text() for p in reader.pages)
    height = float(reader.pages[0].mediabox.height)
    assert max(w[3] for w in word_boxes(out)) < height - 15 * MM


HOSTILE = ['#read("/etc/passwd")', '#panic("x")', "$x^2$", "<b>bold</b>", "```{=typst}", "\\input{/etc/passwd}",
           "*bold*", "_x_", "@ref", "// comment", "]", "[", "#", "\"quoted\"", "{{store_name}}", "{store_name}"]


def test_hostile_strings_are_printed_literally_in_every_format(tmp_path: Path) -> None:
    from letter_text import docx_text

    case = example("walmart-us")
    for i, s in enumerate(HOSTILE):
        case["root_causes"][0]["what"] += f" H{i}: {s}"
    case["seller"]["legal_name"] = '#read("/etc/passwd") Ltd.'
    case["corrective_actions"][0]["owner"] = "$owner$ *Manager*"
    paths = build(case, tmp_path)
    for text in (pdf_body_text(paths["pdf"]), docx_text(paths["docx"]), paths["txt"].read_text(encoding="utf-8")):
        flat = normalise(text)
        for i, s in enumerate(HOSTILE):
            assert normalise(f"H{i}: {s}") in flat, s
        assert '#read("/etc/passwd") Ltd.' in flat and "Owner: $owner$ *Manager*" in flat
        assert "root:" not in flat


def test_bidi_overrides_are_dropped_in_every_format(tmp_path: Path) -> None:
    from letter_text import docx_text

    case = example("walmart-us")
    case["root_causes"][0]["what"] = "Invoice \u202egpj.exe\u202c attached"
    paths = build(case, tmp_path)
    for text in (pdf_body_text(paths["pdf"]), docx_text(paths["docx"]), paths["txt"].read_text(encoding="utf-8")):
        assert "Invoice gpj.exe attached" in text and "\u202e" not in text


def test_a_long_word_wraps_inside_the_margins(tmp_path: Path) -> None:
    case = example("walmart-us")
    long = "A" * 150 + "B" * 150
    case["root_causes"][0]["what"] = f"Start {long} end."
    case["preventive_measures"][0]["verification"] = "https://sellercentral.example.com/" + "x" * 120
    out = tmp_path / "poa.pdf"
    render(case, out)
    assert long in re.sub(r"\s", "", pdf_body_text(out))
    width = float(pypdf.PdfReader(out).pages[0].mediabox.width)
    assert max(w[2] for w in word_boxes(out)) <= width - 20 * MM


def test_chinese_text_has_no_stray_spaces(tmp_path: Path) -> None:
    case = example("aliexpress-ip")
    case["root_causes"][0]["what"] = "商品发布前也没有 第二人复核。 仓库按数量验收。Latin words stay apart. 2026-09-03到货。"
    out = tmp_path / "poa.pdf"
    render(case, out)
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "没有第二人复核。仓库按数量验收。Latin words stay apart. 2026年9月3日到货。" in text.replace("\n", "")


def test_signature_and_seal_places_only_when_the_platform_asks(tmp_path: Path) -> None:
    case = example("aliexpress-ip")
    out = tmp_path / "poa.pdf"
    render(case, out)
    text = normalise(pdf_body_text(out))
    assert "签字" in text and "（公司盖章处）" in text
    case["profile"]["signature"] = {"name_title_required": True, "signature_required": False, "seal_required": False}
    render(case, out)
    text = normalise(pdf_body_text(out))
    assert "（公司盖章处）" not in text and "签字" not in text.replace("签字确认", "")
