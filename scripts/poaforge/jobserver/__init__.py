"""The job server: a warm process that runs a project's pipeline jobs, each in a fork of itself.

This module: the switch, the key, the user's servers (``poa jobserver status|stop``) and
starting one; :mod:`.client` is the job's side, :mod:`.server` the server.

A case's job spends ~0.4 s of its ~1 s loading Python libraries (jsonschema, pikepdf, Typst,
pypandoc, Pillow, …) before it does any work (``python -X importtime`` on the typical case of
``make bench``: 0.36-0.39 s; the same job forked from a process that has them loaded takes
0.61 s against 1.04 s). So, as a local run that built something ends, the Snakefile's
onsuccess/onerror hook (:func:`prepare`, from workflow/common.smk) starts one job server per
project when none is running, and the next run's onstart hook (:func:`offer`) lets its jobs
use it. It loads
every stage's modules and Typst's fonts once, then waits on a Unix socket of the user's
(``$XDG_RUNTIME_DIR/poa-forge-jobservers-UID/``, else the temporary folder; one per project,
named by a hash of its path), logging to ``.snakemake/poa-forge/jobserver.log``.

A job's command line stays ``python -m poaforge.steps …`` (:func:`run_step`). When
``POA_JOBSERVER_SOCKET`` names that socket, the job hands the server its arguments, working
folder, environment, umask and standard streams (``SCM_RIGHTS``); the server forks a child
that takes them over and runs the step exactly as the command does in a process of its own
(:func:`poaforge.console.run`), and sends the exit status back. The job forwards Ctrl-C and
SIGTERM to that child. Whenever the server cannot take a job — none running yet (a
project's first run), a different Python, environment or package code (:func:`key`),
a server that stopped — the job runs in its own process, as without a server: the server
only ever saves time, and what a job writes is the same byte for byte
(tests/test_jobserver.py).

Lifetime: a server ends ``POA_JOBSERVER_IDLE`` seconds (default 600) after its last job, when
its project's ``.snakemake`` folder or its socket disappears, on SIGTERM, and when the user
starts more than :data:`MAX_SERVERS` (the one idle longest goes); it finishes the jobs it
runs first. ``POA_JOBSERVER=off`` turns it off; ``python -m poaforge.jobserver stop`` ends
every server of the user and ``… status`` lists them. Linux only (``os.pidfd_open``); elsewhere
every job runs in its own process. The model: build tools' daemons (Gradle's, Bazel's
server), which keep a warm process between runs for the same reason.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["offer", "prepare", "start", "key", "socket_path", "supported", "enabled", "servers", "stop", "main", "MAX_SERVERS",
           "ENV_SOCKET", "ENV_SWITCH", "ENV_FOLDER", "ENV_IDLE", "IDLE", "LOG"]

#: Set by the Snakefile's onstart hook for its jobs (:func:`offer`): the socket of the project's job server.
ENV_SOCKET = "POA_JOBSERVER_SOCKET"
#: ``off`` (or ``0``, ``no``) turns the job server off.
ENV_SWITCH = "POA_JOBSERVER"
#: The folder of the user's servers (default ``$XDG_RUNTIME_DIR/poa-forge-jobservers-UID``, else
#: in the temporary folder): their sockets, locks and one file per server.
ENV_FOLDER = "POA_JOBSERVER_FOLDER"
#: Seconds a server waits for a job before it ends.
ENV_IDLE = "POA_JOBSERVER_IDLE"
IDLE = 600.0
#: Servers one user keeps at most (a consultant's few project folders); a new one ends the
#: one idle longest. About 90 MB each.
MAX_SERVERS = 3
#: The server's log, in the project.
LOG = Path(".snakemake/poa-forge/jobserver.log")
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_PACKAGE = Path(__file__).resolve().parents[1]
#: Environment variables fixed when Python starts (a child cannot change them): part of the key.
_START_ENV = ("PYTHONHASHSEED", "PYTHONPATH", "PYTHONHOME", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONWARNINGS",
              "PYTHONSAFEPATH", "PYTHONOPTIMIZE", "LANG", "LC_ALL", "LC_CTYPE", "POA_PROJECT", "PYPANDOC_PANDOC",
              "POA_JOBSERVER_KEY")


def supported() -> bool:
    """True where jobs can be forked from a server: Linux (``os.pidfd_open`` works)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def enabled() -> bool:
    """False when the user turned the server off (``POA_JOBSERVER=off``), and under a cap on
    memory (``ulimit -v``/``-d``): a child forked from a server starts with the server's
    ~200 MB of address space, libraries the step would not load, so it could fail where the
    job's own process builds."""
    import resource

    if os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "no", "false"):
        return False
    return all(resource.getrlimit(limit)[0] == resource.RLIM_INFINITY
               for limit in (resource.RLIMIT_AS, resource.RLIMIT_DATA))


def _process() -> list[str]:
    """What a forked child keeps of the server's process and cannot take over from the job's
    (or should not: a server refusing every job of another priority would be kept for nothing):
    group ids, resource limits (``ulimit``), niceness, the limits of its control group
    (``systemd-run -p MemoryMax=…``; cgroup v2) and OOM score adjustment."""
    import resource

    parts = [f"gid={os.getegid()} groups={sorted(os.getgroups())} nice={os.getpriority(os.PRIO_PROCESS, 0)}"]
    parts += [f"{n}={resource.getrlimit(getattr(resource, n))}" for n in sorted(dir(resource)) if n.startswith("RLIMIT_")]
    try:
        parts.append(Path("/proc/self/oom_score_adj").read_text(encoding="utf-8").strip())
        groups = Path("/proc/self/cgroup").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return parts
    for line in groups:  # the limits of the control group, not its name (each terminal may have a scope of its own)
        if line.startswith("0::"):
            folder = Path("/sys/fs/cgroup") / line[3:].lstrip("/")
            for name in ("memory.max", "memory.high", "memory.swap.max", "cpu.max", "pids.max"):
                try:
                    parts.append(f"{name}={(folder / name).read_text(encoding='utf-8').strip()}")
                except OSError:
                    continue
    return parts


def key() -> str:
    """What a job and the server that runs it must share, as one string: the Python
    executable and version, the environment fixed at start-up (:data:`_START_ENV`), the
    working folder (``sys.path[0]`` of ``-m``), the process's groups, limits, priority and
    control group (:func:`_process`), and the size and time of every file of the package and
    of every folder on ``sys.path`` (an edited module, an installed or upgraded library). A
    stat per file, ~2 ms: nothing is read but two small files of /proc."""
    here = os.getcwd()
    parts = [sys.executable, sys.version, here, *(f"{n}={os.environ.get(n, '')}" for n in _START_ENV), *_process()]
    for folder in sys.path:
        if folder in ("", here):  # the project folder itself: its time changes with any file made there
            continue
        try:
            st = os.stat(folder or ".")
        except OSError:
            continue
        parts.append(f"{folder}:{st.st_mtime_ns}")
    for path in sorted(_PACKAGE.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:  # removed meanwhile
            continue
        parts.append(f"{path.relative_to(_PACKAGE)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _registry() -> Path | None:
    """The user's folder of running servers (one file per server, named by its pid, holding
    its project's folder; touched at each job), or None where it cannot be made safely."""
    import tempfile

    base = Path(os.environ.get(ENV_FOLDER) or Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
                / f"poa-forge-jobservers-{os.getuid()}")
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return base


def _alive(pid: int) -> bool:
    try:
        return b"poaforge.jobserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def servers() -> list[tuple[int, str, float]]:
    """The user's running servers: (pid, project folder, seconds since its last job ended —
    negative while it runs one), the one idle longest first, those running a job last.
    Entries of servers gone are removed."""
    base = _registry()
    if base is None:
        return []
    found = []
    for entry in base.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            project, mtime = os.fsdecode(entry.read_bytes()), entry.stat().st_mtime
        except OSError:
            continue
        if _alive(pid):
            found.append((pid, project, time.time() - mtime))
        else:
            entry.unlink(missing_ok=True)
    return sorted(found, key=lambda s: -s[2])


def stop() -> list[int]:
    """Ask the user's servers to end, after the jobs they run; returns their pids."""
    stopped = []
    for pid, _, _ in servers():
        _kill(pid, signal.SIGTERM)
        stopped.append(pid)
    return stopped


def socket_path(project: Path) -> Path | None:
    """The socket of ``project``'s job server in the user's folder of servers (a hash of the
    project's path names it: the same project, the same server), or None without that folder."""
    import hashlib

    base = _registry()
    if base is None:
        return None
    path = base / (hashlib.sha256(os.fsencode(project.resolve())).hexdigest()[:20] + ".sock")
    return path if len(os.fsencode(path)) < 100 else None  # a Unix socket's path holds 107 bytes


def _answering() -> tuple[Path | None, bool | None]:
    """The project's socket and whether a server accepts on it: True, False (none: one may
    start), None (one that does not accept within a second: stopped, its queue full)."""
    if not (enabled() and supported()):
        return None, None
    path = socket_path(Path.cwd())
    if path is None:
        return None, None
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    with probe:
        try:
            probe.connect(str(path))
        except TimeoutError:
            return path, None
        except OSError:
            return path, False
    return path, True


def offer() -> Path | None:
    """When the project's job server answers, let this run's jobs use it: set
    ``POA_JOBSERVER_SOCKET`` in this process's environment (jobs inherit it) and return the
    socket; else None, and every job runs in its own process (:func:`prepare` starts a server
    for the next run). Called by the Snakefile's onstart hook of a local run."""
    path, answers = _answering()
    if not answers:
        return None
    os.environ[ENV_SOCKET] = str(path)
    return path


def prepare(env: dict[str, str]) -> None:
    """As a run that built something ends, start the project's job server for the next run,
    with the jobs' environment ``env``, unless one answers (or does not accept at all). Not at
    the run's start: on two cores its loading (~0.6 s of CPU) slowed that run's own jobs more
    than serving its later ones gained (``make demo``, five cases from clean: 14.9 s against
    13.2 s with none). A server that cannot be started is no error (no log folder, no process):
    the next run's jobs run alone. Called by the Snakefile's onsuccess/onerror hooks."""
    path, answers = _answering()
    if path is None or answers is not False:
        return
    try:
        start(path, env)
    except OSError:
        pass


def start(path: Path, env: dict[str, str] | None = None) -> None:
    """Start a server on the socket ``path`` for the project in the working folder, in the
    background (its own session, its output to :data:`LOG`); it ends at once if another holds
    the socket's lock."""
    import subprocess

    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "ab") as log:
        _started.append(subprocess.Popen([sys.executable, "-m", "poaforge.jobserver", "serve", str(path)],
                         env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, close_fds=True))


_started: list = []  # kept: it runs on when this process ends, and is not waited for


def main(argv: Sequence[str]) -> int:
    """``poa jobserver status | stop`` (and ``serve SOCKET``, which the Snakefile runs)."""
    from poaforge.console import ArgParser

    p = ArgParser(prog="poa jobserver", description="The warm processes that run your builds' jobs (one per project, "
                  "ending 10 minutes after its last job; POA_JOBSERVER=off turns them off).")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the job server of the project here (the Snakefile starts it)").add_argument(
        "socket", type=Path)
    sub.add_parser("status", help="list your running job servers")
    sub.add_parser("stop", help="end your job servers (after the jobs they run)")
    args = p.parse_args(list(argv))
    if args.command == "serve":
        from poaforge.jobserver.server import serve

        return serve(args.socket)
    if args.command == "stop":
        pids = stop()
        print(f"stopping {len(pids)} job server{'s' * (len(pids) != 1)}" + (f": {' '.join(map(str, pids))}" if pids else ""))
        return 0
    rows = servers()
    for pid, project, idle in rows:
        print(f"{pid}\t{project}\t" + (f"idle {idle:.0f} s" if idle >= 0 else "running a job"))
    if not rows:
        print("no job server running")
    return 0
