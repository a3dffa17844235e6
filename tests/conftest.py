"""Shared fixtures: a small valid case written into a temporary project folder."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PROJECT = Path(__file__).resolve().parents[1]


def write_pdf(path: Path, pages: int = 1, size: tuple[float, float] = (612, 792)) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def write_png(path: Path, size: tuple[int, int] = (800, 1000)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (240, 240, 240)).save(path)
    return path


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (to prove nothing was modified)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``mini(replace={old: new})`` writes cases/mini.yaml (+ evidence) in a temp cwd."""
    monkeypatch.chdir(tmp_path)

    def make(replace: dict[str, str] | None = None, text: str | None = None) -> Path:
        body = text if text is not None else (DATA / "mini.yaml").read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            assert old in body, f"fixture text not found: {old!r}"
            body = body.replace(old, new, 1)
        case = tmp_path / "cases" / "mini.yaml"
        case.parent.mkdir(exist_ok=True)
        case.write_text(body, encoding="utf-8")
        ev = tmp_path / "cases" / "mini" / "evidence"
        if not ev.exists():
            write_pdf(ev / "late.pdf", pages=2)
            write_png(ev / "refunds.png")
            write_pdf(ev / "checklist.pdf")
        return Path("cases/mini.yaml")

    return make


def pytest_configure(config: pytest.Config) -> None:
    """The job servers the tests' runs start (poaforge.jobserver: on, as for a user) live in a
    folder of this session's, so they never end a user's own, and end a minute after their
    last job or with the session. ``POA_TEST_JOBSERVER=off`` runs every job in a process of
    its own instead."""
    import os
    import tempfile

    if os.environ.get("POA_TEST_JOBSERVER", "").lower() == "off":
        os.environ["POA_JOBSERVER"] = "off"
        return
    os.environ["POA_JOBSERVER_FOLDER"] = tempfile.mkdtemp(prefix="poa-js-")  # short: a socket path holds 107 bytes
    os.environ["POA_JOBSERVER_IDLE"] = "60"
    config._poa_jobservers = os.environ["POA_JOBSERVER_FOLDER"]  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    folder = getattr(config, "_poa_jobservers", None)
    if folder:
        from poaforge import jobserver

        jobserver.stop()
        shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every bundle any test built (``bundle.pdf`` under this run's temporary folders) passes
    ``qpdf --check``; a bundle that does not fails the run, naming it."""
    import shutil
    import subprocess

    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or shutil.which("qpdf") is None:
        return
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return
    bad = []
    checked = 0
    for pdf in sorted(p for p in base.rglob("bundle.pdf") if p.is_file() and not p.is_symlink()):
        checked += 1
        if subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode != 0:
            bad.append(str(pdf))
    if bad:
        print(f"\nqpdf --check failed for {len(bad)} of {checked} bundles built by the tests:\n  " + "\n  ".join(bad))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the quality gate's figures on the development corpus when a test measured them."""
    import sys

    scoring = sys.modules.get("corpus_score")
    lines = getattr(scoring, "LAST_LINES", None) if scoring else None
    if lines:
        terminalreporter.write_sep("-", "quality gate on the POA development corpus (tests/test_check_corpus.py)")
        for line in lines:
            terminalreporter.write_line(line)
