"""Pipeline step ``read``: read every exhibit once, then its facts and the cross-checks.

``python -m poaforge.steps read results/<c>/case.json results/<c>/exhibits.json results/<c>``
writes

* ``results/<c>/text/<id>.text.json`` — the exhibit's text per page with positions
  (:mod:`poaforge.evidence.text`), and which pages were OCR'd or gave no readable text;
* ``results/<c>/facts.json`` — ``{"exhibits": {id: facts}, "checked": {id: cell}}``: the facts of
  each exhibit (:mod:`poaforge.evidence.facts`, with the alteration signs of the original,
  :mod:`poaforge.evidence.signs`) and the evidence index's "checked against the letter" cell.

Reading is content-addressed (``results/.cache/text/``, or ``POA_TEXT_CACHE``): an exhibit
whose PDF is unchanged is not read again, nor are its facts computed again (``facts/`` in the
same folder), so a rebuild that changes only the case text reads no exhibit. The log says how
many were read and how many came from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.errors import BuildError, PoaError, Problem
from poaforge.files import read_json, write_json

__all__ = ["read_case", "cache_folder", "ocr_languages", "main"]


def cache_folder(case_results: Path) -> Path:
    """Where read texts are kept by content address: ``POA_TEXT_CACHE``, or ``.cache/text`` in the
    folder above ``results/<case>`` (``results/.cache/text``), shared by every case."""
    env = os.environ.get("POA_TEXT_CACHE")
    return Path(env) if env else case_results.resolve().parent / ".cache" / "text"


def ocr_languages(case: dict[str, Any]) -> list[str]:
    """Languages to OCR with: the case's, the profile's evidence languages, and English."""
    profile = case.get("profile") or {}
    langs = [str(case.get("language", "en"))] + list((profile.get("evidence") or {}).get("languages") or [])
    return sorted(set(langs) | {"en"})


def _signs(cache: Any, entry: dict[str, Any], case: dict[str, Any], editors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Alteration signs of the original file (PDF only), cached by its SHA-256."""
    from poaforge.evidence.signs import alteration_signs
    from poaforge.evidence.text import READER
    from poaforge.paths import PathProblem, resolve_inside

    if entry.get("media") != "pdf":
        return []
    key = f"signs-{READER}-{entry['sha256']}"
    path = cache.folder / "signs" / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        pass
    try:
        resolve_inside(Path(case["case_dir"]), entry["file"])
        from poaforge.evidence.convert import source_bytes  # the file, or its e-mail's attachment

        original = source_bytes(Path(case["case_dir"]), entry, entry["file"])
    except (PathProblem, PoaError, OSError):
        return []
    signs = alteration_signs(original, editors)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    part.write_text(json.dumps(signs, sort_keys=True), encoding="utf-8")
    os.replace(part, path)
    return signs


def _facts(cache: Any, pages: list[dict[str, Any]], media: str, profile: dict[str, Any], docs: Any) -> dict[str, Any]:
    """:func:`poaforge.evidence.facts.exhibit_facts` of one exhibit, kept by content address
    beside the texts (``facts/``): the key is everything the facts are made from — the page
    records, the media type, the profile's id patterns, the document data
    (``documents/*.yaml``), the package's source and python-dateutil's version — so an edit
    of the case text computes no exhibit's facts again (typical case: 10 exhibits, 60-90 ms)."""
    from importlib import metadata

    from poaforge.deps import package_digest
    from poaforge.evidence.facts import exhibit_facts

    key = hashlib.sha256(json.dumps({
        "pages": pages, "media": media, "ids": (profile.get("evidence") or {}).get("ids"),
        "documents": _documents_digest(), "code": package_digest(), "dateutil": metadata.version("python-dateutil"),
    }, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    path = cache.folder / "facts" / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        pass
    facts = exhibit_facts(pages, media=media, profile=profile, docs=docs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        part.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")  # key order kept: facts.json shows it
        os.replace(part, path)
    except OSError:
        pass  # a full disk or read-only cache only costs the next computation
    return facts


@cache
def _documents_digest() -> str:
    """SHA-256 of the document data the facts are classified with (``documents/*.yaml``)."""
    from poaforge.paths import PROJECT

    digest = hashlib.sha256()
    for path in sorted((PROJECT / "documents").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_case(case: dict[str, Any], exhibits: dict[str, Any], out: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Read every exhibit listed in ``exhibits`` (exhibits.json); write ``out/text/`` and
    ``out/facts.json``; return the facts and counts (exhibits, read, from_cache, pages, ocr_pages)."""
    from poaforge.check.checks_exhibits import checked_column, cross_check
    from poaforge.evidence.kinds import load_documents
    from poaforge.evidence.text import TextCache

    docs = load_documents()
    profile = case.get("profile") or {}
    cache = TextCache(cache_folder(out))
    langs = ocr_languages(case)
    tmp = out / ".text.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    facts: dict[str, Any] = {}
    counts = {"exhibits": 0, "pages": 0, "ocr_pages": 0}
    try:
        tmp.mkdir(parents=True)
        entries = exhibits.get("exhibits", [])
        datas = []
        for entry in entries:
            pdf = out / entry["pdf"]
            try:
                datas.append(pdf.read_bytes())
            except OSError as exc:
                raise BuildError(Problem(str(pdf), message=f"cannot read the prepared exhibit ({exc.strerror})",
                                         hint="rebuild it: snakemake <case> --forcerun build_case")) from None
        for entry, pages in zip(entries, cache.read_many(datas, langs), strict=True):  # OCR in parallel across exhibits
            record = {"id": entry["id"], "number": entry["number"], "file": entry["file"], "pdf": entry["pdf"],
                      "sha256": entry["sha256"], "pages": pages}
            (tmp / f"{entry['id']}.text.json").write_text(
                json.dumps(record, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
            fx = _facts(cache, pages, str(entry.get("media", "")), profile, docs)
            fx["signs"] = _signs(cache, entry, case, docs.editors)
            facts[entry["id"]] = fx
            counts["exhibits"] += 1
            counts["pages"] += len(pages)
            counts["ocr_pages"] += len(fx["ocr_pages"])
        final = out / "text"
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except OSError as exc:
        raise BuildError(Problem(str(out / "text"), message=f"cannot write the exhibit texts ({exc.strerror or exc})",
                                 hint="free some disk space and check that the results folder is writable")) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    issues = cross_check(case, profile, facts, docs)
    checked = checked_column(issues, [e["id"] for e in exhibits.get("exhibits", [])], case.get("labels") or {})
    result = {"exhibits": facts, "checked": checked}
    write_json(result, out / "facts.json")
    counts.update(read=cache.reads, from_cache=cache.hits)
    return result, counts


def main(argv: Sequence[str]) -> int:
    """Step ``read CASE_JSON EXHIBITS_JSON OUT_DIR``: the texts, facts.json, and a one-line summary."""
    p = ArgParser(prog="python -m poaforge.steps read")
    p.add_argument("case_json", type=Path)
    p.add_argument("exhibits_json", type=Path)
    p.add_argument("out_dir", type=Path)
    args = p.parse_args(list(argv))
    _, c = read_case(read_json(args.case_json), read_json(args.exhibits_json), args.out_dir)
    print(f"read {c['exhibits']} exhibits ({c['pages']} pages, {c['ocr_pages']} by OCR): "
          f"{c['read']} read, {c['from_cache']} from the cache")
    return 0
