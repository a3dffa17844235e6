"""Helpers for end-to-end tests: a temporary copy of the project and the real `snakemake`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
#: what a user's project folder holds (the package itself is installed from scripts/)
PROJECT_PARTS = ("Snakefile", "workflow", "scripts", "schemas", "platforms", "templates", "lint", "profiles", "scaffolds",
                 "documents")


def copy_project(dest: Path, cases: list[str] | None = None) -> Path:
    """Copy the project (and the given example cases, default all) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = PROJECT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, symlinks=True)
        elif src.exists():
            shutil.copy2(src, dest / part)
    (dest / "cases").mkdir(exist_ok=True)
    for case_file in sorted((PROJECT / "cases").glob("*.yaml")):
        if cases is None or case_file.stem in cases:
            shutil.copy2(case_file, dest / "cases" / case_file.name)
            shutil.copytree(case_file.with_suffix(""), dest / "cases" / case_file.stem)
    return dest


def snakemake(cwd: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real snakemake command in ``cwd`` (``env``: variables added to the environment)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([str(SNAKEMAKE), "--cores", "2", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def build_fresh(dest: Path, cases: list[str]) -> Path:
    """A fresh copy of the project with ``cases``, built by ONE plain `snakemake`."""
    root = copy_project(dest, cases=cases)
    done = snakemake(root)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def copy_built(src: Path, dest: Path) -> Path:
    """A copy of a built project, its time stamps and Snakemake's records kept."""
    shutil.copytree(src, dest, symlinks=True)
    return dest
