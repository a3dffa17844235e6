"""`poa new` and `poa scenarios`: a new case is valid YAML whose only validation problems are
the facts the user must fill in; filling them in makes it valid; nothing is ever overwritten."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_pdf, write_png
from poaforge.case.loader import load_yaml
from poaforge.case.validate import validate_files
from poaforge.cli import dispatch
from poaforge.console import run
from poaforge.portfolio.scenarios import load_scenarios

SCENARIOS = load_scenarios()
#: every scenario on its first platform, and on AliExpress (Chinese, attachment limit) where it occurs there
PAIRS = sorted({(s, p) for s in SCENARIOS for p in SCENARIOS[s].data["platforms"]
                if p in (SCENARIOS[s].data["platforms"][0], "aliexpress")})
#: a line the user must complete: an empty text, a TODO, or an evidence file still to be copied
PLACEHOLDER = re.compile(r'^\s*(?:- )?[a-z_]+: (?:""|TODO)(?:\s+#.*)?$|^\s*file: evidence/')
FILL = {"as_of": "2026-11-20", "received": "2026-11-01", "deadline": "2026-12-01", "when": "2026-10-01/2026-10-20",
        "done": "2026-11-05", "effective": "2026-11-06", "date": "2026-11-06"}


def poa(*argv: str) -> int:
    return run(dispatch, list(argv))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cases").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _fill(text: str, enforcement: str) -> str:
    """Write a fact wherever the scaffold left one out."""
    out = []
    for line in text.splitlines():
        m = re.match(r'^(\s*(?:- )?)([a-z_]+): (""|TODO)(\s+#.*)?$', line)
        if m and not line.lstrip().startswith("#"):
            key = m.group(2)
            value = enforcement if key == "enforcement" else FILL.get(key, f"Filled-in {key.replace('_', ' ')} with 12 facts")
            line = f"{m.group(1)}{key}: {json.dumps(value)}"
        out.append(line)
    return "\n".join(out) + "\n"


def test_scenarios_cover_the_domain(capsys: pytest.CaptureFixture[str]) -> None:
    assert poa("scenarios", "--format", "json") == 0
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) >= {"odr", "ip-complaint", "inauthentic", "restricted-product", "late-dispatch", "item-not-received",
                           "related-accounts", "category-qualification", "listing-policy", "false-shipment"}
    assert all(row["evidence"] >= 3 and row["platforms"] for row in listed.values())
    assert poa("scenarios", "--platform", "aliexpress") == 0
    text = capsys.readouterr().out
    assert "false-shipment" in text and "odr " not in text


@pytest.mark.parametrize(("scenario", "platform"), PAIRS, ids=[f"{s}-{p}" for s, p in PAIRS])
def test_new_case_fails_only_where_facts_are_missing(project: Path, scenario: str, platform: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert poa("new", "case42", "--platform", platform, "--scenario", scenario) == 0
    assert "cases/case42.yaml" in capsys.readouterr().out
    case = project / "cases" / "case42.yaml"
    assert (project / "cases" / "case42" / "evidence").is_dir()
    text = case.read_text(encoding="utf-8")
    doc = load_yaml(case)  # valid YAML for the strict loader
    assert doc.data["case"] == "case42" and doc.data["platform"] == platform
    lines = text.splitlines()
    placeholders = {n for n, line in enumerate(lines, 1) if not line.lstrip().startswith("#") and PLACEHOLDER.match(line)}
    problems = validate_files([Path("cases/case42.yaml")])["cases/case42.yaml"]
    assert problems, "an unfilled scaffold must not validate"
    assert {p.line for p in problems} == placeholders, [str(p) for p in problems if p.line not in placeholders]
    assert all(p.hint for p in problems)
    # with the facts written and the evidence copied, the same file validates
    case.write_text(_fill(text, SCENARIOS[scenario].data["enforcement"]), encoding="utf-8")
    for ex in doc.data["exhibits"]:
        _evidence(project / "cases" / "case42" / ex["file"])
    assert validate_files([Path("cases/case42.yaml")])["cases/case42.yaml"] == []


def _evidence(target: Path) -> None:
    if target.suffix == ".pdf":
        write_pdf(target)
    elif target.suffix == ".png":
        write_png(target)
    else:
        from PIL import Image

        assert target.suffix == ".jpg", target
        Image.new("RGB", (800, 1000), (200, 200, 200)).save(target, "JPEG")


def test_never_overwrites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert poa("new", "case42", "--platform", "amazon", "--scenario", "odr") == 0
    case = project / "cases" / "case42.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace('legal_name: ""', 'legal_name: "Mine Ltd"'), encoding="utf-8")
    before = hashlib.sha256(case.read_bytes()).hexdigest()
    capsys.readouterr()
    assert poa("new", "case42", "--platform", "walmart", "--scenario", "odr") == 1
    err = capsys.readouterr().err
    assert "cases/case42.yaml: already exists; poa new never overwrites a case — choose another case id" in err
    assert hashlib.sha256(case.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in (project / "cases").iterdir()) == ["case42", "case42.yaml"]


@pytest.mark.parametrize(("argv", "message"), [
    (["all", "--platform", "amazon", "--scenario", "odr"], "'all' is the name of a pipeline rule"),
    (["status_page", "--platform", "amazon", "--scenario", "odr"], "'status_page' is the name of a pipeline rule"),
    (["42case", "--platform", "amazon", "--scenario", "odr"], "'42case' is not a usable case id"),
    (["a.b", "--platform", "amazon", "--scenario", "odr"], "'a.b' is not a usable case id"),
    (["c1", "--platform", "ebay", "--scenario", "odr"], "unknown platform 'ebay' — use one of: aliexpress, amazon"),
    (["c1", "--platform", "amazon", "--scenario", "odd"], "unknown scenario 'odd' — use one of: category-qualification"),
    (["c1", "--platform", "aliexpress", "--scenario", "odr"], "scenario 'odr' has no scaffold for aliexpress — scenarios for aliexpress:"),
    (["c1", "--platform", "amazon", "--scenario", "odr", "--language", "fr"], "unknown language 'fr'"),
    (["c1", "--platform", "amazon", "--scenario", "odr", "--marketplace", "U$"], "'U$' is not a marketplace code"),
    (["c1", "--platform", "amazon"], "the following arguments are required: --scenario"),
])
def test_bad_arguments(project: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert poa("new", *argv) == 2
    assert message in capsys.readouterr().err
    assert list((project / "cases").iterdir()) == []


def test_chinese_scaffold_keeps_to_the_attachment_limit(project: Path) -> None:
    assert poa("new", "ae-ip", "--platform", "aliexpress", "--scenario", "ip-complaint") == 0
    text = (project / "cases" / "ae-ip.yaml").read_text(encoding="utf-8")
    data = load_yaml(project / "cases" / "ae-ip.yaml").data
    assert data["language"] == "zh" and data["marketplace"] == "global"
    assert "问题原因必须回答以下问题" in text and "申诉函需加盖公章" in text
    # AliExpress: 5 attachments, one of them the sealed letter → 4 exhibits; the rest listed as a note
    assert [e["id"] for e in data["exhibits"]] == ["E1", "E2", "E3", "E4"]
    assert "最多接受 4 个附件" in text and "知识产权培训记录" in text.split("\nexhibits:")[0]


def test_cli_runs_without_traceback(project: Path) -> None:
    poa_bin = Path(sys.executable).with_name("poa")
    ok = subprocess.run([str(poa_bin), "new", "c1", "--platform", "tiktok-shop", "--scenario", "late-dispatch",
                         "--marketplace", "UK"], capture_output=True, text=True, cwd=project)
    assert ok.returncode == 0, ok.stderr
    again = subprocess.run([str(poa_bin), "new", "c1", "--platform", "tiktok-shop", "--scenario", "late-dispatch"],
                           capture_output=True, text=True, cwd=project)
    assert again.returncode == 1 and "Traceback" not in again.stderr and "already exists" in again.stderr
    assert load_yaml(project / "cases" / "c1.yaml").data["marketplace"] == "UK"


@pytest.mark.e2e
def test_from_poa_new_to_a_built_bundle(tmp_path: Path) -> None:
    """What the README promises: poa new, fill in the facts, copy the evidence, snakemake."""
    from pypdf import PdfReader

    from e2e import copy_project, snakemake

    root = copy_project(tmp_path / "project", cases=[])
    poa_bin = Path(sys.executable).with_name("poa")
    assert subprocess.run([str(poa_bin), "new", "case42", "--platform", "amazon", "--scenario", "late-dispatch"],
                          cwd=root, capture_output=True, text=True).returncode == 0
    case = root / "cases" / "case42.yaml"
    case.write_text(_fill(case.read_text(encoding="utf-8"), "feature-restriction"), encoding="utf-8")
    titles = [ex["title"] for ex in load_yaml(case).data["exhibits"]]
    for ex in load_yaml(case).data["exhibits"]:
        _evidence(root / "cases" / "case42" / ex["file"])
    done = snakemake(root, "case42")
    assert done.returncode == 0, done.stderr[-3000:]
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(root / "results/case42/bundle.pdf").pages).split())
    assert all(title in text for title in titles)
