"""``poa lint``: check a case against the known reasons POAs are rejected.

The rules are data (``lint/rules.yaml``, ``lint/phrases/<lang>.yaml``,
``lint/glossary.yaml``); each check reads the case and the platform profile and reports
:class:`Finding` objects pointing at the line of the case file to fix.
"""

from __future__ import annotations

from .catalogue import Catalogue, Rule, load_catalogue
from .cli import main_lint, main_report, main_rules
from .engine import build_index, lint_case
from .finding import Finding
from .report import to_json, to_text
from .similarity import SimilarityIndex

__all__ = ["lint_case", "build_index", "Finding", "Rule", "Catalogue", "load_catalogue", "SimilarityIndex",
           "to_json", "to_text", "main_lint", "main_rules", "main_report"]
