"""``poa status`` and ``results/index.html``: every case at a glance.

One row per case: platform, enforcement, deadline and time left, last build, lint
errors and warnings (from ``results/<case>/report.json``), submission state. Rows are
ordered open cases first (no submission, or the last one rejected) by deadline — so
passed deadlines come first — then filed cases (pending, no response), then approved.
Under 72 hours left is urgent.

The page is built by the pipeline and must not depend on the build's clock: its time
left is counted from a fixed reference, the newest ``as_of`` of the cases (00:00 UTC),
and an inline script recounts it from the reader's clock. It holds no build times.

In the pipeline each case's build writes its row, ``results/<case>/status.json``
(:func:`main_row`), and the page is made from those rows (:func:`main_page`): a rebuilt
case whose row reads the same leaves the page alone (Snakemake compares the content of
small inputs whose time stamp moved), so the page is rebuilt only when a case's state
changes, or a case comes or goes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.dates import UTC, day_start, parse_deadline, parse_now, utc_minute
from poaforge.errors import Problem, UsageError

__all__ = ["Row", "collect", "read_row", "set_clock", "render_page", "main", "main_page", "main_row", "URGENT_HOURS"]

URGENT_HOURS = 72
_GROUP = {"open": 0, "filed": 1, "approved": 2}
LINKS = ("poa.pdf", "bundle.pdf", "report.txt", "checklist.md")


@dataclass
class Row:
    """One case as the table shows it."""

    case: str
    file: str
    platform: str = ""
    marketplace: str = ""
    enforcement: str = ""
    deadline: str = ""               # as written in the notice
    deadline_utc: str | None = None  # ISO, UTC
    as_of: str = ""
    state: str = "open"              # open | filed | approved
    submission: str = "none"         # "v2 rejected", …
    rejected: bool = False
    hours_left: float | None = None
    urgent: bool = False
    passed: bool = False
    errors: int | None = None        # None: no lint report yet
    warnings: int | None = None
    last_build: str | None = None    # manifest's modification time (poa status only)
    problem: str = ""                # why the case file could not be read

    def sort_key(self) -> tuple[int, str, str]:
        return (_GROUP[self.state], self.deadline_utc or "9999", self.case)


def _submission(data: dict[str, Any]) -> tuple[str, str, bool]:
    subs = [s for s in data.get("submissions") or [] if isinstance(s, dict)]
    rejected = any(s.get("outcome") == "rejected" for s in subs)
    if not subs:
        return "open", "none", False
    last = max(subs, key=lambda s: int(str(s.get("version", "0"))) if str(s.get("version", "")).isdigit() else 0)
    outcome = str(last.get("outcome", "?"))
    state = {"pending": "filed", "no-response": "filed", "approved": "approved"}.get(outcome, "open")
    text = f"v{last.get('version', '?')} {outcome}" + ("" if last.get("commit") or outcome != "rejected" else " (no commit)")
    return state, text, rejected


def _load(case_file: Path) -> Any:
    """The case data, every scalar a string (libyaml when present: a status table reads
    hundreds of files); the strict loader only to locate what is wrong with a broken file."""
    import yaml

    from poaforge.case.loader import load_yaml

    try:
        data = yaml.load(case_file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    return data if isinstance(data, dict) else load_yaml(case_file).data  # raises CaseError with the line and column


def set_clock(row: Row, now: dt.datetime | None) -> None:
    """Time left, urgent and passed of ``row`` counted from ``now``."""
    if now is None or row.deadline_utc is None:
        return
    moment = dt.datetime.strptime(row.deadline_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    row.hours_left = round((moment - now).total_seconds() / 3600, 2)
    row.passed = row.hours_left < 0
    row.urgent = row.state == "open" and row.hours_left < URGENT_HOURS


def read_row(case_file: Path, results: Path, now: dt.datetime | None, *, with_mtime: bool = True) -> Row:
    """The row of one case file (read leniently: a broken file still gets a row)."""
    from poaforge.errors import CaseError

    row = Row(case=case_file.stem, file=case_file.as_posix())
    try:
        data = _load(case_file)
    except CaseError as exc:
        row.problem = str(exc.problems[0]) if exc.problems else "unreadable"
        return row
    if not isinstance(data, dict):
        row.problem = f"{case_file}: not a case file"
        return row
    notice = data.get("notice") if isinstance(data.get("notice"), dict) else {}
    row.platform, row.marketplace = str(data.get("platform", "")), str(data.get("marketplace", ""))
    row.enforcement, row.deadline, row.as_of = str(notice.get("enforcement", "")), str(notice.get("deadline", "")), str(data.get("as_of", ""))
    row.state, row.submission, row.rejected = _submission(data)
    moment = parse_deadline(row.deadline) if row.deadline else None
    if moment is not None:
        row.deadline_utc = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        set_clock(row, now)
    folder = results / row.case
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        row.errors, row.warnings = int(report["counts"]["error"]), int(report["counts"]["warning"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    manifest = folder / "manifest.json"
    if with_mtime and manifest.is_file():
        row.last_build = utc_minute(dt.datetime.fromtimestamp(manifest.stat().st_mtime, UTC))
    return row


def collect(case_files: Sequence[Path], results: Path, now: dt.datetime | None, *, with_mtime: bool = True) -> list[Row]:
    """Rows for ``case_files`` in display order."""
    return sorted((read_row(p, results, now, with_mtime=with_mtime) for p in case_files), key=Row.sort_key)


def left_text(hours: float | None) -> str:
    if hours is None:
        return "—"
    whole = int(abs(hours))
    text = f"{whole // 24} d {whole % 24} h"
    return f"passed {text} ago" if hours < 0 else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _lint_text(row: Row) -> str:
    if row.errors is None:
        return "not linted"
    if not (row.errors or row.warnings):
        return "clean"
    return f"{_plural(row.errors, 'error')}, {_plural(row.warnings or 0, 'warning')}"


def _short(problem: str) -> str:
    """A located problem as a table cell: "unreadable, line 29 (poa validate x)"; other text as it is."""
    m = re.match(r"^cases/([^:]+)\.ya?ml:(\d+):\d+: ", problem)
    return f"unreadable, line {m.group(2)} (poa validate {m.group(1)})" if m else problem


def _mark_invalid(row: Row) -> None:
    """For a case without a quality-gate report: its validation problems, if any, as the row's
    problem ("invalid: 3 problems, first at line 12"), so it does not read "not linted"."""
    from poaforge.case.model import inspect_case

    _, problems = inspect_case(row.file)
    if problems:
        first = problems[0]
        where = f", first at line {first.line}" if first.line else ""
        row.problem = f"invalid: {_plural(len(problems), 'problem')}{where} (poa validate {row.case})"


def _shown(row: Row) -> str:
    """The deadline in UTC as the table shows it."""
    if row.deadline_utc:
        return row.deadline_utc[:16].replace("T", " ")
    return row.deadline or "—"


def _table(rows: list[Row], color: bool) -> str:
    head = ("CASE", "PLATFORM", "ENFORCEMENT", "DEADLINE (UTC)", "LEFT", "LAST BUILD", "LINT", "SUBMISSION")
    body = []
    for r in rows:
        deadline = _shown(r)
        flag = "!! " if r.state == "open" and (r.passed or r.urgent) else ""
        body.append((r.case, f"{r.platform} {r.marketplace}".strip(), r.enforcement or "—", deadline,
                     flag + left_text(r.hours_left), r.last_build or "never", _short(r.problem) or _lint_text(r), r.submission))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths)).rstrip()]
    for r, cells in zip(rows, body):
        line = "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
        if color and r.state == "open" and (r.passed or r.urgent):
            line = f"\033[{'1;31' if r.passed else '1;33'}m{line}\033[0m"
        lines.append(line)
    return "\n".join(lines)


def _cell(label: str, text: str, cls: str = "") -> str:
    return f'<td data-label="{label}"{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{text}</td>'


def render_page(rows: list[Row], reference: str, template: Path) -> str:
    """results/index.html for ``rows`` (time left counted from ``reference``)."""
    from string import Template

    e = html.escape
    out = []
    for r in rows:
        classes = [c for c, on in (("passed", r.state == "open" and r.passed), ("urgent", r.state == "open" and r.urgent and not r.passed)) if on]
        attrs = f' id="case-{e(r.case)}"' + (f' class="{" ".join(classes)}"' if classes else "")
        if r.deadline_utc:
            attrs += f' data-deadline="{e(r.deadline_utc)}" data-open="{1 if r.state == "open" else 0}"'
        names = [*LINKS, *(["changes.md"] if r.rejected else [])]
        links = ("<span>" + " ".join(f'<a href="{e(r.case)}/{n}">{n}</a>' for n in names) + "</span>") \
            if not r.problem else f"<span>{e(r.problem)}</span>"
        lint = _lint_text(r)
        lint_cls = "errors" if r.errors else "clean" if lint == "clean" else "muted"
        deadline = e(_shown(r))
        out.append(f"<tr{attrs}>" + "".join([
            _cell("Case", f'<a href="{e(r.case)}/poa.pdf">{e(r.case)}</a>', "case"),
            _cell("Platform", e(f"{r.platform} {r.marketplace}".strip() or "—")),
            _cell("Enforcement", e(r.enforcement or "—")), _cell("Deadline", deadline, "deadline"),
            _cell("Time left", e(left_text(r.hours_left)), "left"), _cell("Lint", e(lint), lint_cls),
            _cell("Submission", e(r.submission)), _cell("Files", links, "links")]) + "</tr>")
    open_rows = [r for r in rows if r.state == "open"]
    summary = (f"{_plural(len(rows), 'case')}: {len(open_rows)} open, {sum(r.state == 'filed' for r in rows)} filed, "
               f"{sum(r.state == 'approved' for r in rows)} approved.")
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(Problem(str(template), message=f"cannot read the page template ({exc.strerror})",
                                 hint="restore templates/status.html from git")) from None
    return Template(text).substitute(count=len(rows), reference=e(reference), rows="\n".join(out) or
                                     '<tr><td colspan="8">No cases yet: start one with poa new.</td></tr>', summary=e(summary))


def _reference(rows: Sequence[Row]) -> dt.datetime | None:
    """The fixed 'now' of the page: the newest as_of of the cases, at 00:00 UTC."""
    return max((s for s in (day_start(row.as_of) for row in rows) if s is not None), default=None)


def main_row(argv: Sequence[str]) -> int:
    """Step: ``status-row CASE_JSON OUT_JSON``: the case's row of the page (no clock, no build
    time), from its case file and the ``report.json`` beside OUT_JSON, as sorted JSON."""
    from poaforge.files import read_json, write_json

    if len(argv) != 2:
        raise UsageError("usage: python -m poaforge.steps status-row CASE_JSON OUT_JSON")
    case_json, out = Path(argv[0]), Path(argv[1])
    row = read_row(Path(read_json(case_json)["source"]), out.parent.parent, None, with_mtime=False)
    write_json(asdict(row), out)
    return 0


def _read_rows(paths: Sequence[Path]) -> list[Row]:
    """The rows written by :func:`main_row`, in display order; a row that cannot be read is an error."""
    from poaforge.files import read_json

    rows = []
    for path in paths:
        try:
            rows.append(Row(**read_json(path)))
        except TypeError:
            raise UsageError(Problem(str(path), message="not a row of the status page",
                                     hint="delete it and run snakemake again")) from None
    return sorted(rows, key=Row.sort_key)


def main_page(argv: Sequence[str]) -> int:
    """Step: ``status-page OUT_HTML STATUS_JSON ...``: the page from the cases' rows."""
    from poaforge.case.model import PROJECT
    from poaforge.files import write_text

    if not argv:
        raise UsageError("usage: python -m poaforge.steps status-page OUT_HTML STATUS_JSON ...")
    out = Path(argv[0])
    rows = _read_rows([Path(a) for a in argv[1:]])
    ref = _reference(rows)
    for row in rows:
        set_clock(row, ref)
    shown = ref.strftime("%Y-%m-%d 00:00 UTC (the newest as_of of the cases)") if ref else "—"
    write_text(out, render_page(rows, shown, PROJECT / "templates" / "status.html"))
    return 0


def main(argv: Sequence[str]) -> int:
    """``poa status [CASE ...] [--format text|json] [--now ISO]``: time left is counted from
    the clock (or ``--now``), and the output says which moment that was (``now: …``; JSON
    ``now`` and ``now_from``), unlike the documents of a build, which never read the clock."""
    from poaforge.case.model import find_cases

    p = ArgParser(prog="poa status", description="Every case: deadline, time left, last build, lint, submissions.")
    p.add_argument("cases", nargs="*", help="case ids (default: every cases/*.yaml)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--now", help="count time left from this moment (ISO date-time; default: the clock)")
    args = p.parse_args(list(argv))
    now = parse_now(args.now)
    files = find_cases(args.cases)
    if not files:
        raise UsageError(Problem("cases/", message="no case files found", hint="run in the project folder, or start one with `poa new`"))
    missing = [f for f in files if not f.is_file()]
    if missing:
        from poaforge.errors import CaseError

        raise CaseError([Problem(str(f), message="no such case file",
                                 hint=f"check the name (`poa status` lists every case), or start it with `poa new {f.stem}`")
                         for f in missing])
    rows = collect(files, Path("results"), now)
    for row in rows:
        if row.errors is None and not row.problem:
            _mark_invalid(row)
    source = "the clock" if args.now is None else "--now"
    if args.format == "json":
        print(json.dumps({"now": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "now_from": source,
                          "urgent_hours": URGENT_HOURS, "cases": [asdict(r) for r in rows]}, ensure_ascii=False, indent=1))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(f"now: {utc_minute(now)} ({source}; time left is counted from it)")
        print(_table(rows, color))
        late = [r.case for r in rows if r.state == "open" and (r.passed or r.urgent)]
        if late:
            print(f"\n!! {len(late)} open case(s) past the deadline or under {URGENT_HOURS} h: {', '.join(late)}", file=sys.stderr)
    return 0
