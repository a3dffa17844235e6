"""The cases a case is compared with for templated text (POA604–605): every case file in
its folder, indexed once and cached by content, case by case.

The pipeline checks one case per job, and each job needs the similarity index of every
case in ``cases/``. Reading and indexing 200 cases takes about two seconds, so each case's
part of the index (its sentences' shingles; nothing for a case that is not valid) is saved
in one cache file under the SHA-256 of that case file's bytes, beside a key of the
similarity settings and of the package's source. A job reads again only
the case files whose bytes changed since (after an edit of one case: that case, which the
job has loaded anyway), and saves the parts it made for the next job. The report is the
same either way (``tests/test_lint_cli.py``).

The other case files are deliberately not inputs of the pipeline's lint step: an edit to
one case re-checks that case, not every case (a new near-copy is reported on the case that
copies). Being read by the step rather than produced by another job, they cannot make
Snakemake skip a case's jobs (see ``docs/pipeline.md``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from poaforge.deps import package_digest
from poaforge.errors import PoaError
from poaforge.files import write_text

from .catalogue import Catalogue
from .similarity import SimilarityIndex

__all__ = ["corpus_index", "corpus_key"]

def corpus_key(catalogue: Catalogue) -> str:
    """Hex SHA-256 naming how the index is built: the similarity settings and the package's
    source (a saved index made otherwise is not used)."""
    digest = hashlib.sha256(b"poa-forge corpus 2\0")
    digest.update(json.dumps(catalogue.settings["similarity"], sort_keys=True).encode())
    digest.update(b"\0code\0" + package_digest().encode())
    return digest.hexdigest()


def _digests(files: list[Path]) -> dict[str, str | None]:
    """SHA-256 of each file's bytes by its path (None for a file that cannot be read)."""
    out: dict[str, str | None] = {}
    for path in files:
        try:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            out[str(path)] = None
    return out


def _saved_parts(cache: Path, key: str) -> dict[tuple[str, str], dict[str, Any] | None]:
    """The parts of a saved index made the current way, by (file, sha256); {} when there is
    none, it cannot be read or it was made otherwise."""
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("key") != key:
            return {}
        return {(str(c["file"]), str(c["sha256"])): c["index"] for c in saved["cases"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def corpus_index(case: Any, catalogue: Catalogue, cache: Path | None = None) -> SimilarityIndex:
    """Similarity index over every ``*.yaml`` in the folder of ``case`` (a loaded case;
    unreadable or invalid neighbours are left out, as ``poa validate`` reports them).

    With ``cache``, each case file's part of the index is taken from that file when it was
    made from the same bytes, else made (the file loaded) and saved there atomically, with
    the parts of the unchanged files. A cache that cannot be read is rebuilt; one that cannot
    be written is skipped (the index then serves this call only)."""
    from poaforge.case.model import load_case

    settings = catalogue.settings["similarity"]
    own = case.path
    files = sorted(own.parent.glob("*.yaml"))
    # the case itself first, then the others in file order (the order decides which of two
    # equally close sources a finding names, so it never depends on the cache)
    order = [own] + [f for f in files if f.resolve() != own.resolve()]
    key = corpus_key(catalogue) if cache is not None else ""
    digests = _digests(order) if cache is not None else {}
    saved = _saved_parts(cache, key) if cache is not None else {}
    parts: list[dict[str, Any] | None] = []
    made = False
    for path in order:
        digest = digests.get(str(path))
        if digest is not None and (str(path), digest) in saved:
            parts.append(saved[(str(path), digest)])
            continue
        made = True
        try:
            loaded = case if path is own else load_case(path)
        except PoaError:
            loaded = None  # invalid: `poa validate` reports it
        parts.append(SimilarityIndex([loaded], settings).to_json()["cases"][0] if loaded is not None else None)
    shape = SimilarityIndex([], settings).to_json()
    index = SimilarityIndex.from_json({**shape, "cases": [p for p in parts if p is not None]}, settings)
    if cache is not None and made and None not in digests.values():
        try:
            if _digests(order) != digests:  # a case file changed while it was read: do not save
                return index
            entries = [{"file": str(path), "sha256": digests[str(path)], "index": part} for path, part in zip(order, parts)]
            write_text(cache, json.dumps({"key": key, "cases": entries}, separators=(",", ":"), sort_keys=True) + "\n")
        except (PoaError, OSError):
            pass
    return index
