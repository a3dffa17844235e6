"""Benchmark data and timing for the bundle: ~100 exhibits, ~500 pages, ~100 MB.

``make_big_case(tmp)`` builds a case, its exhibits (multi-page PDFs, incompressible
JPEG photos, rotated and offset pages) and two bundle-mode front parts, and returns the
arguments of :func:`poaforge.bundle.build_bundle`. ``python -m poaforge.bundle_bench``
times build_bundle against ``qpdf --empty --pages``.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["front_source", "make_big_case", "main"]


def front_source(title: str, headings: list[str], numbers: list[int]) -> str:
    """Typst source of a bundle-mode front part: headings and ``bundle:exhibit-<n>`` links."""
    parts = ["#set document(date: none)", "#set page(paper: \"a4\", margin: (bottom: 20mm, rest: 20mm))",
             f"#align(center, text(size: 16pt)[{title}])"]
    for h in headings:
        parts.append(f"= {h}")
        parts.append("Text of the section. " * 30)
        parts.extend(f"- see #link(\"bundle:exhibit-{n}\")[Exhibit {n}]" for n in numbers)
    return "\n\n".join(parts)


def _pdf_exhibits(count: int, pages: int, rng: random.Random) -> list[bytes]:
    import typst
    from pypdf import PdfReader, PdfWriter

    body = "\n".join(f"#page[= Document {i // pages + 1}, page {i % pages + 1}\n"
                     + " ".join(f"word{rng.randrange(10**6)}" for _ in range(250)) + "]"
                     for i in range(count * pages))
    whole = PdfReader(io.BytesIO(typst.compile(("#set document(date: none)\n" + body).encode(), timestamp=0)))
    out = []
    for k in range(count):
        w = PdfWriter()
        for i in range(k * pages, (k + 1) * pages):
            w.add_page(whole.pages[i])
        if k % 7 == 3:
            w.pages[0].rotation = 90
        if k % 7 == 5:
            from pypdf.generic import RectangleObject
            w.pages[0].mediabox = RectangleObject((100, 100, 712, 892))
        buf = io.BytesIO()
        w.write(buf)
        out.append(buf.getvalue())
    return out


def make_big_case(tmp: Path, *, pdfs: int = 40, pdf_pages: int = 11, photos: int = 60) -> dict:
    """Write a big case into ``tmp``; return {case, exhibits, results, front} for build_bundle."""
    from PIL import Image

    from poaforge.images import image_to_pdf
    from poaforge.stamps import render  # noqa: F401  (fail early if templates are missing)

    rng = random.Random(42)
    results = tmp / "results" / "big"
    (results / "exhibits").mkdir(parents=True, exist_ok=True)
    blobs = _pdf_exhibits(pdfs, pdf_pages, rng)
    for k in range(photos):
        im = Image.frombytes("RGB", (1400, 1500), rng.randbytes(1400 * 1500 * 3))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        blobs.append(image_to_pdf(buf.getvalue(), f"photo{k}.jpg", paper="a4", max_pixels=10**8).pdf)
    rng.shuffle(blobs)
    case_ex, entries = [], []
    for n, blob in enumerate(blobs, 1):
        (results / "exhibits" / f"{n}.pdf").write_bytes(blob)
        case_ex.append({"id": f"E{n}", "title": f"Evidence document number {n}", "number": n})
        from pypdf import PdfReader
        entries.append({"id": f"E{n}", "number": n, "pdf": f"exhibits/{n}.pdf",
                        "pages": len(PdfReader(io.BytesIO(blob)).pages), "notes": []})
    case = {"case": "big", "platform": "amazon", "marketplace": "US", "language": "en",
            "as_of": "2026-11-20", "exhibits": case_ex, "profile": {"paper": "us-letter", "name": "Amazon"},
            "seller": {"legal_name": "Big Co Ltd", "store_name": "BigStore", "seller_id": "A1"},
            "notice": {"reference": "N-1", "received": "2026-11-01", "deadline": "2026-11-27"}}
    exhibits = {"exhibits": entries}
    (results / "exhibits.json").write_text(json.dumps(exhibits, indent=1))
    import typst
    front = []
    for name, title, heads in (("poa", "Plan of Action", ["Root causes", "Corrective actions",
                                                          "Preventive measures"]),
                               ("index", "Evidence index", ["Exhibits"])):
        src = front_source(title, heads, list(range(1, len(blobs) + 1, 3)))
        path = results / f"{name}-bundle.pdf"
        path.write_bytes(typst.compile(src.encode(), timestamp=0))
        front.append((title, path))
    return {"case": case, "exhibits": exhibits, "results": results, "front": front}


def _hwm_mb() -> float:
    """Peak RSS of this process in MB (VmHWM: unlike ru_maxrss, not inherited over fork+exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(folder: Path) -> None:
    """Child process: time build_bundle on the case saved in ``folder``; print time and peak RSS."""
    from poaforge.bundle import build_bundle

    saved = json.loads((folder / "big.json").read_text())
    front = [(title, Path(path)) for title, path in saved["front"]]
    out = folder / "bundle.pdf"
    t = time.perf_counter()
    pages = build_bundle(saved["case"], saved["exhibits"], Path(saved["results"]), front, out)
    took = time.perf_counter() - t
    peak = _hwm_mb()
    print(f"poaforge build_bundle: {pages} pages, {out.stat().st_size / 1e6:.1f} MB in {took:.2f} s, "
          f"peak RSS {peak:.0f} MB (process incl. imports)")


def main(argv: list[str] | None = None) -> int:
    """Build the big case in a temp folder; time build_bundle (fresh process) and qpdf."""
    import tempfile

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        _run(Path(argv[1]))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="poaforge-bench-"))
    try:
        big = make_big_case(tmp)
        size = sum(p.stat().st_size for p in (big["results"] / "exhibits").iterdir())
        pages = sum(e["pages"] for e in big["exhibits"]["exhibits"])
        print(f"inputs: {len(big['exhibits']['exhibits'])} exhibits, {pages} exhibit pages, {size / 1e6:.1f} MB")
        (tmp / "big.json").write_text(json.dumps({
            "case": big["case"], "exhibits": big["exhibits"], "results": str(big["results"]),
            "front": [(t, str(p)) for t, p in big["front"]]}))
        if shutil.which("qpdf"):
            files = [str(p) for _, p in big["front"]] + [
                str(big["results"] / e["pdf"]) for e in big["exhibits"]["exhibits"]]
            t = time.perf_counter()
            subprocess.run(["qpdf", "--empty", "--pages", *files, "--", str(tmp / "qpdf.pdf")], check=True)
            print(f"qpdf --empty --pages (plain merge, no stamps/links): {time.perf_counter() - t:.2f} s")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        subprocess.run([sys.executable, "-m", "poaforge.bundle_bench", "--run", str(tmp)], check=True, env=env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
