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

from poaforge.jobserver import _FORWARDED, ENV_SOCKET, _is_open, _kill, enabled, key, start, supported

__all__ = ["run_step"]


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
