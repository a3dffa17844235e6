"""Run a piece of work in a child process, beside the caller's own, and free its memory when done.

``wait = in_child(fn, *args)`` forks (POSIX) and returns at once; ``wait()`` returns
``fn(*args)``'s result, or raises in the caller the ``PoaError`` it raised (the same class
and problems, printed as any other). The bundle step uses it to typeset the letter and
the index (Typst keeps its layout caches and fonts until the process ends) while it copies
the exhibits' pages itself: the two run on two cores, and the Typst memory is returned to
the system when the child exits. A process that already runs other threads (Typst's
worker threads once it has compiled something, a test runner) is never forked — a thread
that does not exist in the child could hold a lock the child then waits for forever — and
neither is one where ``os.fork`` does not exist (Windows): there ``fn`` runs in the
caller, first.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from typing import Any, Callable, TypeVar

from poaforge.errors import PoaError

__all__ = ["in_child"]

T = TypeVar("T")


def _run(fn: Callable[..., Any], args: tuple[Any, ...], out: int) -> None:
    try:
        payload: tuple[Any, ...] = ("ok", fn(*args))
    except PoaError as exc:
        payload = ("error", type(exc), exc.problems)
    except BaseException:  # a bug: its traceback goes to the caller, which raises it
        payload = ("bug", traceback.format_exc())
    with os.fdopen(out, "wb") as fh:
        fh.write(pickle.dumps(payload))


def _single_threaded() -> bool:
    """True when this process runs one thread (Linux: /proc; elsewhere not known: False)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def in_child(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Start ``fn(*args)`` in a forked child; return the function that waits for its result.

    The result must be picklable; ``wait()`` may be called again and gives the same outcome.
    """
    if not hasattr(os, "fork") or not _single_threaded():
        result = fn(*args)
        return lambda: result
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(read)
            _run(fn, args, write)
        except BaseException:
            status = 70
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    os.close(write)
    outcome: list[tuple[Any, ...]] = []

    def wait() -> T:
        if not outcome:
            with os.fdopen(read, "rb") as fh:
                data = fh.read()
            _pid, status = os.waitpid(pid, 0)
            outcome.append(pickle.loads(data) if data else ("bug", f"it ended without a result (wait status {status})"))
        payload = outcome[0]
        if payload[0] == "error":
            raise payload[1](payload[2])
        if payload[0] == "bug":
            raise RuntimeError("in the child process:\n" + payload[1])
        return payload[1]  # type: ignore[no-any-return]

    return wait
