"""The merged evidence bundle: cover, front parts (POA, evidence index), exhibits.

``build_bundle(case, exhibits, results, front, out)`` writes one PDF with bookmarks,
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

Command: ``python -m poaforge.steps bundle CASE_JSON EXHIBITS_JSON OUT [--front TITLE=PDF …]``;
without ``--front`` the POA and the evidence index are compiled here in bundle mode.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from poaforge.errors import BuildError, Problem, UsageError
from poaforge.files import read_json
from poaforge.letter.formtext import fill

__all__ = ["LABELS", "label", "build_bundle", "main"]

# English fallbacks; case["labels"] (templates/lang/<language>.yaml) overrides each key.
LABELS = {
    "bundle_title": "Plan of Action — evidence bundle", "cover": "Cover", "contents": "Contents",
    "exhibits": "Exhibits", "exhibit": "Exhibit", "page_of": "Page {page} of {total}",
    "title": "Plan of Action", "evidence_index": "Evidence index",
    "exhibit_page": "{exhibit} {number} · p. {page}/{pages}", "seller": "Seller",
    "store": "Store", "seller_id": "Seller ID", "platform": "Platform",
    "marketplace": "Marketplace", "notice_reference": "Notice reference",
    "notice_received": "Notice received", "deadline": "Appeal deadline",
    "prepared_on": "Prepared on",
}
_LINK = re.compile(r"^bundle:(exhibit|part)-(\d+)$")


def label(case: dict, key: str, **values: object) -> str:
    """The case language's label ``key`` with ``{placeholders}`` filled in."""
    text = str(case.get("labels", {}).get(key) or LABELS[key])
    return fill(text, **values) if values else text


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cover(case: dict, contents: list[dict], work: Path) -> Path:
    from poaforge.bundle.stamps import render

    seller, notice = case.get("seller", {}), case.get("notice", {})
    facts = [(label(case, "seller"), seller.get("legal_name", "")),
             (label(case, "store"), seller.get("store_name", "")),
             (label(case, "seller_id"), seller.get("seller_id", "")),
             (label(case, "platform"), case.get("profile", {}).get("name", case.get("platform", ""))),
             (label(case, "marketplace"), case.get("marketplace", "")),
             (label(case, "notice_reference"), notice.get("reference", "")),
             (label(case, "notice_received"), notice.get("received", "")),
             (label(case, "deadline"), notice.get("deadline", "")),
             (label(case, "prepared_on"), case.get("as_of", ""))]
    data = {"title": label(case, "bundle_title"), "subtitle": seller.get("store_name", ""),
            "facts": [list(f) for f in facts if f[1]], "contents_title": label(case, "contents"),
            "contents": contents, "paper": case.get("profile", {}).get("paper", "a4"),
            "lang": case.get("language", "en")}
    out = work / "cover.pdf"
    render("cover.typ", data, out)
    return out


def _contents(case: dict, front: list[tuple[str, int]], exhibits: list[dict], cover_pages: int) -> list[dict]:
    items, page = [], cover_pages + 1
    for k, (title, pages) in enumerate(front, 1):
        items.append({"title": title, "page": page, "target": f"bundle:part-{k}", "level": 0})
        page += pages
    if exhibits:
        items.append({"title": label(case, "exhibits"), "page": page, "target": "bundle:exhibit-"
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


def build_bundle(case: dict, exhibits: dict, results: Path, front: list[tuple[str, Path]], out: Path,
                 case_dir: Path | None = None) -> int:
    """Write the bundle PDF to ``out``; return its page count.

    ``exhibits`` is exhibits.json (paths relative to ``results``); ``front`` lists
    (bookmark title, PDF compiled in bundle mode) in order, e.g. POA then evidence index;
    ``case_dir`` (default: case.json's ``case_dir``) holds the originals that are attached.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject, TextStringObject

    from poaforge.bundle.attachments import attach_originals
    from poaforge.bundle.pages import exhibit_reader, strip_active
    from poaforge.bundle.stamps import prepare_page, stamp_pages
    from poaforge.submit.plan import upload_names

    titles = {e["id"]: e.get("title", e["id"]) for e in case.get("exhibits", [])}
    exs = [dict(e) for e in sorted(exhibits["exhibits"], key=lambda e: e["number"])]
    for ex in exs:
        ex["heading"] = f"{label(case, 'exhibit')} {ex['number']} — {titles.get(ex['id'], ex['id'])}"
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
            cover = PdfReader(_cover(case, _contents(case, sizes, exs, cover_pages), work))
            if len(cover.pages) == cover_pages:
                break
            cover_pages = len(cover.pages)
        writer = PdfWriter()
        writer.append(cover, outline_item=label(case, "cover"), import_outline=False)
        targets: dict[str, int] = {}
        for k, (title, reader) in enumerate(fronts, 1):
            targets[f"bundle:part-{k}"] = len(writer.pages)
            writer.append(reader, outline_item=title, import_outline=True)
        n_front = len(writer.pages)
        for ex, reader in zip(exs, readers):
            targets[f"bundle:exhibit-{ex['number']}"] = len(writer.pages)
            writer.append(reader, import_outline=False)
        parent = writer.add_outline_item(title=label(case, "exhibits"), page_number=n_front) if exs else None
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
            strips.append(prepare_page(page, added=i >= n_front))
            texts.append(["", label(case, "page_of", page=i + 1, pages=total, total=total)])
        i = n_front
        uploads = upload_names(case, exhibits)
        for ex in exs:
            name = _short(titles.get(ex["id"], ex["id"]))
            for p in range(ex["pages"]):
                stamp = label(case, "exhibit_page", exhibit=label(case, "exhibit"), number=ex["number"],
                              page=p + 1, pages=ex["pages"])
                texts[i][0] = f"{stamp} — {name}" + (_first_stamp(case, ex, uploads) if p == 0 else "")
                i += 1
        stamp_pages(writer, pages, strips, [tuple(t) for t in texts], work)
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        writer.set_page_label(0, total - 1, style="/D", start=1)
        writer.page_mode = "/UseOutlines"
        writer._root_object[NameObject("/Lang")] = TextStringObject(case.get("language", "en"))
        seller = case.get("seller", {})
        writer.add_metadata({"/Title": f"{label(case, 'bundle_title')} — {seller.get('store_name', '')}",
                             "/Subject": case.get("notice", {}).get("reference", ""),
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


def _with_rendered_front(case: dict, exhibits: dict, results: Path, out: Path) -> int:
    """Compile the POA and the evidence index in bundle mode, then build the bundle."""
    from poaforge.letter.render import render_index, render_poa
    from poaforge.submit.plan import upload_names

    work = out.parent / f".{out.name}.front"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        poa, index = work / "poa.pdf", work / "evidence-index.pdf"
        render_poa(case, poa, mode="bundle")
        render_index(case, exhibits, upload_names(case, exhibits), index, None, mode="bundle")
        return build_bundle(case, exhibits, results, [(label(case, "title"), poa),
                                                      (label(case, "evidence_index"), index)], out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m poaforge.steps bundle CASE_JSON EXHIBITS_JSON OUT --front TITLE=PDF …``."""
    import argparse

    parser = argparse.ArgumentParser(prog="poaforge.bundle.merge", description=__doc__.splitlines()[0])
    parser.add_argument("case_json", type=Path)
    parser.add_argument("exhibits_json", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--front", action="append", default=[], metavar="TITLE=PDF")
    args = parser.parse_args(argv)
    if any("=" not in f for f in args.front):
        raise UsageError("--front takes TITLE=PDF, e.g. --front 'Plan of Action=results/c/poa-bundle.pdf'")
    front = [(t, Path(p)) for t, p in (f.split("=", 1) for f in args.front)]
    case, exhibits = read_json(args.case_json), read_json(args.exhibits_json)
    if front:
        build_bundle(case, exhibits, args.exhibits_json.parent, front, args.out)
    else:
        _with_rendered_front(case, exhibits, args.exhibits_json.parent, args.out)
    return 0
