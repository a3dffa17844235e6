"""Broken YAML: every file ends in one located, explained error (or builds when it is fine).

Each entry runs the pipeline's validate step (``python -m poaforge.steps validate``) as
Snakemake does and checks the exit code and the exact lines on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Step
from .corpus import CASE, MINI_TEXT, write_case

C = CASE
SYNTAX = "check indentation and quotes on this line and the one before"
ALIAS = "write the value out in full; anchors and aliases (&, *) are not supported"
TAG = "remove the tag; case files hold plain text, lists and mappings"
UTF8 = "save the file as UTF-8 in your editor (File → Save with encoding → UTF-8)"
MAPPING = "start the file with 'case: <id>' lines, not a list or plain text"
EMPTY = "start from an example in cases/ or run `poa new <case>`"
DEEP = "the file is nested too deeply to be a case file — check for a runaway '[' or '{', or indentation that keeps growing"
PRINTABLE = "remove it (in quotes, an escape such as \\x07, \\0 or \\ud800 makes one)"


def sub(old: str, new: str) -> str:
    assert old in MINI_TEXT, old
    return MINI_TEXT.replace(old, new, 1)


BILLION_LAUGHS = 'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"l{k}: &{chr(98 + k)} [" + ",".join([f"*{chr(97 + k)}"] * 9) + "]\n" for k in range(8))
TEN_THOUSAND = MINI_TEXT + "".join(
    f"  - id: X{i}\n    title: Extra {i}\n    file: evidence/late.pdf\n    date: 2026-11-03\n    proves: Nothing.\n"
    for i in range(9_997))

#: (id, case file content, exit code, exact stderr lines)
CORPUS: list[tuple[str, Callable[[], str | bytes], int, list[str]]] = [
    ("syntax-error", lambda: sub("platform: amazon", "platform: [amazon"), 1,
     [f"{C}:4:12: YAML syntax error: expected ',' or ']', but got ':' while parsing a flow sequence — {SYNTAX}"]),
    ("unclosed-quote", lambda: sub("reference: \"Notification 7710-ODR\"", "reference: \"Notification 7710-ODR"), 1,
     [f"{C}:18:14: this quoted text is never closed — add the closing quote at the end of the text"]),
    ("tab-indent", lambda: sub("  legal_name:", "\tlegal_name:"), 1,
     [f"{C}:8:1: a tab character is used for indentation — indent with spaces only (YAML does not allow tabs)"]),
    ("colon-in-value", lambda: sub("title: Operations Director", "title: Director: Operations"), 1,
     [f"{C}:13:20: unexpected ':' in a value — put the text in quotes, or use a block (>- on the line before) for long text"]),
    ("duplicate-key", lambda: sub("platform: amazon", "platform: amazon\nplatform: walmart"), 1,
     [f"{C}:4:1: duplicate key 'platform' (first at line 3) — keep one of them; a repeated key would silently replace the first"]),
    ("duplicate-nested-key", lambda: sub("    owner: Logistics Lead", "    owner: Logistics Lead\n    owner: Someone"), 1,
     [f"{C}:45:5: duplicate key 'owner' (first at line 44) — keep one of them; a repeated key would silently replace the first"]),
    ("anchor", lambda: sub("marketplace: US", "marketplace: &m US"), 1,
     [f"{C}:4:14: anchor '&m' is not allowed — {ALIAS}"]),
    ("alias", lambda: sub("marketplace: US", "marketplace: *m"), 1,
     [f"{C}:4:14: alias '*m' is not allowed — {ALIAS}"]),
    ("billion-laughs", lambda: BILLION_LAUGHS, 1, [f"{C}:1:6: anchor '&a' is not allowed — {ALIAS}"]),
    ("python-object", lambda: sub("marketplace: US", "marketplace: !!python/object/apply:os.system [\"touch pwned\"]"), 1,
     [f"{C}:4:14: tag '!!python/object/apply:os.system' is not allowed — {TAG}"]),
    ("python-name", lambda: sub("marketplace: US", "marketplace: !!python/name:os.system"), 1,
     [f"{C}:4:14: tag '!!python/name:os.system' is not allowed — {TAG}"]),
    ("binary-tag", lambda: sub("marketplace: US", "marketplace: !!binary aGVsbG8="), 1,
     [f"{C}:4:14: tag '!!binary' is not allowed — {TAG}"]),
    ("local-tag", lambda: sub("marketplace: US", "marketplace: !env HOME"), 1,
     [f"{C}:4:14: tag '!env' is not allowed — {TAG}"]),
    ("latin-1", lambda: sub("Dana Liu", "Dana Lü").encode("latin-1"), 1,
     [f"{C}:12:17: byte 0xfc is not UTF-8 text — {UTF8}"]),
    ("gbk", lambda: sub("Dana Liu", "刘丹").encode("gbk"), 1,
     [f"{C}:12:11: byte 0xc1 is not UTF-8 text — {UTF8}"]),
    ("utf-16", lambda: MINI_TEXT.encode("utf-16"), 1, [f"{C}:1:1: byte 0xff is not UTF-8 text — {UTF8}"]),
    ("nul-byte", lambda: sub("Dana Liu", "Dana\x00Liu"), 1,
     [f"{C}:1:1: the file contains NUL bytes and is not a text file — open it in a text editor and save it as UTF-8 YAML"]),
    ("control-character", lambda: sub("Dana Liu", "Dana\x07Liu"), 1,
     [f"{C}:12:15: the file contains the control character U+0007, which YAML does not allow — "
      "delete it (most editors do not show it; it often comes from copy and paste)"]),
    ("escaped-control", lambda: sub("Dana Liu", '"Dana\\x1bLiu"'), 1,
     [f"{C}:12:11: the text contains the control character U+001B, which cannot be printed — {PRINTABLE}"]),
    ("escaped-nul", lambda: sub("Dana Liu", '"Dana\\0Liu"'), 1,
     [f"{C}:12:11: the text contains the control character U+0000, which cannot be printed — {PRINTABLE}"]),
    ("lone-surrogate", lambda: sub("Dana Liu", '"Dana\\ud800Liu"'), 1,
     [f"{C}:12:11: the text contains the control character U+D800, which cannot be printed — {PRINTABLE}"]),
    ("empty", lambda: "", 1, [f"{C}:1:1: the file is empty — {EMPTY}"]),
    ("only-comments", lambda: "# TODO: fill in\n\n", 1, [f"{C}:1:1: the file is empty — {EMPTY}"]),
    ("only-bom", lambda: b"\xef\xbb\xbf", 1, [f"{C}:1:1: the file is empty — {EMPTY}"]),
    ("list", lambda: "- case: mini\n- platform: amazon\n", 1,
     [f"{C}:1:1: the file must be a mapping of fields (case:, platform:, …) — {MAPPING}"]),
    ("plain-text", lambda: "Dear Amazon, please reinstate my account.\n", 1,
     [f"{C}:1:1: the file must be a mapping of fields (case:, platform:, …) — {MAPPING}"]),
    ("two-documents", lambda: MINI_TEXT + "---\ncase: other\n", 1,
     [f"{C}:65:1: a second YAML document starts here — a case file holds one case: "
      "remove this '---' line and what follows, or move it to its own file"]),
    ("complex-key", lambda: sub("marketplace: US", "marketplace: US\n? [a, b]\n: c"), 1,
     [f"{C}:5:3: a key must be plain text — write the key as a name followed by ':'"]),
    ("deep-flow-nesting", lambda: "case: " + "[" * 5000 + "]" * 5000 + "\n", 1, [f"{C}:1:1: {DEEP}"]),
    ("deep-map-nesting", lambda: "case: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", 1, [f"{C}:1:1: {DEEP}"]),
    ("yaml-2.0-directive", lambda: "%YAML 2.0\n---\n" + MINI_TEXT, 1,
     [f"{C}:1:1: YAML syntax error: found incompatible YAML document (version 1.* is required) — {SYNTAX}"]),
    ("5-mb-field", lambda: sub("Dana Liu", "x" * 5_000_000), 1,
     [f"{C}:1:1: the file is larger than 2,000,000 bytes — keep long documents in exhibits; "
      "set POA_MAX_CASE_BYTES to raise the cap"]),
    ("10000-exhibits", lambda: TEN_THOUSAND, 1,
     [f"{C}:49:1: exhibits: 10,000 exhibits, more than the limit of 200 — merge related documents into one PDF exhibit, "
      "or set POA_MAX_EXHIBITS to raise the cap"]),
    # legitimate: these build
    ("bom", lambda: b"\xef\xbb\xbf" + MINI_TEXT.encode(), 0, []),
    ("crlf", lambda: MINI_TEXT.replace("\n", "\r\n"), 0, []),
    ("cr-only", lambda: MINI_TEXT.replace("\n", "\r"), 0, []),
    ("no-final-newline", lambda: MINI_TEXT.rstrip("\n"), 0, []),
    ("document-markers", lambda: "---\n" + MINI_TEXT + "...\n", 0, []),
    ("flow-style", lambda: sub("  affected: [111-0000001-0000001]", "  affected: [\"111-0000001-0000001\",]"), 0, []),
]


@pytest.mark.parametrize(("content", "code", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_yaml_corpus(proj: Path, step: Step, content: Callable[[], str | bytes], code: int, expected: list[str]) -> None:
    case = write_case(proj, content())
    before = case.read_bytes()
    got, err = step("validate", CASE, "results/mini/case.json")
    assert (got, err) == (code, expected)
    assert (proj / "results/mini/case.json").exists() == (code == 0)
    assert case.read_bytes() == before  # never modified
    assert not (proj / "pwned").exists()


def test_billion_laughs_is_refused_before_expanding() -> None:
    """Refusing the first anchor means nothing is ever expanded: fast, whatever the depth."""
    import time

    from poaforge.case.loader import parse_yaml
    from poaforge.errors import CaseError

    start = time.perf_counter()
    with pytest.raises(CaseError):
        parse_yaml(BILLION_LAUGHS.replace("8)", "30)"), "laughs.yaml")
    assert time.perf_counter() - start < 0.5


def test_case_size_cap_is_configurable(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raised past the file's size, the cap lets the schema name the field that is too long."""
    write_case(proj, sub("Dana Liu", "x" * 2_100_000))
    assert step("validate", CASE, "results/mini/case.json")[1][0].startswith(f"{C}:1:1: the file is larger than 2,000,000 bytes")
    monkeypatch.setenv("POA_MAX_CASE_BYTES", "2_200_000")
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{C}:12:11: seller.responsible_person.name: is too long (2,100,000 characters; at most 500) — "
        "shorten it; reviewers read for minutes, and long documents belong in exhibits"])
    monkeypatch.setenv("POA_MAX_CASE_BYTES", str(len(MINI_TEXT.encode()) - 1))
    write_case(proj)
    assert step("validate", CASE, "results/mini/case.json")[1] == [
        f"{C}:1:1: the file is larger than {len(MINI_TEXT.encode()) - 1:,} bytes — keep long documents in exhibits; "
        "set POA_MAX_CASE_BYTES to raise the cap"]


def test_exhibit_cap_is_configurable(proj: Path, step: Step, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(proj)
    monkeypatch.setenv("POA_MAX_EXHIBITS", "3")
    assert step("validate", CASE, "results/mini/case.json") == (0, [])
    monkeypatch.setenv("POA_MAX_EXHIBITS", "2")
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{C}:49:1: exhibits: 3 exhibits, more than the limit of 2 — merge related documents into one PDF exhibit, "
        "or set POA_MAX_EXHIBITS to raise the cap"])


def test_poa_validate_reports_on_stdout(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The user's own command: problems on stdout, a count on stderr, exit 1, no traceback."""
    from poaforge.cli import dispatch
    from poaforge.console import run

    write_case(proj, sub("platform: amazon", "platform: amazon\nplatform: walmart"))
    (proj / "cases" / "other.yaml").write_bytes(b"\xff\xfe")
    assert run(dispatch, ["validate"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{C}:4:1: duplicate key 'platform' (first at line 3) — keep one of them; a repeated key would silently replace the first",
        f"cases/other.yaml:1:1: byte 0xff is not UTF-8 text — {UTF8}"]
    assert err == "2 case(s) checked: 0 valid, 2 invalid\n"
    assert "Traceback" not in out + err


def test_unreadable_case_file(proj: Path, step: Step) -> None:
    (proj / "cases" / "mini").mkdir(parents=True)
    assert step("validate", "cases/mini", "results/mini/case.json") == (1, [
        "cases/mini: is a folder, not a case file — give the path of a .yaml file"])
    assert step("validate", "cases/nope.yaml", "results/nope/case.json") == (1, [
        "cases/nope.yaml: no such case file — check the name; `poa validate` lists problems for every file in cases/"])
    os.symlink("loop.yaml", proj / "cases" / "loop.yaml")
    code, err = step("validate", "cases/loop.yaml", "results/loop/case.json")
    assert code == 1 and err[0].startswith("cases/loop.yaml: cannot be read (")


@pytest.mark.e2e
def test_snakemake_stops_on_a_broken_case(tmp_path: Path) -> None:
    """The real command: our located message on stderr, exit 1, nothing built, nothing changed."""
    from .corpus import build_fails

    err = build_fails(tmp_path / "p", sub("  legal_name:", "\tlegal_name:"))
    assert f"{C}:8:1: a tab character is used for indentation — indent with spaces only (YAML does not allow tabs)" in err
