"""`poa watch` as a test or benchmark sees it: the real command in a project folder, its
output lines as they come, and the moment its PDF is replaced."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["Watch", "wait_replaced"]

POA = str(Path(sys.executable).with_name("poa"))


class Watch:
    """`poa watch` running in ``project``; its output lines arrive in a queue."""

    def __init__(self, project: Path, *args: str) -> None:
        self.proc = subprocess.Popen([POA, "watch", *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, pattern: str, timeout: float = 30) -> list[str]:
        """Lines up to and including the first matching ``pattern``."""
        got, deadline = [], time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout} s; got {self.seen + got}") from None
            got.append(line)
            if re.search(pattern, line):
                self.seen += got
                return got

    def stop(self) -> None:
        """Kill it if it still runs; close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def wait_replaced(pdf: Path, inode: int, timeout: float = 10) -> float:
    """Seconds until ``pdf`` is a new file (an atomic replace gives it a new inode)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if pdf.stat().st_ino != inode:
                return time.monotonic() - began
        except FileNotFoundError:
            raise AssertionError(f"{pdf} vanished: it must be replaced atomically, never removed") from None
        time.sleep(0.005)
    raise AssertionError(f"{pdf} was not rewritten within {timeout} s")
