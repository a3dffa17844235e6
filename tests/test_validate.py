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
    assert "build_case" in rules and rules <= RESERVED_IDS, rules - RESERVED_IDS


def test_the_build_step_of_a_half_filled_case_also_names_the_gates_errors(mini: Make) -> None:
    """The build stops at an invalid case with its problems and, sorted among them by line, the
    quality gate's errors in the text already written — so `snakemake <case>` says at once what
    `poa lint` would; a value with a problem (a date that does not exist) is not reasoned from."""
    case = mini({"    owner: Customer Service Manager\n": "",
                 "action: Refunded all 38 affected orders in full.": "action: We will refund all 38 affected orders.",
                 "as_of: 2026-11-20": "as_of: 2026-02-30"})
    result = subprocess.run([sys.executable, "-m", "poaforge.steps", "validate", str(case.relative_to(case.parent.parent)),
                             "results/mini/case.json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(": 'owner' is missing — " in line for line in lines), lines
    assert any(re.match(r"cases/mini\.yaml:\d+:\d+: POA201 error: CA1 action: promise \"We will\"", line) for line in lines), lines
    assert any("'2026-02-30' is not a real date" in line for line in lines)
    assert not any("after the POA date 2026-02-30" in line for line in lines), lines  # not judged against the bad date
    positions = [tuple(int(x) for x in line.split(":")[1:3]) for line in lines]
    assert positions == sorted(positions)
    assert not Path("results/mini/case.json").exists()
