"""Account metrics against their targets: label, target (the case's, else the profile's), whether a
reading meets it, and the order in which the letter lists the readings."""

from __future__ import annotations

import operator
import re
from typing import Any

__all__ = ["target", "case_target", "label", "meets", "within", "in_order", "SYMBOLS"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ASCII = {"≤": "<=", "≥": ">="}
_TARGET = re.compile(r"^(<=|>=|<|>|≤|≥) ?(-?[0-9]+(?:\.[0-9]+)?)$")
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


def case_target(case: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The target of metric ``name`` for ``case`` (case.json content): the first reading's
    ``target`` ("<= 4", as the notice states it) wins over the platform profile's; None when
    neither sets one. Shape: ``{"op": "<=", "threshold": 4.0, "unit": "%", "source": "case"|"profile"}``."""
    for reading in case.get("metrics") or []:
        if reading.get("name") == name and reading.get("target"):
            found = _TARGET.match(str(reading["target"]).strip())
            if found:
                op = _ASCII.get(found[1], found[1])
                return {"op": op, "threshold": float(found[2]), "unit": reading.get("unit", ""), "source": "case"}
    spec = target(case.get("profile") or {}, name, str(case.get("marketplace", "")))
    if spec is None:
        return None
    return {"op": spec["op"], "threshold": float(spec["threshold"]), "unit": spec["unit"], "source": "profile"}


def in_order(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Readings as the letter lists them: grouped by metric in the order each first appears
    in the case, oldest reading first within a metric."""
    first = {name: i for i, name in reversed(list(enumerate(m["name"] for m in metrics)))}
    return sorted(metrics, key=lambda m: (first[m["name"]], m["date"]))


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
