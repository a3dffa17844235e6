"""A run ends when its last job does: the timer Snakemake's scheduler arms after each round of
jobs (``--max-jobs-per-timespan``; not a daemon thread, so Python's exit waited up to a
second for it) is cancelled by the Snakefile's onsuccess/onerror hook, ``end_scheduler_timers``
(workflow/common.smk). If a Snakemake upgrade arms it otherwise, this test fails and the hook
must follow."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

from snakemake.scheduling.job_scheduler import JobScheduler

ROOT = Path(__file__).resolve().parents[1]


def _hook():
    """end_scheduler_timers as the Snakefile defines it (workflow/common.smk)."""
    source = (ROOT / "workflow" / "common.smk").read_text(encoding="utf-8")
    start = source.index("def end_scheduler_timers():")
    end = source.index("\ndef ", start + 1)
    tree = ast.parse(source[start:end])
    namespace: dict = {}
    exec(compile(tree, "workflow/common.smk", "exec"), namespace)
    return namespace["end_scheduler_timers"]


class _Scheduler:
    def __init__(self) -> None:
        self._open_jobs = threading.Semaphore(0)


def test_the_schedulers_timer_is_cancelled_by_the_hook() -> None:
    scheduler = _Scheduler()
    before = set(threading.enumerate())
    JobScheduler._schedule_reevalutation(scheduler, 60)  # what Snakemake does after a round of jobs
    armed = [t for t in threading.enumerate() if t not in before]
    assert len(armed) == 1 and isinstance(armed[0], threading.Timer) and not armed[0].daemon
    other = threading.Timer(60, lambda: None)  # a timer that is not the scheduler's stays
    other.start()
    try:
        _hook()()
        armed[0].join(timeout=10)
        assert not armed[0].is_alive()
        assert other.is_alive()
        assert not scheduler._open_jobs.acquire(blocking=False)  # cancelled, not fired
    finally:
        other.cancel()


def test_the_snakefile_calls_the_hook_on_success_and_on_error() -> None:
    text = (ROOT / "Snakefile").read_text(encoding="utf-8")
    assert "onsuccess:\n    end_scheduler_timers()" in text
    assert "onerror:\n    end_scheduler_timers()" in text
