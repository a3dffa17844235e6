"""Case text is data, never markup: hostile strings in every text field come out literally.

Every text field of the schema (``$defs/text`` and ``longtext``) gets a marker and a hostile
string — Typst code that would read /etc/passwd or panic, math, HTML, LaTeX, raw blocks,
Markdown, shell syntax — or CJK, emoji and bidi text. The pipeline steps build every
document, and each document where a field is shown must show it exactly: the POA PDF, the
bundle and the evidence index (text extracted with pypdf), the DOCX (word/document.xml)
and poa.txt. Bidi control characters are dropped from the letter in every format (they
would reorder the line: "Trojan source"). Nothing from /etc/passwd appears anywhere.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import Step
from .corpus import BIDI, CASE, CJK, EMOJI, HOSTILE, LONG_WORD, PASSWD_LINE, full_data, leaves, schema_at, write_case

PAYLOADS = [*HOSTILE, CJK, EMOJI, BIDI]
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text_fields(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Paths of the case's free-text values (the schema's text and longtext: maxLength 500 or 20,000)."""
    def is_text(schema: dict[str, Any]) -> bool:  # text is also what YAML reads as a number: ["string", "number", …]
        kind = schema.get("type")
        return kind == "string" or (isinstance(kind, list) and "string" in kind)

    return [p for p in leaves(data) if is_text(schema_at(p)) and schema_at(p).get("maxLength") in (500, 20_000)]


def hostile_case() -> tuple[dict[str, Any], dict[str, str]]:
    """The full case with every text field replaced; returns it and {marker: value}."""
    data = full_data()
    data["seller"].update(address="1 Road", email="ops@example.com")
    data["submissions"][0].update(reference="R-1", feedback="Feedback.")
    values = {}
    for n, path in enumerate(text_fields(data)):
        marker = f"F{n:02d}"
        value = f"{marker} {PAYLOADS[n % len(PAYLOADS)]}"
        if path == ("root_causes", 0, "gap"):
            value = f"{marker} {LONG_WORD}"
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        values[marker] = value
    return data, values


DATA, VALUES = hostile_case()
FIELDS = {f"F{n:02d}": path for n, path in enumerate(text_fields(DATA))}
LETTER = {"seller.legal_name", "seller.store_name", "seller.seller_id", "seller.address", "seller.email",
          "seller.responsible_person.name", "seller.responsible_person.title", "notice.reference",
          "notice.violations.0.policy", "notice.violations.0.code", "notice.violations.0.affected.0",
          "root_causes.0.what", "root_causes.0.role", "root_causes.0.gap", "corrective_actions.0.action",
          "corrective_actions.0.owner", "preventive_measures.0.measure", "preventive_measures.0.owner",
          "preventive_measures.0.frequency", "preventive_measures.0.verification"}
EXHIBITS = {f"exhibits.{i}.{f}" for i in range(3) for f in ("title", "proves")}
FORM = {"root_causes.0.what", "root_causes.0.role", "root_causes.0.gap", "corrective_actions.0.action",
        "corrective_actions.0.owner", "preventive_measures.0.measure", "preventive_measures.0.owner",
        "preventive_measures.0.frequency", "preventive_measures.0.verification"}
#: which fields each document shows
SHOWN = {"poa.pdf": LETTER, "bundle.pdf": LETTER | EXHIBITS, "evidence-index.pdf": EXHIBITS,
         "poa.docx": LETTER, "poa.txt": LETTER}  # one letter, every format


def _name(path: tuple[str | int, ...]) -> str:
    return ".".join(map(str, path))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Build every document of the hostile case once (pipeline steps, in-process)."""
    import os

    from poaforge.console import run
    from poaforge.steps import main

    root = tmp_path_factory.mktemp("hostile")
    old = os.getcwd()
    os.chdir(root)
    try:
        write_case(root, DATA)
        r = "results/mini"
        for argv in (["validate", CASE, f"{r}/case.json"], ["evidence", f"{r}/case.json", r],
                     ["letter", f"{r}/case.json", f"{r}/letter.json", f"{r}/poa.pdf", f"{r}/poa.docx", f"{r}/poa.txt",
                      f"{r}/form.json"],
                     ["index", f"{r}/case.json", f"{r}/letter.json", f"{r}/exhibits.json", f"{r}/evidence-index.pdf",
                      f"{r}/evidence-index.csv"],
                     ["bundle", f"{r}/case.json", f"{r}/letter.json", f"{r}/exhibits.json", f"{r}/bundle.pdf"],
                     ["checklist", f"{r}/case.json", f"{r}/letter.json", f"{r}/form.json", f"{r}/exhibits.json",
                      f"{r}/checklist.md"]):
            assert run(main, argv) == 0, argv
        assert run(main, ["lint-report", f"{r}/case.json", CASE, f"{r}/report.json", f"{r}/report.txt",
                          "--index", "results/lint-index.json", "--now", "none"]) == 0
        return _texts(root / r)
    finally:
        os.chdir(old)


def _texts(results: Path) -> dict[str, str]:
    from pypdf import PdfReader

    out = {name: "\n".join(p.extract_text() for p in PdfReader(results / name).pages)
           for name in ("poa.pdf", "bundle.pdf", "evidence-index.pdf")}
    xml = zipfile.ZipFile(results / "poa.docx").read("word/document.xml").decode("utf-8")
    # ids keep their hyphens unbreakable in Word (U+2011 NON-BREAKING HYPHEN): read it as the hyphen it is
    out["poa.docx"] = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<w:br\s*/>", "\n", xml))).replace("\u2011", "-")
    for name in ("poa.txt", "evidence-index.csv", "checklist.md", "report.txt", "report.json", "case.json", "form.json",
                 "letter.json"):
        out[name] = (results / name).read_text(encoding="utf-8")
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


CHECKS = [(doc, marker) for doc, shown in SHOWN.items() for marker, path in FIELDS.items() if _name(path) in shown]


def test_every_text_field_is_exercised() -> None:
    assert len(FIELDS) >= 30
    assert {_name(p) for p in FIELDS.values()} >= LETTER | EXHIBITS
    assert all(any(_name(FIELDS[m]) in s for s in SHOWN.values()) or _name(FIELDS[m]).startswith(
        ("notice.violations.0.quote", "metrics", "submissions", "waive")) for m in FIELDS)


@pytest.mark.parametrize(("doc", "marker"), CHECKS, ids=[f"{d}-{_name(FIELDS[m])}" for d, m in CHECKS])
def test_text_comes_out_literally(built: dict[str, str], doc: str, marker: str) -> None:
    value = BIDI_CONTROLS.sub("", VALUES[marker])  # the letter model drops them (they would reorder the line)
    if LONG_WORD in value or doc.endswith(".pdf"):
        # lines wrap (a 500-character word is broken into boxes): compare without white space
        assert _squash(value) in _squash(built[doc])
    else:
        assert value in built[doc] or " ".join(value.split()) in " ".join(built[doc].split())


def test_bidi_controls_are_dropped_from_the_letter_in_every_format(built: dict[str, str]) -> None:
    bidi = [m for m, v in VALUES.items() if BIDI in v and _name(FIELDS[m]) in FORM]
    assert bidi
    assert all(BIDI_CONTROLS.sub("", VALUES[m]) in built["poa.txt"] for m in bidi)
    for doc in ("poa.pdf", "poa.docx", "poa.txt", "letter.json"):
        assert not BIDI_CONTROLS.search(built[doc]), doc


@pytest.mark.parametrize("doc", ["poa.pdf", "bundle.pdf", "evidence-index.pdf", "poa.docx", "poa.txt", "evidence-index.csv",
                                 "checklist.md", "report.txt", "report.json", "case.json", "form.json"])
def test_nothing_from_etc_passwd(built: dict[str, str], doc: str) -> None:
    assert PASSWD_LINE not in built[doc]
    assert "/usr/sbin/nologin" not in built[doc] and "/bin/false" not in built[doc]


def test_shell_syntax_ran_nowhere(built: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    assert not list(tmp_path_factory.getbasetemp().rglob("pwned*"))


def test_checklist_escapes_markdown(built: dict[str, str]) -> None:
    """In checklist.md, case text is escaped Markdown: `<script>` cannot become HTML."""
    assert "<script>" not in built["checklist.md"]


def test_emoji_without_a_font_is_a_clear_error(proj: Path, step: Step) -> None:
    """👍 is not in the bundled fonts: without Noto Color Emoji the build stops with what to do
    (never a PDF with empty boxes); with it installed, the POA shows it."""
    from poaforge.typeset import check_glyphs

    data = full_data()
    data["corrective_actions"][0]["action"] = "Refunded all 38 affected orders 👍."
    write_case(proj, data)
    assert step("validate", CASE, "results/mini/case.json") == (0, [])
    r = "results/mini"
    code, err = step("letter", f"{r}/case.json", f"{r}/letter.json", f"{r}/poa.pdf", f"{r}/poa.docx", f"{r}/poa.txt",
                     f"{r}/form.json")
    try:
        check_glyphs({"x": "👍"})
    except Exception:
        assert (code, err) == (1, [
            "cases/mini.yaml: no installed font can show '👍' (U+1F44D); the PDF would print empty boxes — remove the emoji "
            "(a POA reads better without them) or install Noto Color Emoji (Debian/Ubuntu: apt install fonts-noto-color-emoji)"])
        assert not (proj / "results/mini/poa.pdf").exists()
    else:
        assert (code, err) == (0, [])
