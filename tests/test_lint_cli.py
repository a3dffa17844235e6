"""`poa lint`, `poa rules`, the pipeline's report step, report.json/report.txt and the catalogue."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lint_sample import SAMPLE, TEST_PROFILE, write_case
from poaforge.check import load_catalogue, main_lint, main_report, main_rules
from poaforge.check.catalogue import DEFAULT_ROOT
from poaforge.console import run
from poaforge.errors import ProfileError, UsageError

# the "bad" case: its own wording (so it copies nothing from "good") and one bad action
OWN = [
    ("what: 38 orders shipped 3 to 6 days late after the warehouse switched carriers on 2026-09-01.",
     "what: Listing photos for 12 lamps reused a competitor's studio images in August."),
    ("gap: The carrier onboarding checklist had no pickup-time check.", "gap: The listing SOP never asked for proof of an image licence."),
    ("measure: Added a pickup-time test to the carrier onboarding checklist in the ERP.",
     "measure: Listings now require an uploaded licence file before the publish button unlocks."),
    ("verification: Monthly audit of carrier pickup scans by the Operations Director.",
     "verification: Quarterly sample of 30 listings checked against licence files by Compliance."),
    ("action: Refunded all 38 affected orders in full.", "action: Sorry, we will refund them!"),
]


def _bad() -> str:
    text = SAMPLE
    for old, new in OWN:
        text = text.replace(old, new)
    return text


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cases").mkdir()
    write_case(tmp_path / "cases", "good")
    write_case(tmp_path / "cases", "bad", _bad())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lint_prints_sorted_findings_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_lint(["bad", "--now", "none"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("now: not used — deadlines judged against each case's as_of")
    # each finding points at the words it is about: "Sorry", "we will", "!"
    assert out[1].startswith('cases/bad.yaml:42:13: POA402 error: CA1 action: apology or emotion "Sorry"')
    assert out[2].startswith('cases/bad.yaml:42:20: POA201 error: CA1 action: promise "we will" with no date')
    assert [l.split()[1] for l in out[1:-1]] == ["POA402", "POA201", "POA407"]
    assert out[-1] == "1 case linted: 2 errors, 1 warning"


def test_lint_says_which_clock(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_lint(["good", "--now", "2026-11-20T08:00:00Z"]) == 0
    assert capsys.readouterr().out.startswith("now: 2026-11-20 08:00 UTC (the clock)")


def test_lint_all_cases_by_default_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_lint(["--format", "json", "--now", "2026-11-20T00:00:00Z"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [c["case"] for c in out["cases"]] == ["bad", "good"]
    assert out["counts"] == {"error": 2, "warning": 1, "waived": 0}
    assert out["cases"][1]["ok"] is True and out["cases"][1]["findings"] == []


def test_lint_clean_case_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "cases" / "bad.yaml").unlink()
    assert main_lint(["good", "--now", "none"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1 case linted: 0 errors, 0 warnings"


@pytest.mark.parametrize("argv", [["--format", "xml"], ["--now", "yesterday"], ["--bogus"]])
def test_usage_errors_exit_2(project: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError):
        main_lint(argv)
    capsys.readouterr()
    assert run(main_lint, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(("poa lint:", "--now:")) and " — " in err


def test_invalid_case_is_linted_with_its_problems(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An incomplete case: its validation problems and the findings of the fields present,
    together and sorted by line; the build still refuses it (validation stays an error)."""
    text = _bad().replace("    owner: Customer Service Manager\n", "", 1)      # CA1 loses its owner
    (project / "cases" / "broken.yaml").write_text(text.replace("case: bad", "case: broken"), encoding="utf-8")
    assert main_lint(["broken", "--now", "none"]) == 1
    out = capsys.readouterr().out.splitlines()
    body = out[1:-1]
    assert any("'owner' is missing" in l for l in body)                 # the problem …
    assert [l.split()[1] for l in body if " POA" in l] == ["POA402", "POA201", "POA407"]   # … and the content
    lines = [int(l.split(":")[1]) for l in body]
    assert lines == sorted(lines)
    assert out[-1].endswith("(1 not valid yet: fix the problems above before building)")


def test_rules_lists_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_rules([]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^POA101 error +RC?\{where\}|^POA101 error", text, re.M)
    assert main_rules(["--format", "markdown"]) == 0
    assert capsys.readouterr().out.count("\n| POA") == len(load_catalogue().rules)
    assert main_rules(["--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rules} == set(load_catalogue().rules)
    assert all(r["fix"] and r["message"] and r["source"] in ("official", "practice", "single") for r in rules)


def test_report_step_writes_both_reports(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = project / "results" / "bad"
    res.mkdir(parents=True)
    (res / "case.json").write_text(json.dumps({"profile": TEST_PROFILE}), encoding="utf-8")
    code = main_report([str(res / "case.json"), "cases/bad.yaml", str(res / "report.json"), str(res / "report.txt"),
                        "--now", "none"])
    assert code == 0  # errors are the gate step's to act on (tests/test_gate.py): the report must survive
    report = json.loads((res / "report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"error": 2, "warning": 1, "waived": 0} and report["ok"] is False
    assert [f["rule"] for f in report["findings"]] == ["POA402", "POA201", "POA407"]
    assert set(report["findings"][0]) == {"rule", "severity", "file", "line", "col", "message", "fix", "waived", "reason",
                                          "category", "end_line", "end_col", "match", "rationale"}
    assert report["findings"][0]["category"] == "apology-emotional" and report["findings"][0]["match"] == "Sorry"
    assert report["judged_against"] == {"as_of": "2026-11-20", "now": None}
    assert "POA903" in report["rules_run"]
    text = (res / "report.txt").read_text(encoding="utf-8")
    assert text == capsys.readouterr().out
    assert "2 errors, 1 warning" in text and "errors stop the build" in text
    assert "dates and the deadline judged against as_of 2026-11-20 (the POA's date)" in text
    assert not list(res.glob("*.tmp"))


def test_report_step_needs_case_json(project: Path) -> None:
    with pytest.raises(Exception) as err:
        main_report(["results/x/case.json", "cases/good.yaml", "r.json", "r.txt"])
    assert "cannot read the validated case" in str(err.value)


def _copy_lint_data(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_ROOT / "lint", tmp_path / "lint")
    return tmp_path


@pytest.mark.parametrize(("file", "old", "new", "says"), [
    ("rules.yaml", "severity: error", "severity: fatal", "needs id POAnnn"),
    ("rules.yaml", "id: POA102", "id: POA101", "listed twice"),
    ("phrases/en.yaml", "placeholders: [", "placeholders: [yes, ", "list of texts"),
    ("text/en.yaml", "  SUPERFICIAL: [", "  SUPERFICIAL: [yes, ", "list of words or phrases"),
    ("text/en.yaml", 'match: ["{SUPERFICIAL}"]', 'match: ["{NO_SUCH_CLASS}"]', "unknown word class {NO_SUCH_CLASS}"),
    ("text/zh.yaml", "  POA402:", "  POA999:", "no such rule"),
    ("lang/zh.yaml", "POA402: {message: '{where}：", "POA402: {message: '{bogus}{where}：", "{bogus}"),
    ("glossary.yaml", "terms:", "termz:", "'terms'"),
])
def test_broken_catalogue_is_a_clear_error(tmp_path: Path, file: str, old: str, new: str, says: str) -> None:
    root = _copy_lint_data(tmp_path)
    target = root / "lint" / file
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_catalogue(root).text             # the text rules are compiled on first use
    assert says in str(err.value) and f"lint/{file}" in str(err.value)


def test_phrase_files_have_the_same_lists() -> None:
    import yaml
    keys = {p.name: set(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in (DEFAULT_ROOT / "lint" / "phrases").glob("*.yaml")}
    assert {"en.yaml", "zh.yaml"} <= set(keys)
    assert keys["en.yaml"] == keys["zh.yaml"]


def test_every_rule_has_a_test() -> None:
    here = Path(__file__).parent
    tested = set()
    for name in ("test_lint_checks.py", "test_lint_similarity.py", "test_lint_cli.py", "test_history.py",
                 "test_exhibit_checks.py", *(p.name for p in here.glob("test_check_*.py"))):
        tested |= set(re.findall(r"POA\d{3}", (here / name).read_text(encoding="utf-8")))
    missing = set(load_catalogue().rules) - tested
    assert not missing, f"rules without a test: {sorted(missing)}"


def test_cached_corpus_gives_the_same_report_and_follows_edits(project: Path) -> None:
    """The pipeline's lint step compares the case with every case in its folder through a
    cache (--index): the report is the same without it, from a cold cache and from a warm
    one, and an edit to another case file is seen at once."""
    write_case(project / "cases", "copy")                       # same wording as "good"
    res = project / "results" / "copy"
    res.mkdir(parents=True)
    (res / "case.json").write_text(json.dumps({"profile": TEST_PROFILE}), encoding="utf-8")
    cache = project / "results" / "lint-index.json"

    def report(*extra: str) -> str:
        code = main_report([str(res / "case.json"), "cases/copy.yaml", str(res / "r.json"), str(res / "r.txt"), "--now", "none", *extra])
        assert code == 0  # findings never fail the report step: the gate step decides
        return (res / "r.json").read_text(encoding="utf-8")

    plain = report()
    assert "POA605" in plain and "copied from case good" in plain
    assert report("--index", str(cache)) == plain and cache.is_file()   # built and saved
    saved = cache.stat().st_mtime_ns
    assert report("--index", str(cache)) == plain                      # read back
    assert cache.stat().st_mtime_ns == saved, "a current cache is not rewritten"
    (project / "cases" / "good.yaml").write_text(_bad().replace("{case}", "good"), encoding="utf-8")
    edited = report("--index", str(cache))
    assert "copied from case good" not in edited and edited == report()
    cache.write_text("not json", encoding="utf-8")                      # a damaged cache is rebuilt
    assert report("--index", str(cache)) == edited


def test_an_edit_reads_again_only_the_edited_case(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each case's part of the saved index is kept by the case file's bytes: after an edit of
    one case, the next report reads no other case file again (200 cases: ~2 s saved per edit),
    and says what a report without the cache says."""
    import poaforge.case.model as model

    write_case(project / "cases", "copy")
    for name in ("other1", "other2"):
        write_case(project / "cases", name, _bad())
    res = project / "results" / "copy"
    res.mkdir(parents=True)
    (res / "case.json").write_text(json.dumps({"profile": TEST_PROFILE}), encoding="utf-8")
    cache = project / "results" / "lint-index.json"

    def report(*extra: str) -> str:
        assert main_report([str(res / "case.json"), "cases/copy.yaml", str(res / "r.json"), str(res / "r.txt"),
                            "--now", "none", *extra]) == 0
        return (res / "r.json").read_text(encoding="utf-8")

    report("--index", str(cache))
    loads: list[str] = []
    real = model.load_case
    monkeypatch.setattr(model, "load_case", lambda path, **kw: loads.append(Path(path).name) or real(path, **kw))
    case_file = project / "cases" / "copy.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace("as_of:", "# edited\nas_of:", 1), encoding="utf-8")
    edited = report("--index", str(cache))
    assert loads == ["copy.yaml"], loads  # the report's own load; no neighbour read again
    assert "copied from case good" in edited
    loads.clear()
    (project / "cases" / "good.yaml").write_text(_bad().replace("{case}", "good"), encoding="utf-8")
    changed = report("--index", str(cache))
    assert loads == ["copy.yaml", "good.yaml"], loads  # a neighbour that changed is read again
    assert "copied from case good" not in changed
    monkeypatch.setattr(model, "load_case", real)
    assert changed == report()
