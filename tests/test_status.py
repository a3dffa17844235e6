"""`poa status` and results/index.html: ordering by deadline (passed first), highlighting
under 72 hours, lint counts and build times; the page in a real headless browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from poaforge.cli import dispatch
from poaforge.console import run
from poaforge.portfolio.status import main_page, read_row

NOW = "2026-11-20T12:00:00+00:00"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _case(deadline: str, *, submissions: str = "", platform: str = "amazon", enforcement: str = "account-deactivation") -> str:
    return (f"case: x\nplatform: {platform}\nmarketplace: US\nlanguage: en\nas_of: 2026-11-20\n"
            f"notice:\n  received: 2026-11-01\n  deadline: \"{deadline}\"\n  enforcement: {enforcement}\n"
            f"  reference: N-1\n{submissions}")


CASES = {
    "c-later": _case("2026-12-10"),
    "c-filed": _case("2026-11-19", submissions="submissions:\n  - {version: \"1\", date: 2026-11-10, outcome: pending}\n"),
    "c-late": _case("2026-11-18T23:59:00-08:00"),
    "c-approved": _case("2026-11-25", submissions="submissions:\n  - {version: \"1\", date: 2026-11-10, outcome: approved}\n"),
    "c-soon": _case("2026-11-22T10:00:00+08:00", platform="tiktok-shop", enforcement="feature-restriction"),
    "c-rejected": _case("2026-11-30", submissions="submissions:\n  - {version: \"1\", date: 2026-11-10, outcome: rejected}\n"),
    "c-broken": "case: c-broken\nnotice: [unclosed\n",
    "c-html": _case("2026-12-20", platform="\"<b>amazon</b>\"", enforcement="\"<script>alert(1)</script>\""),
}
ORDER = ["c-late", "c-soon", "c-rejected", "c-later", "c-html", "c-broken", "c-filed", "c-approved"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    for name, text in CASES.items():
        (tmp_path / "cases" / f"{name}.yaml").write_text(text.replace("case: x", f"case: {name}"), encoding="utf-8")
    res = tmp_path / "results" / "c-soon"
    res.mkdir(parents=True)
    (res / "report.json").write_text(json.dumps({"counts": {"error": 2, "warning": 1, "waived": 0}}), encoding="utf-8")
    (res / "manifest.json").write_text("{}", encoding="utf-8")
    os.utime(res / "manifest.json", (1_795_000_000, 1_795_000_000))
    (tmp_path / "results" / "c-later").mkdir()
    (tmp_path / "results" / "c-later" / "report.json").write_text(json.dumps({"counts": {"error": 0, "warning": 0}}), encoding="utf-8")
    return tmp_path


def _status(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(dispatch, ["status", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_order_and_flags(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _status(capsys, "--format", "json", "--now", NOW)
    assert code == 0
    rows = {r["case"]: r for r in json.loads(out)["cases"]}
    assert list(rows) == ORDER
    assert rows["c-late"]["passed"] and rows["c-late"]["hours_left"] == -28.02
    assert rows["c-soon"]["urgent"] and not rows["c-soon"]["passed"] and rows["c-soon"]["hours_left"] == 38.0
    assert not rows["c-later"]["urgent"] and not rows["c-filed"]["urgent"]  # filed: the deadline no longer matters
    assert (rows["c-soon"]["errors"], rows["c-soon"]["warnings"]) == (2, 1)
    assert rows["c-soon"]["last_build"] == "2026-11-18 11:06 UTC" and rows["c-later"]["last_build"] is None
    assert rows["c-later"]["errors"] == 0 and rows["c-late"]["errors"] is None
    assert rows["c-rejected"]["submission"] == "v1 rejected (no commit)" and rows["c-filed"]["state"] == "filed"
    assert rows["c-broken"]["problem"].startswith("cases/c-broken.yaml:3:1: YAML syntax error")


def test_text_table_highlights_urgent_and_passed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _status(capsys, "--now", NOW)
    assert code == 0
    now, *lines = out.splitlines()
    assert now == "now: 2026-11-20 12:00 UTC (--now; time left is counted from it)"
    assert lines[0].split()[:3] == ["CASE", "PLATFORM", "ENFORCEMENT"]
    assert [line.split()[0] for line in lines[1:]] == ORDER
    assert "!! passed 1 d 4 h ago" in lines[1] and "!! 1 d 14 h" in lines[2]
    assert "2 errors, 1 warning" in lines[2] and "never" in lines[1]
    assert "!!" not in "".join(lines[3:]) and "\033[" not in out  # not a terminal: no colour codes
    assert "2 open case(s) past the deadline or under 72 h: c-late, c-soon" in err


def test_the_clock_is_named_in_the_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --now, time left is counted from the wall clock, and the first line says so."""
    import datetime as dt

    before = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    code, out, _ = _status(capsys)
    after = dt.datetime.now(dt.timezone.utc)
    first = out.splitlines()[0]
    assert code == 0 and first.startswith("now: ") and first.endswith(" UTC (the clock; time left is counted from it)")
    shown = dt.datetime.strptime(first[5:21], "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone.utc)
    assert before <= shown <= after
    code, out, _ = _status(capsys, "--format", "json")
    assert json.loads(out)["now_from"] == "the clock"


def test_bad_now_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _status(capsys, "--now", "tomorrow")
    assert code == 2 and "--now: 'tomorrow' is not a date-time" in err


def _page(project: Path) -> Path:
    """The page as the pipeline makes it: each case's row written, then the page from the rows."""
    out = project / "results" / "index.html"
    rows = []
    for case in sorted((project / "cases").glob("*.yaml")):
        row = project / "results" / case.stem / "status.json"
        row.parent.mkdir(parents=True, exist_ok=True)
        row.write_text(json.dumps(asdict(read_row(case.relative_to(project), Path("results"), None, with_mtime=False))),
                       encoding="utf-8")
        rows.append(str(row.relative_to(project)))
    assert main_page([str(out), *rows]) == 0
    return out


def test_page_rows_links_and_escaping(project: Path) -> None:
    text = _page(project).read_text(encoding="utf-8")
    assert re.findall(r'<tr id="case-([^"]+)"', text) == ORDER
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;b&gt;amazon" in text
    soon = re.search(r'<tr id="case-c-soon"[^>]*>(.*?)</tr>', text).group(0)
    assert 'class="urgent"' in soon and 'data-deadline="2026-11-22T02:00:00Z"' in soon
    for name in ("poa.pdf", "bundle.pdf", "report.txt", "checklist.md"):
        assert f'href="c-soon/{name}"' in soon
    assert 'href="c-rejected/changes.md"' in text and 'href="c-soon/changes.md"' not in text
    assert "2026-11-20 00:00 UTC (the newest as_of of the cases)" in text
    assert not re.search(r"(src|href)=\"(https?:)?//", text), "no external assets"


def test_page_is_reproducible(project: Path) -> None:
    first = _page(project).read_bytes()
    os.utime(project / "results" / "c-soon" / "manifest.json")  # a later build time changes nothing
    assert _page(project).read_bytes() == first


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    if not Path(CHROMIUM).exists():
        if os.geteuid() == 0 and shutil.which("apt-get"):
            pytest.fail("chromium is missing but installable: run tools/setup.sh --test")
        pytest.skip("chromium is not installed and cannot be installed without root (tools/setup.sh --test installs it)")
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, timeout=120, check=False)


def test_page_in_headless_chromium(project: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    page = _page(project).resolve().as_uri()
    shot = tmp_path / "phone.png"
    done = _browser(tmp_path, f"--screenshot={shot}", "--window-size=390,844", page)
    assert done.returncode == 0 and shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    with Image.open(shot) as im:
        assert im.size == (390, 844)
        grey = im.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 20, "the screenshot is blank"
        assert len(grey.getcolors(256) or []) > 30
        rgb = im.convert("RGB")
        # the first card is the passed case: its background is the 'passed' tint somewhere on screen
        assert any(abs(r - 0xFD) < 3 and abs(g - 0xE8) < 3 and abs(b - 0xE8) < 3 for r, g, b in rgb.get_flattened_data())
    dom = _browser(tmp_path, "--dump-dom", page)
    assert dom.returncode == 0
    html = dom.stdout.decode("utf-8")
    assert re.findall(r'<tr id="case-([^"]+)"', html) == ORDER
    assert "your clock" in html, "the inline script did not run"
    late = re.search(r'<tr id="case-c-late"[^>]*>', html).group(0)
    assert 'class="passed"' in late  # passed by any clock after 2026-11-19


def test_an_invalid_or_unknown_case_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case never built because it is invalid says "invalid", not "not linted"; a file that is
    not YAML names its line in a short cell; a case name without a file is an error."""
    code, out, _ = _status(capsys, "--now", NOW)
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert code == 0
    assert re.search(r"invalid: \d+ problems, first at line \d+ \(poa validate c-late\)", rows["c-late"]), rows["c-late"]
    assert "unreadable, line 3 (poa validate c-broken)" in rows["c-broken"]
    assert "not linted" not in out
    code, out, err = _status(capsys, "c-soon", "nosuch")
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1] == ("cases/nosuch.yaml: no such case file — check the name (`poa status` lists "
                                            "every case), or start it with `poa new nosuch`")
