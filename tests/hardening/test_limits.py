"""Resource caps (``poaforge.limits``): each one configurable, each tested on both sides of the
line with cheap inputs, a clear message naming the variable that raises it, and the peak
memory of the pipeline's heaviest steps measured on the largest inputs accepted by default.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Step
from .corpus import CASE, bomb_png, many_pages_pdf, write_case

R = "results/mini"


def test_defaults() -> None:
    from poaforge.limits import DEFAULTS, current

    assert current({}) == DEFAULTS
    assert (DEFAULTS.case_bytes, DEFAULTS.exhibits, DEFAULTS.pages, DEFAULTS.pixels, DEFAULTS.exhibit_bytes,
            DEFAULTS.evidence_bytes) == (2_000_000, 200, 2_000, 100_000_000, 200_000_000, 500_000_000)


@pytest.mark.parametrize("raw", ["5000", "5_000", "5,000", " 5000 "])
def test_numbers_as_people_write_them(raw: str) -> None:
    from poaforge.limits import current

    assert current({"POA_MAX_PAGES": raw}).pages == 5000


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "1.5", "1e6", "2 000", "2²"])
def test_a_bad_value_is_a_usage_error(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    """Caught by the first step (every cap is read when the case is loaded), exit code 2."""
    write_case(proj)
    monkeypatch.setenv("POA_MAX_PAGES", raw)
    assert step("validate", CASE, f"{R}/case.json") == (2, [
        f"POA_MAX_PAGES: '{raw}' is not a whole number of at least 1 — write e.g. POA_MAX_PAGES=4000, or unset it for the default"])


def _evidence(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch, var: str, value: int) -> tuple[int, list[str]]:
    monkeypatch.setenv(var, str(value))
    return step("evidence", f"{R}/case.json", R)


def test_pages_per_exhibit(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(proj)  # late.pdf has 2 pages
    assert step("validate", CASE, f"{R}/case.json") == (0, [])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_PAGES", 2) == (0, [])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_PAGES", 1) == (1, [
        "cases/mini/evidence/late.pdf: has 2 pages, more than the limit of 1 — split it or keep only the pages that prove "
        "the point; or set POA_MAX_PAGES to raise the cap"])


def test_pixels_per_image(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(proj)  # refunds.png is 800 × 1000
    step("validate", CASE, f"{R}/case.json")
    assert _evidence(proj, step, monkeypatch, "POA_MAX_PIXELS", 800_000) == (0, [])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_PIXELS", 799_999) == (1, [
        "cases/mini/evidence/refunds.png: has more than 799,999 pixels (possible decompression bomb) — scale the image down "
        "(e.g. to 4000 px on the long side) and save it again; or set POA_MAX_PIXELS to raise the cap"])


def test_bytes_per_evidence_file(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(proj)
    step("validate", CASE, f"{R}/case.json")
    sizes = {p.name: p.stat().st_size for p in (proj / "cases/mini/evidence").iterdir()}
    biggest = max(sizes, key=lambda n: sizes[n])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_EXHIBIT_BYTES", sizes[biggest]) == (0, [])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_EXHIBIT_BYTES", sizes[biggest] - 1) == (1, [
        f"cases/mini/evidence/{biggest}: is {sizes[biggest]:,} bytes, more than the limit of {sizes[biggest] - 1:,} bytes "
        "per evidence file — split it or reduce its resolution; or set POA_MAX_EXHIBIT_BYTES to raise the cap"])


def test_bytes_of_all_evidence(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(proj)
    step("validate", CASE, f"{R}/case.json")
    total = sum(p.stat().st_size for p in (proj / "cases/mini/evidence").iterdir())
    assert _evidence(proj, step, monkeypatch, "POA_MAX_EVIDENCE_BYTES", total) == (0, [])
    assert _evidence(proj, step, monkeypatch, "POA_MAX_EVIDENCE_BYTES", total - 1) == (1, [
        f"cases/mini: the evidence files add up to {total:,} bytes, more than the limit of {total - 1:,} bytes — shrink the "
        "largest exhibits; or set POA_MAX_EVIDENCE_BYTES to raise the cap"])


def test_megabytes_are_shown_as_such() -> None:
    from poaforge.limits import size_text

    assert [size_text(n) for n in (999_999, 1_000_000, 250_000_000)] == ["999,999 bytes", "1.0 MB", "250.0 MB"]


def test_page_cap_is_checked_before_the_pages_are_read(proj: Path, step: Step) -> None:
    """10,000 pages: refused after counting, without touching each page (about a second)."""
    import time

    write_case(proj)
    (proj / "cases/mini/evidence/late.pdf").write_bytes(many_pages_pdf(10_000))
    step("validate", CASE, f"{R}/case.json")
    start = time.perf_counter()
    assert step("evidence", f"{R}/case.json", R)[0] == 1
    assert time.perf_counter() - start < 10


# --- peak memory on the largest inputs accepted by default -----------------------------

PEAK_MB = 1_000  # a bound the heaviest steps must stay under (measured: see the report)


def _peak(root: Path, *argv: str) -> tuple[int, float, str]:
    """Exit code, peak resident memory in MB (ru_maxrss of that process) and stderr of one step."""
    env = {**os.environ, "TZ": "UTC", "SOURCE_DATE_EPOCH": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "poaforge.steps", *argv], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, err


@pytest.mark.e2e
def test_peak_memory_at_the_caps(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    """A 2,000-page PDF and a 100-megapixel RGB image (both exactly at the default caps):
    intake and bundle stay under PEAK_MB."""
    write_case(tmp_path)
    ev = tmp_path / "cases/mini/evidence"
    (ev / "late.pdf").write_bytes(many_pages_pdf(2_000))
    (ev / "refunds.png").write_bytes(bomb_png(10_000, 10_000, rgb=True))
    peaks = {}
    for name, argv in (("validate", ["validate", CASE, f"{R}/case.json"]),
                       ("evidence", ["evidence", f"{R}/case.json", R]),
                       ("letter", ["letter", f"{R}/case.json", f"{R}/letter.json", f"{R}/poa.pdf", f"{R}/poa.docx",
                                   f"{R}/poa.txt", f"{R}/form.json"]),
                       ("bundle", ["bundle", f"{R}/case.json", f"{R}/letter.json", f"{R}/exhibits.json", f"{R}/bundle.pdf"])):
        code, peak, err = _peak(tmp_path, *argv)
        assert (code, err) == (0, ""), name
        peaks[name] = round(peak)
        record_property(f"peak_mb_{name}", round(peak))
    print(f"peak memory (MB) at 2,000 pages + 100 MP: {peaks}")
    assert max(peaks.values()) < PEAK_MB, peaks
    from pypdf import PdfReader

    assert len(PdfReader(tmp_path / R / "bundle.pdf").pages) > 2_001
