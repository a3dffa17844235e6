"""``manifest.json``: the SHA-256 of every input and output of a case's build, the tool
versions and the git commit, so what was filed can be proven later.

Run as ``python -m poaforge.steps manifest results/<case>/case.json results/<case>/manifest.json``.
It contains no time stamps, so two builds of the same inputs write the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from poaforge.errors import PoaError
from poaforge.files import read_json, sha256_file, write_json

__all__ = ["build_manifest", "main", "TOOLS"]

TOOLS = ("poaforge", "snakemake", "typst", "pypdf", "img2pdf", "pillow", "pypandoc-binary", "jsonschema", "PyYAML")
_PROJECT_INPUTS = ("schemas/*.json", "platforms/*.yaml", "templates/*.typ", "templates/lang/*.yaml",
                   "templates/*.docx", "lint/*.yaml", "lint/*/*.yaml")


def _entry(path: Path, known: dict[str, tuple[str, int]] | None = None) -> dict[str, Any]:
    """``path``'s SHA-256 and size; ``known`` gives, by path, those intake took of the bytes it
    read in this build (exhibits.json): used when the file still has that size, never hashed twice."""
    hit = (known or {}).get(path.as_posix())
    try:
        if hit is not None and path.stat().st_size == hit[1]:
            return {"path": path.as_posix(), "sha256": hit[0], "bytes": hit[1]}
    except OSError:
        pass
    digest, size, _ = sha256_file(path)
    return {"path": path.as_posix(), "sha256": digest, "bytes": size}


def _intake_digests(case_dir: Path, results: Path) -> dict[str, tuple[str, int]]:
    """(SHA-256, size) of each evidence file as intake read it (``results/exhibits.json``; an
    exhibit that is an e-mail's attachment records the attachment's, so it is left out); {}
    without a readable exhibits.json."""
    try:
        entries = read_json(results / "exhibits.json").get("exhibits", [])
    except PoaError:
        return {}
    return {(case_dir / e["file"]).as_posix(): (str(e["sha256"]), int(e["size"]))
            for e in entries if isinstance(e, dict) and not e.get("attachment") and e.get("sha256") and e.get("file")}


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in TOOLS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import pypandoc

        from poaforge.letter.docx import use_bundled_pandoc

        use_bundled_pandoc()
        out["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError, RuntimeError):
        pass
    return out


def _git(case_file: str) -> dict[str, Any] | None:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True, timeout=10).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--", case_file))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "case_file_modified_since_commit": dirty}


def build_manifest(case: dict[str, Any], results: Path) -> dict[str, Any]:
    """Inputs (case, evidence, project data, templates) and outputs of ``results``."""
    case_dir = Path(case["case_dir"])
    known = _intake_digests(case_dir, results)
    inputs = [_entry(Path(case["source"]))]
    for exhibit in case["exhibits"]:
        for field in ("file", "translation"):
            if exhibit.get(field):
                inputs.append(_entry(case_dir / exhibit[field], known))
    for scan in (case.get("signed_scan") or {}).get("files", []):  # the signed letter, uploaded in place of poa.pdf
        inputs.append(_entry(case_dir / scan["file"]))
    for pattern in _PROJECT_INPUTS:
        inputs += [_entry(p) for p in sorted(Path().glob(pattern))]
    outputs = [_entry(p) for p in sorted(results.rglob("*"))
               if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".")]
    return {
        "case": case["case"],
        "platform": case["platform"],
        "marketplace": case["marketplace"],
        "as_of": case["as_of"],
        "inputs": inputs,
        "outputs": outputs,
        "tools": _versions(),
        "git": _git(case["source"]),
    }


def main(argv: Sequence[str]) -> int:
    case_json, out = Path(argv[0]), Path(argv[1])
    case = read_json(case_json)
    write_json(build_manifest(case, out.parent), out)
    return 0
