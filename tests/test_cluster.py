"""Beyond one machine: the SLURM profile is accepted (dry run, one group job per case), and
the pipeline runs through Snakemake's generic cluster executor, each case as one cluster job.

The SLURM executor plugin is not in the project's venv (Snakemake imports every installed
executor plugin at each start, and this one imports pandas): `tools/setup.sh --slurm`
installs it there for a cluster; `tools/setup.sh --test` puts the same pinned packages in
.tools/slurm, which these tests add to PYTHONPATH."""

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
SLURM_PLUGIN = PROJECT / ".tools" / "slurm"


def _slurm_env() -> dict[str, str]:
    """PYTHONPATH holding the SLURM executor plugin (requirements-slurm.lock), or skip."""
    if not (SLURM_PLUGIN / "snakemake_executor_plugin_slurm").is_dir():
        pytest.skip("the SLURM executor plugin is not in .tools/slurm: run tools/setup.sh --test")
    return {"PYTHONPATH": str(SLURM_PLUGIN)}


def test_profile_groups_every_case_step() -> None:
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm" and profile["group-components"] == ["case=1"]
    grouped = {g.split("=")[0] for g in profile["groups"] if g.endswith("=case")}
    blocks = re.split(r"^rule (\w+):", (PROJECT / "Snakefile").read_text(encoding="utf-8"), flags=re.M)[1:]
    per_case = {name for name, body in zip(blocks[::2], blocks[1::2]) if "\"logs/{case}/" in body.split("\n\n\n")[0]}
    assert per_case == grouped, "every per-case rule (and only those) is in the group"


def test_slurm_profile_dry_run(tmp_path: Path) -> None:
    """Every case is one cluster job holding all its steps; only the status page and the
    targets stay on the submitting machine."""
    root = copy_project(tmp_path)
    done = snakemake(root, "--profile", "profiles/slurm", "-n", env=_slurm_env())
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    cases = sorted(p.stem for p in (root / "cases").glob("*.yaml"))
    assert log.count("Group job case") == len(cases), "one cluster job per case"
    assert "This was a dry-run" in log
    # the job table: one job per case (and write_changes for the re-appeal) in the groups,
    # one target per case, the page and `all`
    table = dict(re.findall(r"^(\w[\w-]*)\s+(\d+)$", log, flags=re.M))
    assert table.get("build_case") == str(len(cases)), table
    assert table.get("write_changes") == "1" and table.get("status_page") == "1"


def test_pipeline_through_generic_cluster_executor(tmp_path: Path) -> None:
    root = copy_project(tmp_path, cases=[])
    shutil.copy(DATA / "mini.yaml", root / "cases" / "mini.yaml")
    ev = root / "cases" / "mini" / "evidence"
    write_pdf(ev / "late.pdf", pages=2)
    write_png(ev / "refunds.png")
    write_pdf(ev / "checklist.pdf")
    done = snakemake(root, "--profile", "profiles/slurm", "--executor", "cluster-generic",
                     "--cluster-generic-submit-cmd", "bash", "--jobs", "2", "--seconds-between-status-checks", "1",
                     "--latency-wait", "5", env=_slurm_env())
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Provided remote nodes: 2" in log and log.count("Group job case") == 1
    for name in ("manifest.json", "bundle.pdf", "poa.pdf", "checklist.md", "report.txt"):
        assert (root / "results" / "mini" / name).is_file(), name
    assert '<tr id="case-mini"' in (root / "results" / "index.html").read_text(encoding="utf-8")
