"""`poa watch` end to end: the real command in a temporary copy of the project; edits of the
case file are observed as new PDFs (their text changes) and printed findings; the save → PDF
latency is measured; Ctrl-C stops it cleanly."""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DATA, write_pdf, write_png
from e2e import copy_project
from watch_client import Watch, wait_replaced

POA = str(Path(sys.executable).with_name("poa"))
NOW = "2026-11-20T08:00+00:00"


def _text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(pdf).pages).split())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "p", cases=[])
    (root / "cases" / "mini.yaml").write_text((DATA / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    write_pdf(root / "cases/mini/evidence/late.pdf", pages=2)
    write_png(root / "cases/mini/evidence/refunds.png")
    write_pdf(root / "cases/mini/evidence/checklist.pdf")
    return root


@pytest.fixture
def watch(project: Path) -> Iterator[Watch]:
    w = Watch(project, "mini", "--now", NOW)
    yield w
    w.stop()


def test_each_save_renders_a_new_pdf(project: Path, watch: Watch) -> None:
    case = project / "cases/mini.yaml"
    pdf = project / "results/mini/poa.pdf"
    first = watch.until(r"^watching ")
    assert any(re.search(r"results/mini/poa\.pdf: \d+ pages?, rendered", line) for line in first), first
    assert "Refunded all 38 affected orders in full." in _text(pdf)
    original = case.read_text(encoding="utf-8")
    latencies = []
    for n in (41, 42, 43):
        inode = pdf.stat().st_ino
        case.write_text(original.replace("Refunded all 38 affected orders", f"Refunded all {n} affected orders"), encoding="utf-8")
        latencies.append(wait_replaced(pdf, inode))
        watch.until(r"poa\.pdf: \d+ pages?, rendered")
        assert f"Refunded all {n} affected orders in full." in _text(pdf)
    print(f"poa watch: save → new PDF {[round(t, 3) for t in latencies]} s")
    assert statistics.median(latencies) <= 0.5, latencies

    # a finding is printed where the words are, and the PDF still follows the text
    case.write_text(original.replace("action: Refunded all 38", "action: Sorry, we refunded all 38"), encoding="utf-8")
    lines = watch.until(r"poa\.pdf: \d+ pages?, rendered")
    line_no = original.splitlines().index("    action: Refunded all 38 affected orders in full.") + 1
    assert any(line.startswith(f"cases/mini.yaml:{line_no}:13: POA402 error:") for line in lines), lines

    # a validation problem: printed with its fix, and the last good PDF is kept
    before = pdf.read_bytes()
    case.write_text(original.replace("    owner: Customer Service Manager\n", ""), encoding="utf-8")
    lines = watch.until(r"not updated")
    assert any("'owner' is missing — " in line for line in lines), lines
    assert pdf.read_bytes() == before

    # fixed again: the PDF is the one the pipeline writes, byte for byte
    inode = pdf.stat().st_ino
    case.write_text(original, encoding="utf-8")
    wait_replaced(pdf, inode)
    watch.until(r"poa\.pdf: \d+ pages?, rendered")
    out = project / "step"
    steps = [sys.executable, "-m", "poaforge.steps"]
    subprocess.run([*steps, "validate", "cases/mini.yaml", str(out / "case.json")], cwd=project, check=True)
    subprocess.run([*steps, "letter", str(out / "case.json"), *(str(out / n) for n in
                    ("letter.json", "poa.pdf", "poa.docx", "poa.txt", "form.json"))], cwd=project, check=True)
    assert pdf.read_bytes() == (out / "poa.pdf").read_bytes()

    # Ctrl-C: a clean stop
    watch.proc.send_signal(signal.SIGINT)
    assert watch.proc.wait(10) == 0
    watch.until(r"^poa watch: stopped$")
    assert watch.proc.stderr is not None and "Traceback" not in watch.proc.stderr.read()


def test_evidence_change_is_noticed(project: Path, watch: Watch) -> None:
    watch.until(r"^watching ")
    (project / "cases/mini/evidence/refunds.png").write_bytes(b"not an image")
    lines = watch.until(r"not updated")
    assert any("refunds.png" in line for line in lines), lines


def test_wrong_command_lines(project: Path) -> None:
    for argv, said in ((["nope"], "cases/nope.yaml: no such case file — "),
                       (["mini", "--out", "cases/mini/preview.pdf"], "cases/mini/preview.pdf: the PDF would be written into the case's own folder"),
                       (["mini", "--now", "soon"], "'soon' is not a date-time")):
        out = subprocess.run([POA, "watch", *argv], cwd=project, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert not (project / "cases/mini/preview.pdf").exists()
