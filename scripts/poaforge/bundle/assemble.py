"""The bundle's pages put together: exhibits, cover and front parts, then navigation and stamps.

:class:`Bundle` fills an empty ``pikepdf.Pdf``. The exhibits' pages are copied first (while
the front parts may still be typeset elsewhere), with their active content removed; the
cover and the front parts then go before them. :meth:`Bundle.finish` adds what a reader
navigates by (:mod:`poaforge.bundle.navigation`), normalises every page's boxes, adds a
strip below each exhibit page and stamps every page (:mod:`poaforge.bundle.stamps`) with
its number ("Page 17 of 513") and, on exhibit pages, the exhibit and its page ("Exhibit 3
· p. 2/5 — title"), every word from the letter model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poaforge.bundle.merge import label

__all__ = ["Bundle"]


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


class Bundle:
    """The bundle being assembled in ``pdf`` (an empty ``pikepdf.Pdf``) for ``case`` and its
    letter ``model``; ``where`` names the output in errors."""

    def __init__(self, pdf: Any, case: dict, model: dict, where: str) -> None:
        self.pdf, self.case, self.model, self.where = pdf, case, model, where
        self.front: list[Any] = []           # page dictionaries of the cover and the front parts
        self.added: list[bool] = []          # per front page: is its strip added (a scan) or in its margin
        self.starts: dict[int, Any] = {}     # exhibit number → its first page
        self.targets: dict[str, Any] = {}    # bundle: link → page
        self.bookmarks: list[Any] = []

    def add_exhibits(self, exs: list[dict], sources: list[Any]) -> None:
        """Append the pages of every exhibit (``sources``: open PDFs, in ``exs`` order), without
        their active content; sets each exhibit's ``pages``."""
        from poaforge.bundle.pages import strip_active

        for ex, doc in zip(exs, sources):
            start = len(self.pdf.pages)
            self.pdf.pages.extend(doc.pages)
            ex["pages"] = len(self.pdf.pages) - start
            for i in range(start, len(self.pdf.pages)):
                strip_active(self.pdf.pages[i].obj)
            self.starts[ex["number"]] = self.pdf.pages[start].obj
            self.targets[f"bundle:exhibit-{ex['number']}"] = self.pdf.pages[start].obj

    def add_front(self, cover: Any, fronts: list[tuple[str, Any]], scanned: tuple[int, ...]) -> None:
        """Put the cover and the front parts (bookmark title, open PDF) before the exhibits;
        the parts' own outlines go below their bookmarks, except for a scan (``scanned``)."""
        from poaforge.bundle.navigation import Bookmark, part_outline

        def insert(doc: Any) -> list[Any]:
            at = len(self.front)
            for k, page in enumerate(doc.pages):
                self.pdf.pages.insert(at + k, page)
            pages = [self.pdf.pages[i].obj for i in range(at, at + len(doc.pages))]
            self.front += pages
            return pages

        self.bookmarks.append(Bookmark(label(self.model, "cover"), insert(cover)[0]))
        self.added += [False] * len(cover.pages)
        for k, (title, doc) in enumerate(fronts, 1):
            pages = insert(doc)
            self.targets[f"bundle:part-{k}"] = pages[0]
            self.added += [k - 1 in scanned] * len(pages)
            self.bookmarks.append(Bookmark(title, pages[0], children=[] if k - 1 in scanned else part_outline(doc, pages)))

    def finish(self, exhibits: dict, exs: list[dict], work: Path) -> None:
        """Links, bookmarks, named destinations, page labels, boxes, stamps and the document's
        catalogue entries and metadata (``exhibits``: exhibits.json, for the upload names)."""
        import pikepdf

        from poaforge.bundle.navigation import Bookmark, label_pages, name_destinations, rewrite_links, write_outline
        from poaforge.bundle.stamps import prepare_page, stamp_pages
        from poaforge.submit.plan import upload_names

        model, pdf = self.model, self.pdf
        if exs:
            first = self.starts[exs[0]["number"]]
            self.bookmarks.append(Bookmark(label(model, "exhibits"), first, children=[
                Bookmark(ex["heading"], self.starts[ex["number"]]) for ex in exs]))
        rewrite_links(self.front, self.targets, self.where)
        write_outline(pdf, self.bookmarks)
        name_destinations(pdf, {f"exhibit-{ex['number']}": self.starts[ex["number"]] for ex in exs})
        label_pages(pdf)
        pages = [page.obj for page in pdf.pages]
        total = len(pages)
        added = self.added + [True] * (total - len(self.added))
        strips = [prepare_page(page, added=grow) for page, grow in zip(pages, added)]
        right = [label(model, "page_of", page=i + 1, pages=total, total=total) for i in range(total)]
        left = [""] * len(self.front)
        uploads, titles = upload_names(self.case, exhibits), {e["id"]: e["title"] for e in model["exhibits"]}
        for ex in exs:
            name = _short(titles.get(ex["id"], ex["id"]))
            for p in range(ex["pages"]):
                stamp = label(model, "exhibit_page", exhibit=model["labels"]["exhibit"], number=ex["number"],
                              page=p + 1, pages=ex["pages"])
                left.append(f"{stamp} — {name}" + (_first_stamp(self.case, ex, uploads) if p == 0 else ""))
        stamp_pages(pdf, pages, strips, list(zip(left, right)), work)
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        pdf.Root.Lang = pikepdf.String(model["lang_tag"])
        pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(f"{label(model, 'bundle_title')} — {model['store']}"),
            Subject=pikepdf.String(model["notice"]["reference"]),
            Creator=pikepdf.String("poa-forge"), Producer=pikepdf.String("poa-forge")))
