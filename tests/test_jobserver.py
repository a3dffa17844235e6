"""The job server (poaforge.jobserver): a rebuild's job runs in a fork of a warm process and
writes the same bytes as alone; whatever goes wrong with the server, the job runs alone.

Each test keeps its servers in a folder of its own (``POA_JOBSERVER_FOLDER``) and stops them
when it ends."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from e2e import copy_project, snakemake
from poaforge import jobserver

PY = sys.executable
CASE = "walmart-us"


@pytest.fixture()
def servers(monkeypatch: pytest.MonkeyPatch):
    """A folder for this test's servers (short: a socket's path holds 107 bytes); its servers
    are stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="poa-js-"))
    monkeypatch.setenv(jobserver.ENV_FOLDER, str(folder / "s"))
    monkeypatch.setenv(jobserver.ENV_IDLE, "60")
    monkeypatch.delenv(jobserver.ENV_SWITCH, raising=False)
    monkeypatch.delenv(jobserver.ENV_SOCKET, raising=False)
    yield folder / "s"
    for pid in jobserver.stop():
        _gone(pid)
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _gone(pid: int, timeout: float = 20) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:  # reaped meanwhile
            return True
        time.sleep(0.05)
    return False


def _answers(path: Path, timeout: float = 60) -> None:
    """Wait until a server listens on ``path``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(path))
                return
            except OSError:
                time.sleep(0.05)
    raise AssertionError(f"no job server answered on {path} within {timeout} s")


def _start(project: Path, env: dict[str, str] | None = None) -> Path:
    """A server for ``project``, started as the Snakefile starts it; returns its socket."""
    path = jobserver.socket_path(project)
    assert path is not None
    start = "import sys, pathlib; from poaforge import jobserver; jobserver.start(pathlib.Path(sys.argv[1]))"
    subprocess.run([PY, "-c", start, str(path)], cwd=project, env={**os.environ, **(env or {})}, check=True)
    _answers(path)
    return path


def _served(project: Path) -> list[str]:
    log = project / ".snakemake/poa-forge/jobserver.log"
    return [line for line in log.read_text(encoding="utf-8").splitlines() if "] job " in line] if log.exists() else []


def _edit(project: Path, n: int) -> None:
    case = project / "cases" / f"{CASE}.yaml"
    case.write_text(case.read_text(encoding="utf-8") + f"# edit {n}\n", encoding="utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.e2e
@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_rebuild_runs_in_the_job_server_and_writes_what_it_writes_alone(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[CASE])
    first = snakemake(root)
    assert first.returncode == 0, first.stderr[-3000:]
    path = jobserver.socket_path(root)
    _answers(path)  # started by the run's onstart hook
    assert [pid for pid, project, _ in jobserver.servers() if project == str(root.resolve())]

    _edit(root, 1)
    served = snakemake(root)
    assert served.returncode == 0, served.stderr[-3000:]
    jobs = [line for line in _served(root) if f"case cases/{CASE}.yaml" in line]
    assert len(jobs) == 1 and "→ exit 0" in jobs[0], _served(root)
    with_server = _tree(root / "results" / CASE)

    alone = snakemake(root, "-f", f"results/{CASE}/manifest.json", env={"POA_JOBSERVER": "off"})
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert sum(f"case cases/{CASE}.yaml" in line for line in _served(root)) == 1  # not through the server
    assert _tree(root / "results" / CASE) == with_server
    assert json.loads((root / "results" / CASE / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.e2e
@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_failing_case_prints_through_the_server_what_it_prints_alone(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[CASE])
    _start(root, {"TZ": "UTC", "SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "",
                  "PYTHONPYCACHEPREFIX": ".snakemake/pycache"})
    case = root / "cases" / f"{CASE}.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("platform: walmart", "platform: walmartt", 1), encoding="utf-8")

    def summary(done: subprocess.CompletedProcess[str]) -> list[str]:
        return [line for line in done.stderr.splitlines() if line.startswith(("✗", "cases/", "not built"))]

    served = snakemake(root)
    assert served.returncode == 1
    assert any(f"case cases/{CASE}.yaml → exit 1" in line for line in _served(root))
    alone = snakemake(root, env={"POA_JOBSERVER": "off"})
    assert alone.returncode == 1
    assert summary(served) == summary(alone)
    assert any("platform: 'walmartt' is not allowed here" in line for line in summary(served)), served.stderr[-2000:]


def _job(root: Path, path: Path, *argv: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen[str]:
    """``python -m poaforge.steps ARGV`` in ``root`` as a job of a run with the server on ``path``."""
    return subprocess.Popen([PY, "-m", "poaforge.steps", *argv], cwd=root, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, jobserver.ENV_SOCKET: str(path), **(env or {})},
                            **kw)


def _waiting_on_stdin(root: Path, path: Path) -> tuple[subprocess.Popen[str], int]:
    """A job whose step reads its standard input (a status row from /dev/stdin) and waits there;
    returns it and the pid of its child in the server."""
    before = set(_children(path))
    job = _job(root, path, "status-page", "out.html", "/dev/stdin", stdin=subprocess.PIPE)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        new = set(_children(path)) - before
        if new:
            return job, new.pop()
        time.sleep(0.05)
    raise AssertionError("the server forked no child for the job")


def _children(path: Path) -> list[int]:
    """Pids of the children of the server listening on ``path``."""
    [server] = [pid for pid, _, _ in jobserver.servers()]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_ctrl_c_reaches_the_step_in_the_server(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root)
    job, child = _waiting_on_stdin(root, path)
    job.send_signal(signal.SIGINT)
    job.wait(timeout=30)  # its standard input stays open: the step ends by the signal, not at its end
    out, _ = job.communicate(timeout=30)
    assert job.returncode == 130, out
    assert out.strip().splitlines()[-1] == "interrupted"  # what the step prints alone (poaforge.console.run)
    assert _gone(child)
    assert not (root / "out.html").exists()


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_job_killed_outright_takes_its_step_in_the_server_with_it(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root)
    job, child = _waiting_on_stdin(root, path)
    job.kill()
    job.communicate(timeout=30)
    assert _gone(child), "the step ran on after its job was killed"
    done = _job(root, path, "status-page")  # and the server still serves
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 2 and "usage: python -m poaforge.steps status-page" in out, out


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_server_of_other_settings_hands_the_job_back_and_a_matching_one_follows(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root, {"POA_JOBSERVER_KEY": "old"})
    [(old, _, _)] = jobserver.servers()
    done = _job(root, path, "status-page", env={"POA_JOBSERVER_KEY": "new"})
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 2 and "usage: python -m poaforge.steps status-page" in out, out  # it ran alone
    assert _gone(old), "the server of other settings did not end"
    _answers(path)  # the job started one of its own settings
    [(new, _, _)] = jobserver.servers()
    assert new != old
    again = _job(root, path, "status-page", env={"POA_JOBSERVER_KEY": "new"})
    again.communicate(timeout=60)
    assert again.returncode == 2
    assert any("status-page → exit 2" in line and f"[{new}]" in line for line in _served(root))


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_without_a_server_the_step_runs_alone(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    (tmp_path / "not-a-socket").write_text("", encoding="utf-8")
    for path in (tmp_path / "nothing.sock", tmp_path / "not-a-socket"):
        done = _job(root, path, "status-page")
        out, _ = done.communicate(timeout=60)
        assert done.returncode == 2 and "usage: python -m poaforge.steps status-page" in out, out
    assert jobserver.servers() == []


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_server_ends_when_idle_when_its_project_goes_and_when_too_many_run(tmp_path: Path, servers: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    idle = copy_project(tmp_path / "idle", cases=[])
    path = _start(idle, {jobserver.ENV_IDLE: "1"})
    [(pid, _, _)] = jobserver.servers()
    assert _gone(pid), "an idle server did not end"
    assert not path.exists()
    assert jobserver.servers() == []

    projects = [copy_project(tmp_path / f"p{n}", cases=[]) for n in range(jobserver.MAX_SERVERS + 1)]
    pids = []
    for project in projects:
        _start(project)
        pids.append(max(jobserver.servers(), key=lambda s: -s[2])[0])  # the newest
    assert _gone(pids[0]), f"more than {jobserver.MAX_SERVERS} servers ran"
    assert sorted(p for p, _, _ in jobserver.servers()) == sorted(pids[1:])

    subprocess.run(["rm", "-rf", str(projects[1])], check=True)
    assert _gone(pids[1]), "the server of a deleted project ran on"

    done = subprocess.run([PY, "-m", "poaforge.jobserver", "status"], capture_output=True, text=True, check=True)
    assert sorted(int(line.split()[0]) for line in done.stdout.splitlines()) == sorted(pids[2:])
    done = subprocess.run([PY, "-m", "poaforge.jobserver", "stop"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith(f"stopping {len(pids) - 2} job servers")
    assert all(_gone(pid) for pid in pids)


def test_the_key_follows_the_packages_code_and_the_start_up_environment(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "poaforge"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(jobserver, "_PACKAGE", package)
    first = jobserver.key()
    assert jobserver.key() == first
    os.utime(package / "a.py", ns=(1, 1))
    edited = jobserver.key()
    assert edited != first
    monkeypatch.setenv("PYTHONHASHSEED", "1")
    assert jobserver.key() != edited
    seeded = jobserver.key()
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # each job's own, not fixed at start-up
    assert jobserver.key() == seeded


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_job_with_other_limits_runs_alone_and_a_server_with_its_limits_follows(tmp_path: Path, servers: Path) -> None:
    """A child forked from a server keeps the server's limits (``ulimit``), priority, groups
    and control group: a job whose own differ is handed back, runs in its own process with
    them, and starts a server that has them."""
    import resource

    root = copy_project(tmp_path / "p", cases=[])
    path = jobserver.socket_path(root)
    start = "import sys, pathlib; from poaforge import jobserver; jobserver.start(pathlib.Path(sys.argv[1]))"

    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (10**9, 10**9))

    subprocess.run([PY, "-c", start, str(path)], cwd=root, check=True, preexec_fn=lower)
    _answers(path)
    [(old, _, _)] = jobserver.servers()
    done = _job(root, path, "status-page")
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 2 and "usage: python -m poaforge.steps status-page" in out, out
    assert _gone(old)
    log = (root / ".snakemake/poa-forge/jobserver.log").read_text(encoding="utf-8")
    assert "stopping: a job with other code or settings asked (its key differs)" in log
    assert "] job " not in log
    _answers(path)
    [(new, _, _)] = jobserver.servers()
    def file_size(pid: int | str) -> str:
        return next(line for line in Path(f"/proc/{pid}/limits").read_text().splitlines() if line.startswith("Max file size"))

    assert file_size(new) == file_size("self")  # the job's limit, not the first server's


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_signal_the_job_ignores_does_not_end_its_step(tmp_path: Path, servers: Path) -> None:
    """``nohup`` (SIGHUP ignored): the hang-up of a closed terminal leaves the step running, as
    it leaves a step in its own process; Ctrl-C still ends it."""
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root)
    before = set(_children(path))
    job = _job(root, path, "status-page", "out.html", "/dev/stdin", stdin=subprocess.PIPE,
               preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    end = time.monotonic() + 30
    while not set(_children(path)) - before and time.monotonic() < end:
        time.sleep(0.05)
    [child] = set(_children(path)) - before
    job.send_signal(signal.SIGHUP)
    time.sleep(1)
    assert job.poll() is None and not _gone(child, timeout=0.1), "a hang-up the job ignores ended its step"
    job.send_signal(signal.SIGINT)
    job.wait(timeout=30)
    out, _ = job.communicate(timeout=30)
    assert job.returncode == 130, out


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_a_step_ends_as_alone_when_it_exits_or_its_server_dies(tmp_path: Path, servers: Path) -> None:
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root)
    done = _job(root, path, "case", "--help")  # argparse's SystemExit(0)
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 0 and "usage: python -m poaforge.steps case" in out, out

    job, child = _waiting_on_stdin(root, path)
    [(server, _, _)] = jobserver.servers()
    os.kill(server, signal.SIGKILL)
    assert _gone(server)
    assert not _gone(child, timeout=0.5), "the step died with its server"
    out, _ = job.communicate(timeout=60)  # its input ends: the step says so, once, and the job has its exit code
    assert job.returncode == 1, out
    assert out.count("/dev/stdin: not valid JSON") == 1 and "running it again" not in out, out


def test_the_switch_and_a_memory_cap_turn_the_server_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """``POA_JOBSERVER=off``, and ``ulimit -v`` (a child forked from a ~200 MB server could fail
    under the cap where the job's own process builds): every job in its own process."""
    check = "from poaforge import jobserver; print(jobserver.enabled())"
    monkeypatch.delenv(jobserver.ENV_SWITCH, raising=False)
    assert subprocess.run([PY, "-c", check], capture_output=True, text=True).stdout.strip() == "True"
    assert subprocess.run([PY, "-c", check], capture_output=True, text=True,
                          env={**os.environ, "POA_JOBSERVER": "off"}).stdout.strip() == "False"
    capped = subprocess.run(["bash", "-c", f"ulimit -v 4000000; exec {PY} -c '{check}'"], capture_output=True, text=True)
    assert capped.stdout.strip() == "False", capped.stderr


@pytest.mark.skipif(not jobserver.supported(), reason="the job server needs Linux (os.pidfd_open)")
def test_jobs_ending_together_are_each_served_and_the_server_goes_on(tmp_path: Path, servers: Path) -> None:
    """A job has its exit code from its child's pipe and may hang up before the server has
    reaped that child: both come in the same round of the server's loop (once crashed it)."""
    root = copy_project(tmp_path / "p", cases=[])
    path = _start(root)
    for _ in range(3):
        jobs = [_job(root, path, "status-page") for _ in range(8)]
        for job in jobs:
            out, _ = job.communicate(timeout=60)
            assert job.returncode == 2 and "usage: python -m poaforge.steps status-page" in out, out
    log = (root / ".snakemake/poa-forge/jobserver.log").read_text(encoding="utf-8")
    assert log.count("status-page → exit 2") == 24, log
    assert "internal error" not in log and "stopping" not in log, log
    assert len(jobserver.servers()) == 1
