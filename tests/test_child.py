"""poaforge.child: work in a forked child gives its result or its user error, as if run here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from poaforge.child import in_child
from poaforge.errors import BuildError, Problem

SCRIPT = """
import os, sys
from poaforge.child import in_child
from poaforge.errors import BuildError, Problem
def work(n):
    return (os.getpid(), n * 2)
def fail():
    raise BuildError(Problem("results/c/bundle.pdf", message="cannot write the bundle", hint="free some disk space"))
pid, value = in_child(work, 21)()
print(pid != os.getpid(), value)
wait = in_child(fail)
for _ in range(2):
    try:
        wait()
    except BuildError as exc:
        print(exc.problems[0])
"""


def test_a_single_threaded_process_forks_and_gets_result_and_error() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["True 42", "results/c/bundle.pdf: cannot write the bundle — free some disk space",
                   "results/c/bundle.pdf: cannot write the bundle — free some disk space"]


def test_a_threaded_process_runs_the_work_itself() -> None:
    import os
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert in_child(os.getpid)() == os.getpid()
        with pytest.raises(BuildError, match="no room"):
            in_child(lambda: (_ for _ in ()).throw(BuildError(Problem("x", message="no room"))))()
    finally:
        stop.set()
        thread.join()
