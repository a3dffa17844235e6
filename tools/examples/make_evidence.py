"""Generate the evidence files of the example cases (cases/<case>/evidence/...).

Each example case has a data file ``tools/examples/data/<case>.yaml`` listing its files:

    defaults: {doc: {...}, screen: {...}}   # merged under every item of that type
    files:
      - {file: evidence/sop.pdf, type: doc, data: {...}}       # doc.typ  -> PDF
      - {file: evidence/dash.png, type: screen, data: {...}}   # screen.typ -> PNG
      - {file: evidence/shelf.jpg, type: photo, data: {...}}   # photo.py -> JPEG + EXIF

Output is deterministic: a fixed Typst timestamp, fixed random seeds, no current dates.

    python tools/examples/make_evidence.py [case ...]      # default: every data file
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["HERE", "ROOT", "FONT_PATHS", "TIMESTAMP", "load_spec", "render_file", "make_case", "main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FONT_PATHS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/opentype/noto"]
TIMESTAMP = 1_790_000_000  # 2026-09-21T14:13:20Z, fixed so PDFs are byte-identical
SCREEN_PPI = 110.0  # 900 pt wide page -> 1375 px


def load_spec(case: str) -> dict[str, Any]:
    """Read tools/examples/data/<case>.yaml."""
    import yaml

    with open(HERE / "data" / f"{case}.yaml", encoding="utf-8") as f:
        spec: dict[str, Any] = yaml.safe_load(f)
    return spec


def _typst(template: str, data: dict[str, Any], fmt: str) -> bytes:
    import typst

    out = typst.compile(
        str(HERE / template),
        root=str(HERE),
        font_paths=FONT_PATHS,
        ignore_system_fonts=True,
        format=fmt,
        ppi=SCREEN_PPI if fmt == "png" else None,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)},
        timestamp=TIMESTAMP,
        pdf_tags=False,
    )
    if isinstance(out, list):  # several PNG pages: a screenshot must be one page
        raise SystemExit(f"{template}: screenshot spans {len(out)} pages")
    return bytes(out)


def _write(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


def render_file(item: dict[str, Any], defaults: dict[str, Any], case_dir: Path) -> Path:
    """Render one listed file into ``case_dir`` and return its path."""
    kind = item["type"]
    data = {**defaults.get(kind, {}), **item["data"]}
    out = case_dir / item["file"]
    if kind == "doc":
        _write(out, _typst("doc.typ", data, "pdf"))
    elif kind == "screen":
        _write(out, _typst("screen.typ", data, "png"))
    elif kind == "photo":
        sys.path.insert(0, str(HERE))
        from photo import render_photo

        tmp = out.with_name(out.name + ".tmp")
        render_photo(data, tmp)
        os.replace(tmp, out)
    else:
        raise SystemExit(f"{item['file']}: unknown type {kind!r} (doc, screen or photo)")
    return out


def make_case(case: str) -> list[Path]:
    """Render every file of one example case; return the paths written."""
    spec = load_spec(case)
    case_dir = ROOT / "cases" / case
    return [render_file(item, spec.get("defaults", {}), case_dir) for item in spec["files"]]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cases = args or sorted(p.stem for p in (HERE / "data").glob("*.yaml"))
    for case in cases:
        paths = make_case(case)
        total = sum(p.stat().st_size for p in paths)
        print(f"{case}: {len(paths)} files, {total / 1024:.0f} KiB")
        for p in paths:
            print(f"  {p.relative_to(ROOT)}  {p.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
