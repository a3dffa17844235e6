"""The evidence index: one row per exhibit, as PDF (``templates/index.typ``) and CSV.

The words come from the letter model (exhibit titles and dates as the letter shows them,
"Cited by" naming the points as the letter numbers them: "Root cause 1", "Action 2"); the
facts of each file from exhibits.json (pages, SHA-256 of the original) and the upload plan
(the file name the platform receives, :func:`poaforge.submit.plan.upload_names`).

Step: ``python -m poaforge.steps index CASE_JSON LETTER_JSON EXHIBITS_JSON OUT_PDF OUT_CSV [--mode M]``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.files import read_json, write_text
from poaforge.letter.words import Words
from poaforge.paths import TEMPLATES
from poaforge.typeset import MODES, compile_pdf

__all__ = ["CSV_COLUMNS", "index_rows", "render_index", "with_checked", "main"]

CSV_COLUMNS = ("number", "id", "title", "date", "proves", "cited_by", "cited_by_ids", "file", "pages", "sha256", "checked")


def index_rows(model: dict[str, Any], exhibits: dict[str, Any], uploads: dict[str, str]) -> list[dict[str, Any]]:
    """One row per exhibit in number order: ``number, id, title, date`` (the letter's style),
    ``proves``, ``cited_by`` (names as in the letter), ``file`` (upload name), ``pages``, ``sha256``."""
    prepared = {e["id"]: e for e in exhibits.get("exhibits", [])}
    ids = {name: ident for ident, name in model["names"].items()}
    rows = []
    for e in model["exhibits"]:
        prep = prepared.get(e["id"], {})
        rows.append({"number": e["number"], "id": e["id"], "name": e["name"], "title": e["title"], "date": e["date"],
                     "proves": e["proves"], "cited_by": e["cited_by"],
                     "cited_by_ids": [ids[n] for n in e["cited_by"] if n in ids],
                     "file": uploads.get(e["id"], ""), "pages": prep.get("pages", ""), "sha256": prep.get("sha256", ""),
                     "checked": prep.get("checked", "")})  # "checked against the letter", from facts.json (step read)
    return rows


def _csv(rows: list[dict[str, Any]], iso_dates: dict[str, str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "date": iso_dates.get(r["id"], r["date"]), "cited_by": ";".join(r["cited_by"]),
                         "cited_by_ids": ";".join(r["cited_by_ids"])})
    return buf.getvalue()


def render_index(case: dict[str, Any], model: dict[str, Any], exhibits: dict[str, Any], uploads: dict[str, str],
                 out_pdf: Path | None, out_csv: Path | None, mode: str = "standalone") -> int:
    """Write the index as PDF and/or CSV (the CSV keeps ISO dates, for tools); return the
    PDF's page count (0 without). ``case`` is case.json (its profile says whether the
    platform takes one combined file, named once above the table)."""
    rows = index_rows(model, exhibits, uploads)
    if out_csv is not None:
        write_text(Path(out_csv), _csv(rows, {e["id"]: e["date"] for e in case["exhibits"]}))
    if out_pdf is None:
        return 0
    combined = case["profile"]["attachments"]["mode"] == "combined"
    files = list(dict.fromkeys(r["file"] for r in rows if r["file"]))
    note = Words(model["labels"]).fill("index_combined", file="\x00") if combined and len(files) == 1 else ""
    before, _, after = note.partition("\x00")
    data = {**model, "index": rows, "document_title": f"{model['labels']['evidence_index']} — {model['store']}", "combined": combined and len(files) == 1,
            "note": {"before": before, "file": files[0] if note else "", "after": after}}
    return compile_pdf(TEMPLATES / "index.typ", data, Path(out_pdf), mode=mode)


def with_checked(exhibits: dict[str, Any], facts_json: Path | None) -> dict[str, Any]:
    """exhibits.json with each exhibit's "checked against the letter" cell from the read step's
    ``facts.json`` (``checked``: id → "✓" or what was not found); unchanged without it."""
    if facts_json is None:
        return exhibits
    cells = read_json(facts_json).get("checked", {})
    return {**exhibits, "exhibits": [{**e, "checked": cells.get(e["id"], "")} for e in exhibits.get("exhibits", [])]}


def main(argv: Sequence[str]) -> int:
    """Step ``index CASE_JSON LETTER_JSON EXHIBITS_JSON OUT_PDF OUT_CSV [--mode M] [--checked FACTS_JSON]``."""
    from poaforge.submit.plan import upload_names

    p = ArgParser(prog="python -m poaforge.steps index")
    p.add_argument("--mode", choices=MODES, default="standalone",
                   help="standalone (own page footer) or bundle (exhibit links, no footer)")
    for name in ("case_json", "letter_json", "exhibits_json", "out_pdf", "out_csv"):
        p.add_argument(name, type=Path)
    p.add_argument("--checked", type=Path, help="facts.json of the read step: adds the 'checked against the letter' column")
    args = p.parse_args(argv)
    case, model, exhibits = read_json(args.case_json), read_json(args.letter_json), read_json(args.exhibits_json)
    exhibits = with_checked(exhibits, args.checked)
    render_index(case, model, exhibits, upload_names(case, exhibits), args.out_pdf, args.out_csv, args.mode)
    return 0
