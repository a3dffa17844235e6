"""The job server: a warm process that runs a project's pipeline jobs, each in a fork of itself.

A case's job spends ~0.4 s of its ~1 s loading Python libraries (jsonschema, pikepdf, Typst,
pypandoc, Pillow, …) before it does any work (``python -X importtime`` on the typical case of
``make bench``: 0.36-0.39 s; the same job forked from a process that has them loaded takes
0.61 s against 1.04 s). So, in a local run, Snakemake's ``onstart`` hook (``offer``, called
from workflow/common.smk) starts one job server per project when none is running. It loads
every stage's modules and Typst's fonts once, then waits on a Unix socket of the user's
(``$XDG_RUNTIME_DIR/poa-forge-jobservers-UID/``, else the temporary folder; one per project,
named by a hash of its path), logging to ``.snakemake/poa-forge/jobserver.log``.

A job's command line stays ``python -m poaforge.steps …`` (:func:`run_step`). When
``POA_JOBSERVER_SOCKET`` names that socket, the job hands the server its arguments, working
folder, environment, umask and standard streams (``SCM_RIGHTS``); the server forks a child
that takes them over and runs the step exactly as the command does in a process of its own
(:func:`poaforge.console.run`), and sends the exit status back. The job forwards Ctrl-C and
SIGTERM to that child. Whenever the server cannot take a job — none running yet (the run's
first jobs, while it loads), a different Python, environment or package code (:func:`key`),
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

import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_step", "offer", "start", "serve", "key", "socket_path", "supported", "servers", "stop", "MAX_SERVERS",
           "ENV_SOCKET", "ENV_FOLDER"]

#: Set by the Snakefile's onstart hook for its jobs: the socket of the project's job server.
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
_PACKAGE = Path(__file__).resolve().parent
#: Environment variables fixed when Python starts (a child cannot change them): part of the key.
_START_ENV = ("PYTHONHASHSEED", "PYTHONPATH", "PYTHONHOME", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONWARNINGS",
              "PYTHONSAFEPATH", "PYTHONOPTIMIZE", "LANG", "LC_ALL", "LC_CTYPE", "POA_PROJECT", "POA_JOBSERVER_KEY")
#: Libraries the stages import inside functions (only when they need them): loaded up front.
_LIBRARIES = ("yaml", "jsonschema", "pikepdf", "pypdf", "typst", "pypandoc", "PIL.Image", "img2pdf", "rapidfuzz",
              "snowballstemmer", "Stemmer", "tesserocr", "decimal", "fractions", "uuid", "ctypes", "pickle")
#: Package modules a job never runs (the editor's language server and watcher, the `poa` CLI).
_NOT_LOADED = ("poaforge.editor", "poaforge.cli", "poaforge.jobserver")


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
    """False when the user turned the server off (``POA_JOBSERVER=off``)."""
    return os.environ.get(ENV_SWITCH, "").strip().lower() not in ("off", "0", "no", "false")


def key() -> str:
    """What a job and the server that runs it must share, as one string: the Python
    executable and version, the environment fixed at start-up (:data:`_START_ENV`), the
    working folder (``sys.path[0]`` of ``-m``), and the size and time of every file of the
    package and of every folder on ``sys.path`` (an edited module, an installed or upgraded
    library). A stat per file, ~2 ms: nothing is read."""
    here = os.getcwd()
    parts = [sys.executable, sys.version, here, *(f"{n}={os.environ.get(n, '')}" for n in _START_ENV)]
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


# --- the job's side -------------------------------------------------------------------------

def run_step(argv: Sequence[str]) -> int:
    """``python -m poaforge.steps ARGV``: the step through the project's job server when one
    takes it (``POA_JOBSERVER_SOCKET`` set, module docstring), else in this process; returns
    the exit code either way (a step killed by signal N in the server: 128 + N)."""
    path = os.environ.get(ENV_SOCKET)
    if path and enabled() and supported():
        try:
            code = _through_server(Path(path), list(argv))
        except KeyboardInterrupt:  # before the server forked the job: nothing ran
            from poaforge.console import INTERRUPTED

            print(INTERRUPTED, file=sys.stderr)
            return 130
        if code is not None:
            return code
    from poaforge.console import run
    from poaforge.steps import main

    return run(main, argv)


def _message(stream) -> dict:
    line = stream.readline()
    if not line.endswith(b"\n"):
        raise ConnectionError("the job server closed the connection")
    return json.loads(line)


def _through_server(path: Path, argv: list[str]) -> int | None:
    """The step's exit code from the server, or None when no server took it (nothing ran)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with conn:
        try:
            conn.connect(str(path))
        except OSError:
            return None
        fds = [fd for fd in (0, 1, 2) if _is_open(fd)]
        umask = os.umask(0)
        os.umask(umask)
        request = json.dumps({"key": key(), "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                              "umask": umask, "fds": fds, **_process()}).encode()
        stream = conn.makefile("rb")
        try:
            socket.send_fds(conn, [struct.pack("!I", len(request))], fds)
            conn.sendall(request)
            reply = _message(stream)
        except (OSError, ValueError):
            return None
        if "pid" not in reply:  # refused (the job's limits or priority) or stale
            if reply.get("stale"):  # it ends; one that matches serves the jobs after this one
                start(path)
            return None
        pid = int(reply["pid"])
        previous = {sig: signal.signal(sig, lambda sig, _frame: _kill(pid, sig)) for sig in _FORWARDED}
        try:
            return int(_message(stream)["status"])
        except (OSError, ValueError, KeyError):
            # the server stopped with the job under way: end it, and run the step here
            _kill(pid, signal.SIGKILL)
            return None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _limits() -> dict[str, list[int]]:
    import resource

    return {name: list(resource.getrlimit(getattr(resource, name))) for name in dir(resource) if name.startswith("RLIMIT_")}


def _process() -> dict:
    """What else of this process the step's child takes over: its resource limits (``ulimit``),
    its niceness and the CPUs it may run on."""
    return {"limits": _limits(), "nice": os.getpriority(os.PRIO_PROCESS, 0), "cpus": sorted(os.sched_getaffinity(0))}


def _takes(request: dict) -> str:
    """Why a child of this server could not be what the job's process is ("" when it can):
    a resource limit above the server's hard one, a niceness below the server's."""
    import resource

    for name, (_soft, hard) in request["limits"].items():
        mine = resource.getrlimit(getattr(resource, name))[1]
        if mine != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > mine):
            return f"its {name} is above the server's"
    if request["nice"] < os.getpriority(os.PRIO_PROCESS, 0):
        return "it runs at a higher priority than the server"
    return ""


def _become(request: dict) -> None:
    """In the child: the job's resource limits, niceness and CPUs (:func:`_takes` checked them)."""
    import resource

    for name, limit in request["limits"].items():
        resource.setrlimit(getattr(resource, name), tuple(limit))
    os.setpriority(os.PRIO_PROCESS, 0, request["nice"])
    try:
        os.sched_setaffinity(0, request["cpus"])
    except OSError:  # CPUs outside the server's set (another cgroup): the job runs on the server's
        pass


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def socket_path(project: Path) -> Path | None:
    """The socket of ``project``'s job server in the user's folder of servers (a hash of the
    project's path names it: the same project, the same server), or None without that folder."""
    import hashlib

    base = _registry()
    if base is None:
        return None
    path = base / (hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:20] + ".sock")
    return path if len(os.fsencode(path)) < 100 else None  # a Unix socket's path holds 107 bytes


def offer(env: dict[str, str]) -> Path | None:
    """Make the job server of the project in the working folder available to this run's jobs:
    set ``POA_JOBSERVER_SOCKET`` in this process's environment (jobs inherit it) and start a
    server with the jobs' environment ``env`` (this process's, updated) unless one answers.
    Returns the socket, or None where :func:`supported` is False, the user turned it off or
    the user's folder of servers cannot be made. Called by the Snakefile's onstart hook of a
    local run."""
    if not (enabled() and supported()):
        return None
    path = socket_path(Path.cwd())
    if path is None:
        return None
    os.environ[ENV_SOCKET] = str(path)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with probe:
        try:
            probe.connect(str(path))
            return path
        except OSError:
            pass
    start(path, env)
    return path


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


# --- the server ------------------------------------------------------------------------------

def _say(text: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {text}", file=sys.stderr, flush=True)


def _preload() -> int:
    """Import every module of the package a job may run and the libraries its stages import
    inside functions, and load Typst's fonts; returns how many modules are loaded."""
    import importlib
    import pkgutil

    import poaforge

    for info in pkgutil.walk_packages(poaforge.__path__, "poaforge."):
        if not info.name.startswith(_NOT_LOADED) and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in _LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    try:
        from PIL import Image

        Image.preinit()  # the common image formats' plugins
    except ImportError:
        pass
    if Path("templates").is_dir():
        from poaforge import typeset

        typeset.preload(Path("templates"))
    return len(sys.modules)


#: What importing the modules put in the environment (``OMP_THREAD_LIMIT`` for OCR): a job's
#: child sets it as importing them in the job's own process would.
_SET_BY_IMPORTS: dict[str, str] = {}


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


class _Job:
    def __init__(self, pid: int, pidfd: int, conn: socket.socket, argv: list[str]) -> None:
        self.pid, self.pidfd, self.conn, self.argv, self.began = pid, pidfd, conn, argv, time.monotonic()


class _Server:
    def __init__(self, path: Path, listener: socket.socket, lock, own_key: str, entry: Path | None) -> None:
        import selectors

        self.path, self.listener, self.lock, self.key, self.entry = path, listener, lock, own_key, entry
        self.project = Path.cwd() / ".snakemake"
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ)
        self.inode = os.stat(path).st_ino
        self.jobs: dict[int, _Job] = {}  # by pidfd
        self.by_conn: dict[int, _Job] = {}  # by the client's socket
        self.accepting, self.retire, self.last = True, False, time.monotonic()
        self.idle = float(os.environ.get(ENV_IDLE) or IDLE)

    def _server_fds(self) -> list[int]:
        fds = [self.listener.fileno(), self.lock.fileno(), self.selector.fileno()]
        fds += [j.pidfd for j in self.jobs.values()] + [j.conn.fileno() for j in self.jobs.values()]
        return [fd for fd in fds if fd >= 0]

    def stop_accepting(self, why: str) -> None:
        if not self.accepting:
            return
        self.accepting = False
        self.selector.unregister(self.listener)
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.listener.close()
        Path(self.lock.name).unlink(missing_ok=True)
        self.lock.close()  # a new server may start now; the jobs under way finish here
        if self.entry is not None:
            self.entry.unlink(missing_ok=True)
        _say(f"stopping: {why}")

    def loop(self) -> None:
        while self.accepting or self.jobs:
            if self.accepting:
                if self.retire:
                    self.stop_accepting("asked to (SIGTERM)")
                elif not self.jobs and time.monotonic() - self.last > self.idle:
                    self.stop_accepting(f"no job for {self.idle:.0f} s")
                else:
                    try:
                        moved = os.stat(self.path).st_ino != self.inode or not self.project.is_dir()
                    except OSError:
                        moved = True
                    if moved:
                        self.stop_accepting("its socket or its project's .snakemake folder was removed")
                if not self.accepting:
                    continue
            for selected, _ in self.selector.select(timeout=1.0):
                thing = selected.fileobj
                if thing is self.listener:
                    self.accept()
                elif isinstance(thing, int):
                    self.finished(self.jobs.pop(thing))
                else:
                    self.client_spoke(thing)

    def accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        conn.settimeout(10)
        received: list[int] = []
        try:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            if struct.unpack("3i", creds)[1] != os.getuid():
                raise ConnectionError("another user")
            head, received, _, _ = socket.recv_fds(conn, 4, 3)
            if not head:  # a probe (offer): is a server there?
                conn.close()
                return
            size = struct.unpack("!I", head)[0]
            data = b""
            while len(data) < size:
                chunk = conn.recv(size - len(data))
                if not chunk:
                    raise ConnectionError("the job hung up")
                data += chunk
            request = json.loads(data)
            if request["key"] != self.key:  # let go of the lock first: the job starts a server that matches
                self.stop_accepting("a job with other code or settings asked (its key differs)")
                self._hand_back(conn, received, {"stale": True})
                return
            if len(received) != len(request["fds"]):
                raise ConnectionError("streams missing")
            refused = _takes(request)
            if refused:
                _say(f"handed a job back: {refused}")
                self._hand_back(conn, received, {"refused": refused})
                return
        except (OSError, ValueError, KeyError, struct.error) as exc:
            _say(f"refused a job: {exc}")
            self._hand_back(conn, received, None)
            return
        self.last = time.monotonic()
        sys.stdout.flush()
        sys.stderr.flush()
        server_fds = self._server_fds() + [conn.fileno()]
        # a signal the job forwards before its child has the step's handlers waits for them
        signal.pthread_sigmask(signal.SIG_BLOCK, _FORWARDED)
        pid = os.fork()
        if pid == 0:
            _child(request, received, server_fds)  # never returns
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)
        for fd in received:
            os.close(fd)
        job = _Job(pid, os.pidfd_open(pid), conn, request["argv"])
        import selectors

        self.jobs[job.pidfd] = job
        self.by_conn[conn.fileno()] = job
        self.selector.register(job.pidfd, selectors.EVENT_READ)
        self.selector.register(conn, selectors.EVENT_READ)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            _kill(pid, signal.SIGTERM)  # the job hung up: it does not wait for this one
        if self.entry is not None:
            try:
                os.utime(self.entry)
            except OSError:
                pass

    @staticmethod
    def _hand_back(conn: socket.socket, received: list[int], reply: dict | None) -> None:
        """Tell the job to run the step itself (``reply``; None: it finds the connection closed)."""
        for fd in received:
            os.close(fd)
        received.clear()
        try:
            if reply is not None:
                conn.sendall(json.dumps(reply).encode() + b"\n")
        except OSError:
            pass
        conn.close()

    def client_spoke(self, conn: socket.socket) -> None:
        """The job's end of the connection: readable only when it hung up (killed); its child
        must not run on alone."""
        try:
            data = conn.recv(1, socket.MSG_PEEK)
        except OSError:
            data = b""
        if not data:
            job = self.by_conn.get(conn.fileno())
            self.selector.unregister(conn)
            if job is not None:
                _kill(job.pid, signal.SIGTERM)

    def finished(self, job: _Job) -> None:
        self.selector.unregister(job.pidfd)
        _, status, usage = os.wait4(job.pid, 0)
        os.close(job.pidfd)
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code
        self.by_conn.pop(job.conn.fileno(), None)
        try:
            self.selector.unregister(job.conn)
        except (KeyError, ValueError):
            pass
        try:
            job.conn.sendall(json.dumps({"status": code}).encode() + b"\n")
        except OSError:
            pass
        job.conn.close()
        self.last = time.monotonic()
        _say(f"job {job.pid}: {' '.join(job.argv[:2])} → exit {code} in {self.last - job.began:.2f} s, "
             f"peak {usage.ru_maxrss / 1024:.0f} MB")


def _child(request: dict, received: list[int], server_fds: list[int]) -> None:
    """In the forked child (forwarded signals blocked): become the job (its streams,
    environment, folder), run the step as ``python -m poaforge.steps`` does, and exit with its
    code."""
    code = 3
    try:
        for fd in server_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for target, fd in zip(request["fds"], received):
            os.dup2(fd, target)
        for fd in received:
            if fd not in request["fds"]:
                os.close(fd)
        _fresh_streams()
        os.setsid()  # the job's signals come from the job's side (forwarded), not the server's
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)  # one forwarded meanwhile acts now
        os.environ.clear()
        os.environ.update(request["env"])
        for name, value in _SET_BY_IMPORTS.items():  # as importing the modules in the job would
            os.environ.setdefault(name, value)
        time.tzset()
        os.umask(request["umask"])
        os.chdir(request["cwd"])
        _become(request)
        from poaforge import typeset

        typeset.forget_stale_fonts()
        before = len(sys.modules)
        from poaforge.console import run
        from poaforge.steps import main

        sys.argv = [str(_PACKAGE / "steps.py"), *request["argv"]]
        code = run(main, request["argv"])
        if os.environ.get("POA_JOBSERVER_TRACE"):  # which modules a job still had to load
            print(f"poa-forge job server: {len(sys.modules) - before} modules loaded by the job", file=sys.stderr)
    except KeyboardInterrupt:  # before the step began
        from poaforge.console import INTERRUPTED

        print(INTERRUPTED, file=sys.stderr)
        code = 130
    except BaseException as exc:  # noqa: BLE001  (the job's side waits for an exit code whatever happens)
        print(f"poa: internal error: the job server could not run the step: {type(exc).__name__}: {exc} — please "
              "report it (POA_JOBSERVER=off runs each step in a process of its own)", file=sys.stderr)
        code = 3
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001  (a closed or full stream: the exit code still goes back)
                pass
        os._exit(code)


def _fresh_streams() -> None:
    """sys.stdin/stdout/stderr on the job's streams, made as Python makes them at start-up."""
    import io

    def text(fd: int, mode: str, line_buffering: bool, errors: str):
        raw = io.FileIO(fd, mode, closefd=False)
        buffered = io.BufferedWriter(raw) if "w" in mode else io.BufferedReader(raw)
        return io.TextIOWrapper(buffered, encoding=sys.stdout.encoding, errors=errors, line_buffering=line_buffering)

    sys.stdin = sys.__stdin__ = text(0, "rb", False, sys.stdin.errors if sys.stdin else "strict")
    sys.stdout = sys.__stdout__ = text(1, "wb", os.isatty(1), sys.__stdout__.errors)
    sys.stderr = sys.__stderr__ = text(2, "wb", True, "backslashreplace")


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
    """The user's running servers: (pid, project folder, seconds since its last job), the
    one idle longest first. Entries of servers gone are removed."""
    base = _registry()
    if base is None:
        return []
    found = []
    for entry in base.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            project, mtime = entry.read_text(encoding="utf-8"), entry.stat().st_mtime
        except OSError:
            continue
        if _alive(pid):
            found.append((pid, project, max(0.0, time.time() - mtime)))
        else:
            entry.unlink(missing_ok=True)
    return sorted(found, key=lambda s: -s[2])


def stop(under: Path | None = None) -> list[int]:
    """Ask the user's servers (those of projects inside ``under`` when given) to end, after
    the jobs they run; returns their pids."""
    stopped = []
    for pid, project, _ in servers():
        if under is None or Path(project).resolve().is_relative_to(Path(under).resolve()):
            _kill(pid, signal.SIGTERM)
            stopped.append(pid)
    return stopped


def serve(path: Path) -> int:
    """Run the job server of the project in the working folder on the socket ``path`` until
    it ends (module docstring); 0 at once when another server holds the socket's lock."""
    lock = open(path.with_suffix(".lock"), "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return 0
    own_key = key()
    began = time.monotonic()
    before = dict(os.environ)
    loaded = _preload()
    global _SET_BY_IMPORTS
    _SET_BY_IMPORTS = {k: v for k, v in os.environ.items() if before.get(k) != v}
    import gc

    gc.collect()
    gc.freeze()  # the loaded modules stay shared with the jobs' forks, not copied page by page
    if _threads() != 1:
        _say("not serving: loading the libraries started threads, and a process with threads cannot fork safely")
        return 1
    entry = None
    base = _registry()
    if base is not None:
        running = servers()
        for pid, _, _ in running[:max(0, len(running) - MAX_SERVERS + 1)]:
            _kill(pid, signal.SIGTERM)
        entry = base / str(os.getpid())
        entry.write_text(os.getcwd(), encoding="utf-8")
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    umask = os.umask(0o177)
    try:
        listener.bind(str(temporary))
        listener.listen(64)
        os.replace(temporary, path)
    except OSError as exc:
        _say(f"not serving: cannot listen on {path}: {exc}")
        if entry is not None:
            entry.unlink(missing_ok=True)
        return 1
    finally:
        os.umask(umask)
    server = _Server(path, listener, lock, own_key, entry)

    def retire(_sig, _frame) -> None:
        server.retire = True

    signal.signal(signal.SIGTERM, retire)
    signal.signal(signal.SIGINT, retire)
    _say(f"serving {os.getcwd()}: {loaded} modules loaded in {time.monotonic() - began:.2f} s")
    server.loop()
    _say("ended")
    return 0


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
        return serve(args.socket)
    if args.command == "stop":
        pids = stop()
        print(f"stopping {len(pids)} job server{'s' * (len(pids) != 1)}" + (f": {' '.join(map(str, pids))}" if pids else ""))
        return 0
    rows = servers()
    for pid, project, idle in rows:
        print(f"{pid}\t{project}\tidle {idle:.0f} s")
    if not rows:
        print("no job server running")
    return 0


if __name__ == "__main__":
    from poaforge.console import run

    sys.exit(run(main))
