"""The bundle step's heap settings (glibc): arenas capped only in a process without threads."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import ctypes, threading, time
from poaforge.bundle import heap
libc = ctypes.CDLL(None)
libc.fdopen.restype = ctypes.c_void_p
{before}
heap.few_arenas()
heap.return_freed_memory()
# glibc's mallinfo2 has no arena count; malloc_info lists one <heap> per arena
import os
r, w = os.pipe()
stream = libc.fdopen(w, b"w")
done = []
def work():  # a new thread allocates: it gets an arena of its own unless they are capped
    blocks = [ctypes.create_string_buffer(4096) for _ in range(2000)]
    done.append(len(blocks))
threads = [threading.Thread(target=work) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
print(os.read(r, 1 << 20).decode().count('<heap nr='))
"""


def _arenas(before: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHECK.format(before=before)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc arenas (Linux)")
def test_arenas_capped_in_a_process_without_threads() -> None:
    assert _arenas("") <= 2
    # a process that already runs threads keeps its own arenas policy (here glibc's default: more)
    started = "t = threading.Thread(target=time.sleep, args=(1,)); t.start()"
    assert _arenas(started) > 2
