"""The signed (and sealed) letter: a case field for the scan, checked at validation, uploaded
and bundled in place of the generated letter; the checklist then no longer asks for it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from conftest import write_pdf, write_png
from letter_cases import ROOT, build
from poaforge.errors import CaseError, EvidenceError


def _with_scan(tmp_path: Path, name: str, pages: int | None = None, marketplace: str | None = None) -> tuple[dict[str, Any], Path]:
    """The example copied to ``tmp_path``, its letter built, then scanned (one PNG per page,
    or a blank PDF of ``pages`` pages) and named in the case as signed_letter."""
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise

    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ROOT / "cases" / f"{name}.yaml", cases)
    shutil.copytree(ROOT / "cases" / name, cases / name)
    path = cases / f"{name}.yaml"
    if marketplace:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("marketplace: UK", f"marketplace: {marketplace}"), encoding="utf-8")
    results = tmp_path / "results"
    build(normalise(load_case(path)), results)
    if pages is None:
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(results / "poa.pdf"), str(cases / name / "evidence" / "signed")],
                       check=True)
        scans = sorted(p.relative_to(cases / name).as_posix() for p in (cases / name / "evidence").glob("signed-*.png"))
        field = "signed_letter:\n" + "".join(f"  - {s}\n" for s in scans)
    else:
        write_pdf(cases / name / "evidence" / "signed-letter.pdf", pages=pages)
        field = "signed_letter: evidence/signed-letter.pdf\n"
    text = path.read_text(encoding="utf-8")
    at = text.index("submissions:") if "submissions:" in text else len(text)
    path.write_text(text[:at] + field + text[at:], encoding="utf-8")
    return normalise(load_case(path)), results


@pytest.mark.parametrize(("value", "message"), [
    ("evidence/notes.txt", "signed_letter: 'evidence/notes.txt' is not a PDF, PNG, JPEG or GIF file — scan the signed letter"),
    ("../outside.pdf", "signed_letter: '../outside.pdf' climbs out of the case folder"),
    ("evidence/missing.pdf", "signed_letter: file 'evidence/missing.pdf' does not exist in cases/mini/"),
    ("[evidence/late.pdf, evidence/nope.png]", "signed_letter: file 'evidence/nope.png' does not exist"),
])
def test_validation_names_the_line(mini: Any, value: str, message: str) -> None:
    from poaforge.case.model import load_case

    path = mini()
    (Path("cases/mini/evidence/notes.txt")).write_text("not a scan", encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"signed_letter: {value}\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    with pytest.raises(CaseError) as err:
        load_case(path)
    (problem,) = err.value.problems
    assert problem.line == line and message in str(problem)


def test_the_scan_is_read_as_an_exhibit(mini: Any) -> None:
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise

    path = mini()
    write_png(Path("cases/mini/evidence/page-1.png"))
    write_png(Path("cases/mini/evidence/page-2.png"))
    path.write_text(path.read_text(encoding="utf-8") + "signed_letter: [evidence/page-1.png, evidence/page-2.png]\n",
                    encoding="utf-8")
    scan = normalise(load_case(path))["signed_scan"]
    assert scan["pages"] == 2 and [f["file"] for f in scan["files"]] == ["evidence/page-1.png", "evidence/page-2.png"]
    assert {f["media"] for f in scan["files"]} == {"png"}
    Path("cases/mini/evidence/page-2.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(EvidenceError, match="cases/mini/evidence/page-2.png: "):
        normalise(load_case(path))


def test_aliexpress_uploads_the_signed_and_sealed_scan(tmp_path: Path) -> None:
    from poaforge.evidence.intake import prepare
    from poaforge.letter.compose import compose
    from poaforge.letter.formtext import build_form
    from poaforge.submit.checklist import render_checklist
    from poaforge.submit.upload import build_upload

    case, results = _with_scan(tmp_path, "aliexpress-ip")
    exhibits = prepare(case, Path(case["case_dir"]), results)
    build_upload(case, exhibits, Path(case["case_dir"]), results, results / "upload")
    letter = PdfReader(results / "upload" / "申诉说明函_Chengxi_Home_Store.pdf")
    assert len(letter.pages) == len(PdfReader(results / "poa.pdf").pages) == case["signed_scan"]["pages"]
    assert all(page.images for page in letter.pages) and not "".join(p.extract_text() for p in letter.pages).strip()
    model = compose(case)
    text = render_checklist(case, model, build_form(case, model), exhibits)
    assert "亲笔签字" not in text and "加盖公司公章" not in text
    assert "- [ ] 已使用签字盖章的函件扫描件 `evidence/signed-1.png`, `evidence/signed-2.png`（2 页）替换生成的函件" in text
    assert "1. `申诉说明函_Chengxi_Home_Store.pdf`：签字盖章的申诉说明函（扫描件 `evidence/signed-1.png`" in text
    from poaforge.submit.manifest import build_manifest

    inputs = {Path(e["path"]).name for e in build_manifest(case, results)["inputs"]}
    assert {"signed-1.png", "signed-2.png"} <= inputs  # what was filed can be proven later


def test_a_scan_of_another_version_is_refused(tmp_path: Path) -> None:
    from poaforge.letter.signed import signed_pdf

    case, results = _with_scan(tmp_path, "aliexpress-ip", pages=1)
    with pytest.raises(EvidenceError) as err:
        signed_pdf(case, results / "poa.pdf")
    assert str(err.value).endswith("cases/aliexpress-ip/evidence/signed-letter.pdf: the signed letter has 1 page(s), the "
                                   f"letter (poa.pdf) has 2 — print {(results / 'poa.pdf').as_posix()} as it is now, sign "
                                   "and seal it, scan all 2 page(s) and replace the scan (signed_letter in the case file)")


def test_the_tiktok_bundle_carries_the_signed_scan(tmp_path: Path) -> None:
    """TikTok US asks for the responsible person's signature: the combined PDF holds the scan."""
    from poaforge.bundle.merge import _with_rendered_front
    from poaforge.evidence.intake import prepare
    from poaforge.letter.compose import compose

    case, results = _with_scan(tmp_path, "tiktok-uk-dispatch", marketplace="US")
    assert case["profile"]["signature"]["signature_required"]
    exhibits = prepare(case, Path(case["case_dir"]), results)
    out = results / "bundle.pdf"
    total = _with_rendered_front(case, compose(case), exhibits, results, out)
    reader = PdfReader(out)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:3] == ["Cover", "Plan of Action (signed)", "Evidence index"]
    scan_pages = case["signed_scan"]["pages"]
    assert reader.pages[1].images and reader.get_destination_page_number(reader.outline[2]) == 1 + scan_pages
    assert total == len(reader.pages) == 1 + scan_pages + 1 + sum(e["pages"] for e in exhibits["exhibits"])
    assert f"Page 2 of {total}" in reader.pages[1].extract_text()  # the scan is stamped in an added strip
    assert dt.date.fromisoformat(case["as_of"])  # the case is otherwise unchanged
