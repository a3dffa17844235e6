"""Example cases as the pipeline sees them (case.json content), and their letters built in a folder."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (ROOT / "cases").glob("*.yaml"))

__all__ = ["ROOT", "EXAMPLES", "example", "build"]


@cache
def _example(name: str) -> str:
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise

    return json.dumps(normalise(load_case(ROOT / "cases" / f"{name}.yaml")))


def example(name: str) -> dict[str, Any]:
    """case.json content of an example case (a fresh copy each call)."""
    return copy.deepcopy(json.loads(_example(name)))


def build(case: dict[str, Any], folder: Path) -> dict[str, Path]:
    """Run the letter step on ``case`` into ``folder``; the paths of its five outputs."""
    from poaforge.letter.step import build_letter

    folder.mkdir(parents=True, exist_ok=True)
    paths = {k: folder / n for k, n in (("model", "letter.json"), ("pdf", "poa.pdf"), ("docx", "poa.docx"),
                                        ("txt", "poa.txt"), ("form", "form.json"))}
    build_letter(case, paths["model"], paths["pdf"], paths["docx"], paths["txt"], paths["form"])
    return paths
