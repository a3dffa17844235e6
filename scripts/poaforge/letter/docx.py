"""``poa.docx``: the POA as an editable Word document, for a consultant.

The document is built as a pandoc AST in Python and converted by pandoc with a reference
document for the styles. Case text only ever becomes ``Str``/``Space``/``LineBreak``
nodes, so nothing in it (Markdown, HTML, raw blocks, math, citations) can act as markup.
The wording of each point is the same as in ``poa.txt`` (``formtext.item_lines``).

Run as ``python -m poaforge.steps docx case.json poa.docx``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.errors import BuildError, Problem
from poaforge.files import read_json
from poaforge.letter.formtext import fill, item_lines
from poaforge.paths import TEMPLATES

__all__ = ["document", "write_docx", "main", "PANDOC_API", "REFERENCE"]

#: pandoc-types version of the JSON AST (pandoc 3.x).
PANDOC_API = [1, 23, 1, 1]
REFERENCE = TEMPLATES / "reference.docx"
_WORD = re.compile(r"(\s+)")


def inlines(text: str) -> list[dict[str, Any]]:
    """Literal text as pandoc inlines: words, spaces and line breaks only."""
    out: list[dict[str, Any]] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append({"t": "LineBreak"})
        for part in _WORD.split(line):
            if not part:
                continue
            out.append({"t": "Space"} if part.isspace() else {"t": "Str", "c": part})
    return out


def para(*parts: str | list[dict[str, Any]]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for part in parts:
        content += inlines(part) if isinstance(part, str) else part
    return {"t": "Para", "c": content}


def strong(text: str) -> list[dict[str, Any]]:
    return [{"t": "Strong", "c": inlines(text)}]


def _header(level: int, text: str, ident: str) -> dict[str, Any]:
    return {"t": "Header", "c": [level, [ident, [], []], inlines(text)]}


def _letterhead(case: dict[str, Any]) -> list[dict[str, Any]]:
    seller, lab = case["seller"], case["labels"]
    lines = [f"{lab['store']}{lab['colon']}{seller['store_name']}", f"{lab['seller_id']}{lab['colon']}{seller['seller_id']}"]
    lines += [seller[k] for k in ("address", "email") if seller.get(k)]
    return [para(strong(seller["legal_name"]), [{"t": "LineBreak"}], "\n".join(lines))]


def _reference(case: dict[str, Any]) -> str:
    notice = case["notice"]
    codes = [v["policy"] + (f" ({v['code']})" if v.get("code") else "") for v in notice["violations"]]
    return f"{notice['reference']} — {case['labels']['list_sep'].join(codes)}"


def _metrics(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Account metrics as a bullet list: reading, window, date, target, status, exhibit."""
    from poaforge.case.metrics import SYMBOLS, label, meets, target

    lab, profile = case["labels"], case["profile"]
    numbers = {e["id"]: e["number"] for e in case["exhibits"]}
    items = []
    metrics = case.get("metrics") or []
    order = {name: i for i, name in reversed(list(enumerate(m["name"] for m in metrics)))}
    for m in sorted(metrics, key=lambda m: (order[m["name"]], m["date"])):
        spec = target(profile, m["name"], case["marketplace"])
        unit = "" if m["unit"] in ("count",) else m["unit"]
        parts = [f"{label(profile, m['name'])}{lab['colon']}{m['value']}{unit}", m["window"], m["date"]]
        if spec:
            parts.append(f"{lab['col_target']} {SYMBOLS.get(spec['op'], spec['op'])} {float(spec['threshold']):g}{unit}")
        status = {True: "metric_meets", False: "metric_misses", None: "metric_no_target"}[meets(m["value"], spec)]
        text = f"{lab['list_sep'].join(parts)} — {lab[status]} {fill(lab['cite_one'], n=numbers[m['exhibit']])}"
        items.append([para(text)])
    if not items:
        return []
    return [_header(2, lab["metrics"], "metrics"), {"t": "BulletList", "c": items}]


def document(case: dict[str, Any]) -> dict[str, Any]:
    """The pandoc AST of the POA for ``case`` (case.json content)."""
    lab, seller, notice = case["labels"], case["seller"], case["notice"]
    person = seller["responsible_person"]
    values = {"store_name": seller["store_name"], "seller_id": seller["seller_id"], "notice_reference": notice["reference"],
              "legal_name": seller["legal_name"]}
    blocks: list[dict[str, Any]] = [_header(1, lab["title"], "title")]
    blocks += _letterhead(case)
    blocks.append(para(f"{lab['date']}{lab['colon']}{case['as_of']}"))
    blocks.append(para(f"{lab['to']}{lab['colon']}{lab['addressee']}"))
    blocks.append(para(f"{lab['reference']}{lab['colon']}{_reference(case)}"))
    blocks.append(para(fill(lab["opening"], **values)))
    blocks += _metrics(case)
    for section in case["profile"]["sections"]:
        blocks.append(_header(2, lab[section], section.replace("_", "-")))
        items = []
        for item in case.get(section, []):
            first, *rest = item_lines(section, item, case)
            items.append([para(first)] + [para(line) for line in rest])
        if items:
            blocks.append({"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]})
    closing = [lab["sincerely"], person["name"], person["title"], seller["legal_name"]]
    blocks.append(para("\n".join(x for x in closing if x)))
    signature = case["profile"].get("signature", {})
    if signature.get("signature_required"):
        blocks.append(para(f"{lab['signature_line']}{lab['colon']}______________________"))
    if signature.get("seal_required"):
        blocks.append(para(lab["seal_placeholder"]))
    meta = {"title": {"t": "MetaInlines", "c": inlines(f"{lab['title']} — {seller['store_name']}")},
            "lang": {"t": "MetaInlines", "c": inlines({"zh": "zh-CN"}.get(case["language"], case["language"]))}}
    return {"pandoc-api-version": PANDOC_API, "meta": meta, "blocks": blocks}


def write_docx(case: dict[str, Any], out: Path, reference: Path = REFERENCE) -> None:
    """Convert the AST with pandoc into ``out`` (atomically, reproducibly)."""
    import pypandoc

    tmp = out.with_name(f".{out.name}.tmp.docx")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    args = [f"--reference-doc={reference}"] if reference.exists() else []
    try:
        pypandoc.convert_text(json.dumps(document(case), ensure_ascii=False), "docx", format="json",
                              outputfile=str(tmp), extra_args=args, sandbox=True)
    except (RuntimeError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise BuildError(Problem(str(out), message=f"pandoc could not write the DOCX ({exc})",
                                 hint="check free disk space and that the results folder is writable")) from None
    tmp.replace(out)


def main(argv: Sequence[str]) -> int:
    case = read_json(Path(argv[0]))
    write_docx(case, Path(argv[1]))
    return 0
