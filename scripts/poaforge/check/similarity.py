"""Templated text (POA604–605): sentences shared with other cases.

Each sentence of the POA's long-text fields becomes a set of shingles (word n-grams for
Latin text, character n-grams for Chinese; lower case, numbers folded to ``#`` so a
copied sentence with other dates or counts still matches). One inverted index
shingle → sentences is built once per run over every case, so linting N cases costs
O(total sentences × shingles per sentence × ``cap``), not O(N²) comparisons. A sentence
counts as copied when ``sentence_overlap`` of its shingles occur in one sentence of
another case (exact copies are found through a hash of the whole sentence first).

Of two cases that share their wording, the one written later is the copy: a case whose
notice arrived earlier (then: whose POA is dated earlier) is not flagged for a case written
after it, so copying last month's case does not stop the old case's rebuild. With the same
dates both are flagged (which one is the copy cannot be told).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .context import Context
from .text import poa_fields, sentences

__all__ = ["SimilarityIndex", "check_similarity", "SIMILARITY_KEYS"]

#: Fields compared: long text only (owners and frequencies repeat legitimately).
SIMILARITY_KEYS: dict[str, tuple[str, ...]] = {
    "root_causes": ("what", "gap"),
    "corrective_actions": ("action",),
    "preventive_measures": ("measure", "verification"),
}
_TOKEN = re.compile(r"[a-z#]+[a-z0-9#'-]*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class _Sentence:
    path: tuple[str | int, ...]
    line: int                      # line of the field in its case file
    size: int                      # tokens
    exact: int                     # hash of the whole token sequence
    shingles: frozenset[int]


def _written(data: Any) -> tuple[str, str]:
    """When a case was written, for ordering copies: (notice received, as_of), ISO strings."""
    data = data if isinstance(data, dict) else {}
    notice = data.get("notice") if isinstance(data.get("notice"), dict) else {}
    return (str(notice.get("received") or ""), str(data.get("as_of") or ""))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_DIGITS.sub("#", text.lower()))


def _hash(tokens: list[str]) -> int:
    """Stable across processes (an index can be saved and reused), 63 bits."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=8).digest(), "big") >> 1


def _sentences(case: Any, k_words: int, k_chars: int) -> list[_Sentence]:
    out = []
    for f in poa_fields(case.data, SIMILARITY_KEYS):
        line = case.locate(f.path)[0]
        for text in sentences(f.text):
            toks = _tokens(text)
            k = k_chars if any(len(t) == 1 and t >= "\u3400" for t in toks) else k_words
            shingles = frozenset(_hash(toks[j:j + k]) for j in range(len(toks) - k + 1))
            out.append(_Sentence(f.path, line, len(toks), _hash(toks), shingles))
    return out


class SimilarityIndex:
    """Inverted shingle index over a set of cases; query one case against all the others."""

    def __init__(self, cases: Sequence[Any], settings: dict[str, Any], cap: int = 64) -> None:
        self.k_words = int(settings["shingle_words"])
        self.k_chars = int(settings["shingle_chars"])
        self.sentence_overlap = float(settings["sentence_overlap"])
        self.case_overlap = float(settings["case_overlap"])
        self.cap = cap
        self.case_ids: list[str] = []
        self.case_files: list[str] = []
        self.written: list[tuple[str, str]] = []  # case index → (notice received, as_of)
        self.position: dict[str, int] = {}
        self.owner: list[int] = []            # sentence id → case index
        self.sents: list[_Sentence] = []
        self.exact: dict[int, list[int]] = {}
        self.post: dict[int, list[int]] = {}
        for case in cases:
            self._add(case.id, str(case.path), _sentences(case, self.k_words, self.k_chars), _written(case.data))

    def _add(self, case_id: str, file: str, sents: list[_Sentence], written: tuple[str, str] = ("", "")) -> None:
        ci = len(self.case_ids)
        self.position.setdefault(case_id, ci)
        self.case_ids.append(case_id)
        self.case_files.append(file)
        self.written.append(written)
        for s in sents:
            sid = len(self.sents)
            self.sents.append(s)
            self.owner.append(ci)
            if s.shingles:
                self.exact.setdefault(s.exact, []).append(sid)
                for sh in s.shingles:
                    self.post.setdefault(sh, []).append(sid)

    def to_json(self) -> dict[str, Any]:
        """The index as JSON data: build it once for all cases, reuse it in every job."""
        cases: list[dict[str, Any]] = [{"id": i, "file": f, "written": list(w), "sentences": []}
                                       for i, f, w in zip(self.case_ids, self.case_files, self.written)]
        for s, ci in zip(self.sents, self.owner):
            cases[ci]["sentences"].append([list(s.path), s.line, s.size, s.exact, sorted(s.shingles)])
        return {"version": 2, "k_words": self.k_words, "k_chars": self.k_chars, "cases": cases}

    @classmethod
    def from_json(cls, data: dict[str, Any], settings: dict[str, Any]) -> SimilarityIndex:
        index = cls([], settings)
        if data.get("version") != 2 or data.get("k_words") != index.k_words or data.get("k_chars") != index.k_chars:
            raise ValueError("the saved index was built with other settings")
        for c in data["cases"]:
            index._add(c["id"], c["file"], [_Sentence(tuple(p), ln, size, ex, frozenset(sh)) for p, ln, size, ex, sh in c["sentences"]],
                       tuple(c["written"]))
        return index

    def _best(self, s: _Sentence, own: int, later: frozenset[int] = frozenset()) -> tuple[int, float] | None:
        for sid in self.exact.get(s.exact, ()):
            if self.owner[sid] != own and self.owner[sid] not in later:
                return sid, 1.0
        counts: Counter[int] = Counter()
        for sh in s.shingles:
            seen = 0
            for sid in self.post.get(sh, ()):
                if self.owner[sid] != own and self.owner[sid] not in later:
                    counts[sid] += 1
                    seen += 1
                    if seen >= self.cap:
                        break
        if not counts:
            return None
        sid, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        share = n / len(s.shingles)
        return (sid, share) if share >= self.sentence_overlap else None

    def copied(self, case: Any) -> list[tuple[_Sentence, int | None]]:
        """Each sentence of ``case`` with the id of the sentence it copies (or None); cases
        written after this one (:func:`_written`) are not sources: they are the copies."""
        own = self.position.get(case.id, -1)
        written = _written(case.data)
        later = frozenset(i for i, w in enumerate(self.written) if all(written) and written < w)
        mine = _sentences(case, self.k_words, self.k_chars)
        out: list[tuple[_Sentence, int | None]] = []
        for s in mine:
            hit = self._best(s, own, later) if s.shingles else None
            out.append((s, hit[0] if hit else None))
        return out


def _most_common(ids: list[int], owner: list[int]) -> int:
    counts = Counter(owner[i] for i in ids)
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def check_similarity(ctx: Context, index: SimilarityIndex) -> None:
    """POA604 for each field mostly copied from another case, POA605 for a POA mostly copied;
    not for sentences whose source case was written after this one (it is the copy)."""
    fields: dict[tuple[str | int, ...], list[tuple[_Sentence, int | None]]] = {}
    for s, hit in index.copied(ctx.case):

        fields.setdefault(s.path, []).append((s, hit))
    total = copied = 0
    all_hits: list[int] = []
    for path, rows in fields.items():
        size = sum(s.size for s, _ in rows)
        hits = [h for _, h in rows if h is not None]
        done = sum(s.size for s, h in rows if h is not None)
        total, copied = total + size, copied + done
        if not hits:
            continue
        all_hits += hits
        other = _most_common(hits, index.owner)
        first = next(h for h in hits if index.owner[h] == other)
        item = ctx.data[path[0]][path[1]]
        ctx.emit("POA604", path, where=f"{item.get('id', path[0])} {path[2]}", pct=round(100 * done / max(size, 1)),
                 other=index.case_ids[other], other_file=index.case_files[other], other_line=index.sents[first].line)
    if total and copied / total >= index.case_overlap and all_hits:
        other = _most_common(all_hits, index.owner)
        ctx.emit("POA605", ("root_causes",), key=True, pct=round(100 * copied / total),
                 other=index.case_ids[other], other_file=index.case_files[other])
