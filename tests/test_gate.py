"""The quality gate step: a report with errors stops the build with each error on its own
located line; the report itself is left alone; ``--off`` (poa rebuild) lets the build on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poaforge.console import run
from poaforge.steps import main

FINDINGS = [
    {"rule": "POA407", "severity": "warning", "file": "cases/x.yaml", "line": 42, "col": 13, "message": "CA1 action: exclamation mark",
     "fix": "use a full stop", "waived": False, "reason": ""},
    {"rule": "POA201", "severity": "error", "file": "cases/x.yaml", "line": 42, "col": 13,
     "message": 'CA1 action: promissory wording "we will" in an action marked done', "fix": "write what was done",
     "waived": False, "reason": ""},
    {"rule": "POA104", "severity": "error", "file": "cases/x.yaml", "line": 12, "col": 11, "message": 'RC1 role is a placeholder ("TBD")',
     "fix": "name the role involved", "waived": False, "reason": ""},
]


def _report(tmp_path: Path, findings: list[dict[str, object]]) -> Path:
    errors = sum(f["severity"] == "error" for f in findings)
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"case": "x", "file": "cases/x.yaml", "ok": not errors, "findings": findings, "waived": [],
                                "counts": {"error": errors, "warning": len(findings) - errors, "waived": 0}}), encoding="utf-8")
    return path


def test_errors_stop_the_build_one_located_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(tmp_path, FINDINGS)
    before = report.read_bytes()
    assert run(main, ["gate", str(report), str(tmp_path / "gate.json")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["cases/x.yaml:12:11: POA104 error: RC1 role is a placeholder (\"TBD\") — name the role involved",
                   'cases/x.yaml:42:13: POA201 error: CA1 action: promissory wording "we will" in an action marked done — write what was done']
    assert not (tmp_path / "gate.json").exists() and report.read_bytes() == before


def test_a_failed_gate_removes_stale_documents_inside_the_case_folder_only(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(tmp_path, FINDINGS)
    (tmp_path / "poa.pdf").write_bytes(b"%PDF old")
    (tmp_path / "upload.json").write_text("{}", encoding="utf-8")
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / "Exhibit_1_x.pdf").write_bytes(b"old")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.pdf"
    outside.write_bytes(b"keep")
    stale = [str(tmp_path / "poa.pdf"), str(tmp_path / "upload.json"), str(tmp_path / "bundle.pdf"), str(outside)]
    assert run(main, ["gate", str(report), str(tmp_path / "gate.json"), "--stale", *stale]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"cases/x.yaml: the documents of its earlier build in {tmp_path}/ were removed: they no longer match "
                      "the case — fix the errors below and run the same command again")
    assert not (tmp_path / "poa.pdf").exists() and not (tmp_path / "upload").exists() and not (tmp_path / "upload.json").exists()
    assert outside.read_bytes() == b"keep" and report.is_file()
    assert run(main, ["gate", str(report), str(tmp_path / "gate.json"), "--stale", *stale]) == 1  # nothing left: no such line
    assert "earlier build" not in capsys.readouterr().err


def test_warnings_pass(tmp_path: Path) -> None:
    report = _report(tmp_path, FINDINGS[:1])
    assert run(main, ["gate", str(report), str(tmp_path / "gate.json")]) == 0
    gate = json.loads((tmp_path / "gate.json").read_text(encoding="utf-8"))
    assert gate == {"case": "x", "passed": True, "enforced": True, "counts": {"error": 0, "warning": 1, "waived": 0}}


def test_off_lets_a_filed_version_build(tmp_path: Path) -> None:
    assert run(main, ["gate", str(_report(tmp_path, FINDINGS)), str(tmp_path / "gate.json"), "--off"]) == 0
    gate = json.loads((tmp_path / "gate.json").read_text(encoding="utf-8"))
    assert gate["passed"] is False and gate["enforced"] is False and gate["counts"]["error"] == 2


@pytest.mark.parametrize("content", ["", "[]", '{"findings": "x"}'])
def test_not_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    (tmp_path / "report.json").write_text(content, encoding="utf-8")
    assert run(main, ["gate", str(tmp_path / "report.json"), str(tmp_path / "gate.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path / 'report.json'}: ") and "snakemake" in err and "Traceback" not in err
