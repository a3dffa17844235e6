"""The seller's submission checklist (``results/<case>/checklist.md``).

Deadline and time left, where to click, what goes into which form box, which files to
upload in which order (named per the profile), and what must still be done by hand
(signature, company seal, certified translations, red metrics). Written in the case
language from the label files; deterministic for a given ``now`` (the pipeline passes
the case's ``as_of`` at 00:00 UTC).

Run as ``python -m poaforge.steps checklist case.json [exhibits.json] checklist.md [--now ISO]``
(``--now`` defaults to the case's ``as_of`` at 00:00 UTC).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from poaforge.case.metrics import meets, target
from poaforge.dates import UTC, day_start, parse_deadline, parse_now, utc_minute
from poaforge.errors import BuildError, Problem, UsageError
from poaforge.files import read_json, write_text
from poaforge.letter.formtext import build_form, count_text, fill, in_language
from poaforge.markdown import literal as _md
from poaforge.submit.plan import planned_uploads

__all__ = ["render_checklist", "deadline_of", "main"]

def deadline_of(value: str) -> tuple[datetime, bool]:
    """The deadline as an aware datetime, and whether only a date was given (then 23:59 UTC);
    ValueError when it is neither."""
    moment = parse_deadline(value)
    if moment is None:
        raise ValueError(f"not a date or date-time: {value!r}")
    return moment, "T" not in value


def _deadline_lines(case: dict[str, Any], now: datetime, lab: dict[str, Any]) -> list[str]:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    raw = case["notice"]["deadline"]
    try:
        moment, date_only = deadline_of(raw)
    except ValueError:
        raise BuildError(Problem(case.get("source", "case"), message=f"notice.deadline '{raw}' is not a date or date-time",
                                 hint="write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM")) from None
    left = (moment - now).total_seconds()
    days, rest = divmod(int(abs(left)) // 3600, 24)
    when = f"**{_md(raw)}** ({lab['cl_deadline_date_only'] if date_only else utc_minute(moment)})"
    if left > 0:
        status = fill(lab["cl_time_left"], days=days, hours=rest)
    else:
        status = f"**{lab['cl_passed']}**{lab['colon']}" + fill(lab["cl_passed_ago"], days=days, hours=rest)
    note_text = in_language(case["profile"]["deadline"]["note"], case)
    return [f"- {when}{lab['colon']}{status}", f"- {note_text}"]


def _attachment_lines(case: dict[str, Any], exhibits: dict[str, Any] | None, lab: dict[str, Any]) -> list[str]:
    att = case["profile"]["attachments"]
    pages = {e["id"]: e.get("pages") for e in (exhibits or {}).get("exhibits", [])}
    lines = []
    plan = planned_uploads(case, exhibits)
    for n, up in enumerate(plan, start=1):
        ex = up.exhibit
        if ex is None:
            key = "cl_upload_combined" if up.role == "combined" else "cl_upload_poa"
            text = fill(lab[key], name=up.name)
            lines.append(text if up.role == "combined" else f"{n}. {text}")
            continue
        text = fill(lab["cl_upload_exhibit"], name=up.name, n=ex["number"], title=_md(ex["title"]))
        if pages.get(ex["id"]):
            count = pages[ex["id"]]
            text += f" ({fill(lab['cl_pages_one' if count == 1 else 'cl_pages'], pages=count)})"
        lines.append(f"{n}. {text}")
    limits = []
    if att["max_file_mb"]:
        limits.append(fill(lab["cl_max_file"], mb=f"{att['max_file_mb']:g}"))
    if att["max_total_mb"] and att["mode"] != "combined":
        limits.append(fill(lab["cl_max_total"], mb=f"{att['max_total_mb']:g}"))
    if att["max_count"] and att["mode"] != "combined":
        limits.append(fill(lab["cl_max_count"], count=att["max_count"]))
    if att["min_image_px"]:
        limits.append(fill(lab["cl_min_image"], w=att["min_image_px"][0], h=att["min_image_px"][1]))
    if limits:
        lines += ["", fill(lab["cl_limits"], limits=lab["list_sep"].join(limits))]
    count = len(plan)
    if att["mode"] == "separate" and att["max_count"] and count > att["max_count"]:
        lines += ["", "**" + fill(lab["cl_too_many"], max=att["max_count"], count=count) + "**"]
    return lines


def _manual_lines(case: dict[str, Any], lab: dict[str, Any]) -> list[str]:
    prof, person = case["profile"], case["seller"]["responsible_person"]
    sig, tr = prof["signature"], prof["translation"]
    who = {"name": _md(person["name"]), "title": _md(person["title"])}
    todo = []
    if sig["signature_required"]:
        todo.append(fill(lab["cl_sign"], dpi=prof["attachments"]["min_scan_dpi"] or 300, **who))
    elif sig["name_title_required"]:
        todo.append(fill(lab["cl_name_title"], **who))
    if sig["seal_required"]:
        todo.append(fill(lab["cl_seal"], placeholder=lab["seal_placeholder"]))
    need = tr["required_language"]
    for ex in case["exhibits"] if need else []:
        if ex.get("language") and ex["language"] != need:
            base = {"n": ex["number"], "title": _md(ex["title"]), "language": ex["language"], "required": need}
            if ex.get("translation"):
                if tr["certified"]:
                    todo.append(fill(lab["cl_translation_given"], file=f"`{ex['translation']}`", **base))
            else:
                todo.append(fill(lab["cl_translation_missing"], **base))
    return [f"- [ ] {t}" for t in todo] or [f"- {lab['cl_nothing']}"]


def _metric_lines(case: dict[str, Any], lab: dict[str, Any]) -> list[str]:
    latest: dict[str, dict[str, Any]] = {}
    for metric in case.get("metrics", []):  # the latest reading of each metric counts
        if metric["name"] not in latest or metric["date"] >= latest[metric["name"]]["date"]:
            latest[metric["name"]] = metric
    lines = []
    for metric in latest.values():
        spec = target(case["profile"], metric["name"], case["marketplace"])
        if spec and meets(metric["value"], spec) is False:
            window = spec["window"] or lab["cl_metric_window_unknown"]
            lines.append("- [ ] " + fill(lab["cl_metric_line"], 
                label=spec["label"], value=_md(metric["value"]), date=metric["date"], unit=spec["unit"], op=spec["op"],
                threshold=f"{spec['threshold']:g}", window=window))
    return lines


def render_checklist(case: dict[str, Any], exhibits: dict[str, Any] | None, now: datetime) -> str:
    """checklist.md for *case* (case.json content), given exhibits.json content (or None) and *now*."""
    lab, prof = case["labels"], case["profile"]
    steps = in_language(prof["submission_steps"], case)
    form = build_form(case, strict=False)
    out = [f"# {lab['cl_title']}{lab['colon']}{_md(case['case'])}", "",
           f"{prof['name']} · {_md(case['marketplace'])} · {lab['title']} · {_md(case['notice']['reference'])}", "",
           f"## {lab['cl_deadline']}", "", *_deadline_lines(case, now, lab), "",
           f"## {lab['cl_where']}", "", *(f"{i}. {s}" for i, s in enumerate(steps, start=1)), "",
           f"## {lab['cl_boxes']}", ""]
    for i, field in enumerate(form["fields"], start=1):
        line = f"{i}. " + fill(lab["cl_paste"], label=field["label"], count=count_text(field, form["format"]))
        out.append(line + ("" if field["fits"] else f" **{lab['too_long']}**"))
    out += ["", f"## {lab['cl_attachments']}", "", *_attachment_lines(case, exhibits, lab), "",
            f"## {lab['cl_manual']}", "", *_manual_lines(case, lab), ""]
    metrics = _metric_lines(case, lab)
    if metrics:
        out += [f"## {lab['cl_metrics']}", "", *metrics, ""]
    out += [f"> {lab['cl_once']}", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps checklist case.json [exhibits.json] checklist.md [--now ISO]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    now_text = None
    if "--now" in args:
        i = args.index("--now")
        if i + 1 >= len(args):
            raise UsageError("--now needs a date-time, e.g. 2026-11-20T00:00:00+00:00")
        now_text = args.pop(i + 1)
        args.pop(i)
    if len(args) not in (2, 3):
        raise UsageError("usage: python -m poaforge.steps checklist case.json [exhibits.json] checklist.md [--now ISO]")
    case = read_json(Path(args[0]))
    exhibits = read_json(Path(args[1])) if len(args) == 3 else None
    now = parse_now(now_text) if now_text else day_start(str(case.get("as_of")))
    if now is None:
        raise BuildError(Problem(args[0], message="as_of is not a date", hint="rebuild it with snakemake"))
    write_text(Path(args[-1]), render_checklist(case, exhibits, now))
    return 0
