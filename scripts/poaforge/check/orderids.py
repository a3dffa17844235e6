"""POA510: order ids listed twice in one paragraph or field, or of the wrong shape for the
platform (``order_id`` in the platform profile: Amazon's 3-7-7 digits), including two ids
run together with a hyphen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .anchors import Sentence
from .prose import Hit
from .units import Unit

__all__ = ["order_id_checker"]

# long digit runs (Walmart purchase orders, TikTok and AliExpress order ids) and hyphenated ids
_ANY_ID = re.compile(r"(?<![\w-])\d{3}-\d{4,9}-\d{4,9}(?:-\d{1,9})*(?![\w-])|(?<![\w.-])\d{12,20}(?![\w-])(?!\.\d)")


def order_id_checker(profile: dict[str, Any] | None) -> Any:
    """A per-unit check for :func:`~poaforge.check.prose.lint_units` with the platform's id shape
    (``profile`` may also be a bare ``order_id`` mapping)."""
    spec = (profile or {}).get("order_id") or (profile if profile and "pattern" in profile else {})
    valid = re.compile(spec["pattern"]) if spec.get("pattern") else None
    near = re.compile(rf"(?<![\w-])(?:{spec['near']})(?![\w-])") if spec.get("near") else None
    shape = spec.get("shape", "")

    def check(unit: Unit, sents: Sequence[Sentence]) -> Iterable[Hit]:
        seen: dict[str, int] = {}
        for m in _ANY_ID.finditer(unit.text):
            ident = m.group()
            if ident in seen:
                yield Hit("POA510", unit, m.start(), m.end(), {
                    "phrase": ident, "problem": "is listed twice (once is enough; list each affected order once)",
                    "fix": "list each affected order once, and check the list against your order report"})
            seen.setdefault(ident, m.start())
            if near and valid and near.fullmatch(ident) and not valid.fullmatch(ident):
                several = ident.count("-") >= 3
                yield Hit("POA510", unit, m.start(), m.end(), {
                    "phrase": ident,
                    "problem": ("runs two ids together" if several else f"does not have the shape {shape}"),
                    "fix": f"copy the id from the order page: {shape}, one id per order, separated by commas"})

    return check
