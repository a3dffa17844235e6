"""Beyond one machine: the SLURM profile is accepted (dry run, one group job per case), and
the pipeline runs through Snakemake's generic cluster executor, each case as one cluster job."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import DATA, PROJECT, write_pdf, write_png
from e2e import copy_project, snakemake

pytestmark = pytest.mark.e2e

PROFILE = PROJECT / "profiles" / "slurm" / "config.yaml"


def test_profile_groups_every_case_step() -> None:
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm" and profile["group-components"] == ["case=1"]
    grouped = {g.split("=")[0] for g in profile["groups"] if g.endswith("=case")}
    blocks = re.split(r"^rule (\w+):", (PROJECT / "Snakefile").read_text(encoding="utf-8"), flags=re.M)[1:]
    per_case = {name for name, body in zip(blocks[::2], blocks[1::2]) if "\"logs/{case}/" in body.split("\n\n\n")[0]}
    assert per_case == grouped, "every per-case rule (and only those) is in the group"


def test_slurm_profile_dry_run(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    done = snakemake(root, "--profile", "profiles/slurm", "-n")
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    cases = len(list((root / "cases").glob("*.yaml")))
    assert log.count("Group job case") == cases, "one cluster job per case"
    assert "This was a dry-run" in log


def test_pipeline_through_generic_cluster_executor(tmp_path: Path) -> None:
    root = copy_project(tmp_path, cases=[])
    shutil.copy(DATA / "mini.yaml", root / "cases" / "mini.yaml")
    ev = root / "cases" / "mini" / "evidence"
    write_pdf(ev / "late.pdf", pages=2)
    write_png(ev / "refunds.png")
    write_pdf(ev / "checklist.pdf")
    done = snakemake(root, "--profile", "profiles/slurm", "--executor", "cluster-generic",
                     "--cluster-generic-submit-cmd", "bash", "--jobs", "2", "--seconds-between-status-checks", "1",
                     "--latency-wait", "5")
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Provided remote nodes: 2" in log and log.count("Group job case") == 1
    for name in ("manifest.json", "bundle.pdf", "poa.pdf", "checklist.md", "report.txt"):
        assert (root / "results" / "mini" / name).is_file(), name
    assert '<tr id="case-mini"' in (root / "results" / "index.html").read_text(encoding="utf-8")
