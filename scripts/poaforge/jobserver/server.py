"""The job server itself (:mod:`poaforge.jobserver`): load the libraries once, listen on the
project's socket, fork a child per job that becomes the job's process and runs its step, report
each exit status, and end when idle, asked, outnumbered or orphaned of its project."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

from poaforge.jobserver import _FORWARDED, _PACKAGE, ENV_IDLE, IDLE, MAX_SERVERS, _kill, _registry, key, servers

__all__ = ["serve"]

#: Libraries the stages import inside functions (only when they need them): loaded up front.
_LIBRARIES = ("yaml", "jsonschema", "pikepdf", "pypdf", "typst", "pypandoc", "PIL.Image", "img2pdf", "rapidfuzz",
              "snowballstemmer", "Stemmer", "tesserocr", "decimal", "fractions", "uuid", "ctypes", "pickle")
#: Package modules a job never runs (the editor's language server and watcher, the `poa` CLI).
_NOT_LOADED = ("poaforge.editor", "poaforge.cli", "poaforge.jobserver")


def _pin(request: dict) -> None:
    """In the child: the CPUs the job may run on (``taskset``); the rest of the job's process
    is the server's (the key, :func:`poaforge.jobserver._process`)."""
    try:
        os.sched_setaffinity(0, request["cpus"])
    except OSError:  # CPUs outside the server's set (another cpuset): the job runs on the server's
        pass


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
    _warm()
    return len(sys.modules)


def _warm() -> None:
    """Work every job repeats and whose result only the key's contents can change: the
    package's digest (its files), pandoc's path and version (pypandoc keeps them; the
    pinned wheel, under ``sys.path``; ``PYPANDOC_PANDOC`` is in the key), and the installed
    distributions' metadata lookups (importlib.metadata caches them by folder time)."""
    from importlib import metadata

    from poaforge.deps import package_digest
    from poaforge.submit.manifest import TOOLS

    package_digest()
    for name in (*TOOLS, "python-dateutil"):
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import pypandoc

        from poaforge.letter.docx import use_bundled_pandoc

        use_bundled_pandoc()
        pypandoc.get_pandoc_version()
    except (ImportError, OSError, RuntimeError):
        pass


#: What importing the modules put in the environment (``OMP_THREAD_LIMIT`` for OCR): a job's
#: child sets it as importing them in the job's own process would.
_SET_BY_IMPORTS: dict[str, str] = {}


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _idle() -> float:
    """``POA_JOBSERVER_IDLE`` in seconds (a positive number), else :data:`IDLE`."""
    import math

    text = os.environ.get(ENV_IDLE, "")
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if text and not (math.isfinite(seconds) and seconds > 0):
        _say(f"{ENV_IDLE}={text!r} is not a number of seconds: ending {IDLE:.0f} s after the last job")
    return seconds if math.isfinite(seconds) and seconds > 0 else IDLE


def _end(pid: int) -> None:
    """End the child of a job that is gone, and the programs it runs (its process group, once
    it leads one): SIGKILL, as the job's own process would have ended with the job."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        _kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0)[0])


def _hung_up(conn: socket.socket) -> bool:
    """True when the job closed its end (it sent all it sends: readable means gone)."""
    import select

    try:
        if not select.select([conn], [], [], 0)[0]:
            return False
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class _Job:
    def __init__(self, pid: int, pidfd: int, conn: socket.socket, argv: list[str]) -> None:
        self.pid, self.pidfd, self.conn, self.argv, self.began = pid, pidfd, conn, argv, time.monotonic()
        self.fd = conn.fileno()  # its number after it is closed, too


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
        self.idle = _idle()

    def mark(self) -> None:
        """The registry entry's time: when the last job ended, or a day ahead while one runs
        (so that :func:`poaforge.jobserver.servers` lists this server as busy, evicted last)."""
        if self.entry is None:
            return
        when = time.time() + (86400 if self.jobs else 0)
        try:
            os.utime(self.entry, (when, when))
        except OSError:
            pass

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
                if self.selector.get_map().get(selected.fd) is not selected:
                    continue  # unregistered by an event before it in this round (a job ended, its connection closed)
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
        conn.settimeout(2)  # the job sends its request at once
        received: list[int] = []
        try:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            if struct.unpack("3i", creds)[1] != os.getuid():
                raise ConnectionError("another user")
            head, received, _, _ = socket.recv_fds(conn, 4, 4)
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
            if len(received) != len(request["fds"]) + 1:
                raise ConnectionError("streams missing")
        except (OSError, ValueError, KeyError, struct.error) as exc:
            _say(f"refused a job: {exc}")
            self._hand_back(conn, received, None)
            return
        if _hung_up(conn):  # it gave up waiting (a stopped or busy server) and ran the step itself
            _say("a job hung up before its step began")
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
        self.by_conn[job.fd] = job
        self.selector.register(job.pidfd, selectors.EVENT_READ)
        self.selector.register(conn, selectors.EVENT_READ)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            _end(pid)  # the job hung up: it does not wait for this one
        self.mark()

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
        """The job's end of the connection: readable only when it hung up — done, or killed,
        and then its child must not run on alone."""
        try:
            data = conn.recv(1, socket.MSG_PEEK)
        except OSError:
            data = b""
        if not data:  # gone: killed, or done (it has its child's exit code from the pipe)
            job = self.by_conn.pop(conn.fileno(), None)
            self.selector.unregister(conn)
            if job is not None and not _readable(job.pidfd):  # its child has not ended yet
                _end(job.pid)

    def finished(self, job: _Job) -> None:
        self.selector.unregister(job.pidfd)
        _, status, usage = os.wait4(job.pid, 0)
        os.close(job.pidfd)
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code
        self.by_conn.pop(job.fd, None)
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
        self.mark()
        _say(f"job {job.pid}: {' '.join(job.argv[:2])} → exit {code} in {self.last - job.began:.2f} s, "
             f"peak {usage.ru_maxrss / 1024:.0f} MB")


def _child(request: dict, received: list[int], server_fds: list[int]) -> None:
    """In the forked child (forwarded signals blocked): become the job (its streams, signal
    dispositions, environment, folder, CPUs), run the step as ``python -m poaforge.steps``
    does, write its exit code to the job's pipe (the last of ``received``) and exit with it."""
    code, status = 3, None
    try:
        for fd in server_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        streams, status = received[:-1], received[-1]
        for target, fd in zip(request["fds"], streams, strict=True):
            os.dup2(fd, target)
        for fd in streams:  # all above 2: the server's own 0-2 are open
            os.close(fd)
        os.set_inheritable(status, False)
        _fresh_streams()
        os.setsid()  # a process group of its own: the job's side forwards its signals to it
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGTSTP):
            signal.signal(sig, signal.SIG_DFL)
        for sig in request["ignored"]:  # as the job's process ignores them (nohup, `cmd &` in a script)
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)  # one forwarded meanwhile acts now
        os.environ.clear()
        os.environ.update(request["env"])
        for name, value in _SET_BY_IMPORTS.items():  # as importing the modules in the job would
            os.environ.setdefault(name, value)
        time.tzset()
        os.umask(request["umask"])
        os.chdir(request["cwd"])
        _pin(request)
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
    except SystemExit as exc:  # as Python ends a process on it
        if isinstance(exc.code, int) or exc.code is None:
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
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
        if status is not None:
            try:
                os.write(status, f"{code}\n".encode())
            except OSError:
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


def serve(path: Path) -> int:
    """Run the job server of the project in the working folder on the socket ``path`` until
    it ends (module docstring); 0 at once when another server holds the socket's lock."""
    lock = open(path.with_suffix(".lock"), "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return 0
    entry = None  # registered before it loads: `poa jobserver stop` ends a server that is loading too
    base = _registry()
    if base is not None:
        running = servers()
        for pid, _, _ in running[:max(0, len(running) - MAX_SERVERS + 1)]:
            _kill(pid, signal.SIGTERM)
        entry = base / str(os.getpid())
        entry.write_bytes(os.fsencode(os.getcwd()))
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
        if entry is not None:
            entry.unlink(missing_ok=True)
        return 1
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
        temporary.unlink(missing_ok=True)
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
    try:
        server.loop()
    finally:  # whatever ends it: no socket, lock or registry entry left for a server gone
        server.stop_accepting("ending")
    _say("ended")
    return 0
