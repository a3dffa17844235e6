"""A portfolio of many cases: what every `snakemake` start pays, and the status page.

* A plain start imports no pandas (nor numpy, polars): Snakemake imports every installed
  executor plugin at each start, and pandas whenever it is installed and a job has
  parameters; the SLURM plugin, which brings pandas, is installed only for clusters
  (`tools/setup.sh --slurm`).
* A case is five jobs (README, Performance: a no-op costs Snakemake per job and per file).
* The status page is made from each case's row (results/<case>/status.json): a no-op run
  does not touch it, nor does a run after cases were rebuilt with rows that read as before;
  a changed row rebuilds it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from e2e import SNAKEMAKE, build_fresh, copy_built, copy_project, snakemake

pytestmark = pytest.mark.e2e

HEAVY = ("pandas", "numpy", "polars")
#: runs Snakemake's own command in this interpreter and reports, at exit, the heavy modules loaded
PROBE = ("import atexit, runpy, sys\n"
         "heavy, script, sys.argv = set(sys.argv[1].split(',')), sys.argv[2], ['snakemake', *sys.argv[3:]]\n"
         "atexit.register(lambda: print('loaded:', ' '.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)), file=sys.stderr))\n"
         "runpy.run_path(script, run_name='__main__')\n")


def _heavy_modules(root: Path, *args: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy modules loaded by `snakemake ARGS` started in ``root``."""
    import os

    done = subprocess.run([sys.executable, "-c", PROBE, ",".join(HEAVY), str(SNAKEMAKE), "--cores", "1", *args], cwd=root,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = re.findall(r"^loaded:(.*)$", done.stderr, flags=re.M)
    assert len(loaded) == 1, done.stderr[-2000:]
    return loaded[0].split()


def test_a_plain_start_imports_no_pandas(tmp_path: Path) -> None:
    if find_spec("snakemake_executor_plugin_slurm") is not None:
        pytest.skip("this venv has the SLURM executor plugin (tools/setup.sh --slurm): its starts load pandas, as on a cluster")
    root = copy_project(tmp_path / "p", cases=["walmart-us"])
    assert _heavy_modules(root, "-n") == []
    assert _heavy_modules(root, "-n", "walmart-us") == []
    # the probe sees pandas when it is there: the SLURM plugin for the tests (tools/setup.sh --test)
    slurm = Path(__file__).resolve().parents[1] / ".tools" / "slurm"
    if (slurm / "snakemake_executor_plugin_slurm").is_dir():
        assert "pandas" in _heavy_modules(root, "-n", env={"PYTHONPATH": str(slurm)})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fresh(tmp_path_factory.mktemp("many") / "p", ["walmart-us", "tiktok-uk-dispatch"])


def test_a_case_is_one_job(built: Path, tmp_path: Path) -> None:
    root = copy_built(built, tmp_path / "p")
    done = snakemake(root, "walmart-us", "-n", "--forcerun", "build_case")
    table = dict(re.findall(r"^(\w[\w-]*)\s+(\d+)$", done.stdout + done.stderr, flags=re.M))
    assert table == {"build_case": "1", "walmart-us": "1", "total": "2"}, table


def test_status_page_is_left_alone_unless_a_row_changes(built: Path, tmp_path: Path) -> None:
    root = copy_built(built, tmp_path / "p")
    page = root / "results/index.html"
    before = page.stat().st_mtime_ns
    letter = root / "results/walmart-us/poa.pdf"

    assert snakemake(root).returncode == 0  # a no-op
    assert page.stat().st_mtime_ns == before

    # the letter's template changes and a case is rebuilt (the page is not asked for): its row is
    # written again, the same; a plain run then leaves the page alone (Snakemake compares the
    # content of a small input whose time stamp moved)
    letter_before = letter.stat().st_mtime_ns
    with (root / "templates/poa.typ").open("a", encoding="utf-8") as fh:
        fh.write("\n// a change of the letter's layout\n")
    done = snakemake(root, "walmart-us", "tiktok-uk-dispatch")
    assert done.returncode == 0, done.stderr[-3000:]
    assert letter.stat().st_mtime_ns != letter_before and (root / "results/walmart-us/status.json").stat().st_mtime_ns > before
    done = snakemake(root)
    assert done.returncode == 0, done.stderr[-3000:]
    assert page.stat().st_mtime_ns == before, "the status page was rebuilt though no case's row changed"

    # a submission is recorded: the case's row (and so the page) changes
    case = root / "cases/walmart-us.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "submissions:\n  - {version: \"1\", date: 2026-11-21, outcome: pending}\n",
                    encoding="utf-8")
    done = snakemake(root)
    assert done.returncode == 0, done.stderr[-3000:]
    row = re.search(r'<tr id="case-walmart-us".*?</tr>', page.read_text(encoding="utf-8"), flags=re.S)
    assert row and "v1 pending" in row.group(0)
