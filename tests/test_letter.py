"""One letter, every format: the model composed once, and what a reader sees in poa.pdf,
poa.docx and poa.txt — the same words, one date style, names and citations as uploaded,
targets from the notice, no tool fingerprint, a re-appeal that says what changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from letter_cases import EXAMPLES, ROOT, build, example
from letter_text import docx_text, normalise, pdf_body_text, txt_letter_text, words


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Every example's letter, built once."""
    root = tmp_path_factory.mktemp("letters")
    return {name: build(example(name), root / name) for name in EXAMPLES}


def model(built: dict[str, dict[str, Path]], name: str) -> dict[str, Any]:
    return json.loads(built[name]["model"].read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_docx_and_txt_say_the_same_words(built: dict[str, dict[str, Path]], name: str) -> None:
    paths, labels = built[name], model(built, name)["labels"]
    pdf = words(pdf_body_text(paths["pdf"]))
    assert pdf == words(docx_text(paths["docx"]))
    assert pdf == words(txt_letter_text(paths["txt"], labels))
    assert len("".join(pdf)) > 1000


def test_the_examples_cover_both_languages() -> None:
    assert {example(n)["language"] for n in EXAMPLES} == {"en", "zh"}


def test_a_label_and_a_date_format_change_every_format_from_one_file(tmp_path: Path) -> None:
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise as normalise_case

    project = tmp_path / "project"
    for part in ("schemas", "platforms", "templates"):
        shutil.copytree(ROOT / part, project / part)
    lang = project / "templates" / "lang" / "en.yaml"
    text = lang.read_text(encoding="utf-8")
    text = text.replace('date_format: "{day} {month_name} {year}"', 'date_format: "{day}.{month}.{year}"')
    text = text.replace("name_corrective_actions: Action {n}", "name_corrective_actions: Step {n}")
    lang.write_text(text.replace("title: Plan of Action\n", "title: Plan of Action (revised)\n"), encoding="utf-8")
    case = normalise_case(load_case(ROOT / "cases" / "walmart-us.yaml"), root=project)
    paths = build(case, tmp_path / "out")
    labels = json.loads(paths["model"].read_text(encoding="utf-8"))["labels"]
    for shown in (normalise(pdf_body_text(paths["pdf"])), normalise(docx_text(paths["docx"])),
                  normalise(txt_letter_text(paths["txt"], labels))):
        assert "Plan of Action (revised)" in shown and "20.11.2026" in shown and "7.11.2026" in shown
        assert "November" not in shown
    index = json.loads(paths["model"].read_text(encoding="utf-8"))
    assert index["names"]["CA2"] == "Step 2"


@pytest.mark.parametrize("name", EXAMPLES)
def test_one_date_style_per_letter(built: dict[str, dict[str, Path]], name: str) -> None:
    """No ISO date, no short month, no spaced Chinese date beside the letter's own style."""
    text = normalise(pdf_body_text(built[name]["pdf"]))
    assert not re.search(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])", text), re.findall(r"\d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec) \d{4}\b", text)
    raw = pdf_body_text(built[name]["pdf"])
    assert not re.search(r"\d\s+[年月日]|[年月]\s+\d", raw)  # "2026 年 10 月 27 日", or a date broken over two lines
    if example(name)["language"] == "en":
        assert re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) "
                         r"\d{4}\b", text)
    else:
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_reference_is_never_preceded_by_its_own_words(built: dict[str, dict[str, Path]], name: str) -> None:
    """"regarding violation record Violation record VR-…", "记录编号：违规记录 IPR-…" as a kind."""
    reference = normalise(example(name)["notice"]["reference"])
    lead = ""  # the reference's own leading words: "Violation record" of "Violation record VR-UK-…"
    for token in example(name)["notice"]["reference"].split():
        if not token.isalpha():
            break
        lead += token.lower()
    text = normalise(txt_letter_text(built[name]["txt"], model(built, name)["labels"]))
    assert reference in text
    for found in re.finditer(re.escape(reference), text):
        before = re.sub(r"[\W_]+", "", text[max(0, found.start() - 20):found.start()]).lower()
        assert not (lead and before.endswith(lead)), (name, text[max(0, found.start() - 40):found.end()])
        assert "记录编号" not in text[max(0, found.start() - 8):found.start()]
    twice = re.search(r"\b([^\W\d_]{2,}) \1\b", text, re.IGNORECASE)
    assert not twice, twice


def test_a_bare_reference_gets_a_noun() -> None:
    from poaforge.letter.compose import compose

    case = example("walmart-us")
    case["notice"]["reference"] = "09124477"
    assert "In notice 09124477 of 6 November 2026, Walmart Marketplace" in compose(case)["paragraphs"][0]["text"]


def test_ids_and_skus_are_never_broken(tmp_path: Path) -> None:
    case = example("tiktok-uk-dispatch")
    skus = " ".join(f"LM-WT-{100 + n} and SP-ODR-26102{n}-4471" for n in range(40))
    case["root_causes"][0]["what"] = f"Affected listings {skus}."
    paths = build(case, tmp_path)
    lines = subprocess.run(["pdftotext", "-raw", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    for n in range(40):
        assert f"LM-WT-{100 + n}" in lines and f"SP-ODR-26102{n}-4471" in lines
    assert not [line for line in lines.splitlines() if re.search(r"\b(LM|LM-WT|SP|SP-ODR|SP-ODR-\d+)-$", line)]
    xml = docx_text(paths["docx"])
    assert "LM\u2011WT\u2011100" in xml and "SP\u2011ODR\u2011261020\u20114471" in xml
    assert "LM-WT-100" in paths["txt"].read_text(encoding="utf-8")  # plain text keeps the hyphen a user types


def test_a_target_from_the_notice_wins_over_no_published_target(built: dict[str, dict[str, Path]]) -> None:
    text = normalise(pdf_body_text(built["tiktok-uk-dispatch"]["pdf"]))
    assert "No published target" not in text
    assert "Late dispatch rate 9.7% 28 days 5 November 2026 ≤ 4% Misses target Exhibit 1" in text
    assert "1.1% 7 days 19 November 2026 ≤ 4% Meets target Exhibit 2" in text
    assert "9.7% on 5 November 2026 against a target of at most 4%" in text


def test_a_case_target_wins_over_the_profile() -> None:
    from poaforge.letter.compose import compose

    case = example("amazon-odr")
    case["metrics"][0]["target"] = "< 2"
    rows = compose(case)["metrics"]["rows"]
    assert rows[0]["cells"][4:6] == ["< 2%", "Meets target"] and rows[0]["status"] == "meets"
    case["metrics"] = [dict(case["metrics"][0], name="made_up_rate", target=None)]
    (row,) = compose(case)["metrics"]["rows"]
    assert row["cells"][4:6] == ["—", "No published target"] and row["status"] == "none"


def test_tiktok_exhibits_are_numbered_in_order_of_first_citation(built: dict[str, dict[str, Path]]) -> None:
    text = normalise(pdf_body_text(built["tiktok-uk-dispatch"]["pdf"]))
    cited = [int(n) for group in re.findall(r"Exhibits? (\d+(?:, \d+)*)", text) for n in group.split(", ")]
    first = list(dict.fromkeys(cited))
    assert first == sorted(first) == list(range(1, 10))
    # the other platforms keep the order of the case's list
    assert [e["number"] for e in example("amazon-odr")["exhibits"]] == list(range(1, 12))


def test_no_prose_sentence_is_shared_by_two_letters(built: dict[str, dict[str, Path]]) -> None:
    """Template detection compares letters: every sentence of the prose is built from the case's facts."""
    sentences: dict[str, str] = {}
    for name in EXAMPLES:
        for paragraph in model(built, name)["paragraphs"]:
            for sentence in re.split(r"(?<=\.)\s+|(?<=。)", paragraph["text"]):
                if sentence:
                    assert sentence not in sentences, (sentence, name, sentences.get(sentence))
                    sentences[sentence] = name
    old = ["Please find below the Plan of Action for our store", "We submit this appeal for our shop",
           "经认真核查，现将问题原因、已完成的整改措施及后续预防措施说明如下"]
    for name in EXAMPLES:
        text = normalise(txt_letter_text(built[name]["txt"], model(built, name)["labels"]))
        assert not [o for o in old if o in text]


@pytest.mark.parametrize(("change", "expected"), [
    ({"enforcement": "listing-removal"}, "removed listings of our store"),
    ({"enforcement": "payout-hold"}, "held the payouts of our store"),
    ({"received": "2026-11-03"}, "of 3 November 2026"),
])
def test_the_opening_follows_the_facts(change: dict[str, str], expected: str) -> None:
    from poaforge.letter.compose import compose

    case = example("walmart-us")
    before = compose(case)["paragraphs"][0]["text"]
    case["notice"].update(change)
    after = compose(case)["paragraphs"][0]["text"]
    assert expected in after and expected not in before


def test_a_reappeal_states_the_rejected_submission_and_what_changed(built: dict[str, dict[str, Path]]) -> None:
    paragraphs = {p["part"]: p["text"] for p in model(built, "amazon-odr")["paragraphs"]}
    assert paragraphs["reappeal"] == (
        "This plan revises our appeal of 2 November 2026 (Appeal 2026-11-02-A3HCQ7N2XK9PLM), which was rejected. "
        "Since then we have completed Action 5, put Measures 1 to 3 into effect and added Exhibits 7 to 11.")
    assert "reappeal" not in {p["part"] for p in model(built, "walmart-us")["paragraphs"]}


def test_a_reappeal_with_the_filed_commit_names_what_was_revised(mini: Any, tmp_path: Path) -> None:
    """With the filed version in git, the paragraph names items added and revised since."""
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise as normalise_case
    from poaforge.letter.compose import compose

    path = mini()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "."], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "filed"], check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    text = path.read_text(encoding="utf-8")
    text = text.replace("gap: The carrier onboarding checklist had no pickup-time check.",
                        "gap: The carrier onboarding checklist had no pickup-time check and no cut-off review.")
    text = text.replace("preventive_measures:\n", """  - id: CA2
    root_causes: [RC1]
    action: Moved the daily carrier pickup to 17:00.
    owner: Logistics Lead
    done: 2026-11-12
    exhibits: [E2]
preventive_measures:
""")
    text += f"""submissions:
  - version: "1"
    date: 2026-11-08
    outcome: rejected
    reference: Appeal A-1
    commit: {commit}
"""
    path.write_text(text, encoding="utf-8")
    case = normalise_case(load_case(path))
    reappeal = compose(case)["paragraphs"][1]["text"]
    assert reappeal == ("This plan revises our appeal of 8 November 2026 (Appeal A-1), which was rejected. "
                        "Since then we have revised Root cause 1 and added Action 2.")


def test_the_seal_place_sits_beside_the_company_name_and_date(built: dict[str, dict[str, Path]]) -> None:
    from test_letter_pdf import word_boxes

    seller = example("aliexpress-ip")["seller"]
    boxes = word_boxes(built["aliexpress-ip"]["pdf"])
    company = next(b for b in boxes if b[4] == seller["legal_name"])
    date = next(b for b in reversed(boxes) if b[4] == "2026年11月19日")
    seal = next(b for b in boxes if "公司盖章处" in b[4])
    assert seal[0] > max(company[2], date[2])                       # to their right
    assert seal[0] - max(company[2], date[2]) < 40 * 72 / 25.4      # within 4 cm
    assert seal[1] < date[3] and seal[3] > company[1] - 80          # level with them
    assert company[1] < date[1]                                     # the date under the company name


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_model_follows_its_schema_and_is_reproducible(built: dict[str, dict[str, Path]], name: str, tmp_path: Path) -> None:
    from poaforge.letter.model import check_model

    check_model(model(built, name))
    again = build(example(name), tmp_path)
    for key in ("model", "pdf", "docx", "txt", "form"):
        assert again[key].read_bytes() == built[name][key].read_bytes(), key


def test_the_letter_schema_is_valid_and_documented() -> None:
    from jsonschema import Draft202012Validator

    from test_profile import _walk

    schema = json.loads((ROOT / "schemas" / "letter.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert _walk(schema) == []


def test_a_letter_whose_pdf_fails_writes_no_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pandoc lays the DOCX out while Typst sets the PDF: a PDF that cannot be made (no CJK font
    # here) leaves neither poa.docx nor its staged copy behind, and says why
    from poaforge import typeset
    from poaforge.errors import BuildError

    dejavu = [d for d in typeset.font_dirs() if "dejavu" in d.lower()]
    monkeypatch.setenv("POAFORGE_FONT_DIRS", ":".join(dejavu) or str(tmp_path / "none"))
    with pytest.raises(BuildError, match="fonts-noto-cjk"):
        build(example("aliexpress-ip"), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []
