"""End to end: the real `snakemake` on a temporary copy of the project and its examples.

What a user sees: every output is there, the POA's text holds each point in order with
its exhibit citations, the bundle's pages, bookmarks and links are right, two builds are
byte-identical, a content edit rebuilds, and a broken case stops with a located message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import tree_hashes
from e2e import copy_project, snakemake
from poaforge.letter.words import Words

pytestmark = pytest.mark.e2e

OUTPUTS = ["case.json", "report.json", "report.txt", "letter.json", "poa.pdf", "poa.docx", "poa.txt", "form.json", "evidence-index.pdf",
           "evidence-index.csv", "bundle.pdf", "checklist.md", "manifest.json", "exhibits.json", "upload.json"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project, built once by a plain `snakemake`."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    before = tree_hashes(root / "cases")
    result = snakemake(root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_hashes(root / "cases") == before, "a build modified a case file or an evidence original"
    return root


def _cases(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "cases").glob("*.yaml"))


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_output_for_every_case(built: Path) -> None:
    for case in _cases(built):
        for name in OUTPUTS:
            assert (built / "results" / case / name).is_file(), f"{case}/{name} missing"
        assert any((built / "results" / case / "upload").iterdir())


def test_poa_text_has_each_point_in_order_with_citations(built: Path) -> None:
    case = json.loads((built / "results/amazon-odr/case.json").read_text(encoding="utf-8"))
    text = _flat(_text(built / "results/amazon-odr/poa.pdf"))
    numbers = {e["id"]: e["number"] for e in case["exhibits"]}
    shown = Words(case["labels"]).in_text  # the letter writes the case's ISO dates in its own style
    position = 0
    for section, field in (("root_causes", "what"), ("corrective_actions", "action"), ("preventive_measures", "measure")):
        for item in case[section]:
            head = _flat(shown(item[field]))[:60]
            found = text.find(head, position)
            assert found >= 0, f"{item['id']} not found in order: {head!r}"
            position = found
            cited = sorted(numbers[e] for e in item["exhibits"])
            if cited:
                label = f"(Exhibit {cited[0]})" if len(cited) == 1 else f"(Exhibits {', '.join(map(str, cited))})"
                assert label in text[found:], f"{item['id']} lacks {label}"


def test_chinese_poa_text_matches_case(built: Path) -> None:
    case = json.loads((built / "results/aliexpress-ip/case.json").read_text(encoding="utf-8"))
    text = re.sub(r"\s+", "", _text(built / "results/aliexpress-ip/poa.pdf"))
    for item in case["root_causes"] + case["corrective_actions"]:
        words = re.sub(r"\s+", "", Words(case["labels"]).in_text(item.get("what") or item["action"]))
        assert words[:30] in text
    assert "申诉说明函" in text


def test_bundle_pages_bookmarks_and_links(built: Path) -> None:
    res = built / "results/amazon-odr"
    exhibits = json.loads((res / "exhibits.json").read_text())["exhibits"]
    bundle = PdfReader(res / "bundle.pdf")
    parts = len(PdfReader(res / "poa.pdf").pages) + len(PdfReader(res / "evidence-index.pdf").pages)
    assert len(bundle.pages) == 1 + parts + sum(e["pages"] for e in exhibits)  # cover + POA + index + exhibits
    # bookmarks: each exhibit's entry points at its first page, right after the previous exhibit
    marks: dict[str, int] = {}

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks[item.title] = bundle.get_destination_page_number(item)

    walk(bundle.outline)
    first = 1 + parts
    starts = {}
    for e in exhibits:
        title = next(t for t in marks if t.startswith(f"Exhibit {e['number']} "))
        assert marks[title] == first, title
        starts[e["number"]] = first
        first += e["pages"]
    assert {"Cover", "Plan of Action", "Evidence index", "Root causes"} <= set(marks)
    # links in the POA and index go to the first page of the cited exhibit
    targets = set()
    for page in bundle.pages[1:1 + parts]:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            action = obj.get("/A")
            assert not (action and action.get("/S") == "/URI"), "an unresolved link is left"
            dest = obj.get("/Dest") or (action or {}).get("/D")
            if dest is not None:
                if isinstance(dest, str) or not isinstance(dest, list):
                    dest = bundle.named_destinations[str(dest)] if str(dest) in bundle.named_destinations else dest
                number = bundle.get_destination_page_number(dest) if hasattr(dest, "page") else \
                    bundle.get_page_number(dest[0].get_object())
                targets.add(number)
    assert targets and targets <= set(starts.values()), (targets, starts)
    assert set(starts.values()) <= targets  # every exhibit is linked at least once
    # page labels match the printed page numbers
    assert bundle.page_labels == [str(n) for n in range(1, len(bundle.pages) + 1)]
    assert f"Page 12 of {len(bundle.pages)}" in (bundle.pages[11].extract_text() or "")


def test_bundle_passes_qpdf_check(built: Path) -> None:
    if not shutil.which("qpdf"):
        pytest.skip("qpdf is not installed (make test installs it)")
    for case in _cases(built):
        result = subprocess.run(["qpdf", "--check", str(built / "results" / case / "bundle.pdf")], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-2000:]


def test_the_bundle_from_the_front_stage_is_the_one_the_bundle_step_makes_alone(built: Path, tmp_path: Path) -> None:
    """The job typesets the POA and the index for the bundle in its front stage (parts/, Typst
    warm) and the bundle stage merges them; the bundle step run alone typesets them itself:
    the same bytes, for an English and a Chinese case."""
    import sys

    for case in ("walmart-us", "aliexpress-ip"):
        res = built / "results" / case
        assert sorted(p.name for p in (res / "parts").iterdir() if not p.name.startswith(".")) == ["evidence-index.pdf", "poa.pdf"]
        alone = tmp_path / f"{case}.pdf"
        done = subprocess.run([sys.executable, "-m", "poaforge.steps", "bundle", f"results/{case}/case.json",
                               f"results/{case}/letter.json", f"results/{case}/exhibits.json", str(alone),
                               "--checked", f"results/{case}/facts.json"], cwd=built, capture_output=True, text=True,
                              env={**os.environ, "TZ": "UTC", "SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0"})
        assert done.returncode == 0, done.stderr[-2000:]
        assert alone.read_bytes() == (res / "bundle.pdf").read_bytes(), case


def test_docx_and_txt_hold_the_case_text(built: Path) -> None:
    case = json.loads((built / "results/amazon-trademark/case.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(built / "results/amazon-trademark/poa.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    words = _flat(re.sub(r"<[^>]+>", " ", xml).replace("&amp;", "&"))
    txt = _flat((built / "results/amazon-trademark/poa.txt").read_text(encoding="utf-8"))
    for item in case["corrective_actions"]:
        assert _flat(item["action"])[:50] in words
        assert _flat(item["action"])[:50] in txt
    form = json.loads((built / "results/amazon-trademark/form.json").read_text(encoding="utf-8"))
    assert [f["key"] for f in form["fields"]] == ["root_causes", "corrective_actions", "preventive_measures"]
    assert all(f["chars"] == len(f["text"]) and f["fits"] for f in form["fields"])
    assert form["fields"][1]["text"] in (built / "results/amazon-trademark/poa.txt").read_text(encoding="utf-8")


def test_manifest_hashes_inputs_and_outputs(built: Path) -> None:
    manifest = json.loads((built / "results/walmart-us/manifest.json").read_text())
    paths = {e["path"] for e in manifest["inputs"]}
    assert "cases/walmart-us.yaml" in paths and "templates/poa.typ" in paths
    assert any(p.startswith("cases/walmart-us/evidence/") for p in paths)
    outputs = {e["path"]: e["sha256"] for e in manifest["outputs"]}
    assert "results/walmart-us/bundle.pdf" in outputs
    import hashlib
    assert outputs["results/walmart-us/bundle.pdf"] == hashlib.sha256((built / "results/walmart-us/bundle.pdf").read_bytes()).hexdigest()
    assert {"typst", "pypdf", "snakemake", "pandoc"} <= set(manifest["tools"])


def test_second_run_is_a_no_op(built: Path) -> None:
    result = snakemake(built, "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    other = copy_project(tmp_path / "elsewhere", cases=["amazon-odr", "aliexpress-ip"])
    result = snakemake(other, "amazon-odr", "aliexpress-ip")
    assert result.returncode == 0, result.stderr[-3000:]
    for case in ("amazon-odr", "aliexpress-ip"):
        first = tree_hashes(built / "results" / case)
        second = tree_hashes(other / "results" / case)
        # the other build sees fewer cases, so only its lint report's similarity corpus may differ
        for name in ("report.json", "report.txt", "gate.json", "manifest.json"):
            first.pop(name, None), second.pop(name, None)
        assert first == second, case


def test_content_edit_with_old_timestamp_rebuilds(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    assert snakemake(root, "walmart-us").returncode == 0
    case = root / "cases/walmart-us.yaml"
    stat = case.stat()
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("store_name: ", "store_name: Renamed ", 1), encoding="utf-8")
    os.utime(case, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # time stamp goes back, as with `cp -p`
    result = snakemake(root, "walmart-us")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Renamed" in _text(root / "results/walmart-us/poa.pdf")


def test_template_change_rebuilds_the_case_without_reading_its_exhibits(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    assert snakemake(root, "walmart-us").returncode == 0
    with (root / "templates/poa.typ").open("a", encoding="utf-8") as fh:
        fh.write("\n// a change\n")
    result = snakemake(root, "-n", "walmart-us")
    assert "build_case" in result.stdout + result.stderr
    assert snakemake(root, "walmart-us").returncode == 0
    log = (root / "logs/walmart-us/build_case.log").read_text(encoding="utf-8")
    assert re.search(r"read \d+ exhibits .*: 0 read, \d+ from the cache", log), log


def test_broken_case_stops_with_located_message(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    case = root / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("platform: walmart", "platform: walmrt"), encoding="utf-8")
    before = tree_hashes(root / "cases")
    result = snakemake(root, "walmart-us")
    assert result.returncode != 0
    line = next(n for n, text in enumerate(case.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("platform:"))
    assert f"cases/walmart-us.yaml:{line}:11: platform: 'walmrt' is not allowed here — one of aliexpress, amazon" in result.stderr
    assert "Traceback" not in result.stderr
    # no document: the report says why the quality gate did not run (the exhibits' facts are left empty)
    res = root / "results/walmart-us"
    assert sorted(p.name for p in res.rglob("*") if p.is_file() and p.stat().st_size) == ["report.json", "report.txt"]
    report = (res / "report.txt").read_text(encoding="utf-8").splitlines()
    assert report[0] == "The quality gate did not run: checking the case file stopped the case."
    assert f"cases/walmart-us.yaml:{line}:11: platform: 'walmrt' is not allowed here" in "\n".join(report)
    assert tree_hashes(root / "cases") == before


@pytest.mark.parametrize("name", ["all", "bad name"])
def test_unusable_case_file_name(tmp_path: Path, name: str) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    (root / "cases" / f"{name}.yaml").write_text("case: x\n", encoding="utf-8")
    result = snakemake(root, "-n")
    assert result.returncode != 0
    assert f"cases/{name}.yaml: " in result.stderr and "rename" in result.stderr


def test_project_data_comes_from_the_project_folder(tmp_path: Path) -> None:
    """The steps read platforms/, templates/ and schemas/ of the folder Snakemake runs in."""
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    labels = root / "templates/lang/en.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("title: Plan of Action", "title: Plan of Action (our copy)", 1),
                      encoding="utf-8")
    result = snakemake(root, "walmart-us")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Plan of Action (our copy)" in _text(root / "results/walmart-us/poa.pdf")


def test_a_new_platform_is_one_yaml_file(tmp_path: Path) -> None:
    """Adding a platform means writing platforms/<name>.yaml: no code, no schema change."""
    import yaml

    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    profile = yaml.safe_load((root / "platforms/walmart.yaml").read_text(encoding="utf-8"))
    profile.update(platform="acme-mart", name="Acme Mart", addressee={"en": "Acme Mart Seller Integrity Team"})
    (root / "platforms/acme-mart.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    case = root / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("platform: walmart", "platform: acme-mart"), encoding="utf-8")
    result = snakemake(root, "walmart-us")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Acme Mart Seller Integrity Team" in _text(root / "results/walmart-us/poa.pdf")


def test_no_ancient_inputs() -> None:
    """ancient() on a file that a rule makes lets Snakemake skip every job after that rule
    when the rule has to run (snakemake/snakemake#4166): a new case was then 'done' without
    being built (tests/test_first_call.py). The pipeline orders its steps without it."""
    from e2e import PROJECT

    for path in [PROJECT / "Snakefile", *sorted((PROJECT / "workflow").glob("*.smk"))]:
        code = "\n".join(line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines())
        assert not re.search(r"\bancient\s*\(", code), f"{path.name} uses ancient()"
