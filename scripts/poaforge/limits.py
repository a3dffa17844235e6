"""Resource caps, so that one bad file cannot exhaust memory, disk or time.

Each cap has a default and an environment variable that overrides it for one run::

    POA_MAX_PAGES=5000 snakemake case42

=====================  ==========================  =============
variable               what                        default
=====================  ==========================  =============
POA_MAX_CASE_BYTES     size of a case file         2,000,000
POA_MAX_EXHIBITS       exhibits in one case        200
POA_MAX_PAGES          pages of one PDF exhibit    2,000
POA_MAX_PIXELS         pixels of one image         100,000,000
POA_MAX_EXHIBIT_BYTES  size of one evidence file   200,000,000
POA_MAX_EVIDENCE_BYTES all evidence files of case  500,000,000
=====================  ==========================  =============

A value that is not a whole number ≥ 1 is a ``UsageError`` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from poaforge.errors import Problem, UsageError

__all__ = ["Limits", "DEFAULTS", "ENV", "current", "raise_hint", "size_text"]


@dataclass(frozen=True)
class Limits:
    """The caps in force for one run."""

    case_bytes: int = 2_000_000
    exhibits: int = 200
    pages: int = 2_000
    pixels: int = 100_000_000
    exhibit_bytes: int = 200_000_000
    evidence_bytes: int = 500_000_000


DEFAULTS = Limits()

#: field → environment variable
ENV: dict[str, str] = {
    "case_bytes": "POA_MAX_CASE_BYTES",
    "exhibits": "POA_MAX_EXHIBITS",
    "pages": "POA_MAX_PAGES",
    "pixels": "POA_MAX_PIXELS",
    "exhibit_bytes": "POA_MAX_EXHIBIT_BYTES",
    "evidence_bytes": "POA_MAX_EVIDENCE_BYTES",
}


def _parse(name: str, raw: str) -> int:
    text = raw.strip().replace("_", "").replace(",", "")
    if not text.isdecimal() or int(text) < 1:
        raise UsageError(Problem(name, message=f"'{raw}' is not a whole number of at least 1",
                                 hint=f"write e.g. {name}={getattr(DEFAULTS, _field(name)) * 2}, or unset it for the default"))
    return int(text)


def _field(name: str) -> str:
    return next(k for k, v in ENV.items() if v == name)


def current(environ: Mapping[str, str] | None = None) -> Limits:
    """The caps for this run: the defaults, overridden by ``POA_MAX_*`` variables that are set."""
    env = os.environ if environ is None else environ
    values = {}
    for f in fields(Limits):
        raw = env.get(ENV[f.name], "")
        if raw.strip():
            values[f.name] = _parse(ENV[f.name], raw)
    return Limits(**values)


def raise_hint(key: str) -> str:
    """``set POA_MAX_PAGES to raise the cap``: the end of every "over the limit" hint."""
    return f"set {ENV[key]} to raise the cap"


def size_text(n: int) -> str:
    """``1,234 bytes`` below a megabyte, else ``12.3 MB`` (10⁶ bytes)."""
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1e6:,.1f} MB"
