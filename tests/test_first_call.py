"""Every target asked for is built, or fails loudly, on the FIRST call of `snakemake`,
whatever state the project is in: fresh, after other builds, after a case was added,
renamed or deleted, after a build was killed, after a change of lint data and template.

Each test brings a built project into one state and calls the real `snakemake` once.
The kind of bug these guard against: an `ancient()` input made Snakemake skip every job
downstream of a shared step that had to run (snakemake/snakemake#4166), so a new case was
"done" without being built; the pipeline now has no `ancient()` input at all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from e2e import PROJECT, SNAKEMAKE, build_fresh, copy_built, copy_project, snakemake

pytestmark = pytest.mark.e2e

DOCUMENTS = ["case.json", "report.json", "report.txt", "gate.json", "letter.json", "poa.pdf", "poa.docx", "poa.txt", "form.json",
             "evidence-index.pdf", "evidence-index.csv", "exhibits.json", "facts.json", "bundle.pdf", "upload.json", "checklist.md",
             "manifest.json"]
POA = str(Path(SNAKEMAKE).with_name("poa"))


def assert_built(root: Path, case: str) -> None:
    for name in DOCUMENTS:
        assert (root / "results" / case / name).is_file(), f"{case}/{name} missing"
    assert len(PdfReader(root / "results" / case / "bundle.pdf").pages) > 3


def add_example(root: Path, case: str, as_id: str | None = None) -> None:
    """Copy the example case ``case`` into the project (as ``as_id``), as a user copies a case in."""
    new = as_id or case
    text = (PROJECT / "cases" / f"{case}.yaml").read_text(encoding="utf-8")
    (root / "cases" / f"{new}.yaml").write_text(text.replace(f"case: {case}", f"case: {new}", 1), encoding="utf-8")
    shutil.copytree(PROJECT / "cases" / case, root / "cases" / new)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh project with one case, built by ONE call (the fresh-clone state)."""
    root = build_fresh(tmp_path_factory.mktemp("built") / "p", ["walmart-us"])
    assert_built(root, "walmart-us")
    assert (root / "results" / "index.html").is_file()
    return root


@pytest.fixture()
def project(built: Path, tmp_path: Path) -> Path:
    return copy_built(built, tmp_path / "p")


def test_new_case_builds_on_the_first_call(project: Path) -> None:
    add_example(project, "amazon-trademark")
    done = snakemake(project, "amazon-trademark")
    assert done.returncode == 0, done.stderr[-3000:]
    assert_built(project, "amazon-trademark")


def test_new_scaffold_fails_loudly_on_the_first_call(project: Path) -> None:
    made = subprocess.run([POA, "new", "case42", "--platform", "amazon", "--scenario", "odr"], cwd=project,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    done = snakemake(project, "case42")
    assert done.returncode == 1
    assert "cases/case42.yaml:18:8: as_of: 'TODO' is not in the expected form" in done.stderr
    assert not (project / "results" / "case42" / "case.json").exists()


def test_plain_snakemake_builds_an_added_case_and_lists_it(project: Path) -> None:
    before = (project / "results/walmart-us/poa.pdf").stat().st_mtime_ns
    add_example(project, "amazon-trademark")
    done = snakemake(project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_built(project, "amazon-trademark")
    assert 'id="case-amazon-trademark"' in (project / "results/index.html").read_text(encoding="utf-8")
    assert (project / "results/walmart-us/poa.pdf").stat().st_mtime_ns == before, "another case was rebuilt"


def test_renamed_case_builds_on_the_first_call(project: Path) -> None:
    (project / "cases/walmart-us.yaml").rename(project / "cases/walmart-2.yaml")
    (project / "cases/walmart-us").rename(project / "cases/walmart-2")
    case = project / "cases/walmart-2.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("case: walmart-us", "case: walmart-2", 1), encoding="utf-8")
    done = snakemake(project, "walmart-2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert_built(project, "walmart-2")
    assert snakemake(project).returncode == 0  # and the status page follows the new name
    page = (project / "results/index.html").read_text(encoding="utf-8")
    assert 'id="case-walmart-2"' in page and 'id="case-walmart-us"' not in page


def test_file_renamed_alone_fails_loudly(project: Path) -> None:
    (project / "cases/walmart-us.yaml").rename(project / "cases/walmart-2.yaml")
    done = snakemake(project, "walmart-2")
    assert done.returncode == 1
    assert "cases/walmart-2.yaml:" in done.stderr and "does not match the file name 'walmart-2.yaml'" in done.stderr


def test_deleted_case_leaves_the_status_page(project: Path) -> None:
    add_example(project, "amazon-trademark")
    assert snakemake(project).returncode == 0
    before = (project / "results/walmart-us/poa.pdf").stat().st_mtime_ns
    (project / "cases/amazon-trademark.yaml").unlink()
    shutil.rmtree(project / "cases/amazon-trademark")
    done = snakemake(project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'id="case-amazon-trademark"' not in (project / "results/index.html").read_text(encoding="utf-8")
    assert (project / "results/walmart-us/poa.pdf").stat().st_mtime_ns == before


def test_lint_data_and_template_changed_together_rebuild_the_letter(project: Path) -> None:
    """A lint-only change re-checks the case; a change of the letter's template in the same
    call still rebuilds the letter (an ancient() gate input once hid it until a second call)."""
    letter = project / "results/walmart-us/poa.pdf"
    before = letter.stat().st_mtime_ns
    with (project / "lint/glossary.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a change of the lint data\n")
    with (project / "templates/poa.typ").open("a", encoding="utf-8") as fh:
        fh.write("\n// a change of the letter's template\n")
    done = snakemake(project, "walmart-us")
    assert done.returncode == 0, done.stderr[-3000:]
    assert letter.stat().st_mtime_ns != before, "the letter was not rebuilt after its template changed"
    assert snakemake(project, "-n", "walmart-us").stdout.count("Nothing to be done") == 1


def test_after_kill_9_and_unlock(tmp_path: Path) -> None:
    """A build killed with SIGKILL (the whole process group, as when a terminal or machine
    dies) leaves Snakemake's lock; after `snakemake --unlock` ONE call builds the case."""
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([str(SNAKEMAKE), "--cores", "2", "walmart-us"], cwd=root, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (root / "results/walmart-us/exhibits.json").exists():  # a few steps done, others running
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (root / "results/walmart-us/manifest.json").exists()
    locked = snakemake(root, "walmart-us")
    assert locked.returncode != 0 and "--unlock" in locked.stderr
    assert snakemake(root, "--unlock").returncode == 0
    done = snakemake(root, "walmart-us")
    assert done.returncode == 0, done.stderr[-3000:]
    assert_built(root, "walmart-us")
