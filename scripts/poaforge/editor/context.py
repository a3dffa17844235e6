"""Where the cursor is in a case file being typed: is an id expected there, of which list?

Read from the text itself, line by line, because a buffer is often not valid YAML while the
user types (``exhibits: [E1, E``). An id is expected

* after ``violations:``, ``root_causes:`` or ``exhibits:`` inside an item (a flow list
  ``[E1, E`` or a block list ``- E``), and after a metric's ``exhibit:``;
* after ``rule:`` in the ``waive:`` list (a rule id of the catalogue).

The top-level lists ``root_causes:``, ``exhibits:`` and ``notice.violations:`` define items;
their ids are not completed there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import WORD, Lines, Span

__all__ = ["Expected", "expected_at", "REF_KEYS"]

#: A key whose value cites ids → the list the ids come from (``rule`` → the rule catalogue).
REF_KEYS = {"violations": "violations", "root_causes": "root_causes", "exhibits": "exhibits",
            "exhibit": "exhibits", "rule": "rules"}

_KEY_LINE = re.compile(r"^\s*(?:-\s+)*(?P<key>[A-Za-z_]+)\s*:(?:\s|$)")
_LAST_KEY = re.compile(r"(?P<key>[A-Za-z_]+)\s*:\s*(?P<rest>[^:{}]*)$")
_FLOW_OPEN = re.compile(rf"\s*\[(?:\s*(?:{WORD.pattern})\s*,)*\s*(?:{WORD.pattern})?")
_DASH = re.compile(rf"^(?P<indent>\s*)-\s+(?:{WORD.pattern})?$|^(?P<bare>\s*)-$")


@dataclass(frozen=True)
class Expected:
    """An id of ``target`` (a list name, or ``rules``) is expected; ``span`` is the part of a
    word already typed (replaced by the completion)."""

    target: str
    span: Span


def _key_of(text: str) -> tuple[str, int] | None:
    """The key a line starts with (after list dashes) and its column, if any."""
    if text.lstrip().startswith("#"):
        return None
    m = _KEY_LINE.match(text)
    return (m.group("key"), m.start("key")) if m else None


def _parent(lines: Lines, line: int, col: int, *, same: bool = False) -> tuple[str, int, int] | None:
    """The nearest key above ``line`` at a column left of ``col`` (or at ``col`` with
    ``same``): (key, its column, its line)."""
    for n in range(line - 1, -1, -1):
        found = _key_of(lines.line_text(n))
        if found is not None and (found[1] < col or (same and found[1] == col)):
            return found[0], found[1], n
    return None


def _is_reference(lines: Lines, line: int, key: str, col: int) -> bool:
    """``key`` at ``col`` on ``line`` cites ids (not a top-level list defining items)."""
    if key not in REF_KEYS or col == 0:
        return False  # root_causes:, exhibits: at the top define items
    if key == "violations":
        owner = _parent(lines, line, col)
        return owner is None or owner[0] != "notice"
    if key == "rule":
        owner = _parent(lines, line, col)
        while owner is not None and owner[1] > 0:
            owner = _parent(lines, owner[2], owner[1])
        return owner is not None and owner[0] == "waive"
    return True


def expected_at(text: str, line: int, col: int) -> Expected | None:
    """What id the cursor at 0-based ``line``/``col`` (code points) of ``text`` expects, if any."""
    lines = Lines(text)
    before = lines.line_text(line)[:col]
    typed = re.search(rf"(?:{WORD.pattern})$", before)
    end = lines.offset(line, col)
    span = Span(end - (len(typed.group()) if typed else 0), end)
    m = _LAST_KEY.search(before)
    if m is not None:
        key, rest = m.group("key"), m.group("rest")
        single = key in ("exhibit", "rule")
        fits = re.fullmatch(rf"\s*(?:{WORD.pattern})?", rest) if single else _FLOW_OPEN.fullmatch(rest)
        if fits and _is_reference(lines, line, key, m.start("key")):
            return Expected(REF_KEYS[key], span)
        return None
    d = _DASH.match(before)
    if d is not None:
        dash = len(d.group("indent") if d.group("indent") is not None else d.group("bare"))
        owner = _parent(lines, line, dash, same=True)
        if owner is not None and owner[0] not in ("exhibit", "rule") and _is_reference(lines, owner[2], owner[0], owner[1]):
            return Expected(REF_KEYS[owner[0]], span)
    return None
