"""Strict YAML loading that keeps every scalar as written and remembers where it was.

Case files are written by hand; PyYAML's usual loaders guess types (``no`` → False,
``0123`` → 83, dates → ``date``), let the last duplicate key win and expand aliases.
Here every scalar stays a string, duplicate keys, anchors, aliases and tags are
refused, and each value's ``line:col`` is kept so errors can point at it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from poaforge.errors import CaseError, Problem

__all__ = ["Document", "load_yaml", "parse_yaml", "DataPath", "MAX_FILE_BYTES"]

DataPath = tuple[str | int, ...]

#: Largest case file accepted (bytes) by default; POA_MAX_CASE_BYTES overrides it (see limits).
MAX_FILE_BYTES = 2_000_000


@dataclass
class Document:
    """A loaded YAML mapping with the position of every key and value."""

    path: str
    data: Any
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    #: the file's text, and where each text value is in it (start, end offsets; YAML style
    #: '' plain, '>' folded, '|' literal, "'" or '"' quoted): findings point inside the value
    source: str = ""
    spans: dict[DataPath, tuple[int, int, str]] = field(default_factory=dict)

    def locate(self, path: DataPath) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest parent."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.values:
                return self.values[path[:n]]
        return (1, 1)

    def locate_key(self, path: DataPath) -> tuple[int, int]:
        """Position of the key of ``path`` (for a list item: the item), else of its parent."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.keys:
                return self.keys[path[:n]]
        return self.locate(path)

    def problem(self, path: DataPath, message: str, hint: str = "", *, key: bool = False) -> Problem:
        line, col = self.locate_key(path) if key else self.locate(path)
        return Problem(self.path, line, col, message, hint)


class _StrictComposer(Composer):
    """Composer that refuses anchors, aliases and explicit tags."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            raise _Refused(mark, f"alias '*{event.anchor}' is not allowed",
                           "write the value out in full; anchors and aliases (&, *) are not supported")
        if isinstance(event, (ScalarEvent, SequenceStartEvent, MappingStartEvent)):
            if event.anchor is not None:
                raise _Refused(mark, f"anchor '&{event.anchor}' is not allowed",
                               "write the value out in full; anchors and aliases (&, *) are not supported")
            tag = event.tag
            if tag is not None and tag != "!":
                tag = tag.replace("tag:yaml.org,2002:", "!!")
                raise _Refused(mark, f"tag '{tag}' is not allowed",
                               "remove the tag; case files hold plain text, lists and mappings")
        return super().compose_node(parent, index)


class _Loader(Reader, Scanner, Parser, _StrictComposer, BaseResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        BaseResolver.__init__(self)


#: libyaml's parser (PyYAML's C extension), when PyYAML was built with it: the same events as
#: the pure-Python parser, about 8× faster (a 250-line case: 5 ms against 41 ms).
_CParser = getattr(yaml, "_yaml", None) and getattr(yaml._yaml, "CParser", None)


if _CParser is not None:
    class _FastLoader(_CParser, _StrictComposer, BaseResolver):  # type: ignore[misc, valid-type]
        """libyaml's events composed by our strict composer (same nodes, same marks)."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _StrictComposer.__init__(self)
            BaseResolver.__init__(self)


def _fast_node(text: str) -> Node | None:
    """The document's node through libyaml, or None when libyaml is missing or the text has
    any problem: the pure-Python parser then reads it again and words the error (its
    messages and positions are the ones our hints are written for)."""
    if _CParser is None:
        return None
    try:
        Reader(text)  # refuses the characters YAML forbids, as the Python path does
        loader = _FastLoader(text)
    except Exception:
        return None
    try:
        node = Composer.get_single_node(loader)
    except Exception:  # any problem: the pure-Python parser says what it is
        return None
    finally:
        loader.dispose()
    return node if isinstance(node, MappingNode) else None


class _Refused(Exception):
    def __init__(self, mark: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


#: Characters YAML forbids in a file; an escape in quotes ("\\x07", "\\ud800") can still make them.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DEEP = "the file is nested too deeply to be a case file"
_DEEP_HINT = "check for a runaway '[' or '{', or indentation that keeps growing"


def _unprintable(value: str) -> str | None:
    m = _UNPRINTABLE.search(value)
    return None if m is None else f"U+{ord(m.group()):04X}"


def _build(node: Node, path: DataPath, doc: Document, problems: list[Problem]) -> Any:
    doc.values[path] = _pos(node)
    if isinstance(node, ScalarNode):
        doc.spans[path] = (node.start_mark.index, node.end_mark.index, node.style or "")
        bad = _unprintable(node.value)
        if bad:
            line, col = _pos(node)
            problems.append(Problem(doc.path, line, col, f"the text contains the control character {bad}, which cannot be printed",
                                    "remove it (in quotes, an escape such as \\x07, \\0 or \\ud800 makes one)"))
        return node.value
    if isinstance(node, SequenceNode):
        items = []
        for i, child in enumerate(node.value):
            doc.keys[path + (i,)] = _pos(child)
            items.append(_build(child, path + (i,), doc, problems))
        return items
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            line, col = _pos(key_node)
            problems.append(Problem(doc.path, line, col, "a key must be plain text",
                                    "write the key as a name followed by ':'"))
            continue
        key = key_node.value
        if key in result:
            line, col = _pos(key_node)
            first = doc.keys[path + (key,)]
            problems.append(Problem(doc.path, line, col, f"duplicate key '{key}' (first at line {first[0]})",
                                    "keep one of them; a repeated key would silently replace the first"))
            continue
        doc.keys[path + (key,)] = _pos(key_node)
        result[key] = _build(value_node, path + (key,), doc, problems)
    return result


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise CaseError(Problem(name, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8 text",
                                "save the file as UTF-8 in your editor (File → Save with encoding → UTF-8)")) from None


def _slow_node(text: str, name: str) -> Node | None:
    """The document's node through PyYAML's pure-Python parser (None for an empty file).

    Raises CaseError with the located problem when the text is not a readable case file."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise CaseError(_reader_problem(exc, name, text)) from None
    try:
        return loader.get_single_node()
    except RecursionError:
        raise CaseError(Problem(name, 1, 1, _DEEP, _DEEP_HINT)) from None
    except yaml.reader.ReaderError as exc:
        raise CaseError(_reader_problem(exc, name, text)) from None
    except _Refused as exc:
        raise CaseError(Problem(name, exc.mark.line + 1, exc.mark.column + 1, exc.message, exc.hint)) from None
    except yaml.MarkedYAMLError as exc:
        raise CaseError(_syntax_problem(exc, name, text)) from None
    except yaml.YAMLError as exc:
        raise CaseError(Problem(name, 1, 1, f"not readable as YAML ({exc})", "check the file's syntax")) from None
    finally:
        loader.dispose()


def parse_yaml(text: str, name: str) -> Document:
    """Parse YAML ``text`` strictly; ``name`` is used in error messages."""
    doc = Document(path=name, data=None, source=text)
    if "\x00" in text:
        raise CaseError(Problem(name, 1, 1, "the file contains NUL bytes and is not a text file",
                                "open it in a text editor and save it as UTF-8 YAML"))
    node = _fast_node(text)
    if node is None:
        node = _slow_node(text, name)
    if node is None:
        raise CaseError(Problem(name, 1, 1, "the file is empty",
                                "start from an example in cases/ or run `poa new <case>`"))
    if not isinstance(node, MappingNode):
        line, col = _pos(node)
        raise CaseError(Problem(name, line, col, "the file must be a mapping of fields (case:, platform:, …)",
                                "start the file with 'case: <id>' lines, not a list or plain text"))
    problems: list[Problem] = []
    try:
        doc.data = _build(node, (), doc, problems)
    except RecursionError:
        raise CaseError(Problem(name, 1, 1, _DEEP, _DEEP_HINT)) from None
    if problems:
        raise CaseError(problems)
    return doc


def _reader_problem(exc: yaml.reader.ReaderError, name: str, text: str) -> Problem:
    pos = max(0, min(int(exc.position), len(text)))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Problem(name, line, col, f"the file contains the control character U+{int(exc.character):04X}, which YAML does not allow",
                   "delete it (most editors do not show it; it often comes from copy and paste)")


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    """The located problem for a YAML syntax error, worded for a person editing the file.

    PyYAML reports where it gave up, which for a quote left open or a misindented line is
    often many lines later; the common causes are recognised and pointed at where they are."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or str(exc)).strip()
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in current or "'\\t'" in problem:
        return Problem(name, line, col, "a tab character is used for indentation",
                       "indent with spaces only (YAML does not allow tabs)")
    if exc.context == "while scanning a quoted scalar" and "end of stream" in problem and exc.context_mark:
        start = exc.context_mark  # the error is at the end of the file; the cause is where the quote opens
        return Problem(name, start.line + 1, start.column + 1, "this quoted text is never closed",
                       "add the closing quote at the end of the text")
    opened = _open_quote(lines, line)
    if opened is not None:
        return Problem(name, opened[0], opened[1], "this quoted text is not closed on its line, so YAML reads on "
                       f"to the next {opened[2]} (line {opened[3]})", "add the closing quote at the end of the text")
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        key = exc.context_mark
        return Problem(name, key.line + 1, key.column + 1, "this line has no ':' after its name",
                       "write it as 'name: value' (a colon and a space after the name), or join it to the text above")
    deeper = _deeper_than_before(lines, line)
    if deeper is not None:
        return Problem(name, line, deeper[1] + 1, f"this line is indented deeper than line {deeper[0]} above it, "
                       f"so YAML reads it as more of line {deeper[0]}'s text",
                       "give it the indentation of the other names in its block; if the ':' belongs to the text, put the text in quotes")
    if "mapping values are not allowed" in problem:
        return Problem(name, line, col, "unexpected ':' in a value",
                       "put the text in quotes, or use a block (>- on the line before) for long text")
    if exc.context and "single document" in exc.context:
        return Problem(name, line, col, "a second YAML document starts here",
                       "a case file holds one case: remove this '---' line and what follows, or move it to its own file")
    if "expected <block end>" in problem and "block mapping start" in problem:
        return Problem(name, line, col, "this line's indentation does not match the lines above it",
                       "indent it with as many spaces as the other names of its block")
    context = f" {exc.context}" if exc.context else ""
    return Problem(name, line, col, f"YAML syntax error: {problem}{context}",
                   "check indentation and quotes on this line and the one before")


#: A value that opens with a quote: "key: 'text" or "- 'text" (group 1 is the quote).
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s'"#][^:#]*:\s+|-\s+)?(['"])""")
#: A line that looks like a name of the case file ("  owner: …", "- id: …").
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?:\s|$)")


def _open_quote(lines: list[str], until: int) -> tuple[int, int, str, int] | None:
    """(line, column, quote, closing line) of a quoted value opened before line ``until`` and
    closed only lines later, after lines that look like names of their own: the usual cause of
    an error reported far below a forgotten closing quote. None when there is none."""
    n = 0
    while n < min(until, len(lines)):
        m = _QUOTED_VALUE.match(lines[n])
        if m is None:
            n += 1
            continue
        quote, start = m.group(1), m.end(1)
        end = _closing(lines, n, start, quote)
        if end is None or end[0] == n:
            n = n + 1 if end is None else end[0] + 1
            continue
        if any(_KEY_LINE.match(lines[k]) for k in range(n + 1, end[0] + 1)):
            return n + 1, m.start(1) + 1, quote, end[0] + 1
        n = end[0] + 1
    return None


def _closing(lines: list[str], row: int, col: int, quote: str) -> tuple[int, int] | None:
    """Where the quoted text opened at (row, col) ends: (row, col) of its closing quote."""
    r, c = row, col
    while r < len(lines):
        text = lines[r]
        while c < len(text):
            ch = text[c]
            if quote == '"' and ch == "\\":
                c += 2
                continue
            if ch == quote:
                if quote == "'" and text[c + 1:c + 2] == "'":
                    c += 2
                    continue
                return r, c
            c += 1
        r, c = r + 1, 0
    return None


def _deeper_than_before(lines: list[str], line: int) -> tuple[int, int] | None:
    """(line above, indentation) when line ``line`` is a 'name: …' line indented deeper than the
    line above it, which holds a plain value: YAML then reads both lines as one text."""
    if not 0 < line <= len(lines) or not _KEY_LINE.match(lines[line - 1]):
        return None
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip(" "))
    for k in range(line - 2, -1, -1):
        above = lines[k]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        m = re.match(r"^(\s*)(?:-\s+)?[A-Za-z_][\w-]*:\s+([^\s>|'\"#].*)$", above)
        if m and indent > len(m.group(1)):
            return k + 1, indent
        return None
    return None


def load_yaml(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Document:
    """Read and strictly parse the YAML file at ``path``."""
    name = str(path)
    from poaforge.limits import current

    limit = max_bytes or current().case_bytes
    p = Path(path)
    try:
        if p.is_dir():
            raise CaseError(Problem(name, 0, 0, "is a folder, not a case file", "give the path of a .yaml file"))
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise CaseError(Problem(name, 0, 0, "no such case file",
                                "check the name; `poa validate` lists problems for every file in cases/")) from None
    except OSError as exc:
        raise CaseError(Problem(name, 0, 0, f"cannot be read ({exc.strerror})", "check the file's permissions")) from None
    if len(raw) > limit:
        raise CaseError(Problem(name, 1, 1, f"the file is larger than {limit:,} bytes",
                                "keep long documents in exhibits; set POA_MAX_CASE_BYTES to raise the cap"))
    return parse_yaml(_decode(raw, name), name)
