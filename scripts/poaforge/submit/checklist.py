"""The seller's submission checklist (``results/<case>/checklist.md``).

The deadline as an absolute date-time with its zone (and in UTC) next to the date of the
letter, where to click, what goes into which form box (with its count and where its limit
comes from), which files to upload in which order (named as the upload plan names them), and
what must still be done by hand (signature, company seal, certified translations, red
metrics). Every word comes from the letter model (letter.json) and form.json; no clock is
read, so the same case gives the same checklist.

Run as ``python -m poaforge.steps checklist CASE_JSON LETTER_JSON FORM_JSON [EXHIBITS_JSON] CHECKLIST_MD``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.case.metrics import SYMBOLS, case_target, label, meets
from poaforge.dates import UTC, parse_deadline
from poaforge.errors import UsageError
from poaforge.files import read_json, write_text
from poaforge.letter.words import Words
from poaforge.markdown import literal as _md
from poaforge.submit.plan import planned_uploads
from poaforge.submit.upload import upload_sources

__all__ = ["render_checklist", "main"]


def _deadline_lines(case: dict[str, Any], model: dict[str, Any], w: Words) -> list[str]:
    notice = model["notice"]
    moment = parse_deadline(notice["deadline_iso"])
    if notice["date_only"]:
        shown = w.fill("cl_deadline_date_only", date=notice["deadline"])
    else:
        utc = moment.astimezone(UTC).isoformat() if moment else notice["deadline_iso"]
        shown = w.fill("cl_deadline_line", deadline=notice["deadline"], utc=w.moment(utc))
    lines = [f"- **{_md(shown)}**", f"- {_md(w.fill('cl_as_of', date=w.date(case['as_of'])))}"]
    if moment is not None and moment.date().isoformat() < case["as_of"]:
        lines[-1] += f" **{_md(w['cl_deadline_passed'])}**"
    note = case["profile"]["deadline"]["note"]
    lines.append(f"- {note.get(model['language']) or next(iter(note.values()))}")
    return lines


def _box_lines(case: dict[str, Any], form: dict[str, Any], w: Words) -> list[str]:
    lines = []
    for i, box in enumerate(form["fields"], start=1):
        source = w.fill(f"cl_limit_{box['limit_source']}", limit=f"{box['limit']:,}" if box["limit"] else "",
                        platform=case["profile"]["name"], file=case["profile"]["platform"])
        lines.append(f"{i}. {w.fill('cl_paste', label=box['label'], count=box['count'])}{w['sentence_gap']}{source}")
    return lines


def _attachment_lines(case: dict[str, Any], model: dict[str, Any], exhibits: dict[str, Any] | None, w: Words) -> list[str]:
    att = case["profile"]["attachments"]
    pages = {e["id"]: e.get("pages") for e in (exhibits or {}).get("exhibits", [])}
    named = {e["id"]: e for e in model["exhibits"]}
    lines = []
    plan = planned_uploads(case, exhibits)
    notes = {src.exhibit: src for src in upload_sources(case, exhibits)} if exhibits else {}
    for n, up in enumerate(plan, start=1):
        if up.exhibit is None:
            if up.role == "combined":
                lines.append(w.fill("cl_upload_combined", name=up.name))
            elif model["signed"]:
                scans = ", ".join(f"`{_md(f)}`" for f in model["signed"]["files"])
                lines.append(f"{n}. " + w.fill("cl_upload_signed", name=up.name, file=scans))
            else:
                lines.append(f"{n}. " + w.fill("cl_upload_poa", name=up.name))
            continue
        ex = named[up.exhibit["id"]]
        text = w.fill("cl_upload_exhibit", name=up.name, exhibit=ex["name"], title=_md(ex["title"]))
        count = pages.get(ex["id"])
        if count:
            text += w["sentence_gap"] + w.fill("cl_pages_one" if count == 1 else "cl_pages", pages=count)
        src = notes.get(ex["id"])
        if src is not None and src.note:  # a rewrite or conversion, or a signed original: say what and why
            text += w["sentence_gap"] + w.fill(f"cl_upload_{src.use}", note=_md(src.note))
        lines.append(f"{n}. {text}")
    limits = []
    if att["max_file_mb"]:
        limits.append(w.fill("cl_max_file", mb=f"{att['max_file_mb']:g}"))
    if att["max_total_mb"] and att["mode"] != "combined":
        limits.append(w.fill("cl_max_total", mb=f"{att['max_total_mb']:g}"))
    if att["max_count"] and att["mode"] != "combined":
        limits.append(w.fill("cl_max_count", count=att["max_count"]))
    if att["min_image_px"]:
        limits.append(w.fill("cl_min_image", w=att["min_image_px"][0], h=att["min_image_px"][1]))
    if limits:
        lines += ["", w.fill("cl_limits", limits=w["list_sep"].join(limits))]
    if att["mode"] == "separate" and att["max_count"] and len(plan) > att["max_count"]:
        lines += ["", "**" + w.fill("cl_too_many", max=att["max_count"], count=len(plan)) + "**"]
    return lines


def _manual_lines(case: dict[str, Any], model: dict[str, Any], w: Words) -> list[str]:
    prof, person = case["profile"], case["seller"]["responsible_person"]
    sig, tr = prof["signature"], prof["translation"]
    who = {"name": _md(person["name"]), "title": _md(person["title"])}
    todo = []
    if model["signed"]:
        pages = w.fill("cl_pages_one" if model["signed"]["pages"] == 1 else "cl_pages", pages=model["signed"]["pages"])
        todo.append(w.fill("cl_signed_given", file=", ".join(f"`{_md(f)}`" for f in model["signed"]["files"]), pages=pages))
    else:
        if sig["signature_required"]:
            todo.append(w.fill("cl_sign", dpi=prof["attachments"]["min_scan_dpi"] or 300, **who))
        elif sig["name_title_required"]:
            todo.append(w.fill("cl_name_title", **who))
        if sig["seal_required"]:
            todo.append(w.fill("cl_seal", placeholder=w["seal_placeholder"]))
    named = {e["id"]: e for e in model["exhibits"]}
    need = tr["required_language"]
    for ex in sorted(case["exhibits"], key=lambda e: int(e["number"])) if need else []:
        if ex.get("language") and ex["language"] != need:
            base = {"exhibit": named[ex["id"]]["name"], "title": _md(named[ex["id"]]["title"]),
                    "language": ex["language"], "required": need}
            if ex.get("translation"):
                if tr["certified"]:
                    todo.append(w.fill("cl_translation_given", file=f"`{_md(ex['translation'])}`", **base))
            else:
                todo.append(w.fill("cl_translation_missing", **base))
    return [f"- [ ] {t}" for t in todo] or [f"- {w['cl_nothing']}"]


def _metric_lines(case: dict[str, Any], model: dict[str, Any], w: Words) -> list[str]:
    """The latest reading of each metric that misses its target (the case's, else the profile's)."""
    latest: dict[str, dict[str, Any]] = {}
    for metric in case.get("metrics", []):
        if metric["name"] not in latest or metric["date"] >= latest[metric["name"]]["date"]:
            latest[metric["name"]] = metric
    lines = []
    for name, metric in latest.items():
        spec = case_target(case, name)
        if spec and meets(metric["value"], spec) is False:
            unit = "" if spec["unit"] == "count" else ("%" if spec["unit"] == "%" else f" {w['unit_' + spec['unit']]}")
            window = next((m.get("window") for m in case["profile"].get("metrics") or [] if m["name"] == name), None) \
                or w["cl_metric_window_unknown"]
            lines.append("- [ ] " + w.fill("cl_metric_line", label=label(case["profile"], name),
                                           value=_md(metric["value"]) + unit, date=w.date(metric["date"]),
                                           target=f"{SYMBOLS[spec['op']]} {spec['threshold']:g}{unit}", window=window))
    return lines


def render_checklist(case: dict[str, Any], model: dict[str, Any], form: dict[str, Any], exhibits: dict[str, Any] | None) -> str:
    """checklist.md for ``case`` (case.json), its letter model, form.json and exhibits.json (or None)."""
    w, prof = Words(model["labels"]), case["profile"]
    steps = prof["submission_steps"].get(model["language"]) or next(iter(prof["submission_steps"].values()))
    out = [f"# {w['cl_title']}{w['colon']}{_md(case['case'])}", "",
           f"{prof['name']} · {_md(case['marketplace'])} · {model['title']} · {_md(model['notice']['reference'])}", "",
           f"## {w['cl_deadline']}", "", *_deadline_lines(case, model, w), "",
           f"## {w['cl_where']}", "", *(f"{i}. {s}" for i, s in enumerate(steps, start=1)), "",
           f"## {w['cl_boxes']}", "", *_box_lines(case, form, w), "",
           f"## {w['cl_attachments']}", "", *_attachment_lines(case, model, exhibits, w), "",
           f"## {w['cl_manual']}", "", *_manual_lines(case, model, w), ""]
    metrics = _metric_lines(case, model, w)
    if metrics:
        out += [f"## {w['cl_metrics']}", "", *metrics, ""]
    out += [f"> {w['cl_once']}", ""]
    return "\n".join(out)


def main(argv: Sequence[str]) -> int:
    """``python -m poaforge.steps checklist CASE_JSON LETTER_JSON FORM_JSON [EXHIBITS_JSON] CHECKLIST_MD``."""
    args = list(argv)
    if len(args) not in (4, 5):
        raise UsageError("usage: python -m poaforge.steps checklist CASE_JSON LETTER_JSON FORM_JSON [EXHIBITS_JSON] CHECKLIST_MD")
    case, model, form = (read_json(Path(a)) for a in args[:3])
    exhibits = read_json(Path(args[3])) if len(args) == 5 else None
    write_text(Path(args[-1]), render_checklist(case, model, form, exhibits))
    return 0
