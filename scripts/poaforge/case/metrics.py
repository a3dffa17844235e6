"""Account metrics against the platform's targets: label, target and whether a reading meets it."""

from __future__ import annotations

import operator
from typing import Any

__all__ = ["target", "label", "meets", "within", "SYMBOLS"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def target(profile: dict[str, Any], name: str, marketplace: str = "") -> dict[str, Any] | None:
    """The profile's target for metric ``name`` on ``marketplace``, if it sets one."""
    for spec in profile.get("metrics") or []:
        if spec.get("name") != name:
            continue
        markets = spec.get("marketplaces")
        if markets and marketplace.upper() not in {str(m).upper() for m in markets}:
            return None
        return spec  # type: ignore[no-any-return]
    return None


def label(profile: dict[str, Any], name: str) -> str:
    """Dashboard label of a metric: the profile's, else the name made readable."""
    spec = target(profile, name)
    if spec and spec.get("label"):
        return str(spec["label"])
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def within(op: str, value: float, threshold: float) -> bool:
    """Whether ``value`` meets a target ``op threshold`` (``"<" 1.0``); an unknown op reads as ``<``."""
    return bool(_OPS.get(op, operator.lt)(value, threshold))


def meets(value: str | None, spec: dict[str, Any] | None) -> bool | None:
    """True/False against the target; None when there is no target or the numbers don't parse."""
    if not spec or value is None:
        return None
    try:
        return within(str(spec.get("op")), float(value), float(spec["threshold"]))
    except (KeyError, TypeError, ValueError):
        return None
