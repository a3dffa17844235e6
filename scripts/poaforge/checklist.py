"""The seller's submission checklist (``results/<case>/checklist.md``).

Deadline and time left, where to click, what goes into which form box, which files to
upload in which order (named per the profile), and what must still be done by hand
(signature, company seal, certified translations, red metrics). Written in the case
language from the label files; deterministic for a given ``now`` (the pipeline passes
the case's ``as_of`` at 00:00 UTC).

Run as ``python -m poaforge.checklist case.json [exhibits.json] checklist.md [--now ISO]``
(``--now`` defaults to the case's ``as_of`` at 00:00 UTC).
"""

from __future__ import annotations

import json
import operator
import os
import re
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, PoaError, Problem, UsageError
from poaforge.formtext import build_form
from poaforge.upload import planned_uploads

__all__ = ["render_checklist", "deadline_of", "main"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_MD = re.compile(r"([\\`*_\[\]<>#|~!$&])")


def _md(text: str) -> str:
    """Case text as literal Markdown (every markup character escaped, one line)."""
    return _MD.sub(r"\\\1", " ".join(str(text).split()))


def deadline_of(value: str) -> tuple[datetime, bool]:
    """The deadline as an aware datetime, and whether only a date was given (then 23:59 UTC)."""
    if "T" not in value:
        return datetime.combine(date.fromisoformat(value), time(23, 59), timezone.utc), True
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)), False


def _deadline_lines(case: dict[str, Any], now: datetime, lab: dict[str, Any]) -> list[str]:
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    raw = case["notice"]["deadline"]
    try:
        moment, date_only = deadline_of(raw)
    except ValueError:
        raise BuildError(Problem(case.get("source", "case"), message=f"notice.deadline '{raw}' is not a date or date-time",
                                 hint="write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM")) from None
    left = (moment - now).total_seconds()
    days, rest = divmod(int(abs(left)) // 3600, 24)
    utc = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    when = f"**{_md(raw)}** ({lab['cl_deadline_date_only'] if date_only else utc})"
    if left > 0:
        status = lab["cl_time_left"].format(days=days, hours=rest)
    else:
        status = f"**{lab['cl_passed']}**{lab['colon']}" + lab["cl_passed_ago"].format(days=days, hours=rest)
    note = case["profile"]["deadline"]["note"]
    note_text = note.get(case["language"]) or next(iter(note.values()))
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
            text = lab[key].format(name=up.name)
            lines.append(text if up.role == "combined" else f"{n}. {text}")
            continue
        text = lab["cl_upload_exhibit"].format(name=up.name, n=ex["number"], title=_md(ex["title"]))
        if pages.get(ex["id"]):
            count = pages[ex["id"]]
            text += f" ({lab['cl_pages_one' if count == 1 else 'cl_pages'].format(pages=count)})"
        lines.append(f"{n}. {text}")
    limits = []
    if att["max_file_mb"]:
        limits.append(lab["cl_max_file"].format(mb=f"{att['max_file_mb']:g}"))
    if att["max_total_mb"] and att["mode"] != "combined":
        limits.append(lab["cl_max_total"].format(mb=f"{att['max_total_mb']:g}"))
    if att["max_count"] and att["mode"] != "combined":
        limits.append(lab["cl_max_count"].format(count=att["max_count"]))
    if att["min_image_px"]:
        limits.append(lab["cl_min_image"].format(w=att["min_image_px"][0], h=att["min_image_px"][1]))
    if limits:
        lines += ["", lab["cl_limits"].format(limits=lab["list_sep"].join(limits))]
    count = len(plan)
    if att["mode"] == "separate" and att["max_count"] and count > att["max_count"]:
        lines += ["", "**" + lab["cl_too_many"].format(max=att["max_count"], count=count) + "**"]
    return lines


def _manual_lines(case: dict[str, Any], lab: dict[str, Any]) -> list[str]:
    prof, person = case["profile"], case["seller"]["responsible_person"]
    sig, tr = prof["signature"], prof["translation"]
    who = {"name": _md(person["name"]), "title": _md(person["title"])}
    todo = []
    if sig["signature_required"]:
        todo.append(lab["cl_sign"].format(dpi=prof["attachments"]["min_scan_dpi"] or 300, **who))
    elif sig["name_title_required"]:
        todo.append(lab["cl_name_title"].format(**who))
    if sig["seal_required"]:
        todo.append(lab["cl_seal"].format(placeholder=lab["seal_placeholder"]))
    need = tr["required_language"]
    for ex in case["exhibits"] if need else []:
        if ex.get("language") and ex["language"] != need:
            base = {"n": ex["number"], "title": _md(ex["title"]), "language": ex["language"], "required": need}
            if ex.get("translation"):
                if tr["certified"]:
                    todo.append(lab["cl_translation_given"].format(file=f"`{ex['translation']}`", **base))
            else:
                todo.append(lab["cl_translation_missing"].format(**base))
    return [f"- [ ] {t}" for t in todo] or [f"- {lab['cl_nothing']}"]


def _metric_lines(case: dict[str, Any], lab: dict[str, Any]) -> list[str]:
    targets = {m["name"]: m for m in case["profile"]["metrics"]}
    latest: dict[str, dict[str, Any]] = {}
    for metric in case.get("metrics", []):  # the latest reading of each metric counts
        if metric["name"] not in latest or metric["date"] >= latest[metric["name"]]["date"]:
            latest[metric["name"]] = metric
    lines = []
    for metric in latest.values():
        target = targets.get(metric["name"])
        if target and not _OPS[target["op"]](float(metric["value"]), float(target["threshold"])):
            window = target["window"] or lab["cl_metric_window_unknown"]
            lines.append("- [ ] " + lab["cl_metric_line"].format(
                label=target["label"], value=_md(metric["value"]), date=metric["date"], unit=target["unit"], op=target["op"],
                threshold=f"{target['threshold']:g}", window=window))
    return lines


def render_checklist(case: dict[str, Any], exhibits: dict[str, Any] | None, now: datetime) -> str:
    """checklist.md for *case* (case.json content), given exhibits.json content (or None) and *now*."""
    lab, prof = case["labels"], case["profile"]
    lang = case["language"]
    steps = prof["submission_steps"].get(lang) or next(iter(prof["submission_steps"].values()))
    form = build_form(case, strict=False)
    out = [f"# {lab['cl_title']}{lab['colon']}{_md(case['case'])}", "",
           f"{prof['name']} · {_md(case['marketplace'])} · {lab['title']} · {_md(case['notice']['reference'])}", "",
           f"## {lab['cl_deadline']}", "", *_deadline_lines(case, now, lab), "",
           f"## {lab['cl_where']}", "", *(f"{i}. {s}" for i, s in enumerate(steps, start=1)), "",
           f"## {lab['cl_boxes']}", ""]
    for i, field in enumerate(form["fields"], start=1):
        if field["limit"] is None:
            count = lab["count_plain"].format(chars=field["chars"])
        else:
            count = lab["count_limit"].format(chars=field["chars"], limit=field["limit"])
        line = f"{i}. " + lab["cl_paste"].format(label=field["label"], count=count)
        out.append(line + ("" if field["fits"] else f" **{lab['too_long']}**"))
    out += ["", f"## {lab['cl_attachments']}", "", *_attachment_lines(case, exhibits, lab), "",
            f"## {lab['cl_manual']}", "", *_manual_lines(case, lab), ""]
    metrics = _metric_lines(case, lab)
    if metrics:
        out += [f"## {lab['cl_metrics']}", "", *metrics, ""]
    out += [f"> {lab['cl_once']}", ""]
    return "\n".join(out)


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(Problem(str(path), message=f"cannot read: {exc}", hint="rebuild it with snakemake")) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.checklist case.json [exhibits.json] checklist.md [--now ISO]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        now_text = None
        if "--now" in args:
            i = args.index("--now")
            if i + 1 >= len(args):
                raise UsageError("--now needs a date-time, e.g. 2026-11-20T00:00:00+00:00")
            now_text = args.pop(i + 1)
            args.pop(i)
        if len(args) not in (2, 3):
            raise UsageError("usage: python -m poaforge.checklist case.json [exhibits.json] checklist.md [--now ISO]")
        case = _load(Path(args[0]))
        exhibits = _load(Path(args[1])) if len(args) == 3 else None
        try:
            now = deadline_of(now_text)[0] if now_text and "T" in now_text else \
                datetime.combine(date.fromisoformat(now_text or case["as_of"]), time(0), timezone.utc)
        except ValueError:
            raise UsageError(f"--now: '{now_text}' is not an ISO date or date-time") from None
        out = Path(args[-1])
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            tmp.write_text(render_checklist(case, exhibits, now), encoding="utf-8", newline="\n")
            os.replace(tmp, out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise BuildError(Problem(str(out), message=f"cannot write: {exc.strerror}", hint="check the folder")) from None
    except PoaError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
