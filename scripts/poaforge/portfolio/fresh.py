"""Which built cases a plain ``snakemake`` need not show Snakemake at all.

A no-op over many cases costs Snakemake, for every case, its job and the files it names
(about 2.5 ms per job on the 2-core machine, docs/pipeline.md): a thousand built cases took
14 s to say "nothing to be done", against 1.1 s for one. So at the end of each run the
Snakefile notes, for every case whose job Snakemake found up to date or ran to the end, the
**state** the case was built from (:func:`state`): the digest of the package's code and the
project data, the options, the digest of the case file's content and evidence names, and
the size and time stamp of every input and every output. The notes are one file,
``.snakemake/poa-forge/fresh.json`` (:class:`Notes`). At the start of the next run the
``all`` target asks Snakemake only for the cases whose state is not the noted one
(:func:`is_fresh`); a matching case is not even a job in the DAG.

The check errs on one side only: anything it cannot confirm (no note, another digest or
option, an input or output added, removed, replaced or touched) hands the case to
Snakemake, which decides with its own rules, as before, and the note is written again when
Snakemake has found the case up to date. A note is taken only from a job Snakemake judged or
made up to date in this run, not in a dry run, and not when an input changed after the run
began. Removing ``.snakemake/`` forgets every note: the next run checks every case once.
A target named on the command line (``snakemake case42``), a forced run (``-F``, ``-R``) and
the commands that list or delete outputs see every case (workflow/common.smk).

Only the standard library is imported: this runs inside every Snakemake start.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["NOTES", "evidence", "case_digest", "state", "is_fresh", "Notes"]

#: Where the states of the cases built are noted (inside Snakemake's own folder).
NOTES = Path(".snakemake/poa-forge/fresh.json")


def evidence(case: str, cases: str = "cases") -> tuple[list[str], list[str]]:
    """The regular files in the case's own folder ``<cases>/<case>/`` (not following links
    out, no hidden files or folders), as paths, in walk order (folders and names sorted), in
    two lists: those whose path has no brace (Snakemake inputs of the case's job) and those
    that have one (Snakemake would read ``{x}`` as a wildcard: see :func:`case_digest`)."""
    plain: list[str] = []
    braced: list[str] = []

    def walk(folder: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for e in entries:  # files first, then folders, as os.walk gives them
            if not e.name.startswith(".") and e.is_file(follow_symlinks=False):
                (braced if "{" in e.path or "}" in e.path else plain).append(e.path)
        for e in entries:
            if not e.name.startswith(".") and e.is_dir(follow_symlinks=False):
                walk(e.path)

    walk(os.path.join(cases, case))
    return plain, braced


def case_digest(case_bytes: bytes, plain: Sequence[str], braced: Sequence[str]) -> str:
    """SHA-256 (hex) of a case file's content (``case_bytes``) and of its evidence files'
    names: the ``plain`` ones (Snakemake inputs) by name, the ``braced`` ones (a ``{`` or ``}``
    in the path, which Snakemake would read as a wildcard, so not inputs) by name, size and
    time stamp. A parameter of the case's job: a content edit rebuilds even when the time
    stamp goes back, and so does an evidence file added or removed with an old time stamp
    (the profiles leave out Snakemake's "input" trigger, docs/pipeline.md)."""
    h = hashlib.sha256(case_bytes)
    for path in plain:
        h.update(f"\0{path}".encode("utf-8", "surrogateescape"))
    for path in braced:
        st = os.stat(path)
        h.update(f"\0{path}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def state(made_from: str, options: Sequence[str], digest: str, inputs: Iterable[str],
          outputs: Iterable[str]) -> dict[str, Any]:
    """What a case's job is built from, as compared between runs: ``made_from`` (the digest
    parameter of its rule), ``options`` (the option strings it passes), ``digest`` (the case's
    digest parameter, :func:`case_digest`), ``inputs`` and ``outputs`` (paths) with
    ``[size, mtime_ns]`` each. OSError when one of them is missing."""
    def stat(path: str) -> list[int]:
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns]

    return {
        "made_from": made_from,
        "options": sorted(o for o in options if o),
        "digest": digest,
        "inputs": {p: stat(p) for p in sorted(set(inputs))},
        "outputs": {p: stat(p) for p in sorted(set(outputs))},
    }


def is_fresh(noted: Mapping[str, Any] | None, now: Mapping[str, Any]) -> bool:
    """True when there is a ``noted`` state and it equals the state ``now`` (:func:`state`)."""
    return bool(noted) and noted == now


class Notes:
    """The noted states by case id, read once from ``path`` (none when it is missing or
    unreadable: every case is checked by Snakemake then) and written back atomically."""

    def __init__(self, path: Path = NOTES) -> None:
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.cases: dict[str, Any] = dict(data["cases"]) if data.get("version") == 1 else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.cases = {}

    def save(self, updates: Mapping[str, Mapping[str, Any]], keep: Iterable[str]) -> None:
        """Note ``updates`` (case → state), forget cases not in ``keep`` (the case files now),
        write the file (a temporary file renamed over it)."""
        kept = set(keep)
        cases = {c: s for c, s in {**self.cases, **updates}.items() if c in kept}
        if cases == self.cases and self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"version": 1, "cases": cases}, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)
        self.cases = cases
