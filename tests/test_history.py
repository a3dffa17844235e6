"""Re-appeals: changes.md for a case with two submissions in git, the lint rules on reused
sentences (POA606) and unanswered feedback (POA607), and `poa rebuild` of a filed version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, write_pdf, write_png
from poaforge.case.model import load_case
from poaforge.check import lint_case, load_catalogue
from poaforge.portfolio.changes import changes_markdown
from poaforge.portfolio.changes import main as changes_step
from poaforge.portfolio.history import has_rejected_text

CAT = load_catalogue()
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")
FEEDBACK = ("Your plan of action did not provide greater detail on the root cause. The documents you provided "
            "could not be verified, and you did not explain how you will prevent these issues in the future.")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def _v2(commit: str | None, *, feedback: str = FEEDBACK, measure: str | None = None) -> str:
    """The second version: RC1 gap rewritten, CA2 and E4 added, as_of later, PM1 kept as filed."""
    text = MINI.replace("as_of: 2026-11-20", "as_of: 2026-11-25")
    text = text.replace("gap: The carrier onboarding checklist had no pickup-time check.",
                        "gap: The carrier onboarding checklist of SOP LOG-02 had no step comparing the carrier's "
                        "pickup time with our 14:00 cut-off, and no report showed orders waiting for pickup.")
    text = text.replace("preventive_measures:", """  - id: CA2
    root_causes: [RC1]
    action: Moved the daily pickup to 17:00 with the carrier and shipped the 12 waiting orders.
    owner: Logistics Lead
    done: 2026-11-14
    exhibits: [E4]
preventive_measures:""")
    if measure:
        text = text.replace("measure: Added a pickup-time test to the carrier onboarding checklist.", f"measure: {measure}")
    text += """  - id: E4
    title: Carrier pickup agreement
    file: evidence/pickup.pdf
    date: 2026-11-14
    proves: The carrier collects at 17:00 every working day from 2026-11-14.
submissions:
  - version: "1"
    date: 2026-11-12
    outcome: rejected
"""
    if commit:
        text += f"    commit: {commit}\n"
    return text + f"    feedback: >-\n      {feedback}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A git repository with version 1 of cases/mini.yaml committed; returns (root, commit)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "mini.yaml").write_text(MINI, encoding="utf-8")
    ev = tmp_path / "cases" / "mini" / "evidence"
    write_pdf(ev / "late.pdf", pages=2)
    write_png(ev / "refunds.png")
    write_pdf(ev / "checklist.pdf")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "submission 1")
    return tmp_path, git(tmp_path, "rev-parse", "--short", "HEAD")


def _second(root: Path, text: str) -> Path:
    case = root / "cases" / "mini.yaml"
    case.write_text(text, encoding="utf-8")
    write_pdf(root / "cases" / "mini" / "evidence" / "checklist.pdf", pages=2)  # replaced with a new scan
    write_pdf(root / "cases" / "mini" / "evidence" / "pickup.pdf")
    return Path("cases/mini.yaml")


def _changes(path: Path) -> str:
    text = changes_markdown(load_case(path), CAT.settings["reappeal"], CAT.settings["similarity"])
    assert text is not None
    return text


def _findings(path: Path, rules: tuple[str, ...] = ("POA606", "POA607")) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.message) for f in lint_case(load_case(path), {}, catalogue=CAT) if f.rule in rules]


def _line(path: Path, marker: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if marker in line)


def test_changes_since_the_rejected_submission(repo: tuple[Path, str]) -> None:
    root, commit = repo
    path = _second(root, _v2(commit))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "version 2, after the rejection")  # two commits: the filed one is not HEAD
    text = _changes(path)
    assert text.startswith("# What changed since submission 1\n")
    assert f"submission 1 filed 2026-11-12 · rejected · commit `{commit}`" in text
    assert "> Your plan of action did not provide greater detail on the root cause." in text
    assert "| more detail on the root cause | \"root cause\" | Root causes | answered: 0 added, 1 edited |" in text
    assert "| how the measures prevent a repeat | \"prevent these issues\" | Preventive measures | unanswered: unchanged |" in text
    assert "| valid supporting documents | \"documents you provided\" | Exhibits | answered: 1 added, 0 edited, 1 file(s) replaced |" in text
    sections = dict(re.findall(r"^## (.+?)\n\n(.*?)(?=\n## |\Z)", text, re.M | re.S))
    assert sections["Root causes"].strip() == "- **RC1** edited: gap"
    assert sections["Corrective actions"].strip() == "- **CA2** added — Moved the daily pickup to 17:00 with the carrier and shipped the 12 waiting orders."
    assert sections["Preventive measures"].strip() == "No change."
    assert "- **E4** added — Carrier pickup agreement" in sections["Exhibits"]
    assert "- **E3** file replaced — `evidence/checklist.pdf` differs from the file filed" in sections["Exhibits"]
    assert "**E1**" not in sections["Exhibits"] and "**E2**" not in sections["Exhibits"]
    assert "- `as_of`: 2026-11-20 → 2026-11-25" in sections["Other fields"]
    reused = sections["Sentences reused from submission 1"]
    assert "- RC1 what: 1 sentence(s), 100% of its words" in reused and "PM1 measure" in reused and "RC1 gap" not in reused


def test_changes_step_is_reproducible(repo: tuple[Path, str]) -> None:
    root, commit = repo
    path = _second(root, _v2(commit))
    out = root / "results" / "mini" / "changes.md"
    assert changes_step([str(path), str(out)]) == 0
    first = out.read_bytes()
    assert changes_step([str(path), str(out)]) == 0
    assert out.read_bytes() == first and first == _changes(path).encode()


def test_lint_warns_about_reuse_and_unanswered_feedback(repo: tuple[Path, str]) -> None:
    root, commit = repo
    path = _second(root, _v2(commit))

    def reused(marker: str, where: str) -> tuple[str, int, str]:
        return ("POA606", _line(path, marker), f"{where}: 100% of its wording is reused from submission 1, which was rejected")

    kept = [reused("what: 38 orders", "RC1 what"), reused("action: Refunded all 38", "CA1 action")]
    verification = reused("verification: Monthly audit", "PM1 verification")
    unanswered = ("POA607", _line(path, "feedback: >-"), 'the feedback on submission 1 asks for how the measures prevent a '
                  'repeat ("prevent these issues"), but the preventive measures section is unchanged since it was filed')
    # root cause (gap rewritten) and documents (E4 added, E3 replaced) are answered; RC1 gap is new text
    assert _findings(path) == [*kept, reused("measure: Added a pickup-time", "PM1 measure"), verification, unanswered]
    # near miss: the measure rewritten answers the point and is no longer reused
    _second(root, _v2(commit, measure="SOP LOG-02 step 4 now requires a test pickup at 17:00 before a carrier is approved."))
    assert _findings(path) == [*kept, verification]


def test_without_a_commit_the_feedback_is_judged_from_dates(repo: tuple[Path, str]) -> None:
    root, _ = repo
    feedback = "The actions you describe have not been implemented."
    path = _second(root, _v2(None, feedback=feedback))
    text = _changes(path)
    assert "rejected · no commit recorded" in text and "submission 1 records no commit" in text
    assert "git log -1 --format=%h -- cases/mini.yaml" in text
    assert "| actions that have been implemented | \"not been implemented\" | Corrective actions | answered: CA2 dated after 2026-11-12 |" in text
    assert _findings(path) == []
    # every action dated before the rejection: the point is not visibly answered
    text_v2 = _v2(None, feedback=feedback).replace("done: 2026-11-14", "done: 2026-11-10")
    _second(root, text_v2)
    assert _findings(path) == [("POA607", _line(path, "feedback: >-"),
                                'the feedback on submission 1 asks for actions that have been implemented ("not been '
                                'implemented"), but the corrective actions section has no item dated after 2026-11-12')]


def test_unknown_commit_is_explained(repo: tuple[Path, str]) -> None:
    root, _ = repo
    path = _second(root, _v2("deadbee"))
    text = _changes(path)
    assert "git cannot show cases/mini.yaml at commit deadbee" in text
    assert _findings(path, ("POA606",)) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("submissions:\n  - version: \"1\"\n    outcome: rejected\n", True),
    ("submissions:\n  - {version: \"1\", outcome: \"rejected\"}\n", True),
    ("submissions:\n  - outcome: 'rejected'\n", True),
    ("submissions:\n  - version: \"1\"\n    outcome: pending\n", False),
    ("# outcome: rejected\n", False),
])
def test_snakefile_test_for_a_rejected_submission(text: str, expected: bool) -> None:
    assert has_rejected_text(text) is expected


@pytest.mark.e2e
def test_rebuild_a_filed_submission(repo: tuple[Path, str]) -> None:
    from pypdf import PdfReader

    from e2e import copy_project

    root, commit = repo
    copy_project(root, cases=[])
    path = _second(root, _v2(commit))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "version 2 and the pipeline")
    poa = Path(sys.executable).with_name("poa")
    done = subprocess.run([str(poa), "rebuild", "mini", "--submission", "1"], cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = root / "results" / "mini.submission-1"
    assert f"rebuilt submission 1 of mini in {Path('results/mini.submission-1')}/" in done.stdout
    text = " ".join("".join(p.extract_text() or "" for p in PdfReader(out / "poa.pdf").pages).split())
    assert "The carrier onboarding checklist had no pickup-time check." in text and "SOP LOG-02" not in text
    assert len(PdfReader(out / "bundle.pdf").pages) >= 4 and (out / "report.json").is_file()
    assert not (root / "results" / "mini").exists(), "the current version's results are untouched"
    assert path.read_text(encoding="utf-8") == _v2(commit)
    missing = subprocess.run([str(poa), "rebuild", "mini", "--submission", "2"], cwd=root, capture_output=True, text=True)
    assert missing.returncode == 2 and "no submission 2 in the case file — submissions recorded: 1" in missing.stderr
    _second(root, _v2(None))
    nocommit = subprocess.run([str(poa), "rebuild", "mini", "--submission", "1"], cwd=root, capture_output=True, text=True)
    assert nocommit.returncode == 1 and "submission 1 records no commit" in nocommit.stderr
