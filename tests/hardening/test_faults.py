"""Faults: a build killed mid-merge, a full disk, a folder in the way, two builds at once,
no network — and proof that originals stay byte-identical and outputs carry no local paths.

These run the real ``snakemake`` on a temporary copy of the project (marked ``e2e``), except
the full-disk check of every step, which runs each ``python -m poaforge.steps`` command in a
subprocess with a file size limit (RLIMIT_FSIZE: writes fail with "File too large", as on a
full disk; chmod-based read-only folders do not stop root, which this may run as).
"""

from __future__ import annotations

import getpass
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .corpus import CASE, SNAKEMAKE, assert_clean, copy_project, many_pages_pdf, run_snakemake, tree_hashes

PAGES = 1000  # big enough that merging takes over a second (≈1.5 s here), so a kill lands inside it
R = "results/mini"


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _start(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(SNAKEMAKE), "--cores", "2", "mini", *args], cwd=root, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _interrupt_merge(root: Path, proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Wait until the case job is merging the bundle, then send ``sig`` to the whole process group."""
    work = root / R / ".bundle.pdf.work"
    deadline = time.monotonic() + 180
    while not work.exists():
        assert proc.poll() is None, "the build ended before merging started"
        assert time.monotonic() < deadline, "the bundle merge never started"
        time.sleep(0.02)
    time.sleep(0.3)
    assert not (root / R / "bundle.pdf").exists(), "merging finished too fast to be interrupted"
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("kill") / "p")
    (root / "cases/mini/evidence/late.pdf").write_bytes(many_pages_pdf(PAGES))
    return root


@pytest.mark.e2e
def test_sigkill_mid_merge_then_rerun(big: Path) -> None:
    originals = tree_hashes(big / "cases")
    _interrupt_merge(big, _start(big), signal.SIGKILL)
    assert not list((big / R).rglob("bundle.pdf")), "a partial bundle.pdf was left behind"
    # Snakemake's lock survives a SIGKILL; it says so and how to remove it
    locked = run_snakemake(big, "mini")
    assert locked.returncode == 1
    assert "Directory cannot be locked" in locked.stderr and "--unlock" in locked.stderr
    assert run_snakemake(big, "--unlock").returncode == 0
    rerun = run_snakemake(big, "mini")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_clean(rerun.stderr)
    assert _pages(big / R / "bundle.pdf") > PAGES + 2
    assert not (big / R / ".bundle.pdf.work").exists()
    assert tree_hashes(big / "cases") == originals


@pytest.mark.e2e
def test_ctrl_c_mid_merge_cleans_up(big: Path) -> None:
    """Ctrl-C (SIGINT to the group): no bundle, no temporary folders, no stale lock."""
    _interrupt_merge(big, _start(big, "--forcerun", "build_case"), signal.SIGINT)
    assert not list((big / R).rglob("bundle.pdf"))
    assert not list((big / R).glob(".bundle.pdf.*"))
    rerun = run_snakemake(big, "mini")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _pages(big / R / "bundle.pdf") > PAGES + 2


# --- two builds at once; every step unable to write --------------------------------------

_RACE: list[tuple[int, str]] = []


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini case, built once — by two ``snakemake`` runs started at the same moment
    (their outcomes are checked by test_two_builds_at_once)."""
    root = copy_project(tmp_path_factory.mktemp("small") / "p")
    procs = [subprocess.Popen([str(SNAKEMAKE), "--cores", "1", "mini"], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
             for _ in range(2)]
    _RACE.extend((p.returncode, out[1]) for p, out in [(p, p.communicate(timeout=240)) for p in procs])
    if any(code for code, _ in _RACE):  # one was turned away: finish with a normal run if needed
        assert run_snakemake(root, "mini").returncode == 0
    return root


def _steps(out: str) -> dict[str, tuple[list[str], str]]:
    """step → (its arguments writing into ``out``, the output named in its error)."""
    return {
        "validate": (["validate", CASE, f"{out}/case.json"], f"{out}/case.json"),
        "lint-report": (["lint-report", f"{R}/case.json", CASE, f"{out}/report.json", f"{out}/report.txt", "--index",
                         f"{out}/lint-index.json", "--now", "none"], f"{out}/report.json"),
        "gate": (["gate", f"{R}/report.json", f"{out}/gate.json"], f"{out}/gate.json"),
        "evidence": (["evidence", f"{R}/case.json", out], f"{out}/exhibits"),
        "letter": (["letter", f"{R}/case.json", f"{out}/letter.json", f"{out}/poa.pdf", f"{out}/poa.docx", f"{out}/poa.txt",
                    f"{out}/form.json"], f"{out}/poa.pdf"),
        "render-index": (["index", f"{R}/case.json", f"{R}/letter.json", f"{R}/exhibits.json", f"{out}/evidence-index.pdf",
                          f"{out}/evidence-index.csv"], f"{out}/evidence-index.csv"),
        "bundle": (["bundle", f"{R}/case.json", f"{R}/letter.json", f"{R}/exhibits.json", f"{out}/bundle.pdf"],
                   f"{out}/.bundle.pdf.work/poa.pdf"),
        "upload": (["upload", f"{R}/case.json", f"{R}/exhibits.json", f"{out}/upload", "--bundle", f"{R}/bundle.pdf"], "poa"),
        "checklist": (["checklist", f"{R}/case.json", f"{R}/letter.json", f"{R}/form.json", f"{R}/exhibits.json",
                       f"{out}/checklist.md"], f"{out}/checklist.md"),
        "manifest": (["manifest", f"{R}/case.json", f"{out}/manifest.json"], f"{out}/manifest.json"),
    }


def _limited(root: Path, argv: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "TZ": "UTC", "SOURCE_DATE_EPOCH": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "poaforge.steps", *argv], cwd=root, capture_output=True, text=True,
                          env=env, preexec_fn=cap, timeout=120)


@pytest.mark.e2e
def test_two_builds_at_once(small: Path) -> None:
    """Started together on the same case: Snakemake's lock turns one away (or both finish);
    either way the outputs are complete and a further run has nothing to do."""
    codes = sorted(code for code, _ in _RACE)
    for _, err in _RACE:
        assert_clean(err)
    if codes != [0, 0]:
        assert codes == [0, 1], [e[-2000:] for _, e in _RACE]
        loser = next(err for code, err in _RACE if code)
        assert "Directory cannot be locked" in loser or "another snakemake run is building in this folder" in loser, loser[-2000:]
    again = run_snakemake(small, "mini")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Nothing to be done" in again.stderr + again.stdout
    assert _pages(small / R / "bundle.pdf") >= 5


@pytest.mark.e2e
def test_full_disk_in_every_step(small: Path) -> None:
    """Every step, unable to write a byte: one clear line naming what it could not write,
    exit 1, no traceback, and no output file left under its final name."""
    steps = _steps("full")
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(steps, pool.map(lambda s: _limited(small, steps[s][0], 1), steps)))
    for name, result in results.items():
        where = steps[name][1]
        assert result.returncode == 1, (name, result.stderr)
        assert_clean(result.stderr)
        lines = result.stderr.strip().splitlines()
        # pandoc, a separate program, is killed by the signal instead: its message names the disk
        assert len(lines) == 1 and lines[0].startswith(f"{where}: ") and re.search("File too large|disk", lines[0]), (name, lines)
        assert re.search(r" — .*(disk|writable|folder)", lines[0]), (name, lines)
    final = {"case.json", "gate.json", "report.json", "report.txt", "exhibits", "exhibits.json", "poa.pdf", "letter.json",
             "evidence-index.pdf", "poa.docx", "poa.txt", "form.json", "bundle.pdf", "upload", "checklist.md", "manifest.json"}
    left = {p.name for p in (small / "full").iterdir()} if (small / "full").exists() else set()
    assert not left & final, left


# --- nothing leaked ---------------------------------------------------------------------

def _local_markers(root: Path) -> list[bytes]:
    markers = {str(root), str(root.parent), str(Path.home()), "/work/", "/tmp/", "/root/"}
    return sorted(m.encode() for m in markers if len(m) > 3)


@pytest.mark.e2e
def test_outputs_carry_no_local_paths(small: Path) -> None:
    from pypdf import PdfReader

    user = getpass.getuser()
    checked = 0
    for path in sorted((small / R).rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        blobs = [data]
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(n) for n in z.namelist()]
        for marker in _local_markers(small):
            assert all(marker not in b for b in blobs), (path.name, marker)
        if path.suffix == ".pdf":
            meta = PdfReader(path).metadata or {}
            assert all(user not in str(v) for v in meta.values()), (path.name, meta)
        checked += 1
    assert checked >= 15


@pytest.mark.e2e
def test_our_lock_stops_a_second_run(small: Path) -> None:
    """When two runs slip past Snakemake's lock together, ours (an flock, released by the
    system when a run ends, even on kill -9) stops the second before any job starts."""
    import fcntl

    before = tree_hashes(small / R)
    with open(small / ".snakemake/poa-forge.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_snakemake(small, "mini", "--forcerun", "build_case")
    assert result.returncode == 1
    assert_clean(result.stderr)
    assert "another snakemake run is building in this folder — wait for it to finish, then run again" in result.stderr
    assert tree_hashes(small / R) == before


# --- a full disk, a folder in the way ------------------------------------------------------

@pytest.mark.e2e
def test_disk_full_while_writing_the_bundle(small: Path) -> None:
    """Room for everything but the finished bundle: snakemake stops with our message and
    keeps no bundle.pdf (the old one is gone, as Snakemake removes outputs it rebuilds)."""
    size = (small / R / "bundle.pdf").stat().st_size

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size - 2_000, size - 2_000))

    result = run_snakemake(small, "mini", "--forcerun", "build_case", preexec_fn=cap)
    assert result.returncode == 1
    assert_clean(result.stderr)
    assert (f"{R}/bundle.pdf: cannot write the bundle (File too large) — free some disk space and check that the "
            "results folder is writable") in result.stderr
    assert not (small / R / "bundle.pdf").exists()
    assert not list((small / R).glob(".bundle.pdf.*"))  # the last test rebuilds everything


@pytest.mark.e2e
def test_folder_in_the_way_of_the_bundle(small: Path, tmp_path: Path) -> None:
    """A folder where the bundle goes: the step says so and leaves the user's folder alone."""
    if not (small / R / "case.json").is_file():  # the test before stopped the case's job: its outputs are gone
        assert run_snakemake(small, "mini").returncode == 0
    out = tmp_path / "bundle.pdf"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    env = {**os.environ, "TZ": "UTC", "SOURCE_DATE_EPOCH": "0"}
    result = subprocess.run([sys.executable, "-m", "poaforge.steps", "bundle", f"{R}/case.json", f"{R}/letter.json",
                             f"{R}/exhibits.json", str(out)],
                            cwd=small, capture_output=True, text=True, env=env, timeout=120)
    assert (result.returncode, result.stderr) == (1, f"{out}: cannot write the bundle (Is a directory) — move the folder of "
                                                     "that name out of the way\n")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.pdf"]


@pytest.mark.e2e
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (see the RLIMIT_FSIZE tests)")
def test_read_only_results_folder(small: Path) -> None:
    folder = small / R
    folder.chmod(0o555)
    try:
        result = run_snakemake(small, "mini", "--forcerun", "build_case")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert_clean(result.stderr)
    assert "Permission denied" in result.stderr


# --- offline, reading nothing outside --------------------------------------------------

@pytest.mark.e2e
def test_build_offline_reads_nothing_outside(small: Path) -> None:
    """A full rebuild with the network cut off (unshare -n) under strace: it succeeds, and no
    pipeline step (nor pandoc or git started by one) opens a file outside the project, the
    package and the Python/system install — in particular not /etc/passwd, nor a file a link
    in the case folder points to. (Snakemake itself looks up the user in /etc/passwd.)"""
    ev = small / "cases/mini/evidence"
    (small / "secret.txt").write_text("do not read", encoding="utf-8")
    for name, target in (("passwd.pdf", "/etc/passwd"), ("secret.pdf", str(small / "secret.txt"))):
        if not (ev / name).is_symlink():
            os.symlink(target, ev / name)
    prefix: list[str] = []
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        prefix += ["unshare", "-n"]
    trace = small / "trace.txt"
    if shutil.which("strace"):
        prefix += ["strace", "-f", "-qq", "-e", "trace=open,openat,execve,clone,clone3,fork,vfork", "-o", str(trace)]
    if not prefix:
        pytest.skip("neither unshare nor strace is available")
    # each job in a process of its own, traced from its start (a job server started by an earlier
    # test would run it in a process strace does not follow; its child runs the same code)
    result = subprocess.run([*prefix, str(SNAKEMAKE), "--cores", "2", "mini", "--forceall"], cwd=small, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "POA_JOBSERVER": "off"})
    assert result.returncode == 0, result.stderr[-3000:]
    if not trace.exists():
        return
    lines = trace.read_text(errors="replace").splitlines()
    started = [(m.group(1), m.group(2), m.group(3)) for line in lines if (m := re.match(r'(\d+)\s+execve\("([^"]+)", \[(.*)', line))
               and ("poaforge.steps" in m.group(3) or m.group(2).endswith(("/pandoc", "/git")))]
    steps = {pid for pid, _, _ in started}
    children: dict[str, set[str]] = {}  # the processes each one started (the job forks children to read and typeset)
    for line in lines:
        if (m := re.match(r'(\d+)\s+(?:clone3?|v?fork)\(.*\)\s+=\s+(\d+)$', line)):
            children.setdefault(m.group(1), set()).add(m.group(2))
    todo = list(steps)
    while todo:
        for child in children.get(todo.pop(), set()) - steps:
            steps.add(child)
            todo.append(child)
    # the case's job (one process, and the children it forks) and the pandoc runs it starts were traced
    assert any("poaforge.steps" in args for _, _, args in started) and any(exe.endswith("/pandoc") for _, exe, _ in started)
    opened = {os.path.normpath(p if p.startswith("/") else str(small / p))
              for line in lines if (m := re.match(r'(\d+)\s+open(?:at)?\((?:AT_FDCWD, )?"([^"]+)", [^)]*\) = \d', line))
              and m.group(1) in steps for p in [m.group(2)]}
    assert "/etc/passwd" not in opened and str(small / "secret.txt") not in opened
    import sysconfig

    allowed = (str(small) + "/", str(Path(__file__).resolve().parents[2]) + "/", sys.prefix, sys.base_prefix,
               sysconfig.get_paths()["stdlib"], "/usr/", "/lib", "/etc/ld.so", "/etc/localtime", "/proc/", "/sys/", "/dev/")
    outside = sorted(p for p in opened if not p.startswith(allowed) and p != str(small) and not p.endswith("gitconfig"))
    assert outside == [], outside[:20]
