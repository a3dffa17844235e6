"""The bundle's pages put together: exhibits, cover and front parts, then navigation and stamps.

:class:`Bundle` fills an empty ``pikepdf.Pdf``. The exhibits' pages are copied first (while
the front parts, the cover and the stamps are typeset elsewhere), with their active content
removed, their boxes normalised and a strip added below each; the cover and the front parts
then go before them. :meth:`Bundle.finish` adds what a reader navigates by
(:mod:`poaforge.bundle.navigation`) and lays the stamps on (:mod:`poaforge.bundle.stamps`):
every page's number ("Page 17 of 513") and, on exhibit pages, the exhibit and its page
("Exhibit 3 · p. 2/5 — title"), every word from the letter model (:func:`stamp_texts`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poaforge.bundle.merge import label

__all__ = ["Bundle", "stamp_texts"]


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_stamp(case: dict, exhibits: dict, ex: dict) -> str:
    """A short note for the exhibit's first stamp, in the case's language: signed original, or
    rendition of another file (``exhibits``: exhibits.json, for the upload names of signed
    originals). The labels and upload names are loaded only for an exhibit that has a note."""
    from poaforge.bundle.attachments import SHOWN_AS_IS

    facts = ex.get("facts") or {}
    if not facts.get("signed") and ex.get("media") in SHOWN_AS_IS and not ex.get("attachment"):
        return ""
    from poaforge.evidence.render import labels

    lab = labels(str(case.get("language", "en")))
    if facts.get("signed"):
        from poaforge.submit.plan import upload_names

        return " · " + lab["stamp_signed"].format(file=upload_names(case, exhibits).get(ex["id"], Path(ex["file"]).name))
    return " · " + lab["stamp_converted"].format(file=Path(str(ex.get("attachment") or ex["file"])).name)


def stamp_texts(case: dict, model: dict, exhibits: dict, exs: list[dict], front: int) -> list[tuple[str, str]]:
    """The (left, right) stamp of every bundle page, in order: ``front`` pages (cover and front
    parts: their number only), then the pages of ``exs`` (exhibits in bundle order, each with
    its ``pages``); ``exhibits`` is exhibits.json (for the upload names of signed originals)."""
    total = front + sum(ex["pages"] for ex in exs)
    right = [label(model, "page_of", page=i + 1, pages=total, total=total) for i in range(total)]
    left = [""] * front
    titles = {e["id"]: e["title"] for e in model["exhibits"]}
    for ex in exs:
        name = _short(titles.get(ex["id"], ex["id"]))
        for p in range(ex["pages"]):
            stamp = label(model, "exhibit_page", exhibit=model["labels"]["exhibit"], number=ex["number"],
                          page=p + 1, pages=ex["pages"])
            left.append(f"{stamp} — {name}" + (_first_stamp(case, exhibits, ex) if p == 0 else ""))
    return list(zip(left, right))


class Bundle:
    """The bundle being assembled in ``pdf`` (an empty ``pikepdf.Pdf``) for ``case`` and its
    letter ``model``; ``where`` names the output in errors."""

    def __init__(self, pdf: Any, case: dict, model: dict, where: str) -> None:
        self.pdf, self.case, self.model, self.where = pdf, case, model, where
        self.front: list[Any] = []           # page dictionaries of the cover and the front parts
        self.placed: list[Any] = []          # each page's Placement (cover and front pages, then exhibit pages)
        self.starts: dict[int, Any] = {}     # exhibit number → its first page
        self.targets: dict[str, Any] = {}    # bundle: link → page
        self.bookmarks: list[Any] = []

    def place(self, cover: Any, fronts: list[tuple[str, Any]], scanned: tuple[int, ...], sources: list[Any]) -> list[Any]:
        """Work out, from the parts as read (the cover, the front parts as (title, open PDF), the
        exhibits' open PDFs), what each bundle page gets (:func:`poaforge.bundle.stamps.place_page`):
        a strip added below exhibit pages and scans (``scanned``: indexes of front parts), the
        stamp in the bottom margin of the others. Returns every page's strip, in bundle order."""
        from poaforge.bundle.stamps import place_page

        self.placed = [place_page(page.obj, False) for page in cover.pages]
        self.placed += [place_page(page.obj, k in scanned) for k, (_title, doc) in enumerate(fronts) for page in doc.pages]
        self.placed += [place_page(page.obj, True) for doc in sources for page in doc.pages]
        return [p.strip for p in self.placed]

    def add_exhibits(self, exs: list[dict], sources: list[Any]) -> None:
        """Append the pages of every exhibit (``sources``: open PDFs, in ``exs`` order, already
        placed by :meth:`place`), without their active content, with their boxes as placed."""
        from poaforge.bundle.pages import strip_active

        start = len(self.pdf.pages)
        for doc in sources:
            self.pdf.pages.extend(doc.pages)
        pages = [page.obj for page in self.pdf.pages][start:]  # one pass: pages[i] walks the page list each time
        for page, placement in zip(pages, self.placed[len(self.placed) - len(pages):]):
            strip_active(page)
            placement.apply(page)
        for ex in exs:
            self.starts[ex["number"]] = self.targets[f"bundle:exhibit-{ex['number']}"] = pages[0]
            pages = pages[ex["pages"]:]

    def add_front(self, cover: Any, fronts: list[tuple[str, Any]], scanned: tuple[int, ...]) -> None:
        """Put the cover and the front parts (bookmark title, open PDF; placed by :meth:`place`)
        before the exhibits; the parts' own outlines go below their bookmarks, except for a scan
        (``scanned``)."""
        from poaforge.bundle.navigation import Bookmark, part_outline

        def insert(doc: Any) -> list[Any]:
            at, count = len(self.front), len(doc.pages)
            for k, page in enumerate(doc.pages):
                self.pdf.pages.insert(at + k, page)
            pages = [page.obj for page in self.pdf.pages][at:at + count]
            for page, placement in zip(pages, self.placed[at:at + count]):
                placement.apply(page)
            self.front += pages
            return pages

        self.bookmarks.append(Bookmark(label(self.model, "cover"), insert(cover)[0]))
        for k, (title, doc) in enumerate(fronts, 1):
            pages = insert(doc)
            self.targets[f"bundle:part-{k}"] = pages[0]
            self.bookmarks.append(Bookmark(title, pages[0], children=[] if k - 1 in scanned else part_outline(doc, pages)))

    def finish(self, exs: list[dict], stamps_pdf: Path) -> None:
        """Links, bookmarks, named destinations, page labels, the stamps (``stamps_pdf``, made by
        :func:`poaforge.bundle.stamps.typeset_stamps` from :func:`stamp_texts`) and the
        document's catalogue entries and metadata."""
        import pikepdf

        from poaforge.bundle.navigation import Bookmark, label_pages, name_destinations, rewrite_links, write_outline
        from poaforge.bundle.stamps import stamp_pages

        model, pdf = self.model, self.pdf
        if exs:
            first = self.starts[exs[0]["number"]]
            self.bookmarks.append(Bookmark(label(model, "exhibits"), first, children=[
                Bookmark(ex["heading"], self.starts[ex["number"]]) for ex in exs]))
        rewrite_links(self.front, self.targets, self.where)
        write_outline(pdf, self.bookmarks)
        name_destinations(pdf, {f"exhibit-{ex['number']}": self.starts[ex["number"]] for ex in exs})
        label_pages(pdf)
        stamp_pages(pdf, [page.obj for page in pdf.pages], [p.strip for p in self.placed], stamps_pdf)
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        pdf.Root.Lang = pikepdf.String(model["lang_tag"])
        pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(f"{label(model, 'bundle_title')} — {model['store']}"),
            Subject=pikepdf.String(model["notice"]["reference"]),
            Creator=pikepdf.String("poa-forge"), Producer=pikepdf.String("poa-forge")))
