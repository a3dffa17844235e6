"""The checked, normalised case (``results/<case>/case.json``) every later step reads.

It holds the case exactly as written plus what the documents need: exhibit numbers (in
the case's order, or in the order the letter first cites them when the profile says
``exhibit_order: first-cited``), hashes and media types, the signed letter's scan
(``signed_scan``: files, pages, hashes), the platform profile for the marketplace, and the
language's labels. Steps after validation never read the YAML again.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from poaforge.case.model import PROJECT, Case
from poaforge.errors import EvidenceError, Problem
from poaforge.evidence.sniff import media_of
from poaforge.files import sha256_file

__all__ = ["normalise", "citation_order"]

SECTIONS = ("root_causes", "corrective_actions", "preventive_measures")


def citation_order(data: dict[str, Any], sections: list[str]) -> list[str]:
    """Exhibit ids in the order the letter first cites them: the metrics table (its rows in
    :func:`poaforge.case.metrics.in_order`), then each section in ``sections`` order, each
    item's exhibits as listed; exhibits cited nowhere keep their place at the end."""
    from poaforge.case.metrics import in_order

    order: list[str] = [m["exhibit"] for m in in_order(data.get("metrics") or [])]
    for section in sections:
        for item in data.get(section) or []:
            order += item.get("exhibits") or []
    order += [e["id"] for e in data["exhibits"]]
    return list(dict.fromkeys(order))


def _signed_scan(case: Case, paper: str) -> dict[str, Any] | None:
    """Files, page counts and hashes of the signed letter's scan (``signed_letter``), each
    file read as an exhibit is (EvidenceError naming it when it is damaged or encrypted)."""
    from poaforge.evidence.intake import read_exhibit

    given = case.data.get("signed_letter")
    if not given:
        return None
    files = []
    for j, rel in enumerate([given] if isinstance(given, str) else given):
        real = case.files[f"signed_letter:{j}"]
        intake = read_exhibit(real, case.dir, f"{case.dir.as_posix()}/{rel}", paper=paper)
        files.append({"file": rel, "media": intake.media, "pages": intake.pages, "sha256": intake.sha256})
    return {"files": files, "pages": sum(f["pages"] for f in files)}


def normalise(case: Case, root: Path = PROJECT) -> dict[str, Any]:
    """case.json content for ``case``."""
    from poaforge.case.profile import load_labels, load_profile

    data = copy.deepcopy(case.data)
    profile = load_profile(data["platform"], data["marketplace"], root)
    ids = [e["id"] for e in data["exhibits"]]
    if profile.get("exhibit_order") == "first-cited":
        ids = citation_order(data, profile["sections"])
    numbers = {ident: n for n, ident in enumerate(ids, start=1)}
    for index, exhibit in enumerate(data["exhibits"]):
        real = case.files[f"{exhibit['id']}:file"]
        digest, size, head = sha256_file(real)
        if size == 0:
            line, col = case.locate(("exhibits", index, "file"))
            raise EvidenceError(Problem(str(case.path), line, col,
                                        f"exhibit {exhibit['id']}: {case.dir / exhibit['file']} is an empty file (0 bytes)",
                                        "export the document again and replace the file"))
        exhibit.update(number=numbers[exhibit["id"]], sha256=digest, size=size, media=media_of(head) or "unknown")
    data["profile"] = profile
    data["labels"] = load_labels(data["language"], profile, root)
    scan = _signed_scan(case, profile["paper"])
    if scan:
        data["signed_scan"] = scan
    data["source"] = case.path.as_posix()
    data["case_dir"] = case.dir.as_posix()
    return data
