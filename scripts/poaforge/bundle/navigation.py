"""How a reader finds their way in the bundle: bookmarks, links, named destinations, page labels.

All of it is written into a ``pikepdf.Pdf`` whose pages are already in place (PDF terms as
ISO 32000-2 names them): the document outline (§12.3.3) with one item per part and the
front parts' own headings below theirs; ``bundle:exhibit-<n>`` / ``bundle:part-<n>`` URI
links of the front parts turned into GoTo actions (§12.6.4.2) to the part's first page;
the named destinations ``exhibit-<n>`` (§12.3.2.3, so ``bundle.pdf#exhibit-3`` opens
there); and page labels (§12.4.2) in decimal from 1, as the stamps number the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from poaforge.errors import BuildError

__all__ = ["Bookmark", "part_outline", "write_outline", "rewrite_links", "name_destinations", "label_pages"]


@dataclass
class Bookmark:
    """One outline item: its title, the bundle page it opens (a page dictionary), the view
    (``/Fit`` or the source's ``/XYZ left top zoom``) and the items below it."""

    title: str
    page: Any
    view: list[Any] = field(default_factory=lambda: ["/Fit"])
    children: list[Bookmark] = field(default_factory=list)


def _dest(source: Any, item: Any) -> Any:
    """The explicit destination array of outline ``item`` of ``source`` (None if it has none)."""
    import pikepdf

    dest = item.get("/Dest")
    if dest is None and isinstance(item.get("/A"), pikepdf.Dictionary) and item.A.get("/S") == "/GoTo":
        dest = item.A.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):  # a named destination of the source
        key = str(dest).lstrip("/")
        names = source.Root.get("/Names")
        if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
            dest = pikepdf.NameTree(names.Dests).get(key)
        elif isinstance(source.Root.get("/Dests"), pikepdf.Dictionary):
            dest = source.Root.Dests.get("/" + key)
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
    return dest if isinstance(dest, pikepdf.Array) and len(dest) else None


def part_outline(source: Any, pages: list[Any]) -> list[Bookmark]:
    """The outline of a front part (``source``, an open ``pikepdf.Pdf``) as bookmarks on its
    pages in the bundle (``pages[i]``: the bundle page showing the source's page i); an item
    whose destination cannot be resolved opens the part's first page."""
    import pikepdf

    index = {page.obj.objgen: i for i, page in enumerate(source.pages)}
    seen: set[tuple[int, int]] = set()

    def walk(first: Any, depth: int) -> list[Bookmark]:
        items, item = [], first
        while isinstance(item, pikepdf.Dictionary) and item.objgen not in seen and depth < 32:
            seen.add(item.objgen)
            dest = _dest(source, item)
            target = dest[0] if dest is not None else None
            at = index.get(target.objgen) if isinstance(target, pikepdf.Dictionary) else None
            view = list(dest[1:]) if at is not None and len(dest) > 1 else ["/Fit"]
            items.append(Bookmark(str(item.get("/Title", "")), pages[at if at is not None else 0], view,
                                  walk(item.get("/First"), depth + 1)))
            item = item.get("/Next")
        return items

    outlines = source.Root.get("/Outlines")
    return walk(outlines.get("/First"), 0) if isinstance(outlines, pikepdf.Dictionary) else []


def write_outline(pdf: Any, bookmarks: list[Bookmark]) -> None:
    """Make ``bookmarks`` the document outline of ``pdf``, every item open."""
    import pikepdf

    def add(parent: list[Any], items: list[Bookmark]) -> None:
        for b in items:
            entry = pikepdf.OutlineItem(b.title, pikepdf.Array([b.page, *[pikepdf.Name(v) if isinstance(v, str) else v
                                                                       for v in b.view]]))
            add(entry.children, b.children)
            parent.append(entry)

    with pdf.open_outline() as outline:
        add(outline.root, bookmarks)


def rewrite_links(pages: list[Any], targets: dict[str, Any], where: str) -> None:
    """Turn every ``bundle:…`` URI link on ``pages`` into a jump to ``targets[uri]`` (a page
    dictionary); BuildError when a link names no part of the bundle."""
    import pikepdf

    for page in pages:
        annots = page.get("/Annots")
        for annot in annots if isinstance(annots, pikepdf.Array) else ():
            action = annot.get("/A") if isinstance(annot, pikepdf.Dictionary) else None
            if not isinstance(action, pikepdf.Dictionary) or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI", ""))
            if not uri.startswith("bundle:"):
                continue
            if uri not in targets:
                raise BuildError(f"{where}: link {uri} points to no part of the bundle — cite only "
                                 "exhibits listed in the case")
            annot["/A"] = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([targets[uri], pikepdf.Name.Fit]))


def name_destinations(pdf: Any, dests: dict[str, Any]) -> None:
    """Name each page of ``dests`` (name → page dictionary) in the document's /Dests name tree."""
    import pikepdf

    tree = pikepdf.NameTree.new(pdf)
    for name, page in dests.items():
        tree[name] = pikepdf.Array([page, pikepdf.Name.Fit])
    pdf.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def label_pages(pdf: Any) -> None:
    """Page labels 1, 2, 3 … for every page of ``pdf`` (as the stamps number them)."""
    import pikepdf

    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D)]))
