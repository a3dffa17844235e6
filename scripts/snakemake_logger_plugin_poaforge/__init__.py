"""Snakemake logger plugin ``poaforge`` (``--logger poaforge``; the project's profiles set it):
Snakemake's own terminal output, with a failed step told the way a user can act on.

Snakemake finds this package by its name (``snakemake_logger_plugin_<name>``, installed
with the project). It writes to the terminal in place of Snakemake's default handler and
formats every message with Snakemake's own formatter and filter (so the profile's
``quiet:`` settings apply), except:

* a failed step (or cluster job): instead of its shell command, ``RuleException``,
  ``CalledProcessError`` and the closing ``WorkflowError``, one line when it fails, and at
  the end of the run a summary naming each case not built with the failed step's own
  located messages (``cases/x.yaml:29:58: … — fix``), at most ten per case and then where
  the rest are (:mod:`.summary`); the exit status stays Snakemake's;
* each progress line names the step that finished ("3 of 13 steps (23%) done — case42:
  preparing the exhibits"); the job details it replaces are left out;
* a few lines about Snakemake's set-up (shell, cores, "Select jobs to execute") and the
  job-count table, shown as one line "N steps to run (cases …)";
* at the end of a successful run, where each case built is and what the quality gate said.

With ``--verbose``, ``--printshellcmds``, ``--show-failed-logs``, ``--debug-dag`` or a dry
run (``-n``) every message is shown as Snakemake writes it; the summary is still added.
"""

from __future__ import annotations

import difflib
import logging
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent
from snakemake_interface_logger_plugins.settings import LogHandlerSettingsBase

from .summary import RunSummary

__all__ = ["LogHandler", "LogHandlerSettings"]

#: Messages about Snakemake's own set-up, left out of the compact output (prefixes).
_SETUP = ("Assuming unrestricted shared filesystem usage", "Using shell:", "Select jobs to execute",
          "Rules claiming more threads will be scaled down", "Removing output files of failed job",
          "Exiting because a job execution failed")
#: Events the compact output leaves out.
_COMPACTED = (LogEvent.JOB_INFO, LogEvent.JOB_FINISHED, LogEvent.JOB_STARTED, LogEvent.SHELLCMD, LogEvent.GROUP_ERROR)
#: Seconds a log may seem older than the run and still be this run's (clocks of a shared file system).
_CLOCK_MARGIN = 2.0
#: Snakemake's message for a target no rule makes (a case name without a case file).
_NO_RULE = re.compile(r"No rule to produce (\S+)")
#: The closing message of a run with a failed job: replaced by the summary.
_CLOSING = "At least one job did not complete successfully"


@dataclass
class LogHandlerSettings(LogHandlerSettingsBase):
    """No settings: the plugin follows Snakemake's output options (quiet, verbose, …)."""


class LogHandler(LogHandlerBase):
    """Terminal output of a poa-forge run (see the module's docstring)."""

    def __post_init__(self) -> None:
        from snakemake.logging import ColorizingTextHandler, DefaultFilter, DefaultFormatter

        s = self.common_settings
        self.full = bool(s.verbose or s.debug_dag or s.printshellcmds or s.show_failed_logs or s.dryrun)
        self.out = ColorizingTextHandler(
            nocolor=s.nocolor, stream=sys.stdout if s.stdout else sys.stderr,
            formatter=DefaultFormatter(s.quiet, s.show_failed_logs),
            filter=DefaultFilter(s.quiet, s.debug_dag, s.verbose, s.dryrun, s.printshellcmds))
        # logs older than this run are not its messages (a margin for a shared file system's clock)
        self.run = RunSummary(since=time.time() - _CLOCK_MARGIN)

    # Snakemake's questions about the plugin
    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def emit(self, record: logging.LogRecord) -> None:
        """Record what the run did, then show the record (or its compact form, or nothing).
        Should anything here go wrong, the record is shown as Snakemake would show it."""
        try:
            self._emit(record)
        except Exception:  # never lose a message of Snakemake's
            self.out.handle(record)

    def _emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        line = None
        if event == LogEvent.JOB_INFO:
            self.run.started(getattr(record, "jobid", -1), getattr(record, "rule_name", ""),
                             getattr(record, "wildcards", None), [*getattr(record, "output", []), *getattr(record, "log", [])])
        elif event == LogEvent.JOB_FINISHED:
            self.run.finished(getattr(record, "job_id", -1))
        elif event == LogEvent.JOB_ERROR:
            failure = self.run.failed(getattr(record, "rule_name", ""), getattr(record, "log", []), getattr(record, "output", []))
            # a step of a failed cluster job (indented under the group's error): the group has its line
            line = None if getattr(record, "indent", False) else self.run.failure_line(failure)
        elif event == LogEvent.GROUP_ERROR:
            infos = [i for i in getattr(record, "job_error_info", []) if isinstance(i, dict)]
            line = self.run.group_line([str(i.get("rule_name", "")) for i in infos],
                                       [str(p) for i in infos for p in i.get("log", [])],
                                       [str(p) for i in infos for p in i.get("output", [])])
        elif event == LogEvent.PROGRESS:
            line = self.run.progress_line(int(getattr(record, "done", 0)), int(getattr(record, "total", 0)))
        elif event == LogEvent.RUN_INFO and isinstance(getattr(record, "stats", None), dict):
            line = self.run.stats_line(record.stats)  # type: ignore[attr-defined]
        missing = self._missing_case(record)
        if missing is not None and not self.full:
            self._write(missing, logging.ERROR)
            return
        if self._closing(record):
            if self.full:
                self.out.handle(record)
            self._summary()
        elif self.full:
            self.out.handle(record)
        elif line is not None:
            if event in (LogEvent.JOB_ERROR, LogEvent.GROUP_ERROR):
                self._write(line, logging.ERROR)
            elif self.out.filter(record):  # the profile's quiet settings still apply
                self._write(line, event=event)
        elif event != LogEvent.JOB_ERROR and not self._hidden(record, event):
            self.out.handle(record)
            if str(record.msg).startswith("Nothing to be done") and not self.common_settings.dryrun:
                self._write("up to date: each case's documents are in results/<case>/ "
                            "(poa status lists the cases)", event=LogEvent.PROGRESS)

    def close(self) -> None:
        """End of the run: the summary, unless the closing message already brought it."""
        try:
            self._summary()
        finally:
            super().close()

    # --- helpers -------------------------------------------------------------------------
    def _summary(self) -> None:
        if self.run.printed:
            return
        self.run.printed = True
        built = [] if self.common_settings.dryrun else self.run.built_lines()
        if built:
            self._write("\n".join(built), event=LogEvent.PROGRESS)
        failed = self.run.failure_lines()
        if failed:
            self._write("\n".join(failed), logging.ERROR)

    @staticmethod
    def _missing_case(record: logging.LogRecord) -> str | None:
        """For "No rule to produce case42" (a target named like a case that has no case file):
        the located message a user can act on, with the cases there are; else None."""
        if getattr(record, "exception", None) != "MissingRuleException":
            return None
        text = str(record.msg)
        m = _NO_RULE.search(text)
        if m is None:
            return None
        name = m.group(1)
        cases = sorted(p.stem for p in Path("cases").glob("*.yaml"))
        as_file = Path(name)
        if as_file.suffix in (".yaml", ".yml") and as_file.stem in cases:  # the case file's path (tab completion)
            return (f"{name}: snakemake builds a case by its name, not its file — "
                    f"run `snakemake {as_file.stem}` (`poa validate {as_file.stem}` checks the file alone)")
        if "/" in name or "." in name:
            return None
        near = difflib.get_close_matches(name, cases, n=1)
        hint = (f"did you mean {near[0]}? " if near else "") + (
            f"the cases are: {', '.join(cases[:12])}{' …' if len(cases) > 12 else ''}; " if cases else "")
        return (f"cases/{name}.yaml: no such case file — {hint}start a new case with "
                f"`poa new {name} --platform <platform> --scenario <scenario>` (`poa scenarios` lists them)")

    @staticmethod
    def _closing(record: logging.LogRecord) -> bool:
        return getattr(record, "exception", None) == "WorkflowError" and _CLOSING in str(record.msg)

    def _hidden(self, record: logging.LogRecord, event: Any) -> bool:
        """A message the compact output leaves out: job details (the progress line names the
        step), set-up chatter, a failed shell command's exception (the summary has its messages)."""
        if event in _COMPACTED:
            return True
        text = str(record.msg)
        if event == LogEvent.ERROR and getattr(record, "exception", None) == "RuleException" and "CalledProcessError" in text:
            return True
        return event in (None, LogEvent.RESOURCES_INFO) and text.startswith(_SETUP)

    def _write(self, text: str, level: int = logging.INFO, event: Any = None) -> None:
        """Write our own text, coloured as Snakemake colours a message of that level and event."""
        record = logging.LogRecord("snakemake.logging", level, "", 0, text, None, None)
        record.event = event  # type: ignore[attr-defined]
        self.out.stream.write(self.out.decorate(record, text) + "\n")
        self.out.flush()
