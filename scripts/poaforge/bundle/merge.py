"""The merged evidence bundle: cover, front parts (POA, evidence index), exhibits.

``build_bundle(case, model, exhibits, results, front, out)`` writes one PDF with bookmarks,
``bundle:exhibit-<n>`` links turned into jumps to the exhibit's first page (and named
destinations ``exhibit-<n>``), continuous page numbers and exhibit stamps in a strip
added below each exhibit page, matching PDF page labels, and fixed metadata (the output
is byte-identical across runs).

Exhibits are labelled in the stamp strip ("Exhibit 3 · p. 2/5 — title") rather than on
separator pages: every page names its exhibit even when printed or split, the bundle
stays shorter (size limits, reviewer time) and the bookmarks give the overview.

Exhibit pages are shown as their originals show them (:mod:`poaforge.bundle.pages`,
:mod:`poaforge.bundle.stamps`): boxes normalised, /Rotate and annotations kept, form
fields flattened, no JavaScript. The bundle's attachments list (PDF embedded files)
holds the original of every converted exhibit (an e-mail, a spreadsheet, a HEIC photo…)
and the files embedded in exhibit PDFs (e.g. an e-invoice's XML), each named
"Exhibit <n> - <file name>". The first stamp of a converted or signed exhibit says so.

Every word (labels, exhibit names and titles, the cover's dates) comes from the letter model
(``letter.json``), so the cover and the stamps name exhibits and items as the letter does.
When the case names a signed scan of the letter, the scan takes the letter's place.

Command: ``python -m poaforge.steps bundle CASE_JSON LETTER_JSON EXHIBITS_JSON OUT [--parts DIR | --front TITLE=PDF …]``;
with ``--parts`` the POA (or its signed scan) and the evidence index come from the front stage
(``python -m poaforge.steps front … DIR``, which the case's job runs before the bundle, where
Typst is warm); without either they are compiled here in bundle mode.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from poaforge.errors import BuildError, Problem, UsageError
from poaforge.files import read_json
from poaforge.letter.words import Words

__all__ = ["label", "build_bundle", "main", "main_front", "FRONT_FILES"]


def label(model: dict, key: str, **values: object) -> str:
    """The letter's label ``key`` (letter.json ``labels``) with ``{placeholders}`` filled in."""
    return Words(model["labels"]).fill(key, **values)


def _cover(case: dict, model: dict, contents: list[dict], work: Path) -> Path:
    """The cover (templates/cover.typ) in ``work``: the case's facts and the contents."""
    from poaforge.bundle.stamps import render

    seller, notice = case.get("seller", {}), model["notice"]
    facts = [(label(model, "seller"), model["author"]),
             (label(model, "store"), model["store"]),
             (label(model, "seller_id"), seller.get("seller_id", "")),
             (label(model, "platform"), case.get("profile", {}).get("name", case.get("platform", ""))),
             (label(model, "marketplace"), case.get("marketplace", "")),
             (label(model, "notice_reference"), notice["reference"]),
             (label(model, "notice_received"), notice["received"]),
             (label(model, "deadline"), notice["deadline"]),
             (label(model, "prepared_on"), model["meta"][0]["lines"][0])]
    data = {"title": label(model, "bundle_title"), "subtitle": model["store"],
            "facts": [list(f) for f in facts if f[1]], "contents_title": label(model, "contents"),
            "contents": contents, "paper": model["paper"], "lang_tag": model["lang_tag"], "script": model["script"],
            "keep": model["keep"]}
    out = work / "cover.pdf"
    expected = 1 + len(contents) // 45  # ~45 rows a page after the facts: a guess, checked below
    for _attempt in range(4):
        pages = render("cover.typ", {**data, "cover_pages": expected}, out)
        if pages == expected:
            return out
        expected = pages
    raise BuildError(Problem("templates/cover.typ", message="the cover's length does not settle (its page numbers "
                             "change its length)", hint="this is a bug in the template, not in the case; report it with the case file"))


def _contents(model: dict, front: list[tuple[str, int]], exhibits: list[dict]) -> list[dict]:
    """The cover's contents: each part's title, link target, level and first page counted
    after the cover (1 = the page right after it; the cover adds its own length)."""
    items, page = [], 1
    for k, (title, pages) in enumerate(front, 1):
        items.append({"title": title, "page": page, "target": f"bundle:part-{k}", "level": 0})
        page += pages
    if exhibits:
        items.append({"title": label(model, "exhibits"), "page": page, "target": "bundle:exhibit-"
                      f"{exhibits[0]['number']}", "level": 0})
    for ex in exhibits:
        items.append({"title": ex["heading"], "page": page, "target": f"bundle:exhibit-{ex['number']}",
                      "level": 1})
        page += ex["pages"]
    return items


def build_bundle(case: dict, model: dict, exhibits: dict, results: Path, front: list[tuple[str, Path]] | None, out: Path,
                 *, scanned: tuple[int, ...] = (), case_dir: Path | None = None) -> int:
    """Write the bundle PDF to ``out``; return its page count.

    ``model`` is letter.json (labels, exhibit names, the cover's dates); ``exhibits`` is
    exhibits.json (paths relative to ``results``); ``front`` lists (bookmark title, PDF
    compiled in bundle mode) in order, e.g. POA then evidence index, or is None: then the
    POA (or its signed scan) and the index are typeset here (:func:`_render_front`), first
    and in a child process when this one may fork (:mod:`poaforge.child`), so the memory
    Typst takes for them (~120 MB with a CJK font) is returned before the pages are copied.
    Then every part is opened once: the cover (its contents need the parts' page counts) and
    the stamps (every page's geometry, :meth:`Bundle.place`) are typeset here from the parts
    as read, the memory Typst's threads freed is returned (:mod:`poaforge.bundle.heap`),
    and only then are the pages copied (a copy holds their streams in memory: ~80 MB for
    500 pages) and stamped.
    Front parts whose index is in ``scanned`` (the signed scan of the letter) get their
    stamp in a strip added below the page, as exhibits do, since a scan has no free margin.
    ``case_dir`` (default: case.json's ``case_dir``) holds the originals that are attached.
    Pages are copied by qpdf (``pikepdf``) with their streams as they are; BuildError when a
    part cannot be read or written, and then no ``out`` is left behind.
    """
    import pikepdf

    from poaforge.bundle.assemble import Bundle, stamp_texts
    from poaforge.bundle.attachments import attach_originals
    from poaforge.bundle.heap import few_arenas, return_freed_memory
    from poaforge.bundle.stamps import typeset_stamps
    from poaforge.child import in_child

    def read(path: Path) -> Any:  # read as a stream: a mapped file would count in the memory
        return opened.enter_context(_open(lambda: pikepdf.open(path, access_mode=pikepdf.AccessMode.stream), out))

    exs = [dict(e) for e in sorted(exhibits["exhibits"], key=lambda e: e["number"])]
    named = {e["id"]: e for e in model["exhibits"]}
    for ex in exs:
        ex["heading"] = named[ex["id"]]["heading"]
    work = out.parent / f".{out.name}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    few_arenas()  # before Typst starts its threads, here or in the child (poaforge.bundle.heap)
    typeset, collecting = None, gc.isenabled()
    gc.disable()  # ~100,000 short-lived page objects and no cycles: the collector's passes cost ~6 %
    try:
        if front is None:
            typeset = in_child(_render_front, case, model, exhibits, results, work)
            front = typeset()
        with contextlib.ExitStack() as opened:  # every source stays open until the bundle is written
            pdf = opened.enter_context(pikepdf.new())
            bundle = Bundle(pdf, case, model, str(out))
            sources = [opened.enter_context(_open(lambda: _exhibit(results / ex["pdf"], ex), out)) for ex in exs]
            for ex, doc in zip(exs, sources):
                ex["pages"] = len(doc.pages)
            fronts = [(title, read(path)) for title, path in front]
            cover = read(_cover(case, model, _contents(model, [(t, len(d.pages)) for t, d in fronts], exs), work))
            strips = bundle.place(cover, fronts, scanned, sources)
            stamps = work / "stamps.pdf"
            typeset_stamps(strips, stamp_texts(case, model, exhibits, exs, len(strips) - sum(ex["pages"] for ex in exs)), stamps)
            return_freed_memory()  # what Typst's threads freed, before the pages' streams are copied
            bundle.add_exhibits(exs, sources)
            bundle.add_front(cover, fronts, scanned)
            bundle.finish(exs, stamps)
            attach_originals(pdf, exs, sources, Path(case_dir or case.get("case_dir", ".")), str(out))
            total = len(pdf.pages)
            _write(pdf, _identifier(case, model, exhibits, [path for _t, path in front], results), work, out)
    finally:
        if typeset is not None:
            with contextlib.suppress(Exception):
                typeset()  # the child has ended before its folder goes (its error, if any, was raised above)
        shutil.rmtree(work, ignore_errors=True)
        if collecting:
            gc.enable()
    return total


def _identifier(case: dict, model: dict, exhibits: dict, front: list[str], results: Path) -> bytes:
    """The bundle's file identifier (ISO 32000-2 §14.4): 16 bytes of the SHA-256 of what it is
    made of (the case, the letter model, exhibits.json with each exhibit PDF's digest, the
    front parts' bytes). Cheaper than qpdf's deterministic ID, an MD5 of the whole output
    (~0.13 s for 500 pages, 72 MB), and as stable."""
    import hashlib

    digest = hashlib.sha256(json.dumps([case, model, exhibits], sort_keys=True, ensure_ascii=False).encode())
    for ex in exhibits["exhibits"]:
        if not ex.get("pdf_sha256"):  # exhibits.json of an older build: the file itself
            digest.update(hashlib.sha256((results / ex["pdf"]).read_bytes()).digest())
    for path in front:
        digest.update(Path(path).read_bytes())
    return digest.digest()[:16]


def _write(pdf: Any, ident: bytes, work: Path, out: Path) -> None:
    """Save ``pdf`` to ``out`` through a file in ``work`` (never a file named like the bundle
    until it is complete), with object streams and the identifier ``ident`` (first half;
    qpdf's fixed second half: ``static_id``); BuildError when it cannot be written.

    pikepdf opens the file itself and raises ``OSError`` for a failed write (a full disk, a
    file size limit); a Python stream in between would cost a Python call per chunk qpdf
    writes (~70,000 for 500 pages). Object streams take ~0.01 s more than none (measured on
    513 pages, 72 MB) and keep the cross-reference data compressed."""
    import pikepdf

    pdf.trailer.ID = pikepdf.Array([pikepdf.String(ident), pikepdf.String(ident)])
    part = work / f"{out.name}.part"
    try:
        pdf.save(part, static_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 fix_metadata_version=False)
        os.replace(part, out)
    except OSError as exc:
        hint = "move the folder of that name out of the way" if isinstance(exc, IsADirectoryError) \
            else "free some disk space and check that the results folder is writable"
        raise BuildError(Problem(str(out), message=f"cannot write the bundle ({exc.strerror or exc})", hint=hint)) from None


def _exhibit(path: Path, ex: dict):  # type: ignore[no-untyped-def]
    from poaforge.bundle.pages import open_exhibit

    return open_exhibit(path, ex)


def _open(opener: Callable[[], Any], out: Path) -> Any:
    """``opener()`` (an open ``pikepdf.Pdf``), or BuildError naming the bundle when a part cannot be read."""
    import pikepdf

    try:
        return opener()
    except (OSError, pikepdf.PdfError) as exc:
        raise BuildError(f"{out}: cannot read a part of the bundle ({exc}) — rebuild its inputs") from None


#: The front parts' files in a folder of them (the front stage's ``results/<case>/parts/``).
FRONT_FILES = ("poa.pdf", "evidence-index.pdf")


def _front_titles(model: dict) -> list[str]:
    """The bookmark titles of the front parts, in :data:`FRONT_FILES` order: the POA (or its
    signed scan) and the evidence index."""
    return [model["signed"]["title"] if model["signed"] else model["title"], label(model, "evidence_index")]


def _render_front(case: dict, model: dict, exhibits: dict, results: Path, work: Path) -> list[tuple[str, Path]]:
    """Compile the POA (or take its signed scan) and the evidence index in bundle mode into
    ``work`` (:data:`FRONT_FILES`); return the front parts (bookmark title, PDF)."""
    from poaforge.files import write_bytes
    from poaforge.letter.index import render_index
    from poaforge.letter.pdf import render_letter
    from poaforge.letter.signed import signed_pdf
    from poaforge.submit.plan import upload_names

    poa, index = (work / name for name in FRONT_FILES)
    if model["signed"]:
        write_bytes(poa, signed_pdf(case, results / "poa.pdf"))
    else:
        render_letter(model, poa, mode="bundle")
    render_index(case, model, exhibits, upload_names(case, exhibits), index, None, mode="bundle")
    return list(zip(_front_titles(model), (poa, index)))


def _with_rendered_front(case: dict, model: dict, exhibits: dict, results: Path, out: Path) -> int:
    """Build the bundle with its front parts typeset here: the POA (or its signed scan) and the index."""
    return build_bundle(case, model, exhibits, results, None, out, scanned=(0,) if model["signed"] else ())


def main_front(argv: list[str]) -> int:
    """Stage ``front CASE_JSON LETTER_JSON EXHIBITS_JSON PARTS_DIR [--checked FACTS_JSON]``: the
    POA (or its signed scan) and the evidence index typeset for the bundle (bundle mode: exhibit
    links, no page footer) into PARTS_DIR, which the bundle stage takes with ``--parts``. In the
    case's job Typst is warm here, after the letter and the index."""
    from poaforge.console import ArgParser
    from poaforge.letter.index import with_checked

    parser = ArgParser(prog="python -m poaforge.steps front", description=main_front.__doc__.splitlines()[0])
    for name in ("case_json", "letter_json", "exhibits_json", "parts"):
        parser.add_argument(name, type=Path)
    parser.add_argument("--checked", type=Path, help="facts.json of the read step: the index's 'checked against the letter' column")
    args = parser.parse_args(argv)
    case, model, exhibits = read_json(args.case_json), read_json(args.letter_json), read_json(args.exhibits_json)
    try:
        args.parts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(Problem(str(args.parts), message=f"cannot create the folder ({exc.strerror or exc})",
                                 hint="check that the results folder is writable")) from None
    _render_front(case, model, with_checked(exhibits, args.checked), args.exhibits_json.parent, args.parts)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps bundle CASE_JSON LETTER_JSON EXHIBITS_JSON OUT [--parts DIR | --front TITLE=PDF …]``."""
    from poaforge.console import ArgParser

    parser = ArgParser(prog="python -m poaforge.steps bundle", description=__doc__.splitlines()[0])
    parser.add_argument("case_json", type=Path)
    parser.add_argument("letter_json", type=Path)
    parser.add_argument("exhibits_json", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--parts", type=Path, help="the POA and index typeset for the bundle by the front stage")
    parser.add_argument("--front", action="append", default=[], metavar="TITLE=PDF")
    parser.add_argument("--checked", type=Path, help="facts.json of the read step: the index's 'checked against the letter' column")
    args = parser.parse_args(argv)
    if any("=" not in f for f in args.front):
        raise UsageError("--front takes TITLE=PDF, e.g. --front 'Plan of Action=results/c/poa-bundle.pdf'")
    front = [(t, Path(p)) for t, p in (f.split("=", 1) for f in args.front)]
    case, model, exhibits = read_json(args.case_json), read_json(args.letter_json), read_json(args.exhibits_json)
    from poaforge.letter.index import with_checked

    exhibits = with_checked(exhibits, args.checked)
    if args.parts:
        parts = [(title, args.parts / name) for title, name in zip(_front_titles(model), FRONT_FILES)]
        build_bundle(case, model, exhibits, args.exhibits_json.parent, parts, args.out,
                     scanned=(0,) if model["signed"] else ())
    elif front:
        build_bundle(case, model, exhibits, args.exhibits_json.parent, front, args.out)
    else:
        _with_rendered_front(case, model, exhibits, args.exhibits_json.parent, args.out)
    return 0
