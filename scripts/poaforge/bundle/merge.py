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

Command: ``python -m poaforge.steps bundle CASE_JSON LETTER_JSON EXHIBITS_JSON OUT [--front TITLE=PDF …]``;
without ``--front`` the POA (or its signed scan) and the evidence index are compiled here in bundle mode.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from poaforge.errors import BuildError, Problem, UsageError
from poaforge.files import read_json
from poaforge.letter.words import Words

__all__ = ["label", "build_bundle", "main"]

_LINK = re.compile(r"^bundle:(exhibit|part)-(\d+)$")


def label(model: dict, key: str, **values: object) -> str:
    """The letter's label ``key`` (letter.json ``labels``) with ``{placeholders}`` filled in."""
    return Words(model["labels"]).fill(key, **values)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cover(case: dict, model: dict, contents: list[dict], work: Path) -> Path:
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
    render("cover.typ", data, out)
    return out


def _contents(model: dict, front: list[tuple[str, int]], exhibits: list[dict], cover_pages: int) -> list[dict]:
    items, page = [], cover_pages + 1
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


def _rewrite_links(pages: list, targets: dict[str, int], writer, where: str) -> None:  # type: ignore[type-arg]
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    for page in pages:
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if not action or action.get("/S") != "/URI" or not str(action.get("/URI", "")).startswith("bundle:"):
                continue
            uri = str(action["/URI"])
            if uri not in targets:
                raise BuildError(f"{where}: link {uri} points to no part of the bundle — cite only "
                                 "exhibits listed in the case")
            dest = ArrayObject([writer.pages[targets[uri]].indirect_reference, NameObject("/Fit")])
            annot[NameObject("/A")] = DictionaryObject({NameObject("/S"): NameObject("/GoTo"),
                                                        NameObject("/D"): dest})


def _first_stamp(case: dict, ex: dict, uploads: dict[str, str]) -> str:
    """A short note for the exhibit's first stamp: signed original, or rendition of another file."""
    from poaforge.bundle.attachments import SHOWN_AS_IS
    from poaforge.evidence.render import labels

    lab = labels(str(case.get("language", "en")))
    facts = ex.get("facts") or {}
    if facts.get("signed"):
        return " · " + lab["stamp_signed"].format(file=uploads.get(ex["id"], Path(ex["file"]).name))
    if ex.get("media") not in SHOWN_AS_IS or ex.get("attachment"):
        return " · " + lab["stamp_converted"].format(file=Path(str(ex.get("attachment") or ex["file"])).name)
    return ""


def build_bundle(case: dict, model: dict, exhibits: dict, results: Path, front: list[tuple[str, Path]], out: Path,
                 *, scanned: tuple[int, ...] = (), case_dir: Path | None = None) -> int:
    """Write the bundle PDF to ``out``; return its page count.

    ``model`` is letter.json (labels, exhibit names, the cover's dates); ``exhibits`` is
    exhibits.json (paths relative to ``results``); ``front`` lists (bookmark title, PDF
    compiled in bundle mode) in order, e.g. POA then evidence index. Front parts whose index
    is in ``scanned`` (the signed scan of the letter) get their stamp in a strip added below
    the page, as exhibits do, since a scan has no free margin. ``case_dir`` (default:
    case.json's ``case_dir``) holds the originals that are attached.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject, TextStringObject

    from poaforge.bundle.attachments import attach_originals
    from poaforge.bundle.pages import exhibit_reader, strip_active
    from poaforge.bundle.stamps import prepare_page, stamp_pages
    from poaforge.submit.plan import upload_names

    named = {e["id"]: e for e in model["exhibits"]}
    titles = {i: e["title"] for i, e in named.items()}
    exs = [dict(e) for e in sorted(exhibits["exhibits"], key=lambda e: e["number"])]
    for ex in exs:
        ex["heading"] = named[ex["id"]]["heading"]
    work = out.parent / f".{out.name}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        try:
            fronts = [(title, PdfReader(path)) for title, path in front]
            readers = [exhibit_reader(results / ex["pdf"], ex) for ex in exs]
        except (OSError, PyPdfError) as exc:
            raise BuildError(f"{out}: cannot read a part of the bundle ({exc}) — rebuild its inputs") from None
        for ex, reader in zip(exs, readers):
            ex["pages"] = len(reader.pages)
        sizes = [(t, len(r.pages)) for t, r in fronts]
        cover_pages, cover = 1, None
        for _ in range(4):  # the contents' page numbers depend on the cover's length
            cover = PdfReader(_cover(case, model, _contents(model, sizes, exs, cover_pages), work))
            if len(cover.pages) == cover_pages:
                break
            cover_pages = len(cover.pages)
        writer = PdfWriter()
        writer.append(cover, outline_item=label(model, "cover"), import_outline=False)
        targets: dict[str, int] = {}
        added: set[int] = set()
        for k, (title, reader) in enumerate(fronts, 1):
            targets[f"bundle:part-{k}"] = len(writer.pages)
            if k - 1 in scanned:
                added |= set(range(len(writer.pages), len(writer.pages) + len(reader.pages)))
            writer.append(reader, outline_item=title, import_outline=k - 1 not in scanned)
        n_front = len(writer.pages)
        for ex, reader in zip(exs, readers):
            targets[f"bundle:exhibit-{ex['number']}"] = len(writer.pages)
            writer.append(reader, import_outline=False)
        parent = writer.add_outline_item(title=label(model, "exhibits"), page_number=n_front) if exs else None
        for ex in exs:
            start = targets[f"bundle:exhibit-{ex['number']}"]
            writer.add_outline_item(title=ex["heading"], page_number=start, parent=parent)
            writer.add_named_destination(title=f"exhibit-{ex['number']}", page_number=start)
        _rewrite_links(list(writer.pages)[:n_front], targets, writer, str(out))
        attach_originals(writer, exs, readers, Path(case_dir or case.get("case_dir", ".")), str(out))
        total = len(writer.pages)
        pages = list(writer.pages)
        strips, texts = [], []
        for i, page in enumerate(pages):
            if i >= n_front:
                strip_active(page)
            strips.append(prepare_page(page, added=i >= n_front or i in added))
            texts.append(["", label(model, "page_of", page=i + 1, pages=total, total=total)])
        i = n_front
        uploads = upload_names(case, exhibits)
        for ex in exs:
            name = _short(titles.get(ex["id"], ex["id"]))
            for p in range(ex["pages"]):
                stamp = label(model, "exhibit_page", exhibit=model["labels"]["exhibit"], number=ex["number"],
                              page=p + 1, pages=ex["pages"])
                texts[i][0] = f"{stamp} — {name}" + (_first_stamp(case, ex, uploads) if p == 0 else "")
                i += 1
        stamp_pages(writer, pages, strips, [tuple(t) for t in texts], work)
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        writer.set_page_label(0, total - 1, style="/D", start=1)
        writer.page_mode = "/UseOutlines"
        writer._root_object[NameObject("/Lang")] = TextStringObject(model["lang_tag"])
        writer.add_metadata({"/Title": f"{label(model, 'bundle_title')} — {model['store']}",
                             "/Subject": model["notice"]["reference"],
                             "/Creator": "poa-forge", "/Producer": "poa-forge"})
        part = work / f"{out.name}.part"  # never a file named like the bundle until it is complete
        try:
            with part.open("wb") as fh:
                writer.write(fh)
            os.replace(part, out)
        except OSError as exc:
            hint = "move the folder of that name out of the way" if isinstance(exc, IsADirectoryError) \
                else "free some disk space and check that the results folder is writable"
            raise BuildError(Problem(str(out), message=f"cannot write the bundle ({exc.strerror or exc})", hint=hint)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return total


def _with_rendered_front(case: dict, model: dict, exhibits: dict, results: Path, out: Path) -> int:
    """Compile the POA (or take its signed scan) and the evidence index in bundle mode, then
    build the bundle."""
    from poaforge.letter.index import render_index
    from poaforge.letter.pdf import render_letter
    from poaforge.letter.signed import signed_pdf
    from poaforge.submit.plan import upload_names

    work = out.parent / f".{out.name}.front"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        poa, index = work / "poa.pdf", work / "evidence-index.pdf"
        if model["signed"]:
            poa.write_bytes(signed_pdf(case, results / "poa.pdf"))
        else:
            render_letter(model, poa, mode="bundle")
        render_index(case, model, exhibits, upload_names(case, exhibits), index, None, mode="bundle")
        title = model["signed"]["title"] if model["signed"] else model["title"]
        return build_bundle(case, model, exhibits, results, [(title, poa), (label(model, "evidence_index"), index)], out,
                            scanned=(0,) if model["signed"] else ())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps bundle CASE_JSON LETTER_JSON EXHIBITS_JSON OUT [--front TITLE=PDF …]``."""
    from poaforge.console import ArgParser

    parser = ArgParser(prog="python -m poaforge.steps bundle", description=__doc__.splitlines()[0])
    parser.add_argument("case_json", type=Path)
    parser.add_argument("letter_json", type=Path)
    parser.add_argument("exhibits_json", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--front", action="append", default=[], metavar="TITLE=PDF")
    parser.add_argument("--checked", type=Path, help="facts.json of the read step: the index's 'checked against the letter' column")
    args = parser.parse_args(argv)
    if any("=" not in f for f in args.front):
        raise UsageError("--front takes TITLE=PDF, e.g. --front 'Plan of Action=results/c/poa-bundle.pdf'")
    front = [(t, Path(p)) for t, p in (f.split("=", 1) for f in args.front)]
    case, model, exhibits = read_json(args.case_json), read_json(args.letter_json), read_json(args.exhibits_json)
    from poaforge.letter.index import with_checked

    exhibits = with_checked(exhibits, args.checked)
    if front:
        build_bundle(case, model, exhibits, args.exhibits_json.parent, front, args.out)
    else:
        _with_rendered_front(case, model, exhibits, args.exhibits_json.parent, args.out)
    return 0
