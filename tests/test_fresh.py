"""A plain `snakemake` skips the built cases whose state is the one noted when they were built
(poaforge.portfolio.fresh), and hands every other case to Snakemake: each change that must
rebuild a case still does, on the first call; what is skipped is what Snakemake would not
have run either.

The skip is seen in Snakemake's own `--debug-dag` output: a case handed to Snakemake is a
"candidate job build_case" there, a skipped one is not."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from e2e import build_fresh, copy_built, snakemake
from poaforge.portfolio.fresh import NOTES, Notes, case_digest, evidence, is_fresh, state

CASES = ["walmart-us", "tiktok-uk-dispatch"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_fresh(tmp_path_factory.mktemp("fresh") / "p", CASES)
    assert snakemake(root).returncode == 0  # the notes of a run that found both cases up to date
    return root


@pytest.fixture()
def project(built: Path, tmp_path: Path) -> Path:
    return copy_built(built, tmp_path / "p")


def _checked(root: Path, *args: str) -> set[str]:
    """The cases Snakemake looked at in a dry run of `snakemake ARGS`."""
    done = snakemake(root, "-n", "--debug-dag", *args)
    assert done.returncode == 0, done.stderr[-3000:]
    text = done.stdout + done.stderr
    return {c for c in CASES if f"case={c}" in text}


def _built(root: Path) -> set[str]:
    done = snakemake(root)
    assert done.returncode == 0, done.stderr[-3000:]
    return {c for c in CASES if f"  {c}: results/{c}/" in done.stdout + done.stderr}


@pytest.mark.e2e
def test_a_no_op_looks_at_no_case(project: Path) -> None:
    assert _checked(project) == set()
    done = snakemake(project, "-n")
    assert "Nothing to be done" in done.stdout + done.stderr


@pytest.mark.e2e
def test_an_edit_rebuilds_that_case_only(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _checked(project) == {"walmart-us"}
    assert _built(project) == {"walmart-us"}
    assert _checked(project) == set()


@pytest.mark.e2e
def test_an_edit_with_the_old_time_stamp_rebuilds(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    st = case.stat()
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("delivery", "Delivery", 1), encoding="utf-8")  # the same size, too
    os.utime(case, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert case.stat().st_size == st.st_size and case.read_text(encoding="utf-8") != text
    assert _built(project) == {"walmart-us"}


@pytest.mark.e2e
def test_an_evidence_file_added_with_an_old_time_stamp_rebuilds(project: Path) -> None:
    folder = project / "cases/tiktok-uk-dispatch"
    first = sorted(p for p in folder.rglob("*") if p.is_file())[0]
    extra = first.with_name("extra-" + first.name)
    shutil.copy2(first, extra)  # an old time stamp: Snakemake's mtime rule alone would not see it
    assert _checked(project) == {"tiktok-uk-dispatch"}
    assert _built(project) == {"tiktok-uk-dispatch"}


@pytest.mark.e2e
def test_a_lost_or_replaced_output_is_made_again(project: Path) -> None:
    (project / "results/walmart-us/bundle.pdf").unlink()
    old = project / "results/tiktok-uk-dispatch/poa.pdf"
    os.utime(old, (0, 0))  # as if restored from an old copy: older than the case file
    assert _checked(project) == set(CASES)  # both handed to Snakemake, which decides as it always did:
    assert _built(project) == {"walmart-us"}  # a lost output is made again; an older one is left as it is
    assert (project / "results/walmart-us/bundle.pdf").is_file()
    assert _checked(project) == set()  # both noted again


@pytest.mark.e2e
def test_a_change_of_templates_or_options_rebuilds_every_case(project: Path) -> None:
    with (project / "templates/poa.typ").open("a", encoding="utf-8") as fh:
        fh.write("\n// a change of the letter's layout\n")
    assert _checked(project) == set(CASES)
    assert _checked(project, "--config", "allow_lossy=1") == set(CASES)


@pytest.mark.e2e
def test_forced_runs_and_named_targets_see_every_case(project: Path) -> None:
    assert _checked(project, "--forcerun", "build_case") == set(CASES)
    assert _checked(project, "walmart-us") == {"walmart-us"}


@pytest.mark.e2e
def test_without_notes_snakemake_checks_every_case_then_notes_them(project: Path) -> None:
    (project / NOTES).unlink()
    assert _checked(project) == set(CASES)
    assert _built(project) == set()  # up to date all the same
    assert _checked(project) == set()


@pytest.mark.e2e
def test_a_failed_case_is_never_noted(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("platform: walmart", "platform: walmrt", 1), encoding="utf-8")
    assert snakemake(project).returncode == 1
    notes = json.loads((project / NOTES).read_text(encoding="utf-8"))["cases"]
    assert set(notes) == set(CASES)  # the earlier note stays, and no longer matches
    assert _checked(project) == {"walmart-us"}
    assert snakemake(project).returncode == 1  # says so again


@pytest.mark.e2e
def test_a_case_removed_is_forgotten_and_leaves_the_page(project: Path) -> None:
    (project / "cases/tiktok-uk-dispatch.yaml").unlink()
    shutil.rmtree(project / "cases/tiktok-uk-dispatch")
    assert snakemake(project).returncode == 0
    assert "tiktok-uk-dispatch" not in (project / "results/index.html").read_text(encoding="utf-8")
    assert set(json.loads((project / NOTES).read_text(encoding="utf-8"))["cases"]) == {"walmart-us"}


# --- the state and the notes themselves ----------------------------------------------------

def _case(root: Path) -> tuple[str, list[str]]:
    (root / "cases/c/evidence").mkdir(parents=True)
    (root / "cases/c.yaml").write_text("case: c\n", encoding="utf-8")
    (root / "cases/c/evidence/a.pdf").write_bytes(b"%PDF-1.4 a")
    (root / "cases/c/evidence/{b}.png").write_bytes(b"png")
    (root / "cases/c/.hidden").write_bytes(b"x")
    (root / "results/c").mkdir(parents=True)
    (root / "results/c/poa.pdf").write_bytes(b"%PDF")
    return "c", ["results/c/poa.pdf"]


def test_state_changes_with_anything_a_build_depends_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    case, outputs = _case(tmp_path)
    plain, braced = evidence(case)
    assert (plain, braced) == (["cases/c/evidence/a.pdf"], ["cases/c/evidence/{b}.png"])

    def now() -> dict:
        digest = case_digest(Path("cases/c.yaml").read_bytes(), *evidence(case))
        return state("code1", ["--allow-lossy", ""], digest, ["cases/c.yaml", *evidence(case)[0]], outputs)

    noted = now()
    assert is_fresh(noted, now()) and not is_fresh(None, now()) and not is_fresh({}, now())
    assert not is_fresh(noted, {**now(), "made_from": "code2"})
    assert not is_fresh(noted, {**now(), "options": []})
    Path("cases/c/evidence/{b}.png").write_bytes(b"png!")  # braced: not an input, in the digest
    assert not is_fresh(noted, now())
    noted = now()
    Path("cases/c/evidence/new.pdf").write_bytes(b"%PDF new")
    assert not is_fresh(noted, now())
    noted = now()
    os.utime("results/c/poa.pdf", (1, 1))
    assert not is_fresh(noted, now())
    os.remove("results/c/poa.pdf")
    with pytest.raises(OSError):
        now()


def test_notes_are_written_whole_and_forget_removed_cases(tmp_path: Path) -> None:
    path = tmp_path / ".snakemake/poa-forge/fresh.json"
    notes = Notes(path)
    assert notes.cases == {}
    notes.save({"a": {"x": 1}, "b": {"x": 2}}, keep=["a", "b"])
    assert Notes(path).cases == {"a": {"x": 1}, "b": {"x": 2}}
    Notes(path).save({"a": {"x": 3}}, keep=["a"])
    assert Notes(path).cases == {"a": {"x": 3}}
    assert [p.name for p in path.parent.iterdir()] == ["fresh.json"]
    path.write_text("{not json", encoding="utf-8")
    assert Notes(path).cases == {}  # unreadable: every case is checked by Snakemake
