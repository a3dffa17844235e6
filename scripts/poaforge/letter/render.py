"""Render the Plan of Action and the evidence index (PDF through Typst, CSV).

    python -m poaforge.steps render results/c/case.json results/c/poa.pdf [--mode bundle]
    python -m poaforge.steps index  results/c/case.json results/c/exhibits.json \\
                                    results/c/evidence-index.pdf results/c/evidence-index.csv [--mode bundle]

``case`` is case.json (schema + contract fields: ``exhibits[].number``, ``profile``,
``labels``); ``exhibits`` is exhibits.json.  The templates live in ``templates/``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Sequence

from poaforge.console import ArgParser
from poaforge.errors import CaseError, Problem
from poaforge.files import read_json, write_text
from poaforge.paths import TEMPLATES
from poaforge.submit.plan import upload_names
from poaforge.typeset import MODES, compile_pdf

__all__ = [
    "CSV_COLUMNS", "cited_by", "index_rows",
    "render_poa", "render_index", "main",
]

CSV_COLUMNS = ("number", "id", "title", "date", "proves", "cited_by", "file", "pages", "sha256", "checked")
ITEM_LISTS = ("root_causes", "corrective_actions", "preventive_measures")


def cited_by(case: dict[str, Any]) -> dict[str, list[str]]:
    """Exhibit id → ids of the root causes, actions and measures citing it, in POA order,
    then the names of the metrics it shows (``order_defect_rate``)."""
    out: dict[str, list[str]] = {e["id"]: [] for e in case.get("exhibits", [])}
    cites = [(item["id"], ex) for key in ITEM_LISTS for item in case.get(key, []) for ex in item.get("exhibits", [])]
    cites += [(m["name"], m["exhibit"]) for m in case.get("metrics", []) if "exhibit" in m]
    for who, ex in cites:
        if ex in out and who not in out[ex]:
            out[ex].append(who)
    return out


def _check_refs(case: dict[str, Any]) -> None:
    known = {e["id"] for e in case.get("exhibits", [])}
    problems = [
        Problem(str(case.get("source", "case.json")),
                message=f"{item.get('id', key)} cites exhibit {ex!r}, which is not listed under exhibits",
                hint=f"add {ex} to exhibits or correct the id")
        for key in ITEM_LISTS for item in case.get(key, []) for ex in item.get("exhibits", []) if ex not in known
    ]
    if problems:
        raise CaseError(problems)


def index_rows(case: dict[str, Any], exhibits: dict[str, Any], uploads: dict[str, str]) -> list[dict[str, Any]]:
    """One row per exhibit, in exhibit order: what the index PDF and CSV show."""
    prepared = {e["id"]: e for e in exhibits.get("exhibits", [])}
    cites = cited_by(case)
    rows = []
    for e in sorted(case.get("exhibits", []), key=lambda e: int(e["number"])):
        prep = prepared.get(e["id"], {})
        rows.append({
            "number": int(e["number"]), "id": e["id"], "title": e["title"], "date": e["date"], "proves": e["proves"],
            "cited_by": cites.get(e["id"], []), "file": uploads.get(e["id"], ""),
            "pages": prep.get("pages", ""), "sha256": prep.get("sha256") or e.get("sha256", ""),
            "checked": prep.get("checked", ""),  # "checked against the letter", from facts.json (step read)
        })
    return rows


def render_poa(case: dict[str, Any], out: Path, mode: str = "standalone") -> int:
    """Typeset the POA letter to ``out``; return its page count."""
    _check_refs(case)
    return compile_pdf(TEMPLATES / "poa.typ", case, Path(out), mode=mode)


def render_index(case: dict[str, Any], exhibits: dict[str, Any], uploads: dict[str, str],
                 out_pdf: Path | None, out_csv: Path | None, mode: str = "standalone") -> int:
    """Write the evidence index as PDF and/or CSV; return the PDF's page count (0 without)."""
    rows = index_rows(case, exhibits, uploads)
    if out_csv is not None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "cited_by": ";".join(r["cited_by"])} for r in rows)
        write_text(Path(out_csv), buf.getvalue())
    if out_pdf is None:
        return 0
    return compile_pdf(TEMPLATES / "index.typ", {**case, "index": rows}, Path(out_pdf), mode=mode)


def _mode_arg(parser: ArgParser) -> ArgParser:
    parser.add_argument("--mode", choices=MODES, default="standalone",
                        help="standalone (own page footer) or bundle (exhibit links, no footer)")
    return parser


def main(argv: Sequence[str]) -> int:
    """Step ``render CASE_JSON OUT_PDF [--mode M]``: the POA letter; returns the exit code."""
    p = _mode_arg(ArgParser(prog="python -m poaforge.steps render"))
    p.add_argument("case_json", type=Path)
    p.add_argument("out_pdf", type=Path)
    args = p.parse_args(argv)
    render_poa(read_json(args.case_json), args.out_pdf, args.mode)
    return 0


def main_index(argv: Sequence[str]) -> int:
    """Step ``index CASE_JSON EXHIBITS_JSON OUT_PDF OUT_CSV [--mode M] [--checked FACTS_JSON]``: the evidence index."""
    p = _mode_arg(ArgParser(prog="python -m poaforge.steps index"))
    for name in ("case_json", "exhibits_json", "out_pdf", "out_csv"):
        p.add_argument(name, type=Path)
    p.add_argument("--checked", type=Path, help="facts.json of the read step: adds the 'checked against the letter' column")
    args = p.parse_args(argv)
    case = read_json(args.case_json)
    exhibits = read_json(args.exhibits_json)
    if args.checked:  # the "checked against the letter" cell of each exhibit (poaforge.evidence.read)
        cells = read_json(args.checked).get("checked", {})
        exhibits = {**exhibits, "exhibits": [{**e, "checked": cells.get(e["id"], "")} for e in exhibits.get("exhibits", [])]}
    render_index(case, exhibits, upload_names(case, exhibits), args.out_pdf, args.out_csv, args.mode)
    return 0
