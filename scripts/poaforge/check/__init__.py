"""The quality gate: ``poa lint`` checks cases, ``poa check`` checks drafts written anywhere,
against the known reasons POAs are rejected.

The rules are data (``lint/rules.yaml`` the catalogue, ``lint/text/<lang>.yaml`` the patterns
of the text rules, ``lint/sections.yaml`` the headings of a draft, ``lint/phrases/<lang>.yaml``,
``lint/glossary.yaml``, ``lint/topics.yaml``, ``lint/lang/<lang>.yaml`` the messages in other
languages). Every check reports :class:`Finding` objects pointing at the words to fix.

Names are imported on first use, so a tool that needs only the draft checker
(:func:`check_text`, e.g. a language server) does not load the case pipeline.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Catalogue": ".catalogue", "Rule": ".catalogue", "load_catalogue": ".catalogue",
    "main_lint": ".cli", "main_report": ".cli", "main_rules": ".cli", "main_check": ".cli_check",
    "build_index": ".engine", "lint_case": ".engine", "Finding": ".finding",
    "to_json": ".report", "to_text": ".report", "SimilarityIndex": ".similarity",
    "check_text": ".drafts", "check_lines": ".drafts", "DraftResult": ".drafts",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name], __name__), name)
