"""Exhibit pages poa-forge typesets itself: e-mails, plain text and tables, with Typst.

Every page says which original it shows ("Rendition of orders.csv (CSV table, 212 rows)
made by poa-forge; SHA-256 …"), so a reviewer never mistakes it for the seller's own
layout; the original is attached to the bundle. Case and file text reach Typst as JSON
data, never as markup. Layout decisions (column widths, font size, landscape) are made
here; ``templates/evidence/*.typ`` only draw; texts come from
``templates/evidence/labels.yaml`` in the case language.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from poaforge.paths import TEMPLATES

__all__ = ["FOLDER", "labels", "page_inputs", "split_lines", "typeset", "text_pages", "table_pages", "MAX_LINES", "MAX_CELL"]

FOLDER = TEMPLATES / "evidence"
MAX_LINES = 20_000  # lines of a text exhibit (about 330 pages)
MAX_CELL = 300  # characters shown of one table cell


@cache
def _all_labels() -> dict[str, dict[str, str]]:
    from poaforge.check.catalogue import load_data

    return load_data((FOLDER / "labels.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def labels(lang: str) -> dict[str, str]:
    """The page texts in ``lang`` (English for a language without its own entry)."""
    data = _all_labels()
    return {**data["en"], **data.get(lang, {})}


def page_inputs(case: dict[str, Any], exhibit: dict[str, Any], what: str, sha: str) -> dict[str, Any]:
    """Inputs every rendition template shares: title, paper, language, the header line naming
    the original (``what`` it is, its SHA-256) and the page-number label."""
    lang = str(case.get("language", "en"))
    lab = labels(lang)
    name = Path(str(exhibit.get("attachment") or exhibit["file"])).name
    return {"title": str(exhibit.get("title", name)), "paper": case.get("profile", {}).get("paper", "a4"), "lang": lang,
            "rendition": lab["rendition"].format(file=name, what=what, sha=sha[:16] + "…"), "page": lab["page"],
            "source": f"{case.get('case_dir', '')}/{exhibit['file']}"}


def typeset(template: str, data: dict[str, Any]) -> tuple[bytes, int]:
    """Compile ``templates/evidence/<template>`` with ``data``; return (PDF bytes, pages).

    A character no installed font can show raises BuildError naming the exhibit
    (``data["source"]``), as for the letter."""
    from poaforge.typeset import compile_pdf

    with tempfile.TemporaryDirectory(prefix="poa-exhibit-") as tmp:
        out = Path(tmp) / "page.pdf"
        pages = compile_pdf(FOLDER / template, data, out)
        return out.read_bytes(), pages


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` (any line ends), tabs expanded to 8 columns, trailing blanks removed."""
    return [line.expandtabs(8).rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def text_pages(case: dict[str, Any], exhibit: dict[str, Any], text: str, sha: str) -> tuple[bytes, int]:
    """A plain-text file as monospaced pages, lines as written."""
    lines = split_lines(text)
    while lines and not lines[-1]:
        lines.pop()
    data = {**page_inputs(case, exhibit, f"text file, {len(lines):,} lines", sha), "lines": lines[:MAX_LINES]}
    return typeset("text.typ", data)


def _widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Relative column widths from the longest cell of each column (3–40 characters)."""
    widths = []
    for j in range(len(header)):
        longest = max([len(header[j])] + [len(r[j]) for r in rows[:2000] if j < len(r)])
        widths.append(float(min(max(longest, 3), 40)))
    return widths


def table_pages(case: dict[str, Any], exhibit: dict[str, Any], sheets: list[dict[str, Any]], what: str,
                sha: str) -> tuple[bytes, int]:
    """Tables (``sheets``: [{name, header, rows}]) with their own header row repeated on every page.

    Wide tables go landscape with a smaller font: up to 6 columns 8.5 pt portrait, up to 12
    columns 7.5 pt landscape, beyond that down to 5.5 pt."""
    lab = labels(str(case.get("language", "en")))
    cols = max((len(s["header"]) for s in sheets), default=1)
    size = 8.5 if cols <= 6 else 7.5 if cols <= 12 else max(5.5, 7.5 - (cols - 12) * 0.15)
    out = []
    for s in sheets:
        rows = [[c[:MAX_CELL] + (lab["truncated"] if len(c) > MAX_CELL else "") for c in r] for r in s["rows"]]
        title = " · ".join(t for t in (lab["sheet"].format(name=s["name"]) if s.get("name") else "",
                                       lab["rows"].format(count=f"{len(rows):,}")) if t)
        out.append({"title": title, "widths": _widths(s["header"], rows), "header": s["header"], "rows": rows})
    data = {**page_inputs(case, exhibit, what, sha), "landscape": cols > 6, "size": round(size, 2), "sheets": out}
    return typeset("table.typ", data)
