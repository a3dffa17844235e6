"""The job's side of the job server: ``python -m poaforge.steps`` hands its step to the
project's server when one takes it, else runs it in its own process (:mod:`poaforge.jobserver`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

from poaforge.jobserver import _FORWARDED, ENV_SOCKET, _kill, enabled, key, start, supported

__all__ = ["run_step"]


def run_step(argv: Sequence[str]) -> int:
    """``python -m poaforge.steps ARGV``: the step through the project's job server when one
    takes it (``POA_JOBSERVER_SOCKET`` set, module docstring), else in this process; returns
    the exit code either way (a step killed by signal N in the server: 128 + N)."""
    path = os.environ.get(ENV_SOCKET)
    if path and enabled() and supported():
        try:
            code = _through_server(Path(path), list(argv))
        except KeyboardInterrupt:  # before the forwarding began: the server ends the child, if any
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


#: Seconds the server has to fork the job's child after it connected (it does nothing else).
HANDSHAKE = 15.0


def _through_server(path: Path, argv: list[str]) -> int | None:
    """The step's exit code from its child in the server, or None when no server took it
    (nothing ran). The child writes its exit code to a pipe of this process's before it ends,
    so a server that stops or hangs after forking it costs nothing; the server's own report
    is read only for a child that died of a signal."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(HANDSHAKE)
    with conn:
        try:
            conn.connect(str(path))
        except OSError:
            return None
        fds = [fd for fd in (0, 1, 2) if _is_open(fd)]
        umask = os.umask(0)
        os.umask(umask)
        ignored = [int(sig) for sig in (*_FORWARDED, signal.SIGTSTP) if signal.getsignal(sig) == signal.SIG_IGN]
        request = json.dumps({"key": key(), "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask,
                              "fds": fds, "ignored": ignored, "cpus": sorted(os.sched_getaffinity(0))}).encode()
        stream = conn.makefile("rb")
        status, end = os.pipe()  # the child's exit code comes back through it
        try:
            try:
                socket.send_fds(conn, [struct.pack("!I", len(request))], [*fds, end])
            finally:
                os.close(end)
            conn.sendall(request)
            reply = _message(stream)
        except (OSError, ValueError):
            os.close(status)
            return None
        if "pid" not in reply:  # stale: it ends; one that matches serves the jobs after this one
            os.close(status)
            if reply.get("stale"):
                try:
                    start(path)
                except OSError:  # no server for the jobs after this one: each runs alone
                    pass
            return None
        with open(status, "rb") as pipe:
            return _wait(int(reply["pid"]), pipe, conn, stream, ignored)


def _wait(pid: int, pipe, conn: socket.socket, stream, ignored: list[int]) -> int | None:
    """Wait for the child ``pid`` to end, forwarding the signals this process does not ignore
    (Ctrl-Z stops it with this process); its exit code."""
    forwarded: list[int] = []

    def to_job(sig: int) -> None:
        try:  # the child leads a process group: the programs it runs (pandoc…) get it too
            os.killpg(pid, sig)
        except ProcessLookupError:  # not leading it yet: it holds the signal until it does
            _kill(pid, sig)
        except OSError:
            pass

    def forward(sig: int, _frame) -> None:
        forwarded.append(sig)
        to_job(sig)

    def suspend(sig: int, _frame) -> None:
        to_job(signal.SIGSTOP)
        # stop as Ctrl-Z stops a process: the kernel discards it in a process group no shell
        # controls (setsid, a script that ended), and then neither this process nor the step stops
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        signal.signal(sig, suspend)
        to_job(signal.SIGCONT)

    handlers = {sig: forward for sig in _FORWARDED if int(sig) not in ignored}
    if int(signal.SIGTSTP) not in ignored:
        handlers[signal.SIGTSTP] = suspend
    handlers[signal.SIGCONT] = lambda _sig, _frame: to_job(signal.SIGCONT)
    previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    try:
        written = pipe.read()  # until the child ends (EOF), signals handled meanwhile
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if written.strip():
        return int(written)
    conn.settimeout(10)  # it died of a signal: the server saw which
    try:
        return int(_message(stream)["status"])
    except (OSError, ValueError, KeyError):
        if forwarded:
            return 128 + forwarded[-1]
        print("poa-forge: the job server stopped while it ran this step; running it again in this process",
              file=sys.stderr, flush=True)
        return None


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
