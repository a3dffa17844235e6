"""The checked, normalised case (``results/<case>/case.json``) every later step reads.

It holds the case exactly as written plus what the documents need: exhibit numbers,
hashes and media types, the platform profile for the marketplace, and the language's
labels. Steps after validation never read the YAML again.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from poaforge.case.model import PROJECT, Case
from poaforge.errors import EvidenceError, Problem
from poaforge.evidence.sniff import media_of
from poaforge.files import sha256_file

__all__ = ["normalise"]


def normalise(case: Case, root: Path = PROJECT) -> dict[str, Any]:
    """case.json content for ``case``."""
    from poaforge.case.profile import load_labels, load_profile

    data = copy.deepcopy(case.data)
    for number, exhibit in enumerate(data["exhibits"], start=1):
        real = case.files[f"{exhibit['id']}:file"]
        digest, size, head = sha256_file(real)
        if size == 0:
            line, col = case.locate(("exhibits", number - 1, "file"))
            raise EvidenceError(Problem(str(case.path), line, col,
                                        f"exhibit {exhibit['id']}: {case.dir / exhibit['file']} is an empty file (0 bytes)",
                                        "export the document again and replace the file"))
        exhibit.update(number=number, sha256=digest, size=size, media=media_of(head) or "unknown")
    profile = load_profile(data["platform"], data["marketplace"], root)
    data["profile"] = profile
    data["labels"] = load_labels(data["language"], profile, root)
    data["source"] = case.path.as_posix()
    data["case_dir"] = case.dir.as_posix()
    return data

