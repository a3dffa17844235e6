"""Content checks of a case's fields: root causes (POA102–104), corrective actions
(POA202–205), preventive measures (POA301–307) and vague owners (POA401 on the owner and
role fields). What the text of a field says (superficial causes, promises, vague measures …)
is checked sentence by sentence by the text rules (:mod:`poaforge.check.casetext`)."""

from __future__ import annotations

import re
from typing import Any

from .context import Context
from .text import clip, has_cjk, size_of, whole_value

__all__ = ["check_root_causes", "check_actions", "check_measures", "check_owners"]

_DIGIT = re.compile(r"\d")


def _items(ctx: Context, section: str) -> list[tuple[int, dict[str, Any], str]]:
    seq = ctx.data.get(section)
    out = []
    for i, item in enumerate(seq if isinstance(seq, list) else []):
        if isinstance(item, dict):
            out.append((i, item, item.get("id") if isinstance(item.get("id"), str) else f"{section}[{i + 1}]"))
    return out


def _placeholder(ctx: Context, value: Any) -> bool:
    return not isinstance(value, str) or whole_value(value) in ctx.phrase_set("placeholders")


def _names_a_process(ctx: Context, text: str) -> bool:
    """The text names a process, system, tool or control (``@process`` of lint/text/<lang>.yaml)."""
    from .anchors import Sentence
    from .tokens import script_of, tokenize
    from .units import Unit

    lang = ctx.catalogue.text.get(script_of(text))
    unit = Unit(text, "root_cause", lambda _o: (1, 1), "gap")
    return lang is not None and Sentence(unit, 0, len(text), tokenize(text), lang).predicate("process")


def check_root_causes(ctx: Context) -> None:
    notice = ctx.data.get("notice")
    received = notice.get("received") if isinstance(notice, dict) else None
    for i, rc, rid in _items(ctx, "root_causes"):
        path = ("root_causes", i)
        gap = rc.get("gap") if isinstance(rc.get("gap"), str) else ""
        if gap and not _names_a_process(ctx, gap):
            ctx.emit("POA102", path + ("gap",), where=f"{rid} gap")
        when = rc.get("when")
        if isinstance(when, str) and isinstance(received, str) and when[:10] > received:
            ctx.emit("POA103", path + ("when",), where=rid, when=when, received=received)
        if "role" in rc and _placeholder(ctx, rc.get("role")):
            ctx.emit("POA104", path + ("role",), where=rid, value=rc.get("role"))


def check_actions(ctx: Context) -> None:
    as_of = ctx.data.get("as_of")
    for i, ca, cid in _items(ctx, "corrective_actions"):
        path = ("corrective_actions", i)
        text = ca.get("action") if isinstance(ca.get("action"), str) else ""
        if "done" not in ca and isinstance(ca.get("due"), str):
            due = ca["due"]
            if isinstance(as_of, str) and due < as_of:
                ctx.emit("POA203", path + ("due",), where=cid, text=clip(text), due=due, as_of=as_of)
            else:
                ctx.emit("POA202", path + ("due",), where=cid, text=clip(text), due=due)
        if "owner" in ca and _placeholder(ctx, ca.get("owner")):
            ctx.emit("POA204", path + ("owner",), where=cid, value=ca.get("owner"))
        if isinstance(ca.get("exhibits"), list) and not ca["exhibits"]:
            ctx.emit("POA205", path + ("exhibits",), where=cid, text=clip(text))


def _vague_only(ctx: Context, text: str, phrase_key: str, field: str) -> str | None:
    """The vague phrase in ``text`` when nothing concrete is left once it is removed."""
    matcher = ctx.catalogue.matcher(phrase_key)
    phrase = matcher.search(text)
    if not phrase or _DIGIT.search(text):
        return None
    rest = matcher.remove(text)
    cjk = has_cjk(text)
    need = ctx.catalogue.setting("vague_residue_chars_cjk" if cjk else "vague_residue_words", field)
    return phrase if size_of(rest, cjk) < need else None


def check_measures(ctx: Context) -> None:
    as_of = ctx.data.get("as_of")
    for i, pm, mid in _items(ctx, "preventive_measures"):
        path = ("preventive_measures", i)
        for key, rule in (("verification", "POA301"), ("frequency", "POA302"), ("owner", "POA303")):
            if key in pm and _placeholder(ctx, pm.get(key)):
                ctx.emit(rule, path + (key,), where=mid, value=pm.get(key))
        effective = pm.get("effective")
        if isinstance(effective, str) and isinstance(as_of, str) and effective > as_of:
            ctx.emit("POA304", path + ("effective",), where=mid, effective=effective, as_of=as_of)
        for key, rule in (("frequency", "POA306"), ("verification", "POA307")):
            value = pm.get(key)
            if isinstance(value, str) and not _placeholder(ctx, value):
                phrase = _vague_only(ctx, value, f"vague_{key}", key)
                if phrase:
                    ctx.emit(rule, path + (key,), where=mid, phrase=phrase)


def check_owners(ctx: Context) -> None:
    """A vague owner is the whole value being vague ("the team"), not a role that
    contains the word ("Customer Service Team Lead")."""
    vague = ctx.phrase_set("vague_owners")
    for section, key in (("root_causes", "role"), ("corrective_actions", "owner"), ("preventive_measures", "owner")):
        for i, item, iid in _items(ctx, section):
            value = item.get(key)
            if isinstance(value, str) and whole_value(value) in vague:
                ctx.emit("POA401", (section, i, key), where=f"{iid} {key}", phrase=value)
