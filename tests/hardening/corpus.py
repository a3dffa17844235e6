"""The hardening corpus: bad, broken and hostile inputs, made on the fly where they would be large.

Everything the hardening tests build an input from lives here: the mini case (as text and
as data, plus a "full" variant holding every optional list so that every required field of
the schema occurs), broken PDFs and images, hostile strings, and a temporary copy of the
project for end-to-end runs of the real ``snakemake``.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "TESTS", "PROJECT", "SCHEMA", "MINI_TEXT", "CASE", "EVIDENCE", "PASSWD_LINE", "HOSTILE", "CJK", "EMOJI", "BIDI",
    "LONG_WORD", "PARTS", "SNAKEMAKE", "mini_data", "full_data", "dump", "deep", "write_evidence", "write_case",
    "required_fields", "schema_at", "position", "leaves", "many_pages_pdf", "broken_xref", "bomb_png", "png16",
    "animated", "docx_bytes", "zip_bytes", "copy_project", "run_snakemake", "tree_hashes", "assert_clean", "build_fails",
]

TESTS = Path(__file__).resolve().parents[1]
PROJECT = TESTS.parent
SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
MINI_TEXT = (TESTS / "data" / "mini.yaml").read_text(encoding="utf-8")
CASE = "cases/mini.yaml"
EVIDENCE = "cases/mini/evidence"
#: The first line of /etc/passwd on every Linux system: must never appear in an output.
PASSWD_LINE = "root:x:0:0"
SNAKEMAKE = Path(sys.executable).with_name("snakemake")

# --- the mini case ---------------------------------------------------------------------


def mini_data() -> dict[str, Any]:
    """tests/data/mini.yaml as data (every scalar a string, as the loader keeps it)."""
    return yaml.load(MINI_TEXT, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str/list/dict


def full_data() -> dict[str, Any]:
    """The mini case plus metrics, submissions and waivers: every object the schema describes."""
    data = mini_data()
    data["metrics"] = [{"name": "order_defect_rate", "value": "1.8", "unit": "%", "window": "60 days",
                        "date": "2026-10-28", "exhibit": "E1"}]
    data["submissions"] = [{"version": "1", "date": "2026-11-03", "outcome": "rejected"}]
    data["waive"] = [{"rule": "POA210", "reason": "The refund log is a screenshot by design."}]
    return data


def dump(data: dict[str, Any]) -> str:
    """A case as YAML text that the strict loader reads back to the same data."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)


_EVIDENCE: dict[str, bytes] = {}


def write_evidence(root: Path) -> None:
    """The mini case's three evidence files under ``root/cases/mini/evidence`` (made once per run)."""
    ev = root / EVIDENCE
    if ev.exists():
        return
    if not _EVIDENCE:
        import tempfile

        from conftest import write_pdf, write_png

        with tempfile.TemporaryDirectory() as tmp:
            write_pdf(Path(tmp, "late.pdf"), pages=2)
            write_png(Path(tmp, "refunds.png"))
            write_pdf(Path(tmp, "checklist.pdf"))
            _EVIDENCE.update({p.name: p.read_bytes() for p in Path(tmp).iterdir()})
    ev.mkdir(parents=True)
    for name, data in _EVIDENCE.items():
        (ev / name).write_bytes(data)


def write_case(root: Path, body: str | bytes | dict[str, Any] | None = None) -> Path:
    """Write ``root/cases/mini.yaml`` (text, raw bytes or data; default: the mini case) and its evidence."""
    path = root / CASE
    path.parent.mkdir(parents=True, exist_ok=True)
    if body is None:
        body = MINI_TEXT
    if isinstance(body, dict):
        body = dump(body)
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    write_evidence(root)
    return path


# --- the schema ------------------------------------------------------------------------


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMA
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_at(path: tuple[str | int, ...]) -> dict[str, Any]:
    """The (resolved) schema of the value at ``path`` of a case."""
    node = _resolve(SCHEMA)
    for part in path:
        node = _resolve(node["items"] if isinstance(part, int) else node["properties"][part])
    return node


def required_fields(node: dict[str, Any] | None = None, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Every (parent path, field) the schema's ``required`` arrays name; list items as index 0."""
    node = _resolve(node if node is not None else SCHEMA)
    out = [(path, name) for name in node.get("required", [])]
    for name, sub in node.get("properties", {}).items():
        sub = _resolve(sub)
        if sub.get("type") == "object":
            out += required_fields(sub, path + (name,))
        elif sub.get("type") == "array" and _resolve(sub.get("items", {})).get("type") == "object":
            out += required_fields(sub["items"], path + (name, 0))
    return out


def position(text: str, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the value at ``path`` (with ``key``: of its key, or of
    the item for a list index), found with PyYAML's own composer: an expectation
    independent of poaforge's loader."""
    node = yaml.compose(text, Loader=yaml.BaseLoader)
    mark = node.start_mark
    for part in path:
        if isinstance(part, int):
            node = node.value[part]
            mark = node.start_mark
        else:
            k, node = next((k, v) for k, v in node.value if k.value == part)
            mark = k.start_mark if key else node.start_mark
    if not key:
        mark = node.start_mark
    return mark.line + 1, mark.column + 1


def leaves(data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of every value (scalars, lists and mappings) below ``data``."""
    out: list[tuple[str | int, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for k, v in items:
        out.append(path + (k,))
        out += leaves(v, path + (k,))
    return out


# --- evidence files --------------------------------------------------------------------


def many_pages_pdf(n: int) -> bytes:
    """A valid PDF of ``n`` letter pages, each saying "Page k", written directly (10,000 pages: 0.05 s)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            ("<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(n)) + f"] /Count {n} >>").encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(n):
        stream = f"BT /F1 24 Tf 72 720 Td (Page {i + 1}) Tj ET".encode()
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (k, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def broken_xref(pdf: bytes) -> bytes:
    """``pdf`` with its ``startxref`` offset pointing nowhere (readers must rebuild the table)."""
    i = pdf.rfind(b"startxref")
    j = pdf.find(b"\n", i + len(b"startxref\n"))
    return pdf[:i] + b"startxref\n999999" + pdf[j:]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, depth: int, colour: int, rows: Any) -> bytes:
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for row in rows) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
            + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b""))


def bomb_png(width: int, height: int, *, rgb: bool = False) -> bytes:
    """A black greyscale (or RGB) PNG of width×height pixels that compresses to almost nothing
    (30000² = 900 million pixels → 0.9 MB), made in a fraction of a second: after a full
    flush, every further MiB of zeros compresses to the same bytes, so they are repeated."""
    total = (width * (3 if rgb else 1) + 1) * height  # a filter byte and the pixels, per row: all zero
    mib = b"\x00" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(total, len(mib))
    adler = 1
    for _ in range(whole):
        adler = zlib.adler32(mib, adler)
    adler = zlib.adler32(mib[:rest], adler)
    body = b"\x78\xda" + block * whole + comp.compress(mib[:rest]) + comp.flush() + struct.pack(">I", adler)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0))
            + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b""))


def png16(width: int = 120, height: int = 80) -> bytes:
    """A 16-bit-per-channel RGB PNG."""
    row = b"\x00" + b"\x12\x34\x56\x78\x9a\xbc" * width
    return _png(width, height, 16, 2, (row for _ in range(height)))


def animated(fmt: str) -> bytes:
    """A three-frame animated GIF or PNG (APNG)."""
    from PIL import Image

    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "green", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=100)
    return buf.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document (a ZIP holding word/document.xml)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("invoice.pdf", "not really")
    return buf.getvalue()


# --- hostile text ----------------------------------------------------------------------

#: Strings that would be markup, code or a file read if case text were ever interpreted.
HOSTILE = [
    '#read("/etc/passwd")',
    '#panic("boom") #import "/etc/passwd"',
    "$x^2$ and $ sum_(i=1)^n i $",
    "<script>alert(1)</script> <b>bold</b> &amp;",
    r"\input{/etc/passwd} \newpage \end{document}",
    "```{=typst}\n#read(\"/etc/passwd\")\n```",
    "[link](file:///etc/passwd) *star* _under_ `tick` @label <label> #heading",
    "{{ jinja }} {% raw %} ${HOME} $(touch pwned) `id`; rm -rf ~",
    "%!PS ) ( \\ unbalanced ] [ } {",
    "= Heading\n- item\n+ enum\n/ term: desc",
]
#: Legitimate but unusual text: must come out exactly (bidi controls are stripped in PDFs).
CJK = "退款已全部完成，订单 111-0000001 已处理。"
EMOJI = "Refunds done ✓ ☺"  # characters the bundled DejaVu fonts can show
BIDI = "left \u202eright-to-left\u202c \u2066isolate\u2069 end"
LONG_WORD = "Supercalifragilistic" * 25  # 500 characters, no break

# --- end-to-end runs -------------------------------------------------------------------

#: What a user's project folder holds (the package itself is installed from /work/main/scripts).
PARTS = ("Snakefile", "workflow", "scripts", "schemas", "platforms", "templates", "lint", "profiles", "scaffolds",
         "documents")


def copy_project(dest: Path, body: str | bytes | dict[str, Any] | None = None) -> Path:
    """A copy of the project in ``dest`` with the mini case (``body``) as its only case."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        src = PROJECT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    write_case(dest, body)
    return dest


def run_snakemake(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240,
                  **popen: Any) -> subprocess.CompletedProcess[str]:
    """The real ``snakemake --cores 2 ARGS`` in ``cwd``."""
    return subprocess.run([str(SNAKEMAKE), "--cores", "2", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}, **popen)


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file (and the target of every link) under ``root``."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def assert_clean(text: str) -> None:
    """No traceback and no internal error: every failure is one of ours, explained."""
    assert "Traceback" not in text, text[-3000:]
    assert "internal error" not in text, text[-3000:]


def deep(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)


def build_fails(dest: Path, body: str | bytes | dict[str, Any] | None = None,
                evidence: dict[str, bytes | str] | None = None) -> str:
    """Run the real ``snakemake mini`` on a copy of the project whose case is ``body`` and whose
    evidence files are replaced or added (``{name: bytes}``, or ``{name: link target}``);
    check that it fails cleanly, leaves no bundle.pdf and changes no case file or original.
    Returns stderr for the caller to find its message in."""
    root = copy_project(dest, body)
    for name, content in (evidence or {}).items():
        path = root / EVIDENCE / name
        path.unlink(missing_ok=True)
        if isinstance(content, str):
            os.symlink(content, path)
        else:
            path.write_bytes(content)
    before = tree_hashes(root / "cases")
    result = run_snakemake(root, "mini")
    assert result.returncode != 0, result.stderr[-3000:]
    assert_clean(result.stderr)
    assert not (root / "results/mini/bundle.pdf").exists()
    assert not list((root / "results").rglob("bundle.pdf*"))
    assert tree_hashes(root / "cases") == before
    return result.stderr
