"""`poa validate`: exit codes, text and JSON output, nothing modified."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import tree_hashes
from poaforge.case.model import PROJECT
from poaforge.steps import RESERVED_IDS

Make = Callable[..., Path]


def poa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from poaforge.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=60)


def test_valid_case_exits_0(mini: Make) -> None:
    mini()
    result = poa("validate", "mini")
    assert result.returncode == 0, result.stderr
    assert "1 case(s) checked: 1 valid, 0 invalid" in result.stderr


def test_invalid_case_exits_1_without_traceback(mini: Make) -> None:
    mini({"    owner: Customer Service Manager\n": ""})
    before = tree_hashes(Path("cases"))
    result = poa("validate")
    assert result.returncode == 1
    assert result.stdout.startswith("cases/mini.yaml:34:5: corrective_actions[1] (CA1): 'owner' is missing — ")
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_hashes(Path("cases")) == before


def test_json_format(mini: Make) -> None:
    mini({"platform: amazon": "platform: amazn"})
    result = poa("validate", "--format", "json", "cases/mini.yaml")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["invalid"] == 1
    problem = out["cases"][0]["problems"][0]
    assert (problem["line"], problem["col"], problem["file"]) == (3, 11, "cases/mini.yaml")


def test_usage_errors_exit_2(mini: Make) -> None:
    result = poa("validate", "--format", "xml")
    assert result.returncode == 2
    message = result.stderr.strip()  # one line of ours, not argparse's usage block
    assert message.startswith("poa validate: argument --format: invalid choice: 'xml'"), message
    assert message.endswith(" — see `poa validate --help`") and "\n" not in message, message
    assert poa("frobnicate").returncode == 2


def test_empty_text_is_one_problem(mini: Make) -> None:
    """'' breaks both 'not empty' and 'not blank': one line says so, not two."""
    mini({"  store_name: Northwind Home": '  store_name: ""', "  seller_id: A1NORTHWIND0001": '  seller_id: "  "'})
    result = poa("validate", "mini")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "cases/mini.yaml:9:15: seller.store_name: is empty — write the store name shown on the platform",
        "cases/mini.yaml:10:14: seller.seller_id: is blank — copy the seller id from the seller dashboard"]


def test_missing_case_file(mini: Make) -> None:
    mini()
    result = poa("validate", "nosuchcase")
    assert result.returncode == 1
    assert result.stdout.strip() == ("cases/nosuchcase.yaml: no such case file — "
                                     "check the name; `poa validate` lists problems for every file in cases/")


def test_every_rule_name_is_reserved() -> None:
    """A case named like a rule would make `snakemake` fail with its own CreateRuleException."""
    rules = set(re.findall(r"^rule (\w+):", (PROJECT / "Snakefile").read_text(encoding="utf-8"), re.M))
    assert "gate_case" in rules and rules <= RESERVED_IDS, rules - RESERVED_IDS
