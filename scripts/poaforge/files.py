"""Output files, written whole or not at all, and file digests.

Every step writes through :func:`write_bytes` / :func:`write_text` / :func:`write_json`
(and reads what an earlier step wrote with :func:`read_json`):
the data goes to a temporary file beside the target (``.<name>.<random>.tmp``, the
usual permissions), which then replaces the target in one ``os.replace``. A full disk or
a read-only folder leaves the previous output (or none) and raises one ``BuildError``
naming the file, never a half-written output.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem

__all__ = ["write_bytes", "write_text", "write_json", "read_json", "sha256_file"]

_HINT = "free some disk space and check that the results folder is writable"


def write_bytes(out: Path, data: bytes, *, what: str = "") -> None:
    """Write ``data`` to ``out`` atomically; ``what`` names it in the error ("the PDF")."""
    out = Path(out)
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600: give the file the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        what = f" {what}" if what else ""
        raise BuildError(Problem(str(out), message=f"cannot write{what} ({exc.strerror or exc})", hint=_HINT)) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_text(out: Path, text: str, *, what: str = "") -> None:
    """Write ``text`` as UTF-8 (line ends as given) to ``out`` atomically."""
    write_bytes(out, text.encode("utf-8"), what=what)


def write_json(obj: Any, out: Path) -> None:
    """Write ``obj`` as stable, readable UTF-8 JSON (one space indent) atomically."""
    write_text(out, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object an earlier step wrote (case.json, exhibits.json); BuildError naming the file when unusable."""
    again = "delete it and run the pipeline again (snakemake <case>)"
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BuildError(Problem(str(path), message=f"cannot read ({exc.strerror or exc})",
                                 hint="run the pipeline step that makes it (snakemake <case>)")) from None
    except ValueError as exc:
        raise BuildError(Problem(str(path), message=f"not valid JSON ({exc})", hint=again)) from None
    if not isinstance(value, dict):
        raise BuildError(Problem(str(path), message="expected a JSON object", hint=again))
    return value


def sha256_file(path: Path) -> tuple[str, int, bytes]:
    """SHA-256, size and the first KiB of ``path``, read once in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if not head:
                head = chunk[:1024]
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size, head
