"""The bundle step's heap: Typst's worker threads must not leave the process holding freed memory.

Typst lays out on worker threads; with glibc each thread allocates from an arena of its own,
and memory freed there stays counted in the process. Measured on the 513-page bench case
(Nov 2026, 2-core machine): the step's peak varied from 178 to 277 MB over runs of the same
command, and from 177 to 227 MB once the cover and stamps were typeset before the copy; with
at most two arenas it stayed at 176–179 MB over eight runs, no slower. :func:`few_arenas`
caps the arenas of a process that has no threads yet (the step run on its own, and the child
it forks); :func:`return_freed_memory` hands back what is free in every arena (for a process
where Typst has already run, such as the case's job). Both do nothing without glibc.
"""

from __future__ import annotations

import ctypes
from typing import Any

__all__ = ["few_arenas", "return_freed_memory"]

_M_ARENA_MAX = -8  # glibc <malloc.h>


def _libc() -> Any:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def few_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas at ``arenas`` when this process runs one thread (Linux: /proc);
    a process with threads already has its arenas, and is left as it is."""
    from poaforge.child import _single_threaded  # the one test of "no threads yet"

    if not _single_threaded():
        return
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, arenas)


def return_freed_memory() -> None:
    """Hand the memory free in every malloc arena back to the system (glibc ``malloc_trim``)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
