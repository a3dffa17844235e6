"""The case: one YAML file strictly loaded, validated against the schema, checked for consistency
and normalised into case.json (with its platform profile and labels)."""

from poaforge.case.model import CASE_ID, PROJECT, SCHEMA, Case, find_cases, load_case

__all__ = ["CASE_ID", "PROJECT", "SCHEMA", "Case", "find_cases", "load_case"]
