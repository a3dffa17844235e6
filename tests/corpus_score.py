"""Scoring `poa check` on the POA development corpus (shared/poa-dev-corpus), in process.

Does what the corpus's own ``tools/score.py`` does — each item of corpus.yaml as a small draft
under the heading of its section, all of them checked in one run (so near-copies between
items count), and each whole draft on its own — and measures one thing more: for the
drafts, whether a finding lands on the *words* of a clean sentence (its span), not only
on its line. Several drafts put a flawed and a clean sentence on one line, so a line-based
count charges the clean one with the flawed one's finding.

Used by tests/test_check_corpus.py and `make bench` (tools/bench.py).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from poaforge.check.catalogue import load_catalogue
from poaforge.check.draft import Line, read_draft
from poaforge.check.drafts import DraftResult, check_lines
from poaforge.check.nearcopy import near_copies

HEADINGS = {
    "en": {"opening": "Opening", "root_cause": "Root cause", "corrective": "Corrective actions",
           "preventive": "Preventive measures", "closing": "Closing", "form": "Supporting documents"},
    "zh": {"opening": "开头", "root_cause": "根本原因", "corrective": "纠正措施",
           "preventive": "预防措施", "closing": "结尾", "form": "证明材料"},
}


#: The figures of the last :func:`score` run, for the test summary (tests/conftest.py).
LAST_LINES: list[str] = []


def corpus_dir() -> Path | None:
    """The corpus folder: $POA_SHARED/poa-dev-corpus or ../shared/poa-dev-corpus beside the project."""
    base = Path(os.environ["POA_SHARED"]) if os.environ.get("POA_SHARED") else Path(__file__).resolve().parents[1].parent / "shared"
    path = base / "poa-dev-corpus"
    return path if (path / "corpus.yaml").is_file() else None


@dataclass
class Score:
    """Recall per (category, language), clean items flagged, and per draft its figures."""

    hit: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    clean_flagged: list[str] = field(default_factory=list)
    clean_total: int = 0
    misses: list[str] = field(default_factory=list)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def recall(self, category: str) -> float:
        h = sum(v for (c, _), v in self.hit.items() if c == category)
        t = sum(v for (c, _), v in self.total.items() if c == category)
        return h / t if t else 1.0

    def categories(self) -> list[str]:
        return sorted({c for c, _ in self.total})

    def lines(self) -> list[str]:
        out = ["corpus.yaml: recall per category (en / zh / all)"]
        for cat in self.categories():
            cells = [f"{self.hit[(cat, lang)]}/{self.total[(cat, lang)]}" if self.total[(cat, lang)] else "-" for lang in ("en", "zh")]
            out.append(f"  {cat:22} {cells[0]:>7} {cells[1]:>7}  {100 * self.recall(cat):5.1f} %")
        h, t = sum(self.hit.values()), sum(self.total.values())
        cf = len(self.clean_flagged)
        out.append(f"  all flawed: {h}/{t} = {100 * h / max(t, 1):.1f} %; clean flagged: {cf}/{self.clean_total} "
                   f"= {100 * cf / max(self.clean_total, 1):.1f} %")
        out.append("drafts: flawed caught | clean with a finding on its words | clean sharing a line with any finding")
        for name, d in sorted(self.drafts.items()):
            out.append(f"  {name:34} {d['caught']:>2}/{d['flawed']:<2} = {100 * d['caught'] / max(d['flawed'], 1):5.1f} %"
                       f" | {d['clean_span']}/{d['clean']} | {d['clean_line']}/{d['clean']}")
        return out


def _on(findings: list[Any], lines: set[int], cats: set[str]) -> bool:
    return any(f.line in lines and (not cats or f.category in cats) for f in findings)


def score(root: Path | None = None) -> Score:
    """Check every corpus item and draft; the figures the issue's targets are about."""
    base = root or corpus_dir()
    assert base is not None, "development corpus not found"
    cat = load_catalogue()
    items = yaml.safe_load((base / "corpus.yaml").read_text(encoding="utf-8"))
    out = Score()
    results: list[DraftResult] = []
    for it in items:
        head = HEADINGS[it["language"]].get(it["section"], HEADINGS[it["language"]]["root_cause"])
        text = it["text"].rstrip("\n")
        lines = [Line(1, head)] + [Line(n, t) for n, t in enumerate(text.split("\n"), 2)]
        results.append(check_lines(lines, f"{it['id']}.txt", catalogue=cat))
    near_copies(results, cat)
    for it, res in zip(items, results):
        text = it["text"].rstrip("\n")
        lines = set(range(2, 2 + text.count("\n") + 1))
        if it["category"] == "clean":
            out.clean_total += 1
            if _on(res.findings, lines, set()):
                out.clean_flagged.append(f"{it['id']}: {text[:70]} ← " + "; ".join(
                    f"{f.rule} {f.match[:30]!r}" for f in res.findings if f.line in lines))
        else:
            key = (it["category"], it["language"])
            out.total[key] += 1
            if _on(res.findings, lines, {it["category"], *it.get("also", [])}):
                out.hit[key] += 1
            else:
                out.misses.append(f"{it['id']} {it['category']}: {text[:80]}")
    for exp in sorted((base / "drafts").glob("*.expect.yaml")):
        spec = yaml.safe_load(exp.read_text(encoding="utf-8"))
        path = base / "drafts" / spec["draft"]
        res = check_lines(read_draft(path), path.name, catalogue=cat)
        near_copies([res], cat)
        out.drafts[spec["draft"]] = _draft_figures(path, res, spec, out)
    LAST_LINES[:] = out.lines()
    return out


def _draft_figures(path: Path, res: DraftResult, spec: dict[str, Any], out: Score) -> dict[str, Any]:
    text_lines = path.read_text(encoding="utf-8").splitlines()

    def where(text: str) -> list[tuple[int, int, int]]:
        probe = text.strip()
        found = []
        for i, line in enumerate(text_lines, 1):
            col = line.find(probe[:40])
            if col >= 0:
                found.append((i, col + 1, col + 1 + len(probe)))
        return found

    caught = 0
    for e in spec.get("flawed", []):
        spots = where(e["text"])
        if _on(res.findings, {ln for ln, _, _ in spots}, {e["category"], *e.get("also", [])}):
            caught += 1
        else:
            out.misses.append(f"{path.name} {e['id']} {e['category']}: {e['text'][:70]}")
    span = line = 0
    for e in spec.get("clean", []):
        spots = where(e["text"])
        on_line = [f for f in res.findings if f.line in {ln for ln, _, _ in spots}]
        line += bool(on_line)
        on_words = [f for f in on_line for ln, a, b in spots
                    if f.line == ln and f.col < b and (f.end_col or f.col + 1) > a and f.end_line in (0, ln)]
        if on_words:
            span += 1
            out.clean_flagged.append(f"{path.name} {e['id']}: {e['text'][:60]} ← " +
                                     "; ".join(f"{f.rule} {f.match[:30]!r}" for f in on_words))
    return {"flawed": len(spec.get("flawed", [])), "caught": caught, "clean": len(spec.get("clean", [])),
            "clean_span": span, "clean_line": line}
