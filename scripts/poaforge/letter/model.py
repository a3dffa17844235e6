"""``letter.json``: the letter model on disk, checked against ``schemas/letter.schema.json``.

The schema is the contract between the composer (:mod:`poaforge.letter.compose`) and every
layout (PDF, DOCX, form text, index, bundle cover, checklist): a model that does not match
it is a bug of ours, reported as such, never written.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.files import read_json, write_text
from poaforge.paths import PROJECT

__all__ = ["SCHEMA", "check_model", "write_model", "read_model"]

SCHEMA = PROJECT / "schemas" / "letter.schema.json"


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def check_model(model: dict[str, Any]) -> None:
    """Raise ``ValueError`` (an internal error: a bug of the composer) listing where ``model``
    breaks the schema."""
    errors = sorted(_validator().iter_errors(model), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        where = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors[:5])
        raise ValueError(f"the letter model does not match {SCHEMA.name}: {where}")


def write_model(model: dict[str, Any], out: Path, *, checked: bool = False) -> None:
    """Check ``model`` (unless the caller just did: ``checked``) and write it as sorted,
    indented UTF-8 JSON (byte-identical for the same model)."""
    if not checked:
        check_model(model)
    write_text(Path(out), json.dumps(model, ensure_ascii=False, sort_keys=True, indent=1) + "\n")


def read_model(path: Path) -> dict[str, Any]:
    """letter.json as the letter step wrote it (BuildError naming the file when unreadable)."""
    return read_json(Path(path))
