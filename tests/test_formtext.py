"""Form text: each appeal-form box with the parts of the letter it takes, its count and its
limit (with where the limit comes from); poa.txt with the boxes marked; citations that name
the files as they are uploaded."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from letter_cases import EXAMPLES, ROOT, build, example
from poaforge.console import run
from poaforge.errors import BuildError
from poaforge.letter.compose import compose
from poaforge.letter.formtext import build_form, render_txt
from poaforge.letter.step import main

NASTY = '#read("/etc/passwd") $x$ <b>bold</b> ```{=typst} *a* \\n \\\\ 😀 FBA仓'


def test_amazon_boxes_follow_the_three_questions() -> None:
    case = example("amazon-odr")
    form = build_form(case, compose(case))
    assert [(b["key"], b["parts"], b["limit"], b["limit_source"]) for b in form["fields"]] == [
        ("root_causes", ["opening", "reappeal", "metrics", "root_causes"], 4000, "unpublished"),
        ("corrective_actions", ["corrective_actions"], 4000, "unpublished"),
        ("preventive_measures", ["preventive_measures"], 4000, "unpublished")]
    rc, ca, pm = (b["text"] for b in form["fields"])
    assert rc.startswith("In Notification SP-ODR-261028-4471 of 28 October 2026, Amazon deactivated")
    assert "\n\nRoot causes\n1. On 25 August 2026 we moved" in rc
    assert ca.startswith("Corrective actions taken\n1. Loaded the 37 missing SKUs")
    assert "   Owner: E-commerce Systems Administrator; Completed on: 29 October 2026 (Exhibit 3)" in ca
    assert pm.endswith("with results reported to the Operations Director. (Exhibit 9)")
    for box in form["fields"]:
        assert box["chars"] == len(box["text"]) and box["fits"] and box["count"] == f"{box['chars']} / 4000 characters"


def test_a_first_appeal_has_no_reappeal_paragraph_in_its_box() -> None:
    case = example("walmart-us")
    (box,) = build_form(case, compose(case))["fields"]
    assert box["parts"] == ["opening", "metrics", "root_causes", "corrective_actions", "preventive_measures"]
    assert box["limit"] is None and box["limit_source"] == "none" and box["count"].endswith(" characters")


def test_tiktok_box_holds_its_real_limit() -> None:
    """Seller Center's appeal box takes about 1,800 characters (one vendor's guide): the box
    gets the opening and the metrics, the full plan travels in the combined PDF."""
    case = example("tiktok-uk-dispatch")
    (box,) = build_form(case, compose(case))["fields"]
    assert (box["limit"], box["limit_source"], box["parts"]) == (1800, "single", ["opening", "metrics"])
    assert box["fits"] and box["chars"] <= 1800
    assert "577216349085217792" in box["text"]  # TikTok asks for the affected order ids


def test_a_box_over_its_limit_is_an_error_naming_it_and_the_excess() -> None:
    case = example("tiktok-uk-dispatch")
    size = build_form(case, compose(case))["fields"][0]["chars"]
    case["profile"]["form_fields"][0]["limit"] = size
    assert build_form(case, compose(case))["fields"][0]["fits"]
    case["profile"]["form_fields"][0]["limit"] = size - 7
    with pytest.raises(BuildError) as err:
        build_form(case, compose(case))
    assert str(err.value).endswith(
        f'cases/tiktok-uk-dispatch.yaml: form box "Appeal reason" (appeal_reason) is {size:,} characters, 7 over its limit '
        f"of {size - 7:,} — shorten it by at least 7 characters; its longest parts: the opening ({size - 276:,} characters), "
        "the metrics (274 characters). The limit is set in platforms/tiktok-shop.yaml (form_fields: appeal_reason, "
        "limit_source: single)")
    assert not build_form(case, compose(case), strict=False)["fields"][0]["fits"]


def test_items_over_the_limit_are_named_as_the_letter_names_them() -> None:
    case = example("amazon-odr")
    case["corrective_actions"][2]["action"] = "x" * 4100
    with pytest.raises(BuildError, match=r'form box "What actions .*" \(corrective_actions\) .* its longest parts: '
                                         r"Action 3 \(CA3, [\d,]+ characters\), Action 1 \(CA1"):
        build_form(case, compose(case))


def test_case_text_is_literal_and_counted_in_nfc() -> None:
    case = example("amazon-odr")
    case["root_causes"][0]["what"] = NASTY
    case["preventive_measures"][0]["measure"] = "Cafe\u0301"
    model = compose(case)
    form = build_form(case, model)
    assert "\n1. " + NASTY + "\n" in form["fields"][0]["text"]
    assert "1. Café\n" in form["fields"][2]["text"]
    for box in form["fields"]:
        assert box["text"] == unicodedata.normalize("NFC", box["text"]) and box["chars"] == len(box["text"])
    assert NASTY in render_txt(model, form)


def test_poa_txt_marks_each_box() -> None:
    case = example("amazon-odr")
    model = compose(case)
    form = build_form(case, model)
    txt = render_txt(model, form)
    assert txt.startswith("Harbor Crest Outdoors Co., Ltd.\nStore: Harbor Crest Outdoors · Seller ID: A3HCQ7N2XK9PLM\n")
    for box in form["fields"]:
        head = f"== {box['label']} ({box['count']}) ==\n"
        tail = f"\n== end of {box['label']} =="
        assert head + box["text"] + tail in txt
    assert txt.endswith("Sincerely,\n\nLin Wei\nOperations Director\nHarbor Crest Outdoors Co., Ltd.\n19 November 2026\n")
    zh = example("aliexpress-ip")
    zh_model = compose(zh)
    text = render_txt(zh_model, build_form(zh, zh_model))
    assert "\n== 申诉理由（" in text and " 字符） ==\n2026年11月14日，" in text and "\n== 申诉理由 结束 ==\n" in text
    assert "此致\n敬礼！\n\n签字 ______" in text and text.endswith("2026年11月19日\n（公司盖章处）\n")


@pytest.mark.parametrize("name", [n for n in EXAMPLES if example(n)["profile"]["attachments"]["mode"] == "separate"])
def test_citations_name_the_files_as_uploaded(name: str) -> None:
    """"(Exhibit 3)" in the form text is the file Exhibit_3_….pdf; "（附件3）" is 附件3_….pdf."""
    from poaforge.submit.plan import planned_uploads

    case = example(name)
    model = compose(case)
    names = [u.name for u in planned_uploads(case) if u.exhibit is not None]
    word = model["labels"]["exhibit"]
    text = "\n".join(b["text"] for b in build_form(case, model)["fields"])
    cited = {int(n) for group in re.findall(rf"[(（]{word}s? ?([\d,、 ]+)[)）]", text) for n in re.split(r"[,、 ]+", group) if n}
    assert cited
    for n in cited:
        assert [x for x in names if re.match(rf"{word}_?0*{n}_", x)], (n, names)


def test_the_step_writes_all_five_files_or_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_json = tmp_path / "case.json"
    case_json.write_text(json.dumps(example("amazon-odr"), ensure_ascii=False), encoding="utf-8")
    names = ["letter.json", "poa.pdf", "poa.docx", "poa.txt", "form.json"]
    assert run(main, [str(case_json), *(str(tmp_path / "a" / n) for n in names)]) == 0
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(names)
    big = example("amazon-odr")
    big["root_causes"][0]["gap"] = "y" * 5000
    case_json.write_text(json.dumps(big), encoding="utf-8")
    assert run(main, [str(case_json), *(str(tmp_path / "b" / n) for n in names)]) == 1
    err = capsys.readouterr().err
    # located at the longest item (RC1, whose gap grew), the line an editor jumps to
    line = next(n for n, text in enumerate((ROOT / "cases/amazon-odr.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if text.strip() == "- id: RC1")
    assert f'cases/amazon-odr.yaml:{line}:5: form box "What are the root causes' in err.splitlines()[0] and "Traceback" not in err
    assert not (tmp_path / "b").exists()
    assert run(main, [str(tmp_path / "missing.json"), *(str(tmp_path / "c" / n) for n in names)]) == 1
    assert run(main, []) == 2


def test_form_json_is_the_txt_boxes(tmp_path: Path) -> None:
    paths = build(example("aliexpress-ip"), tmp_path)
    form = json.loads(paths["form"].read_text(encoding="utf-8"))
    txt = paths["txt"].read_text(encoding="utf-8")
    (box,) = form["fields"]
    assert box["text"] in txt and sorted(box) == ["chars", "count", "fits", "key", "label", "limit", "limit_source",
                                                  "parts", "text"]
