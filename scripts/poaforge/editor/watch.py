"""``poa watch CASE``: on every save of the case file (or a change in its evidence folder)
validate and lint it, print the findings, and re-render ``results/<case>/poa.pdf``.

One process stays warm (rule catalogue, platform profiles, the Typst compiler and its fonts),
so a save becomes a new PDF in a fraction of a second; :mod:`watchfiles` reports the save
(Linux inotify, macOS FSEvents, Windows ReadDirectoryChangesW) about 30 ms after the last
write of a burst. The PDF is replaced atomically, so Evince, Okular, SumatraPDF or VS Code's
PDF preview reload it whole. A case with validation problems keeps its last good PDF. The
findings are those of ``poa lint CASE`` (deadlines against the clock, or ``--now``), without
the comparison with other cases' wording (POA604/POA605: run ``poa lint``). Ctrl-C stops it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.errors import PoaError, Problem, UsageError

__all__ = ["Watcher", "main"]


def _say(text: str = "") -> None:
    print(text, flush=True)


class Watcher:
    """Checks and renders one case; :meth:`cycle` is one save."""

    def __init__(self, case_file: Path, out: Path, now: str | None) -> None:
        from poaforge.check import load_catalogue

        self.case_file = case_file
        self.out = out
        self.now = now
        self.catalogue = load_catalogue()
        self.profiles: dict[tuple[str, str], dict[str, Any]] = {}

    def _now(self) -> dt.datetime | None:
        from poaforge.dates import parse_now

        return None if self.now == "none" else parse_now(self.now)

    def cycle(self, changed: Sequence[str] = ()) -> bool:
        """Read, check, print, render; True when the PDF was written. ``changed``: the files
        whose change started it (the output then says how long after their last write the
        PDF was ready)."""
        from poaforge.case.model import inspect_case
        from poaforge.check.engine import last_facts, lint_inspected
        from poaforge.check.report import counts, summary_line

        began = time.perf_counter()
        saved = max((os.stat(p).st_mtime for p in changed if os.path.exists(p)), default=None)
        case, problems = inspect_case(self.case_file)
        findings = lint_inspected(case, problems, self._now(), catalogue=self.catalogue, profiles=self.profiles,
                                  facts=last_facts(case))
        _say(f"── {time.strftime('%H:%M:%S')} {self.case_file}")
        rows = [((p.line, p.col, ""), str(p)) for p in problems] + [((f.line, f.col, f.rule), str(f)) for f in findings]
        for _, text in sorted(rows, key=lambda r: r[0]):
            _say(text)
        total = counts(findings)
        total["error"] += len(problems)
        _say(f"{summary_line(total)}" + (f" ({len(problems)} validation problems)" if problems else ""))
        if problems or case is None:
            _say(f"{self.out}: not updated — fix the problems above (poa validate {self.case_file.stem})")
            return False
        from .preview import render_preview

        try:
            pages = render_preview(case, self.out)
        except PoaError as exc:
            for problem in exc.problems:
                _say(str(problem))
            _say(f"{self.out}: not updated — fix the problem above")
            return False
        took = time.perf_counter() - began
        after = f" ({max(0.0, time.time() - saved):.2f} s after the save)" if saved is not None else ""
        _say(f"{self.out}: {pages} page{'s' if pages != 1 else ''}, rendered in {took:.2f} s{after}")
        return True


def _relevant(case_file: Path, case_dir: Path) -> Any:
    """A watchfiles filter: the case file itself and anything in its evidence folder
    (editor swap and backup files left out)."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    target, folder = str(case_file.resolve()), str(case_dir.resolve())

    def keep(change: Any, path: str) -> bool:
        real = str(Path(path).resolve())
        return (real == target or real.startswith(folder + "/")) and default(change, path)

    return keep


def main(argv: Sequence[str]) -> int:
    """``poa watch CASE [--out PDF] [--now ISO]``: check and re-render on every save until Ctrl-C."""
    from poaforge.case.model import find_cases
    from poaforge.paths import case_dir_for

    p = ArgParser(prog="poa watch", description="Re-check a case and re-render its poa.pdf on every save (Ctrl-C stops).")
    p.add_argument("case", help="case id or path of its .yaml file")
    p.add_argument("--out", type=Path, help="the PDF to write (default results/<case>/poa.pdf)")
    p.add_argument("--now", help="judge deadlines against this moment (ISO date-time; 'none': only against as_of; "
                                 "default: the clock, as `poa lint`)")
    args = p.parse_args(list(argv))
    case_file = find_cases([args.case])[0]
    if not case_file.is_file():
        raise UsageError(Problem(str(case_file), message="no such case file",
                                 hint="give a case id from cases/ (e.g. amazon-odr) or the path of its .yaml file"))
    now = "none" if args.now is not None and args.now.lower() == "none" else args.now
    if now not in (None, "none"):
        from poaforge.dates import parse_now

        parse_now(now)
    out = args.out or Path("results") / case_file.stem / "poa.pdf"
    if out.resolve().is_relative_to(case_dir_for(case_file).resolve()) or out.resolve() == case_file.resolve():
        raise UsageError(Problem(str(out), message="the PDF would be written into the case's own folder, which is watched",
                                 hint=f"write it elsewhere, e.g. --out results/{case_file.stem}/poa.pdf (the default)"))
    import watchfiles

    watcher = Watcher(case_file, out, now)
    started = False
    try:
        # the first (empty) yield comes once the file watcher runs: check and render then,
        # so a save made meanwhile is not lost
        for changes in watchfiles.watch(case_file.parent, watch_filter=_relevant(case_file, case_dir_for(case_file)),
                                        step=30, debounce=400, rust_timeout=100, yield_on_timeout=True,
                                        raise_interrupt=False):
            if started and not changes:
                continue
            try:
                watcher.cycle([path for _change, path in changes])
            except PoaError as exc:  # e.g. the file was deleted between the event and the read
                for problem in exc.problems:
                    _say(str(problem))
            if not started:
                started = True
                _say(f"watching {case_file} and {case_dir_for(case_file)}/ — save to re-check and re-render, Ctrl-C to stop")
    except KeyboardInterrupt:
        pass
    _say("poa watch: stopped")
    sys.stdout.flush()
    return 0
