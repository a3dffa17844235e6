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
