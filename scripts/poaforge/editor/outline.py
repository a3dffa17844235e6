"""The items of a case file and the references between them, with where each is written.

Built from the loader's :class:`~poaforge.case.loader.Document` (every value's offsets), on
the lists and references :mod:`poaforge.case.consistency` declares (``ITEM_LISTS``,
``REFERENCES``): which id is defined where (``RC2`` → its ``id:`` value), and every place an
id is cited. The language server answers hover, go-to-definition and completion from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .text import Span

if TYPE_CHECKING:
    from poaforge.case.loader import DataPath, Document

__all__ = ["Item", "Ref", "Outline", "outline", "LIST_WORDS"]

#: What an item of each list is called (hover, completion details).
LIST_WORDS = {"violations": "violation", "root_causes": "root cause", "corrective_actions": "corrective action",
              "preventive_measures": "preventive measure", "exhibits": "exhibit"}

#: The field that says what an item is, per list (shown in hover and completion).
SUMMARY_FIELDS = {"violations": "policy", "root_causes": "what", "corrective_actions": "action",
                  "preventive_measures": "measure", "exhibits": "title"}


@dataclass(frozen=True)
class Item:
    """One item with an id: its list, index (0-based), path in the data, where its id is."""

    list: str
    index: int
    id: str
    path: DataPath
    span: Span
    data: dict[str, Any]

    @property
    def summary(self) -> str:
        """The item's own words in one line: an exhibit's title, an action's text …"""
        value = self.data.get(SUMMARY_FIELDS[self.list])
        return " ".join(value.split()) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Ref:
    """A place citing ``id`` of list ``target`` (``exhibits: [E3]`` → exhibits, E3)."""

    target: str
    id: str
    span: Span


@dataclass
class Outline:
    """Every item by id, every reference, in the order they are written."""

    items: dict[str, Item] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)

    def of(self, list_name: str) -> list[Item]:
        """The items of one list, in file order."""
        return [i for i in self.items.values() if i.list == list_name]

    def at(self, offset: int) -> Item | Ref | None:
        """The item id or reference written at ``offset`` (the cursor may be just after it)."""
        for ref in self.refs:
            if offset in ref.span:
                return ref
        for item in self.items.values():
            if offset in item.span:
                return item
        return None


def _span(doc: Document, path: DataPath) -> Span | None:
    found = doc.spans.get(path)
    if found is None:
        return None
    start, end, style = found
    if style in ("'", '"'):  # the id without its quotes
        start, end = start + 1, end - 1
    return Span(start, end)


def outline(doc: Document) -> Outline:
    """The :class:`Outline` of a parsed case file (also of an invalid one: what is there)."""
    from poaforge.case.consistency import ITEM_LISTS, REFERENCES, list_items

    out = Outline()
    data = doc.data if isinstance(doc.data, dict) else {}
    for name in ITEM_LISTS:
        for path, item in list_items(data, name):
            ident, span = item.get("id"), _span(doc, path + ("id",))
            if isinstance(ident, str) and span is not None and ident not in out.items:
                out.items[ident] = Item(name, int(path[-1]), ident, path, span, item)
    for source, key, target, _word in REFERENCES:
        for path, item in list_items(data, source):
            value = item.get(key)
            cited = [(path + (key,), value)] if isinstance(value, str) else \
                [(path + (key, j), v) for j, v in enumerate(value if isinstance(value, list) else [])]
            for where, ident in cited:
                span = _span(doc, where)
                if isinstance(ident, str) and span is not None:
                    out.refs.append(Ref(target, ident, span))
    out.refs.sort(key=lambda r: r.span)
    return out
