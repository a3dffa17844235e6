"""POA614: a sentence that is a near-copy of a sentence of another draft checked in the same
run, or of the tool's own wording (the scenario scaffolds that `poa new` writes), which
users copy from. Sentences are compared with rapidfuzz's ``fuzz.ratio`` after folding case,
numbers (``#``) and punctuation, so a template with other dates or counts still matches;
candidates are found through shared word 4-grams (Chinese: character 4-grams) first, so the
cost grows with the number of sentences, not with its square.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from .catalogue import Catalogue, load_data
from .drafts import DraftResult, _finding
from .finding import Finding
from .prose import Hit
from .tokens import script_of
from .units import Unit

__all__ = ["near_copies", "wording_copies", "normalise_sentence", "project_wording"]

_DIGITS = re.compile(r"\d+(?:[.,:/-]\d+)*")
_NON_WORD = re.compile(r"[^\w#\u3400-\u9fff]+")
_FIELD_LINE = re.compile(r"^\s*[^:：.。]{1,30}[:：]\s*\S")


def normalise_sentence(text: str) -> str:
    """Lower case, numbers as ``#``, punctuation dropped, single spaces."""
    return " ".join(_NON_WORD.sub(" ", _DIGITS.sub("#", text.lower())).split())


def _shingles(norm: str) -> set[str]:
    if script_of(norm) == "zh":
        chars = norm.replace(" ", "")
        return {chars[i:i + 4] for i in range(max(0, len(chars) - 3))}
    words = norm.split()
    return {" ".join(words[i:i + 4]) for i in range(max(0, len(words) - 3))}


def _long_enough(norm: str, min_words: int) -> bool:
    return len(norm.replace(" ", "")) >= 2 * min_words if script_of(norm) == "zh" else len(norm.split()) >= min_words


@lru_cache(maxsize=2)
def project_wording(root: Path) -> tuple[tuple[str, str], ...]:
    """(where, sentence) of the tool's own fixed wording: the scenario scaffolds' POA text
    (what `poa new` writes; cases are compared with each other by POA604/605)."""
    from .units import sentences

    out = []
    keys = ("what", "gap", "action", "measure", "verification")
    for folder in ("scaffolds",):
        for path in sorted((Path(root) / folder).glob("*.yaml")):
            try:
                data = load_data(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            stack = [data]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    for k, v in node.items():
                        if k in keys and isinstance(v, str) and "TODO" not in v:
                            out += [(f"{folder}/{path.name}", v[a:b]) for a, b in sentences(v)]
                        else:
                            stack.append(v)
                elif isinstance(node, list):
                    stack.extend(node)
    return tuple(out)


Row = tuple[int, "Unit | None", int, int, str, str]      # doc, unit, start, end, normalised text, where


def _rows(doc: int, units: Sequence[Unit], where: Callable[[Unit, int], str], min_words: int) -> list[Row]:
    out: list[Row] = []
    for u in units:
        if u.kind != "body":
            continue
        for a, b in u.sentence_spans():
            if _FIELD_LINE.match(u.text[a:b]):          # "Owner: …; Completed on: …" repeats by design
                continue
            norm = normalise_sentence(u.text[a:b])
            if _long_enough(norm, min_words):
                out.append((doc, u, a, b, norm, where(u, a)))
    return out


def _copies(rows: list[Row], ratio: float) -> list[tuple[int, Hit]]:
    """(doc, POA614 hit) for every sentence of a unit with a near-copy in another document."""
    from rapidfuzz import fuzz

    index: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for sh in _shingles(row[4]):
            index[sh].append(i)
    out = []
    for doc, unit, a, b, norm, _ in rows:
        if unit is None:
            continue
        seen: set[int] = set()
        best: tuple[float, int] | None = None
        for sh in _shingles(norm):
            for j in index[sh][:200]:
                if j in seen or rows[j][0] == doc:
                    continue
                seen.add(j)
                score = fuzz.ratio(norm, rows[j][4])
                if score >= ratio and (best is None or score > best[0]):
                    best = (score, j)
        if best is not None:
            out.append((doc, Hit("POA614", unit, a, b, {"pct": round(best[0]), "other": rows[best[1]][5],
                                                         "phrase": unit.text[a:b][:60]})))
    return out


def _reference(cat: Catalogue, min_words: int, skip: str = "") -> list[Row]:
    rows: list[Row] = []
    for where, text in project_wording(cat.root):
        norm = normalise_sentence(text)
        if _long_enough(norm, min_words) and not (skip and where.endswith(skip)):
            rows.append((-1, None, 0, 0, norm, where))
    return rows


def near_copies(results: Sequence[DraftResult], cat: Catalogue, *, reference: bool = True) -> None:
    """Add POA614 findings to ``results`` (in place, re-sorted): sentences copied between the
    drafts, or from the project's own wording."""
    min_words = int(cat.setting("near_copy_min_words"))
    rows: list[Row] = []
    for d, r in enumerate(results):
        rows += _rows(d, r.layout.units if r.layout else [], lambda u, a, f=r.file: f"{f}:{u.locate(a)[0]}", min_words)
    if reference:
        rows += _reference(cat, min_words)
    added: dict[int, list[Finding]] = defaultdict(list)
    for doc, hit in _copies(rows, float(cat.setting("near_copy_ratio"))):
        added[doc].append(_finding(cat, hit, results[doc].file, results[doc].language))
    for doc, found in added.items():
        results[doc].findings = sorted(results[doc].findings + found, key=Finding.sort_key)


def wording_copies(units: Sequence[Unit], cat: Catalogue, own_file: str) -> list[Hit]:
    """POA614 for a case: its sentences that copy the scaffolds' wording (other cases are
    compared by POA604/605)."""
    min_words = int(cat.setting("near_copy_min_words"))
    rows = _rows(0, units, lambda u, a: "", min_words) + _reference(cat, min_words, skip=f"cases/{Path(own_file).name}")
    return [hit for _, hit in _copies(rows, float(cat.setting("near_copy_ratio")))]
