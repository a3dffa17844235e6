"""``poa.docx``: the letter model laid out as an editable Word document, for a consultant.

The document is a pandoc AST built here and converted by pandoc with the reference document
for the profile's paper (``templates/reference-a4.docx`` / ``reference-us-letter.docx``: page
size, margins, styles). Case text only ever becomes ``Str``/``Space``/``LineBreak`` nodes, so
nothing in it (Markdown, HTML, raw blocks, math, citations) can act as markup. It holds the
same words in the same order as ``poa.pdf`` and ``poa.txt``: the item numbers are text, the
metrics are a table, and ids keep their hyphens unbreakable (U+2011).
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem
from poaforge.letter.formtext import SIGN_HERE
from poaforge.paths import TEMPLATES

__all__ = ["document", "write_docx", "use_bundled_pandoc", "inlines", "reference_for", "PANDOC_API"]

#: pandoc-types version of the JSON AST (pandoc 3.x).
PANDOC_API = [1, 23, 1, 1]
_WORD = re.compile(r"(\s+)")
Node = dict[str, Any]


def reference_for(paper: str) -> Path:
    """The reference document of a paper size (``a4`` or ``us-letter``)."""
    return TEMPLATES / f"reference-{paper}.docx"


def inlines(text: str, keep: re.Pattern[str] | None = None) -> list[Node]:
    """Literal text as pandoc inlines: words, spaces and line breaks only; inside tokens
    matching ``keep`` a hyphen becomes a non-breaking hyphen."""
    out: list[Node] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append({"t": "LineBreak"})
        for part in _WORD.split(line):
            if not part:
                continue
            if part.isspace():
                out.append({"t": "Space"})
                continue
            if keep is not None:
                part = keep.sub(lambda m: m.group(0).replace("-", "\u2011"), part)
            out.append({"t": "Str", "c": part})
    return out


class _Doc:
    def __init__(self, model: dict[str, Any]) -> None:
        self.m = model
        self.keep = re.compile(model["keep"])

    def text(self, s: str) -> list[Node]:
        return inlines(s, self.keep)

    def strong(self, s: str) -> list[Node]:
        return [{"t": "Strong", "c": self.text(s)}] if s else []

    def para(self, *parts: list[Node]) -> Node:
        return {"t": "Para", "c": [node for part in parts for node in part]}

    def styled(self, style: str, *blocks: Node) -> Node:
        return {"t": "Div", "c": [["", [], [["custom-style", style]]], list(blocks)]}

    def field(self, part: dict[str, str]) -> list[Node]:
        return self.strong(part["label"]) + self.text(part["value"])

    def line(self, parts: list[dict[str, str]], sep: str) -> list[Node]:
        out: list[Node] = []
        for i, p in enumerate(parts):
            out += (self.text(sep) if i else []) + self.field(p)
        return out

    def cell(self, blocks: list[Node]) -> list[Any]:
        return [["", [], []], {"t": "AlignDefault"}, 1, 1, blocks]

    def table(self, head: list[list[Node]] | None, rows: list[list[list[Node]]], widths: list[float]) -> Node:
        specs = [[{"t": "AlignLeft"}, {"t": "ColWidth", "c": w}] for w in widths]
        row = lambda cells: [["", [], []], [self.cell(c) for c in cells]]  # noqa: E731
        thead = [["", [], []], [row(head)] if head else []]
        body = [["", [], []], 0, [], [row(r) for r in rows]]
        return {"t": "Table", "c": [["", [], []], [None, []], specs, thead, [body], [["", [], []], []]]}

    # --- the letter ----------------------------------------------------------------------

    def head(self) -> list[Node]:
        m = self.m
        lh: list[Node] = []
        for i, parts in enumerate(m["letterhead"]["lines"]):
            lh += ([{"t": "LineBreak"}] if i else []) + self.line(parts, m["separators"]["letterhead"])
        blocks = [self.styled("Sender", self.para(self.text(m["letterhead"]["name"]))), self.styled("Letterhead", self.para(lh)),
                  self.styled("Title", self.para(self.text(m["title"])))]
        colon = m["labels"]["colon"]
        for meta in m["meta"]:
            content = self.strong(meta["label"] + colon)
            for i, line in enumerate(meta["lines"]):
                content += ([{"t": "LineBreak"}] if i else []) + self.text(line)
            blocks.append(self.styled("Meta", self.para(content)))
        return blocks

    def metrics(self) -> list[Node]:
        M = self.m["metrics"]
        if not M:
            return []
        head = [[self.styled("POA Table", self.para(self.strong(c)))] for c in M["columns"]]
        rows = [[[self.styled("POA Table", self.para(self.text(c)))] if c else [] for c in r["cells"]] for r in M["rows"]]
        return [{"t": "Header", "c": [1, ["metrics", [], []], self.text(M["heading"])]},
                self.table(head, rows, [0.18, 0.09, 0.22, 0.16, 0.09, 0.14, 0.12])]

    def item(self, item: dict[str, Any]) -> list[Node]:
        sep = self.m["separators"]["item"]
        lines = [self.line(parts, sep) for parts in item["details"]]
        if item["cite"]:
            lines[-1] += self.text(item["cite"]["gap"] + item["cite"]["text"])
        first = self.para([{"t": "Str", "c": item["number"] + "\t"}] + self.text(item["text"]))
        return [self.styled("POA Item", first), *(self.styled("POA Detail", self.para(line)) for line in lines)]

    def sections(self) -> list[Node]:
        out: list[Node] = []
        for s in self.m["sections"]:
            out.append({"t": "Header", "c": [1, [s["part"].replace("_", "-"), [], []], self.text(s["heading"])]})
            for item in s["items"]:
                out += self.item(item)
        return out

    def foot(self) -> list[Node]:
        m, sign = self.m, self.m["signatory"]
        closing: list[Node] = []
        for i, x in enumerate(m["closing"]):
            closing += ([{"t": "LineBreak"}] if i else []) + self.text(x)
        lines: list[Node] = []
        if sign["signature"]:
            lines += self.text(f"{sign['signature']} {SIGN_HERE}") + [{"t": "LineBreak"}]
        lines += self.strong(sign["lines"][0])
        for x in sign["lines"][1:]:
            lines += [{"t": "LineBreak"}] + self.text(x)
        blocks = [self.styled("Closing CJK" if m["script"] == "cjk" else "Closing", self.para(closing))]
        if sign["seal"]:
            blocks.append(self.styled("Signatory", self.table(None, [[[self.para(lines)], [self.para(self.text(sign["seal"]))]]],
                                                              [0.45, 0.3])))
        else:
            blocks.append(self.styled("Signatory", self.para(lines)))
        return blocks


def document(model: dict[str, Any]) -> dict[str, Any]:
    """The pandoc AST of the letter model (letter.json content)."""
    d = _Doc(model)
    blocks = d.head()
    blocks += [d.styled("POA Paragraph CJK" if model["script"] == "cjk" else "POA Paragraph", d.para(d.text(p["text"])))
               for p in model["paragraphs"]]
    blocks += d.metrics() + d.sections() + d.foot()
    meta = {"lang": {"t": "MetaInlines", "c": inlines(model["lang_tag"])}}
    return {"pandoc-api-version": PANDOC_API, "meta": meta, "blocks": blocks}


def use_bundled_pandoc() -> None:
    """Point pypandoc at the pandoc of the pinned ``pypandoc_binary`` wheel when it is there and
    ``PYPANDOC_PANDOC`` names none: the same pandoc on every machine (a pandoc of another
    version on PATH is not picked up), and pypandoc runs one ``pandoc --version`` instead of
    probing five places (~50 ms of a job). Without the wheel, pypandoc searches as usual."""
    if os.environ.get("PYPANDOC_PANDOC"):
        return
    import pypandoc

    bundled = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        os.environ["PYPANDOC_PANDOC"] = str(bundled)


def write_docx(model: dict[str, Any], out: Path) -> None:
    """Convert the AST with pandoc into ``out`` (atomically; byte-identical for the same model)."""
    import pypandoc

    use_bundled_pandoc()

    reference = reference_for(model["paper"])
    tmp = out.with_name(f".{out.name}.tmp.docx")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        # the formats are fixed (json → docx): not verified against pandoc's lists, two pandoc runs (~25 ms) fewer
        pypandoc.convert_text(json.dumps(document(model), ensure_ascii=False), "docx", format="json",
                              outputfile=str(tmp), extra_args=[f"--reference-doc={reference}", "--quiet"], sandbox=True,
                              verify_format=False)
    except (RuntimeError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise BuildError(Problem(str(out), message=f"pandoc could not write the DOCX ({exc})",
                                 hint="check free disk space, that the results folder is writable and that "
                                      f"{reference.relative_to(TEMPLATES.parent)} exists")) from None
    try:
        _fit_tables(tmp, _text_width(reference))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise BuildError(Problem(str(out), message=f"cannot finish the DOCX ({exc})",
                                 hint="check free disk space and that the results folder is writable")) from None
    tmp.replace(out)


def _text_width(reference: Path) -> int:
    """Width of the text area of the reference document's page, in twentieths of a point."""
    with zipfile.ZipFile(reference) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    width = int(re.search(r'<w:pgSz w:w="(\d+)"', xml)[1])  # type: ignore[index]
    margins = re.search(r'<w:pgMar [^>]*w:right="(\d+)"[^>]*w:left="(\d+)"', xml)
    return width - int(margins[1]) - int(margins[2])  # type: ignore[index]


def _fit_tables(docx: Path, width: int) -> None:
    """Scale every table's column grid to the page's text width (pandoc assumes a 5.5 in text
    width; LibreOffice lays tables out by their grid), keeping the zip's order and dates."""
    def fit(grid: re.Match[str]) -> str:
        cols = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', grid[0])]
        total = sum(cols) or 1
        return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{round(c * width / total)}" />' for c in cols) + "</w:tblGrid>"

    with zipfile.ZipFile(docx) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(docx, "w") as dst:
        for info, data in items:
            if info.filename == "word/document.xml":
                data = re.sub(r"<w:tblGrid>.*?</w:tblGrid>", fit, data.decode("utf-8"), flags=re.S).encode("utf-8")
            dst.writestr(info, data)
