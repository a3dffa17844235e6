"""Platform rules (POA8xx), read from the merged platform profile: red metrics left
unaddressed, invoices too old, missing translations, signatory and seal requirements,
attachment count and accepted languages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from poaforge.case.metrics import case_target, meets

from .context import Context
from .text import poa_fields, whole_value

__all__ = ["check_metrics", "check_exhibit_rules", "check_signatory", "check_language_accepted"]


def _platform(ctx: Context) -> str:
    return str(ctx.profile.get("name") or ctx.data.get("platform", "the platform"))


def _mentions(texts: list[str], metric: dict[str, Any]) -> bool:
    label = str(metric.get("label", ""))
    names = {str(metric.get("name", "")).replace("_", " "), label}
    words = [w for w in re.findall(r"[A-Za-z]+", label) if w[0].isupper()]
    if len(words) >= 2:
        names.add("".join(w[0] for w in words))       # Order Defect Rate → ODR
    pattern = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])" for n in names if n), re.IGNORECASE)
    return any(pattern.search(t) for t in texts)


def check_metrics(ctx: Context) -> None:
    """POA801 (a metric off its target that no item mentions) and POA802 (a metric with no known
    target). The target is the case's own (``target:`` as the notice states it) or the profile's
    (:func:`poaforge.case.metrics.case_target`)."""
    known = {m.get("name"): m for m in ctx.profile.get("metrics") or [] if isinstance(m, dict)}
    notice = ctx.data.get("notice") or {}
    texts = [f.text for f in poa_fields(ctx.data)]
    for v in notice.get("violations") or []:
        if isinstance(v, dict):
            texts += [str(v.get(k, "")) for k in ("policy", "code")]
    seq = ctx.data.get("metrics")
    readings = [m for m in seq if isinstance(m, dict)] if isinstance(seq, list) else []
    whole = {**ctx.data, "metrics": readings, "profile": ctx.profile}
    for i, m in enumerate(seq if isinstance(seq, list) else []):
        if not isinstance(m, dict):
            continue
        name = str(m.get("name"))
        spec = known.get(name)
        goal = case_target(whole, name)
        if goal is None and not known:
            continue                                  # the profile sets no targets here: nothing to compare
        if goal is None:
            ctx.emit("POA802", ("metrics", i, "name"), where=f"metrics[{i + 1}]", name=m.get("name"),
                     platform=_platform(ctx), known=", ".join(sorted(str(k) for k in known)) or "none")
            continue
        shown = spec or {"name": name, "label": name.replace("_", " ")}
        if meets(m.get("value"), goal) is False and not _mentions(texts, shown):
            ctx.emit("POA801", ("metrics", i, "value"), where=f"metrics[{i + 1}]", label=shown.get("label", name),
                     value=m["value"], unit=m.get("unit", ""), op=goal["op"], threshold=goal["threshold"])


def check_exhibit_rules(ctx: Context) -> None:
    max_age = ctx.profile.get("invoice_max_age_days")
    received = (ctx.data.get("notice") or {}).get("received")
    translation = ctx.profile.get("translation") or {}
    required = translation.get("required_language")
    seq = ctx.data.get("exhibits")
    exhibits = [e for e in seq if isinstance(e, dict)] if isinstance(seq, list) else []
    for i, ex in enumerate(exhibits):
        eid = ex.get("id", f"exhibits[{i + 1}]")
        if max_age is not None and ex.get("kind") == "invoice" and isinstance(received, str) and isinstance(ex.get("date"), str):
            try:
                oldest = (dt.date.fromisoformat(received) - dt.timedelta(days=int(max_age))).isoformat()
            except ValueError:
                oldest = ""
            if ex["date"] < oldest:
                ctx.emit("POA803", ("exhibits", i, "date"), where=eid, date=ex["date"], days=max_age, received=received)
        lang = ex.get("language")
        if required and isinstance(lang, str) and lang != required and not ex.get("translation"):
            ctx.emit("POA804", ("exhibits", i, "language"), where=eid, language=lang, required=required,
                     certified="certified " if translation.get("certified") else "")
    att = ctx.profile.get("attachments") or {}
    limit = att.get("max_count")
    if limit is not None and att.get("mode", "separate") == "separate":
        count = len(exhibits) + (1 if att.get("poa_file") else 0)
        if count > int(limit):
            what = ctx.catalogue.word("letter_and_exhibits" if att.get("poa_file") else "exhibits", ctx.language,
                                      "the letter, which counts as one, and {n} exhibits" if att.get("poa_file")
                                      else "{n} exhibits").format(n=len(exhibits))
            ctx.emit("POA807", ("exhibits",), key=True, count=count, what=what, platform=_platform(ctx), limit=limit)


def check_signatory(ctx: Context) -> None:
    sig = ctx.profile.get("signature") or {}
    person = ((ctx.data.get("seller") or {}).get("responsible_person")) or {}
    placeholders = ctx.phrase_set("placeholders")
    if sig.get("name_title_required"):
        for key in ("name", "title"):
            value = person.get(key)
            if not isinstance(value, str) or whole_value(value) in placeholders:
                ctx.emit("POA805", ("seller", "responsible_person", key), field=key, value=value, platform=_platform(ctx))
    word = ctx.catalogue.word
    lang = ctx.language
    needs = [word(key, lang, default) for flag, key, default in (
        ("signature_required", "signature", "a handwritten signature"),
        ("seal_required", "seal", "the company seal (公章)")) if sig.get(flag)]
    if needs and not ctx.data.get("signed_letter"):  # a signed (and sealed) scan is given: nothing left to do
        action = (word("sign", lang, "sign it") if sig.get("signature_required") else word("stamp", lang, "stamp it with the company seal")) \
            if len(needs) == 1 else word("sign_and_stamp", lang, "sign it and stamp it with the company seal")
        ctx.emit("POA806", ("seller", "responsible_person"), key=True, platform=_platform(ctx),
                 what=word("and", lang, " and ").join(needs), action=action)


def check_language_accepted(ctx: Context) -> None:
    accepted = [str(x) for x in ctx.profile.get("languages") or []]
    if accepted and ctx.language not in accepted:
        ctx.emit("POA808", ("language",), language=ctx.language, platform=_platform(ctx),
                 accepted=", ".join(accepted), first=accepted[0])
