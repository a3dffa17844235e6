"""What a poa-forge run did, case by case, told at its end.

:class:`RunSummary` is fed the jobs Snakemake starts, finishes and loses (from its log
events) and writes the lines a user reads last: for each case that failed, which step
stopped it and the step's own messages — ``file:line:col: what is wrong — how to fix it``,
as ``poa validate`` and the quality gate print them — at most :data:`MAX_LINES` of them,
then where the rest are; for each case built, where its documents are and what the
quality gate said.

The messages are read from the step's log (``logs/<case>/<rule>.log``): every step writes
its problems there, one per line, whatever executor ran it (a local process, a SLURM job),
and the pipeline's shell line ends the log of a failed step with
``poaforge.steps.FAILED_MARK``. Only such logs, written during this run, are read as a
failure's messages: a cluster job that fails reports every step of the case as failed,
including those that succeeded (their logs lack the mark) and those that never ran (their
logs, if any, are older than the run).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunSummary", "Failure", "MAX_LINES", "MAX_BUILT"]

#: Messages shown per case not built; the rest are counted and left in the step's log.
MAX_LINES = 10
#: Built cases named one by one; more are counted.
MAX_BUILT = 10


def _steps() -> tuple[dict[str, Any], dict[str, str], str, str, str]:
    """The pipeline's steps by rule name, in pipeline order; what each step and stage does, by
    command; the failure mark, the stage mark (poaforge.steps) and the line of an interrupted
    step (poaforge.console: a step whose only message it is was stopped, not failed)."""
    try:
        from poaforge.console import INTERRUPTED
        from poaforge.steps import FAILED_MARK, STAGE_MARK, STEPS
    except ImportError:  # the plugin without the package: rule names only
        return {}, {}, "poa-forge: this step failed", "poa-forge: stage", "interrupted"
    return {s.rule: s for s in STEPS if s.rule}, {s.command: s.does for s in STEPS}, FAILED_MARK, STAGE_MARK, INTERRUPTED


@dataclass
class Failure:
    """A step that failed: its rule, the case it belongs to ("" for a shared step), its log files."""

    rule: str
    case: str
    logs: list[str] = field(default_factory=list)


def case_of(rule: str, wildcards: Mapping[str, Any] | None, files: Iterable[str], step_rules: Iterable[str]) -> str:
    """The case a job belongs to: its ``case`` wildcard, else (for a case's target rule)
    the rule's own name, else the ``<case>`` of a ``results/<case>/`` or ``logs/<case>/`` path."""
    if wildcards and wildcards.get("case"):
        return str(wildcards["case"])
    if rule not in set(step_rules) | {"all"}:
        return rule
    for f in files:
        parts = Path(str(f)).parts
        if len(parts) >= 3 and parts[0] in ("results", "logs"):
            return parts[1]
    return ""


def log_lines(path: Path, mark: str, since: float = 0.0, stage_mark: str = "") -> tuple[str, list[str]] | None:
    """The failed stage and its messages: the command named by the log's last line starting
    with ``stage_mark`` ("" without one) and the non-blank lines after it, before ``mark``;
    None when the log cannot be read, was written before ``since`` (seconds since the epoch,
    the start of the run) or does not end with the mark of a failure."""
    try:
        if path.stat().st_mtime < since:
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if not lines or not lines[-1].startswith(mark):
        return None
    stages = [i for i, line in enumerate(lines) if stage_mark and line.startswith(stage_mark)]
    if not stages:
        return "", lines[:-1]
    return lines[stages[-1]][len(stage_mark):].strip(), lines[stages[-1] + 1:-1]


class RunSummary:
    """Jobs of one run by id, the failures in the order they happened, the cases built."""

    def __init__(self, since: float = 0.0) -> None:
        """``since``: when the run started (seconds since the epoch); older logs are not this run's."""
        self.since = since
        self.jobs: dict[int, tuple[str, str]] = {}    # job id → (rule, case)
        self.completing: set[int] = set()             # jobs writing a case's manifest.json: its last step
        self.failures: list[Failure] = []
        self.built: list[str] = []
        self.last: tuple[str, str] = ("", "")         # (rule, case) of the job finished last
        self.printed = False
        self.steps, self.does, self.mark, self.stage_mark, self.interrupted = _steps()

    def started(self, jobid: int, rule: str, wildcards: Mapping[str, Any] | None, files: Sequence[str]) -> None:
        """A job was scheduled (Snakemake's job_info event)."""
        case = case_of(rule, wildcards, files, self.steps)
        self.jobs[int(jobid)] = (rule, case)
        if case and any(Path(str(f)).as_posix().endswith(f"results/{case}/manifest.json") for f in files):
            self.completing.add(int(jobid))

    def finished(self, jobid: int) -> None:
        """A job succeeded (job_finished): a case is built when the job writing its manifest
        (after every other document of the case) or its target rule is done; a plain
        `snakemake` reaches the cases through the status page, never through their targets."""
        rule, case = self.jobs.get(int(jobid), ("", ""))
        self.last = (rule, case)
        if case and (rule == case or int(jobid) in self.completing) and case not in self.built:
            self.built.append(case)

    def failed(self, rule: str, logs: Sequence[str], files: Sequence[str], wildcards: Mapping[str, Any] | None = None) -> Failure:
        """A job failed (job_error); returns what is recorded."""
        failure = Failure(rule, case_of(rule, wildcards, [*logs, *files], self.steps), [str(p) for p in logs])
        if failure not in self.failures:  # a group's jobs can be reported twice
            self.failures.append(failure)
        return failure

    def what(self, rule: str) -> str:
        """The step's description for people (steps.Step.does), or its rule name."""
        step = self.steps.get(rule)
        return getattr(step, "does", "") or rule

    def progress_line(self, done: int, total: int) -> str:
        """Snakemake's "3 of 13 steps (23%) done", naming the step that just finished."""
        pct = "100%" if done == total else f"{100 * done / max(total, 1):.0f}%"
        rule, case = self.last
        if not rule:
            what = ""
        elif rule == case:
            what = f" — {case}: all its documents"
        else:
            what = f" — {case + ': ' if case else ''}{self.what(rule)}"
        return f"{done} of {total} steps ({pct}) done{what}"

    def stats_line(self, stats: Mapping[str, Any]) -> str:
        """Snakemake's job-count table as one line: "13 steps to run (1 case: case42)"."""
        total = int(stats["total"]) if "total" in stats else sum(int(n) for n in stats.values())
        cases = sorted(r for r in stats if r not in self.steps and r not in ("all", "total"))
        named = ", ".join(cases[:5]) + (f" and {len(cases) - 5} more" if len(cases) > 5 else "")
        plural = "s" if len(cases) != 1 else ""
        return f"{total} step{'s' if total != 1 else ''} to run" + (f" ({len(cases)} case{plural}: {named})" if cases else "")

    def failure_line(self, failure: Failure, root: Path = Path()) -> str:
        """The one line shown as soon as a step fails, naming the stage that failed when its log says."""
        who = failure.case or "the run"
        found = [got for _, got in self._read(failure, root)]
        what = self._failed_stage(failure.rule, found)
        if _messages(found) == [self.interrupted]:
            return f"✗ {who}: interrupted while {what} ({failure.rule})"
        return f"✗ {who}: {what} failed ({failure.rule}) — its problems are listed at the end"

    def _read(self, failure: Failure, root: Path) -> list[tuple[str, tuple[str, list[str]] | None]]:
        """Each log of ``failure`` with what :func:`log_lines` finds in it."""
        return [(p, log_lines(root / p, self.mark, self.since, self.stage_mark)) for p in failure.logs if p]

    def _failed_stage(self, rule: str, found: Sequence[tuple[str, list[str]] | None]) -> str:
        """What the stage that failed does, as its logs (``log_lines`` of each) name it; else
        what the rule's step does."""
        stage = next((got[0] for got in found if got and got[0]), "")
        return self.does.get(stage) or self.what(rule)

    def group_line(self, rules: Sequence[str], logs: Sequence[str], files: Sequence[str]) -> str:
        """The one line shown as soon as a cluster job (the steps of one case) fails."""
        who = case_of(rules[0] if rules else "", None, [*logs, *files], self.steps) or "the run"
        return f"✗ {who}: its cluster job failed ({len(rules)} steps) — its problems are listed at the end"

    def lines(self, root: Path = Path()) -> list[str]:
        """The summary: the cases built, then the failed cases with their messages (last, where the eye lands)."""
        return self.built_lines(root) + self.failure_lines(root)

    def built_lines(self, root: Path = Path()) -> list[str]:
        """Each case built in this run: where its documents are and what the quality gate said."""
        out: list[str] = []
        if self.built:
            out.append(f"built: {len(self.built)} case{'s' if len(self.built) != 1 else ''}")
            for case in self.built[:MAX_BUILT]:
                out.append(f"  {case}: results/{case}/ — {_gate_text(root / 'results' / case / 'report.json')}")
            if len(self.built) > MAX_BUILT:
                out.append(f"  and {len(self.built) - MAX_BUILT} more in results/")
        return out

    def failure_lines(self, root: Path = Path()) -> list[str]:
        """Each case not built: the step that stopped it and the step's own messages."""
        out: list[str] = []
        failures = [f for f in self.failures if not (f.case and f.case in self.built)]  # a retry may have built it
        if not failures:
            return out
        cases = sorted({f.case for f in failures if f.case})
        head = f"not built: {len(cases)} case{'s' if len(cases) != 1 else ''}"
        read = {id(f): self._read(f, root) for f in failures}  # each log read once
        stopped = all(_messages([got for _, got in read[id(f)]]) == [self.interrupted] for f in failures)
        out.append(head + (f" ({', '.join(cases)})" if 0 < len(cases) <= 5 else "")
                   + (" — the run was interrupted: run the same command again to finish" if stopped
                      else " — fix what is listed below, then run the same command again"))
        for case in [*cases, ""]:
            out += self._case_block([f for f in failures if f.case == case], read)
        return out

    def _case_block(self, failures: list[Failure], read: Mapping[int, list[tuple[str, tuple[str, list[str]] | None]]]) -> list[str]:
        """The failed steps of one case with their messages, at most :data:`MAX_LINES` for the
        case; steps without a message (the other steps of a cluster job that failed as a
        whole) are named only if none of the case's steps has one."""
        blocks: list[str] = []
        silent: list[Failure] = []
        left = MAX_LINES
        order = list(self.steps)
        for f in sorted(failures, key=lambda f: (order.index(f.rule) if f.rule in order else len(order), f.rule)):
            found = read[id(f)]
            lines = _messages([got for _, got in found])
            if not lines:
                silent.append(f)
                continue
            shown = lines[:left]
            left -= len(shown)
            plural = "s" if len(lines) != 1 else ""
            what = self._failed_stage(f.rule, [got for _, got in found])
            if lines == [self.interrupted]:
                blocks.append(f"✗ {f.case or 'shared step'}: interrupted while {what} ({f.rule}) — nothing to fix")
                continue
            blocks += [f"✗ {f.case or 'shared step'}: {what} ({f.rule}) — {len(lines)} problem{plural}:", *shown]
            if len(lines) > len(shown):
                blocks.append(f"and {len(lines) - len(shown)} more in {', '.join(p for p, got in found if got)}")
        if silent and not blocks:
            first = silent[0]
            who = first.case or "shared step"
            if len(silent) == 1:
                where = ", ".join(first.logs) or "no log"
                text = f"✗ {who}: {self.what(first.rule)} ({first.rule}) failed without a message of its own ({where})"
            else:
                text = (f"✗ {who}: {len(silent)} steps failed without a message of their own "
                        f"(from {first.rule}; logs in {Path(first.logs[0]).parent if first.logs else 'no log'})")
            blocks = [text + " — Snakemake's message is above; run again with --verbose for its details"]
        return blocks


def _messages(found: Sequence[tuple[str, list[str]] | None]) -> list[str]:
    """The messages of a failed step: those :func:`log_lines` found in each of its logs, in order."""
    return [line for got in found for line in (got[1] if got else [])]


def _gate_text(report: Path) -> str:
    """What the quality gate said about a built case, from its report.json."""
    try:
        counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
        errors, warnings = int(counts["error"]), int(counts["warning"])
    except (OSError, ValueError, KeyError, TypeError):
        return "no quality-gate report"
    if not errors and not warnings:
        return "quality gate: clean"
    text = f"quality gate: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return text + f" (results/{report.parent.name}/report.txt)"
