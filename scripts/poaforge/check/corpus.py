"""The cases a case is compared with for templated text (POA604–605): every case file in
its folder, indexed once and cached by content.

The pipeline checks one case per job, and each job needs the similarity index of every
case in ``cases/``. Reading and indexing 200 cases takes about two seconds, so the index
is saved in one cache file together with a key: the SHA-256 of every case file's name and
bytes, of the similarity settings and of the package source the index is built by. A job
whose key matches reads the index (a few milliseconds); otherwise it builds the index and
saves it for the next job. The report is the same either way (``tests/test_lint_cli.py``).

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

from poaforge.deps import module_files
from poaforge.errors import PoaError
from poaforge.files import write_text

from .catalogue import Catalogue
from .similarity import SimilarityIndex

__all__ = ["corpus_index", "corpus_key"]

#: Package modules whose code shapes the saved index.
_CODE = ("poaforge.check.similarity",)


def corpus_key(case_files: list[Path], catalogue: Catalogue) -> str:
    """Hex SHA-256 naming one state of the corpus: each file's name and bytes (in the given
    order), the similarity settings and the source of the modules that build the index.
    Raises ``OSError`` when a case file cannot be read."""
    digest = hashlib.sha256(b"poa-forge corpus 1\0")
    digest.update(json.dumps(catalogue.settings["similarity"], sort_keys=True).encode())
    for source in module_files(*_CODE):
        digest.update(b"\0code\0" + source.read_bytes())
    for path in case_files:
        digest.update(b"\0case\0" + path.name.encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def corpus_index(case: Any, catalogue: Catalogue, cache: Path | None = None) -> SimilarityIndex:
    """Similarity index over every ``*.yaml`` in the folder of ``case`` (a loaded case;
    unreadable or invalid neighbours are left out, as ``poa validate`` reports them).

    With ``cache``, the index is taken from that file when its key matches the folder's
    current content, else built and saved there atomically. A cache that cannot be read is
    rebuilt; one that cannot be written is skipped (the index then serves this call only)."""
    from .cli import load_others  # the command-line module loads cases; imported here to avoid a cycle
    from .engine import build_index

    settings = catalogue.settings["similarity"]
    files = sorted(case.path.parent.glob("*.yaml"))
    key = None
    if cache is not None:
        try:
            key = corpus_key(files, catalogue)
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                return SimilarityIndex.from_json(saved["index"], settings)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    index = build_index(load_others([case.path.parent], {case.path.resolve(): case}), catalogue)
    if cache is not None and key is not None:
        try:
            if corpus_key(files, catalogue) != key:  # a case file changed while it was read: do not save
                return index
            write_text(cache, json.dumps({"key": key, "index": index.to_json()}, separators=(",", ":"), sort_keys=True) + "\n")
        except (PoaError, OSError):
            pass
    return index
