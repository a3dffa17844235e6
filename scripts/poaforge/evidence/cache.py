"""Content-addressed store of converted exhibits, so an unchanged exhibit is never converted again.

A conversion's key is the SHA-256 of everything its output depends on: the original's
digest, the options that shape the pages (paper, language, title…), the source of the
evidence package and its templates, and the versions of the converters. The PDF and its
facts live in ``results/.cache/evidence/<k[:2]>/<k>.pdf`` and ``.json``, shared by every
case of the project (the same supplier file in two cases is converted once), written
atomically so parallel jobs never see half a file. A later text reading of the exhibits
(OCR) can key its results the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["key_of", "cached", "code_digest"]


@cache
def code_digest() -> str:
    """Digest of the evidence package, its templates and the converters' versions."""
    from importlib import metadata

    from poaforge.paths import TEMPLATES

    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + sorted((TEMPLATES / "evidence").glob("*")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for dist in ("pillow", "pillow-heif", "img2pdf", "typst", "pikepdf", "python-calamine"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def key_of(parts: dict[str, Any]) -> str:
    """The cache key of a conversion described by ``parts`` (JSON-serialisable)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((code_digest() + "\0" + text).encode()).hexdigest()


def cached(root: Path | None, key: str, produce: Callable[[], tuple[bytes, dict[str, Any]]]) -> tuple[bytes, dict[str, Any]]:
    """``produce()`` → (PDF, facts), or the stored result for ``key`` under ``root`` (None: no store)."""
    if root is None:
        return produce()
    folder = root / key[:2]
    pdf, meta = folder / f"{key}.pdf", folder / f"{key}.json"
    try:
        return pdf.read_bytes(), json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data, facts = produce()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, body in ((pdf, data), (meta, json.dumps(facts, sort_keys=True).encode())):
            part = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            part.write_bytes(body)
            os.replace(part, target)
    except OSError:
        pass  # a full disk or read-only results folder only costs the next conversion
    return data, facts
