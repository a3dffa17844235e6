"""Tables sellers export (order reports, tracking exports): CSV and workbooks read as rows.

``read_csv`` takes the file's encoding (UTF-8, UTF-16, or GB18030 as Chinese Excel saves
"CSV"), its delimiter (``,`` ``;`` tab ``|``, found by the standard library's
``csv.Sniffer``) and its first non-empty row as the header. ``read_workbook`` reads every
visible, non-empty sheet of an XLSX/XLS/ODS workbook with ``python-calamine`` (values as
Excel shows them: whole numbers without ".0", dates as YYYY-MM-DD). Rows are padded to
the header's width. Too many rows is an :class:`EvidenceError` with the cap.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from poaforge.errors import EvidenceError, Problem

__all__ = ["MAX_ROWS", "read_csv", "read_workbook", "decode_text"]

MAX_ROWS = 10_000  # rows of one table exhibit (about 250 pages)


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def decode_text(data: bytes, where: str) -> str:
    """Text of a file in UTF-8 (BOM allowed), UTF-16 with BOM, or GB18030 (GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise _fail(where, "is not text in UTF-8, UTF-16 or GB18030", "save it again as UTF-8 (Excel: CSV UTF-8)")


def _shape(rows: list[list[str]], where: str, sheet: str = "") -> dict[str, Any] | None:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return None
    header, body = rows[0], rows[1:]
    if len(body) > MAX_ROWS:
        raise _fail(where, f"{'sheet ' + repr(sheet) + ' ' if sheet else ''}has {len(body):,} rows, more than the "
                    f"limit of {MAX_ROWS:,} for a table exhibit", "keep only the rows (orders, dates) that prove the point")
    width = max(len(header), *(len(r) for r in body)) if body else len(header)
    header = [h.strip() for h in header] + [""] * (width - len(header))
    body = [[c.strip() for c in r] + [""] * (width - len(r)) for r in body]
    return {"name": sheet, "header": header, "rows": body}


def read_csv(data: bytes, where: str) -> dict[str, Any]:
    """One sheet {name: "", header, rows} from a CSV/TSV export."""
    text = decode_text(data, where)
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise _fail(where, f"cannot be read as CSV ({exc})", "export it again as CSV (UTF-8)") from None
    sheet = _shape(rows, where)
    if sheet is None:
        raise _fail(where, "is empty", "export the report again with its rows")
    return sheet


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.10g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute, value.second) != (0, 0, 0) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_workbook(data: bytes, where: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every visible, non-empty sheet [{name, header, rows}], and notes (hidden or empty sheets left out)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = {m.name: m for m in book.sheets_metadata}
        sheets, notes = [], []
        for name in book.sheet_names:
            meta = metas.get(name)
            if meta is not None and str(getattr(meta, "visible", "visible")).lower().split(".")[-1] != "visible":
                notes.append(f"hidden sheet '{name}' left out")
                continue
            rows = [[_cell(v) for v in row] for row in book.get_sheet_by_name(name).to_python(skip_empty_area=True)]
            shaped = _shape(rows, where, name)
            if shaped is None:
                notes.append(f"empty sheet '{name}' left out")
                continue
            sheets.append(shaped)
    except EvidenceError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged or protected workbooks
        raise _fail(where, f"cannot be read as a workbook ({type(exc).__name__}: {str(exc)[:120]})",
                    "open it in Excel or LibreOffice and save it again (or export the sheet as CSV)") from None
    if not sheets:
        raise _fail(where, "has no sheet with any rows", "export the report again with its rows")
    return sheets, notes
