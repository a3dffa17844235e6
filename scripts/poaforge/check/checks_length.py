"""Concision (POA601–603): items, sections and the whole POA against the length budgets
in ``lint/rules.yaml`` (words for English, characters for Chinese)."""

from __future__ import annotations

from .context import Context
from .text import POA_KEYS, size_of

__all__ = ["check_length"]


def check_length(ctx: Context) -> None:
    cjk = ctx.language == "zh"
    suffix, unit = ("_chars_cjk", "characters") if cjk else ("_words", "words")
    item_max = int(ctx.catalogue.setting("item_max" + suffix))
    section_max = int(ctx.catalogue.setting("section_max" + suffix))
    poa_max = int(ctx.catalogue.setting("poa_max" + suffix))
    total = 0
    for section, keys in POA_KEYS.items():
        seq = ctx.data.get(section)
        section_size = 0
        for i, item in enumerate(seq if isinstance(seq, list) else []):
            if not isinstance(item, dict):
                continue
            size = sum(size_of(item[k], cjk) for k in keys if isinstance(item.get(k), str))
            section_size += size
            if size > item_max:
                ctx.emit("POA601", (section, i, keys[0]), where=item.get("id", f"{section}[{i + 1}]"),
                         size=size, unit=unit, limit=item_max)
        total += section_size
        if section_size > section_max:
            ctx.emit("POA602", (section,), key=True, where=section, size=section_size, unit=unit, limit=section_max)
    if total > poa_max:
        ctx.emit("POA603", ("root_causes",), key=True, size=total, unit=unit, limit=poa_max)
