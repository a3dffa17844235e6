"""``poa rebuild CASE --submission N``: build a filed submission again from git history.

The case file and its evidence folder are taken from the submission's ``commit:``
(``git show`` / ``git ls-tree`` + ``git cat-file``) into a temporary folder holding this
project's Snakefile, workflow, package, schemas, platforms, templates and lint data;
``snakemake <case>`` builds it there with ``--config lint_gate=off`` (lint errors are
reported, not fatal: what was filed is shown as it was) and the results are copied to
``results/<case>.submission-<N>/`` (or ``--out``). That default sits beside, not inside,
``results/<case>/``, whose manifest lists every file of its folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.errors import BuildError, CaseError, Problem, UsageError

__all__ = ["rebuild", "main_rebuild", "PARTS"]

#: What the temporary project holds besides the case (as `tests/e2e.py` copies it).
PARTS = ("Snakefile", "workflow", "scripts", "schemas", "platforms", "templates", "lint", "documents")


def _submission(case_file: Path, version: int) -> dict[str, Any]:
    from poaforge.case.loader import load_yaml

    doc = load_yaml(case_file)
    subs = [s for s in (doc.data.get("submissions") or []) if isinstance(s, dict)] if isinstance(doc.data, dict) else []
    found = next((s for s in subs if str(s.get("version")) == str(version)), None)
    if found is None:
        known = ", ".join(str(s.get("version")) for s in subs) or "none"
        raise UsageError(Problem(str(case_file), message=f"no submission {version} in the case file",
                                 hint=f"submissions recorded: {known}"))
    if not found.get("commit"):
        line, col = doc.locate(("submissions", subs.index(found)))
        raise CaseError(Problem(str(case_file), line, col, f"submission {version} records no commit, so what was filed is unknown",
                                "add commit: <hash> of the case file as filed (git log --format='%h %ad' -- "
                                f"{case_file.as_posix()} lists the candidates)"))
    return found


def _checkout(case_file: Path, commit: str, dest: Path) -> int:
    """Write the case file and its folder as they were at ``commit`` into ``dest/cases``; return the file count."""
    from poaforge.portfolio.history import HistoryUnavailable, git_bytes

    cases = dest / "cases"
    try:
        (cases / case_file.name).parent.mkdir(parents=True, exist_ok=True)
        (cases / case_file.name).write_bytes(git_bytes(case_file.parent, "show", f"{commit}:./{case_file.name}"))
        folder = case_file.parent / case_file.stem
        listing = git_bytes(case_file.parent, "ls-tree", "-r", commit, "--", f"./{case_file.stem}").decode("utf-8", "replace")
        count = 1
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            kind = meta.split()
            if len(kind) != 3 or kind[1] != "blob" or kind[0] == "120000":
                continue
            rel = Path(path).relative_to(case_file.stem) if Path(path).is_relative_to(case_file.stem) else Path(path)
            target = cases / case_file.stem / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git_bytes(folder.parent, "cat-file", "blob", kind[2]))
            count += 1
    except HistoryUnavailable as exc:
        raise BuildError(Problem(str(case_file), message=f"cannot read commit {commit} from git: {exc}",
                                 hint="run in the project's git checkout; check the commit with `git show --stat " + commit + "`")) from None
    return count


def _copy_project(project: Path, dest: Path) -> None:
    for part in PARTS:
        src = project / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.is_file():
            shutil.copy2(src, dest / part)


def rebuild(case_id: str, version: int, out: Path | None = None, *, cores: int = 2, project: Path = Path(".")) -> Path:
    """Build submission ``version`` of ``case_id`` from git; return the folder holding its results."""
    case_file = project / "cases" / f"{case_id}.yaml"
    if not (project / "Snakefile").is_file():
        raise UsageError(Problem("poa rebuild", message="no Snakefile here", hint="run poa rebuild in the project folder"))
    if not case_file.is_file():
        raise UsageError(Problem(str(case_file), message="no such case file", hint="give the case id, e.g. amazon-odr"))
    sub = _submission(case_file, version)
    out = out or project / "results" / f"{case_id}.submission-{version}"
    with tempfile.TemporaryDirectory(prefix="poa-rebuild-") as tmp:
        work = Path(tmp)
        _copy_project(project, work)
        _checkout(case_file, str(sub["commit"]), work)
        exe = Path(sys.executable).with_name("snakemake")
        # the poaforge logger plugin ends the output with the located problems of a failed step
        cmd = [str(exe) if exe.exists() else "snakemake", "--cores", str(cores), "--config", "lint_gate=off",
               "--logger", "poaforge", "--quiet", "rules", "--", case_id]
        # one build in a folder deleted after it: a job server would load its libraries for nothing
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "POA_JOBSERVER": "off"}
        done = subprocess.run(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        built = work / "results" / case_id
        if done.returncode or not (built / "manifest.json").is_file():
            sys.stderr.write(done.stdout[-4000:])
            raise BuildError(Problem(f"{case_file.as_posix()}@{sub['commit']}",
                                     message=f"submission {version} could not be built again (messages above; their lines "
                                             "refer to the case file as filed)",
                                     hint=f"see it with `git show {sub['commit']}:{case_file.as_posix()}`"))
        part = out.with_name(f".{out.name}.tmp")
        shutil.rmtree(part, ignore_errors=True)
        shutil.copytree(built, part)
        if out.exists():
            shutil.rmtree(out)
        os.replace(part, out)
    return out


def main_rebuild(argv: Sequence[str]) -> int:
    """``poa rebuild CASE --submission N [--out DIR] [--cores N]``."""

    p = ArgParser(prog="poa rebuild", description="Build a filed submission again from git history.")
    p.add_argument("case", help="case id")
    p.add_argument("--submission", type=int, required=True, help="version number of the submission (1, 2 …)")
    p.add_argument("--out", type=Path, help="folder for the results (default results/<case>.submission-<N>/)")
    p.add_argument("--cores", type=int, default=2)
    args = p.parse_args(list(argv))
    out = rebuild(args.case, args.submission, args.out, cores=args.cores)
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").is_file() else {}
    counts = report.get("counts", {})
    print(f"rebuilt submission {args.submission} of {args.case} in {out}/ (poa.pdf, bundle.pdf, report.txt …); "
          f"lint of the filed version: {counts.get('error', '?')} errors, {counts.get('warning', '?')} warnings")
    return 0
