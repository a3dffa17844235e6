"""Reading a draft written anywhere: ``.txt`` and ``.md`` files as they are (UTF-8, UTF-16 with a
byte-order mark, or GB18030 as Chinese Windows saves it), ``.docx`` and ``.odt`` through pandoc's
JSON AST (``pypandoc-binary`` ships pandoc; nothing is downloaded). The draft is never written.

A draft becomes a list of :class:`Line` — one per text line, or one per paragraph of a Word
document, where "line" in a message is the paragraph's number (pandoc does not report
Word's own line breaks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poaforge.errors import Problem, UsageError

__all__ = ["Line", "read_draft", "decode_text", "SUFFIXES", "MAX_DRAFT_BYTES"]

#: What `poa check` reads, and how.
SUFFIXES = {".txt": "text", ".md": "text", ".markdown": "text", ".text": "text", ".docx": "docx", ".odt": "odt"}
#: A POA is a few pages; a file larger than this is not a draft.
MAX_DRAFT_BYTES = 5_000_000


@dataclass(frozen=True)
class Line:
    """One line of a text file or one paragraph of a document: ``number`` is 1-based;
    ``heading_level`` is set for a Word/Markdown heading, ``bold`` when the whole paragraph
    is bold (a heading by formatting)."""

    number: int
    text: str
    heading_level: int = 0
    bold: bool = False


def _problem(path: Path, message: str, hint: str) -> UsageError:
    err = UsageError(Problem(str(path), message=message, hint=hint))
    err.exit_code = 1
    return err


def decode_text(raw: bytes, path: Path) -> str:
    """Text of a draft file: UTF-8 (BOM allowed), UTF-16 with a BOM, else GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise _problem(path, "is not a text file (it contains NUL bytes)",
                       "save the draft as .txt (UTF-8) or .docx, or give the .docx file itself")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise _problem(path, "is neither UTF-8 nor GB18030 text",
                       "save the draft as UTF-8 (File → Save as → Encoding: UTF-8)") from None


def _inline_text(inlines: list[dict[str, Any]]) -> tuple[str, bool]:
    """Plain text of pandoc inlines; True when all of it is bold (Strong)."""
    parts: list[str] = []
    bold_chars = plain_chars = 0
    for node in inlines:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            parts.append(content)
            plain_chars += len(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind == "Strong":
            text, _ = _inline_text(content)
            parts.append(text)
            bold_chars += len(text.strip())
        elif kind in ("Emph", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            parts.append(_inline_text(content)[0])
        elif kind == "Quoted":
            q = ("“", "”") if content[0].get("t") == "DoubleQuote" else ("‘", "’")
            parts.append(q[0] + _inline_text(content[1])[0] + q[1])
        elif kind in ("Link", "Span"):
            parts.append(_inline_text(content[1])[0])
        elif kind == "Code":
            parts.append(content[1])
        elif kind == "Note":
            continue
    text = "".join(parts)
    return text, bold_chars > 0 and plain_chars == 0


def _blocks(blocks: list[dict[str, Any]], out: list[tuple[str, int, bool]], prefix: str = "") -> None:
    for b in blocks:
        kind, content = b.get("t"), b.get("c")
        if kind in ("Para", "Plain"):
            text, bold = _inline_text(content)
            out.append((prefix + text, 0, bold))
            prefix = ""
        elif kind == "Header":
            out.append((prefix + _inline_text(content[2])[0], int(content[0]), False))
            prefix = ""
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            for n, item in enumerate(items, 1):
                _blocks(item, out, "- " if kind == "BulletList" else f"{n}. ")
        elif kind == "BlockQuote":
            _blocks(content, out)
        elif kind == "Div":
            _blocks(content[1], out)
        elif kind == "Table":
            for row in _table_rows(content):
                out.append((" | ".join(row), 0, False))
        elif kind == "LineBlock":
            for line in content:
                out.append((_inline_text(line)[0], 0, False))


def _table_rows(content: list[Any]) -> list[list[str]]:
    rows: list[list[str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict) and node.get("t") == "Row":
            cells = []
            for cell in node["c"][1]:
                buf: list[tuple[str, int, bool]] = []
                _blocks(cell[4], buf)
                cells.append(" ".join(t for t, _, _ in buf))
            rows.append(cells)
        elif isinstance(node, (list, dict)):
            for child in (node.values() if isinstance(node, dict) else node):
                walk(child)

    walk(content)
    return rows


def _pandoc(path: Path, fmt: str) -> list[Line]:
    import json
    import subprocess

    try:
        import pypandoc

        from poaforge.letter.docx import use_bundled_pandoc

        use_bundled_pandoc()
        exe = pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        raise _problem(path, f"pandoc is not available to read it ({exc})", "run tools/setup.sh, or save the draft as .txt")
    proc = subprocess.run([exe, "--from", fmt, "--to", "json", str(path)], capture_output=True, timeout=60)
    if proc.returncode:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise _problem(path, f"cannot be read as a {fmt.upper()} document ({reason[0]})",
                       "open it in Word or LibreOffice and save it again as .docx, or save it as .txt")
    doc = json.loads(proc.stdout)
    paras: list[tuple[str, int, bool]] = []
    _blocks(doc.get("blocks", []), paras)
    return [Line(n, text, level, bold) for n, (text, level, bold) in enumerate(paras, 1)]


def read_draft(path: Path) -> list[Line]:
    """The lines (paragraphs) of the draft at ``path``; a :class:`UsageError` (exit 2) for a
    type we do not read, a one-line problem (exit 1) for a file that cannot be read."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(Problem(str(path), message=f"cannot check a '{path.suffix or 'no suffix'}' file",
                                 hint="give a .txt, .md, .docx or .odt draft (save .doc and .pdf drafts as .docx first)"))
    try:
        if path.is_dir():
            raise _problem(path, "is a folder, not a draft", "name the draft file itself")
        size = path.stat().st_size
        if size > MAX_DRAFT_BYTES:
            raise _problem(path, f"is {size:,} bytes, too large for a POA draft", "check the text of the POA only")
        if kind != "text":
            return _pandoc(path, kind)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(Problem(str(path), message="no such file", hint="check the name and the folder")) from None
    except PermissionError:
        raise _problem(path, "cannot be read (permission denied)", "check the file's permissions") from None
    text = decode_text(raw, path)
    return [Line(n, line) for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
