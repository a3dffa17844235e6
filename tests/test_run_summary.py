"""A failed build reads in one screen: the run ends with each case not built and its located
problems (`file:line:col: what — fix`), without Snakemake's internals; the quality-gate
report survives a failed gate; the next run checks the case again.

The end-to-end tests run the real `snakemake` with the project's default profile (which
names the `poaforge` logger plugin); the others feed the plugin's summary directly.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from e2e import build_fresh, copy_built, snakemake
from snakemake_logger_plugin_poaforge import LogHandler
from poaforge.steps import FAILED_MARK, STAGE_MARK
from snakemake_logger_plugin_poaforge.summary import MAX_LINES, RunSummary

INTERNALS = ("RuleException", "CalledProcessError", "Traceback", "WorkflowError", "shell:", "Command '", "jobid")


def _output(done: object) -> list[str]:
    return (done.stdout + done.stderr).splitlines()  # type: ignore[attr-defined]


def _line_of(case: Path, start: str) -> int:
    return next(n for n, text in enumerate(case.read_text(encoding="utf-8").splitlines(), 1) if text.startswith(start))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fresh(tmp_path_factory.mktemp("summary") / "p", ["walmart-us"])


@pytest.fixture()
def project(built: Path, tmp_path: Path) -> Path:
    return copy_built(built, tmp_path / "p")


# --- end to end ----------------------------------------------------------------------------

@pytest.mark.e2e
def test_building_every_case_says_where_each_is(project: Path) -> None:
    """`snakemake` with no target (as `make demo` runs it) ends with the cases built and
    where their documents are, as `snakemake <case>` does."""
    case = project / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    done = snakemake(project)
    out = _output(done)
    assert done.returncode == 0, "\n".join(out)
    assert "built: 1 case" in out, "\n".join(out)
    assert any(line.startswith("  walmart-us: results/walmart-us/ — quality gate:") for line in out), "\n".join(out)
    again = _output(snakemake(project))  # nothing to do: still says where the documents are
    assert again[-1] == "up to date: each case's documents are in results/<case>/ (poa status lists the cases)", again

@pytest.mark.e2e
def test_a_case_name_without_a_case_file_is_told_so(tmp_path: Path) -> None:
    """`snakemake amazon-odx` (a typo) or a case not created yet: one line naming the missing
    case file, the nearest case name and `poa new`, instead of Snakemake's MissingRuleException."""
    from e2e import copy_project

    project = copy_project(tmp_path / "p", ["amazon-odr", "walmart-us"])
    done = snakemake(project, "amazon-odx")
    out = _output(done)
    assert done.returncode == 1
    assert out[-1].startswith("cases/amazon-odx.yaml: no such case file — did you mean amazon-odr? "), "\n".join(out)
    assert "poa new amazon-odx --platform" in out[-1]
    assert not any(word in line for line in out for word in ("MissingRuleException", "input functions"))
    assert not (project / "results" / "amazon-odx").exists()
    done = snakemake(project, "cases/amazon-odr.yaml")  # the file's path, as tab completion gives it
    assert done.returncode == 1
    assert _output(done)[-1] == ("cases/amazon-odr.yaml: snakemake builds a case by its name, not its file — "
                                 "run `snakemake amazon-odr` (`poa validate amazon-odr` checks the file alone)")

@pytest.mark.e2e
def test_yaml_typo_ends_with_its_located_line(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("policy: Performance Standards - On-Time", "policy: Performance Standards: On-Time", 1),
                    encoding="utf-8")
    line = _line_of(case, "      policy: Performance Standards:")
    done = snakemake(project, "walmart-us")
    out = _output(done)
    assert done.returncode == 1
    assert len(out) < 25, "\n".join(out)
    assert out[-1].startswith(f"cases/walmart-us.yaml:{line}:"), "\n".join(out)
    assert " — " in out[-1]  # where — what — how to fix
    # the case was built before: its earlier documents went (uploads included), and the summary says so
    assert out[-2].startswith("cases/walmart-us.yaml: the documents of its earlier build in results/walmart-us/ were removed")
    assert out[-3] == "✗ walmart-us: checking the case file (build_case) — 2 problems:"
    assert out[-4].startswith("not built: 1 case (walmart-us) — fix what is listed below")
    assert not [i for i in INTERNALS if i in "\n".join(out)], "\n".join(out)


@pytest.mark.e2e
def test_lint_error_ends_with_its_located_lines_and_the_report_survives(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("    action: >-\n      Limited 3-day delivery", "    action: >-\n      We will make sure. Limited 3-day delivery",
                                 1), encoding="utf-8")
    line = _line_of(case, "      We will make sure.")
    res = project / "results/walmart-us"
    shutil.rmtree(res)  # a case never built before: no document may appear
    done = snakemake(project, "walmart-us")
    out = _output(done)
    assert done.returncode == 1
    assert len(out) < 25, "\n".join(out)
    assert re.match(rf"cases/walmart-us\.yaml:{line}:\d+: POA201 error: .*\"We will\".* — ", out[-1]), out[-1]
    assert "the quality gate" in out[-2]
    assert not [i for i in INTERNALS if i in "\n".join(out)], "\n".join(out)
    # the report survives the failed gate; nothing past the gate was built
    report = json.loads((res / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is False and any(f["rule"] == "POA201" for f in report["findings"])
    assert out[-1] in (res / "report.txt").read_text(encoding="utf-8")
    assert not (res / "gate.json").exists() and not (res / "poa.pdf").exists()
    # the next run checks the case again (and says the same), and the fixed case builds
    again = snakemake(project, "walmart-us")
    assert again.returncode == 1 and _output(again)[-1] == out[-1]
    case.write_text(text, encoding="utf-8")
    fixed = snakemake(project, "walmart-us")
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    assert (res / "poa.pdf").is_file() and json.loads((res / "gate.json").read_text(encoding="utf-8"))["passed"] is True
    assert _output(fixed)[-1] == "  walmart-us: results/walmart-us/ — quality gate: clean"


@pytest.mark.e2e
def test_a_failed_gate_removes_the_documents_of_the_earlier_build(project: Path) -> None:
    """A case built before, then edited into an error: its old letter, bundle and uploads are
    removed (a seller must not upload them for the changed case), the report stays, and the
    summary says so above the located error."""
    res = project / "results/walmart-us"
    assert (res / "poa.pdf").is_file() and (res / "upload").is_dir()
    case = project / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("    action: >-\n      Limited 3-day delivery",
                                                                "    action: >-\n      We will make sure. Limited 3-day delivery", 1),
                    encoding="utf-8")
    done = snakemake(project, "walmart-us")
    out = _output(done)
    assert done.returncode == 1
    assert not [p.name for p in res.iterdir() if p.name in ("poa.pdf", "poa.docx", "bundle.pdf", "upload", "checklist.md",
                                                             "manifest.json", "evidence-index.pdf")]
    assert (res / "report.txt").is_file() and (res / "report.json").is_file()
    assert (res / "facts.json").is_file()  # `poa lint` still checks the case against its exhibits
    assert "cases/walmart-us.yaml: the documents of its earlier build in results/walmart-us/ were removed: they no longer " \
           "match the case — fix the errors below and run the same command again" in out, "\n".join(out)
    assert re.match(r"cases/walmart-us\.yaml:\d+:\d+: POA201 error: ", out[-1]), out[-1]


@pytest.mark.e2e
def test_a_case_stopped_before_the_gate_leaves_no_uploads_of_the_earlier_build(project: Path) -> None:
    """Checking the case file fails (an exhibit file misspelled) after an earlier build: the
    uploads of that build go with its other documents, and the summary says so."""
    res = project / "results/walmart-us"
    assert (res / "upload").is_dir() and any((res / "upload").iterdir())
    case = project / "cases/walmart-us.yaml"
    text = case.read_text(encoding="utf-8")
    name = re.search(r"file: (evidence/[\w.-]+\.pdf)", text).group(1)
    case.write_text(text.replace(f"file: {name}", f"file: {name[:-4]}x.pdf", 1), encoding="utf-8")
    done = snakemake(project, "walmart-us")
    out = _output(done)
    assert done.returncode == 1
    assert not (res / "upload").exists() and not (res / "poa.pdf").exists()
    assert "cases/walmart-us.yaml: the documents of its earlier build in results/walmart-us/ were removed: they no longer " \
           "match the case — fix the errors below and run the same command again" in out, "\n".join(out)
    assert re.match(r"cases/walmart-us\.yaml:\d+:\d+: .*does not exist", out[-1]), out[-1]
    assert "The quality gate did not run" in (res / "report.txt").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_many_problems_are_capped_with_where_the_rest_are(project: Path) -> None:
    import subprocess

    from e2e import SNAKEMAKE

    poa = str(Path(SNAKEMAKE).with_name("poa"))
    assert subprocess.run([poa, "new", "case42", "--platform", "amazon", "--scenario", "odr"], cwd=project,
                          capture_output=True).returncode == 0
    done = snakemake(project, "case42")
    out = _output(done)
    *lines, mark = (project / "logs/case42/build_case.log").read_text(encoding="utf-8").splitlines()
    assert mark == f"{FAILED_MARK} 1" and lines[0] == f"{STAGE_MARK} validate"
    logged = lines[1:]  # the failed stage's problems (the validation step's: it is the first)
    assert done.returncode == 1 and len(logged) > MAX_LINES
    assert len(out) < 25, "\n".join(out)
    assert out[-1] == f"and {len(logged) - MAX_LINES} more in logs/case42/build_case.log"
    assert out[-1 - MAX_LINES:-1] == logged[:MAX_LINES]
    assert out[-2 - MAX_LINES].startswith(f"✗ case42: checking the case file (build_case) — {len(logged)} problems")


@pytest.mark.e2e
def test_verbose_shows_snakemake_in_full_and_still_summarises(project: Path) -> None:
    case = project / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("platform: walmart", "platform: walmrt", 1), encoding="utf-8")
    done = snakemake(project, "--verbose", "walmart-us")
    text = "\n".join(_output(done))
    assert done.returncode == 1 and "RuleException" in text and "shell:" in text
    assert _output(done)[-1].startswith("cases/walmart-us.yaml:") and "'walmrt' is not allowed here" in _output(done)[-1]


# --- the summary itself --------------------------------------------------------------------

def _log(root: Path, case: str, rule: str, lines: list[str], failed: bool = True) -> str:
    """logs/<case>/<rule>.log as the pipeline's shell line leaves it (a failed step's ends with the mark)."""
    path = Path("logs", case, f"{rule}.log")
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text("".join(f"{line}\n" for line in lines) + (f"{FAILED_MARK} 1\n" if failed else ""), encoding="utf-8")
    return str(path)


def test_summary_groups_by_case_caps_and_counts(tmp_path: Path) -> None:
    run = RunSummary()
    many = [f"cases/a.yaml:{n}:1: problem {n} — fix {n}" for n in range(1, 15)]
    run.failed("build_case", [_log(tmp_path, "a", "build_case", many)], ["results/a/case.json"])
    run.failed("write_changes", [_log(tmp_path, "b", "write_changes", ["cases/b.yaml:3:5: bad date — fix"])], ["results/b/changes.md"])
    run.started(7, "c", None, [])
    run.finished(7)
    lines = run.lines(tmp_path)
    assert lines[0] == "built: 1 case" and lines[1] == "  c: results/c/ — no quality-gate report"
    assert lines[2] == "not built: 2 cases (a, b) — fix what is listed below, then run the same command again"
    assert lines[3] == "✗ a: building the case (build_case) — 14 problems:"
    assert lines[4:14] == many[:MAX_LINES] and lines[14] == "and 4 more in logs/a/build_case.log"
    assert lines[15:] == ["✗ b: listing the changes since the rejected submission (write_changes) — 1 problem:",
                          "cases/b.yaml:3:5: bad date — fix"]


def test_the_cap_is_per_case(tmp_path: Path) -> None:
    """Two failed steps of one case share the ten lines; each says how many it left out."""
    run = RunSummary()
    changes = [f"cases/a.yaml:{n}:1: submission {n}: no date — fix" for n in range(1, 13)]
    gate = [f"cases/a.yaml:{n}:1: POA201 error: e{n} — fix" for n in range(1, 4)]
    run.failed("write_changes", [_log(tmp_path, "a", "write_changes", changes)], [])
    run.failed("build_case", [_log(tmp_path, "a", "build_case", gate)], [])
    lines = run.lines(tmp_path)
    assert lines[1:5] == ["✗ a: building the case (build_case) — 3 problems:", *gate]
    assert lines[5:] == ["✗ a: listing the changes since the rejected submission (write_changes) — 12 problems:",
                         *changes[:7], "and 5 more in logs/a/write_changes.log"]


def test_summary_of_a_cluster_job_names_the_step_that_failed(tmp_path: Path) -> None:
    """A failed cluster job reports every step of the case as failed, twice: only the step
    whose log of this run ends with the failure mark is shown (not one that succeeded, not
    a log left by an earlier run), and a case whose steps left no message says where to look."""
    import os
    import time

    run = RunSummary(since=time.time() - 1)
    old = _log(tmp_path, "a", "write_changes", ["cases/a.yaml:9:9: yesterday's — fix"])
    os.utime(tmp_path / old, (time.time() - 3600, time.time() - 3600))
    for _ in range(2):
        run.failed("write_changes", [old], [])
        run.failed("status_page", [_log(tmp_path, "a", "status_page", ["written"], failed=False)], [])
        run.failed("build_case", [_log(tmp_path, "a", "build_case", ["cases/a.yaml:1:1: bad — fix"])], [])
        run.failed("build_case", ["logs/b/build_case.log"], [])
    lines = run.lines(tmp_path)
    assert lines[1:] == ["✗ a: building the case (build_case) — 1 problem:", "cases/a.yaml:1:1: bad — fix",
                         "✗ b: building the case (build_case) failed without a message "
                         "of its own (logs/b/build_case.log) "
                         "— Snakemake's message is above; run again with --verbose for its details"]


def test_a_failed_job_of_several_stages_shows_the_failing_stage_only(tmp_path: Path) -> None:
    """The case's job runs every stage in one process: the summary names the stage that
    failed and shows its problems, not the notes the earlier stages wrote to the same log."""
    log = _log(tmp_path, "a", "build_case", [f"{STAGE_MARK} validate", "cases/a.yaml: written",
                                             f"{STAGE_MARK} read", "read 3 exhibits (5 pages, 0 by OCR): 3 read",
                                             f"{STAGE_MARK} gate", "cases/a.yaml:9:9: POA201 error: x — fix"])
    run = RunSummary()
    failure = run.failed("build_case", [log, "results/a/report.json"], [])
    assert run.failure_line(failure, tmp_path) == "✗ a: the quality gate failed (build_case) — its problems are listed at the end"
    assert run.lines(tmp_path)[1:] == ["✗ a: the quality gate (build_case) — 1 problem:", "cases/a.yaml:9:9: POA201 error: x — fix"]


def test_a_retried_step_that_then_built_is_not_a_failure(tmp_path: Path) -> None:
    run = RunSummary()
    run.failed("build_case", ["logs/a/build_case.log"], [])
    run.started(1, "a", None, [])
    run.finished(1)
    assert run.lines(tmp_path) == ["built: 1 case", "  a: results/a/ — no quality-gate report"]


def test_progress_and_stats_lines() -> None:
    run = RunSummary()
    run.started(3, "build_case", {"case": "a"}, ["results/a/poa.pdf"])
    run.finished(3)
    assert run.progress_line(4, 13) == "4 of 13 steps (31%) done — a: building the case"
    assert run.stats_line({"build_case": 2, "a": 1, "b": 1, "all": 1, "total": 5}) == "5 steps to run (2 cases: a, b)"


def _handler(stream: object, **settings: object) -> LogHandler:
    base = {"printshellcmds": False, "nocolor": True, "quiet": set(), "debug_dag": False, "verbose": False,
            "show_failed_logs": False, "stdout": False, "dryrun": False}
    handler = LogHandler(SimpleNamespace(**{**base, **settings}), None)  # type: ignore[arg-type]
    handler.out.stream = stream  # type: ignore[assignment]
    return handler


def _record(msg: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("snakemake.logging", level, "", 0, msg, None, None)
    record.__dict__.update(extra)
    return record


def test_handler_replaces_internals_with_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from snakemake_interface_logger_plugins.common import LogEvent

    monkeypatch.chdir(tmp_path)
    log = _log(tmp_path, "a", "build_case", ["cases/a.yaml:2:3: bad — fix"])
    stream = io.StringIO()
    handler = _handler(stream)
    for record in (
        _record("Building DAG of jobs..."),
        _record("Using shell: /usr/bin/bash"),
        _record("Job stats:", event=LogEvent.RUN_INFO, stats={"build_case": 1, "a": 1, "total": 2}),
        _record("", event=LogEvent.JOB_INFO, jobid=1, rule_name="build_case", wildcards={"case": "a"}, output=[], log=[log]),
        _record("RuleException:\nCalledProcessError in file Snakefile, line 44:\nCommand 'x'", logging.ERROR,
                event=LogEvent.ERROR, exception="RuleException"),
        _record("Error in rule build_case", logging.ERROR, event=LogEvent.JOB_ERROR, rule_name="build_case",
                log=[log], output=["results/a/case.json"], shellcmd="python -m poaforge.steps validate"),
        _record("Exiting because a job execution failed. Look above for error messages", logging.ERROR),
        _record("WorkflowError:\nAt least one job did not complete successfully.", logging.ERROR, event=LogEvent.ERROR,
                exception="WorkflowError"),
    ):
        handler.handle(record)
    handler.close()
    assert stream.getvalue().splitlines() == [
        "Building DAG of jobs...",
        "2 steps to run (1 case: a)",
        "✗ a: building the case failed (build_case) — its problems are listed at the end",
        "not built: 1 case (a) — fix what is listed below, then run the same command again",
        "✗ a: building the case (build_case) — 1 problem:",
        "cases/a.yaml:2:3: bad — fix",
    ]


def test_handler_passes_everything_in_verbose_mode(tmp_path: Path) -> None:
    import io

    from snakemake_interface_logger_plugins.common import LogEvent

    stream = io.StringIO()
    handler = _handler(stream, verbose=True)
    handler.handle(_record("Using shell: /usr/bin/bash"))
    handler.handle(_record("RuleException:\nCalledProcessError", logging.ERROR, event=LogEvent.ERROR, exception="RuleException"))
    handler.close()
    assert stream.getvalue().splitlines() == ["Using shell: /usr/bin/bash", "RuleException:", "CalledProcessError"]


def test_handler_gives_a_failed_cluster_job_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cluster job (all steps of one case) that fails is one line, then the step that failed."""
    import io

    from snakemake_interface_logger_plugins.common import LogEvent

    monkeypatch.chdir(tmp_path)
    failed = _log(tmp_path, "a", "build_case", ["cases/a.yaml:5:11: platform: 'walmrt' is not allowed here — one of …"])
    stream = io.StringIO()
    handler = _handler(stream)
    infos = [{"rule_name": "build_case", "log": [failed], "output": ["results/a/case.json"]},
             {"rule_name": "write_changes", "log": ["logs/a/write_changes.log"], "output": ["results/a/changes.md"]}]
    handler.handle(_record("Error in group case", logging.ERROR, event=LogEvent.GROUP_ERROR, job_error_info=infos))
    for info in infos:
        handler.handle(_record("Error in rule", logging.ERROR, event=LogEvent.JOB_ERROR, indent=True, **info))
    handler.handle(_record("WorkflowError:\nAt least one job did not complete successfully.", logging.ERROR,
                           event=LogEvent.ERROR, exception="WorkflowError"))
    assert stream.getvalue().splitlines() == [
        "✗ a: its cluster job failed (2 steps) — its problems are listed at the end",
        "not built: 1 case (a) — fix what is listed below, then run the same command again",
        "✗ a: building the case (build_case) — 1 problem:",
        "cases/a.yaml:5:11: platform: 'walmrt' is not allowed here — one of …",
    ]


def test_an_interrupted_job_is_told_as_stopped_not_failed(tmp_path: Path) -> None:
    """Ctrl-C stops a case's job in a stage: the summary says it was interrupted there and that
    running the command again finishes it — not "fix what is listed below" with no problem."""
    log = _log(tmp_path, "a", "build_case", [f"{STAGE_MARK} validate", "cases/a.yaml: written",
                                             f"{STAGE_MARK} read", "interrupted"])
    run = RunSummary()
    failure = run.failed("build_case", [log, "results/a/report.json"], [])
    assert run.failure_line(failure, tmp_path) == "✗ a: interrupted while reading the exhibits (build_case)"
    assert run.lines(tmp_path) == ["not built: 1 case (a) — the run was interrupted: run the same command again to finish",
                                   "✗ a: interrupted while reading the exhibits (build_case) — nothing to fix"]
    # with a case that did fail beside it, the run asks for the fix
    other = _log(tmp_path, "b", "build_case", [f"{STAGE_MARK} gate", "cases/b.yaml:9:9: POA201 error: x — fix"])
    run.failed("build_case", [other], [])
    assert run.lines(tmp_path)[0].endswith("— fix what is listed below, then run the same command again")
