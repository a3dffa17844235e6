"""The case schema as editors read it: the real YAML language server (`yaml-language-server`,
the one VS Code's YAML extension and Neovim's yamlls run, installed into .tools/ by
`tools/setup.sh --test`) on the example cases, on every scaffold `poa new` writes, on values
our loader accepts, on real mistakes, and its completion snippets; and the schema's own
promises (descriptions, patterns in words, date patterns that are the calendar)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, PROJECT
from e2e import copy_project
from poaforge.case.loader import parse_yaml
from poaforge.case.schema_check import is_date, is_datetime
from poaforge.portfolio.scenarios import load_scenarios

SCHEMA = json.loads((PROJECT / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
SERVER = PROJECT / ".tools" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
POA = str(Path(sys.executable).with_name("poa"))
SETTINGS = {"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}}}


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in the file with where it is."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{path}/{n}")


def _fields(props: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for name, node in props.items():
        yield path + name, node
        if "properties" in node:
            yield from _fields(node["properties"], f"{path}{name}.")
        items = node.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from _fields(items["properties"], f"{path}{name}[].")


# --- the schema file itself ----------------------------------------------------------------

def test_every_field_has_a_markdown_description() -> None:
    missing = [name for name, node in _fields(SCHEMA["properties"]) if not str(node.get("markdownDescription", "")).strip()]
    assert missing == []


def test_every_pattern_is_explained_in_words() -> None:
    """No raw regex ever reaches the user: each pattern says in words what to write."""
    for where, node in _walk(SCHEMA):
        if "pattern" in node and isinstance(node["pattern"], str):
            said = node.get("patternErrorMessage") or node.get("errorMessage")
            assert said, f"{where}: pattern without patternErrorMessage"
            assert not re.search(r"[\^$\\]|\(\?|\[0-9\]", said), f"{where}: {said!r} shows a regex"


def test_a_field_with_its_own_hint_says_its_type_for_editors() -> None:
    """A field with ``x-hint`` refers to its definition through ``allOf`` (a ``$ref`` beside
    other keywords makes the YAML language server insert keys without a colon) and states
    the definition's type itself, the same one."""
    for where, node in _walk(SCHEMA["properties"]):
        if "$ref" in node:
            assert set(node) <= {"$ref", "description", "markdownDescription", "examples"}, where
        if "allOf" in node and "$ref" in node["allOf"][0]:
            target = SCHEMA["$defs"][node["allOf"][0]["$ref"].split("/")[-1]]
            assert node.get("type") == target.get("type"), where


def _pattern(name: str, branch: int) -> re.Pattern[str]:
    return re.compile(SCHEMA["$defs"][name]["anyOf"][branch]["pattern"])


def test_date_patterns_are_the_calendar() -> None:
    """The editor's pattern accepts exactly the real dates `poa validate` accepts."""
    date, rng, stamp = _pattern("date", 0), _pattern("period", 1), _pattern("datetime", 1)
    for year in (1900, 1999, 2000, 2023, 2024, 2025, 2026, 2028, 2100, 2400):
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                assert bool(date.match(text)) == is_date(text), text
    assert rng.match("2026-09-01/2026-10-15") and not rng.match("2026-09-01/2026-09-31")
    for text in ("2026-12-01T23:59:00-08:00", "2026-12-01T23:59-08:00", "2026-12-01T23:59:00Z", "2026-12-01T23:59:00.5+05:30",
                 "2026-12-01T24:00:00Z", "2026-12-01T23:60:00Z", "2026-12-01T23:59:00", "2026-02-29T10:00:00Z"):
        assert bool(stamp.match(text)) == is_datetime(text), text


def test_placeholders_are_refused_by_poa_validate(tmp_path: Path) -> None:
    """What editors let pass while drafting (TODO, "") `poa validate` still lists, with its hint."""
    project = copy_project(tmp_path / "p", cases=[])
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("as_of: 2026-11-20", "as_of: TODO").replace("legal_name: Northwind Trading Ltd.", 'legal_name: ""')
    text = text.replace("enforcement: account-deactivation", "enforcement: TODO")
    (project / "cases" / "mini.yaml").write_text(text, encoding="utf-8")
    out = subprocess.run([POA, "validate", "mini"], cwd=project, capture_output=True, text=True)
    assert out.returncode == 1
    assert "cases/mini.yaml:6:8: as_of: 'TODO' is not in the expected form — write the date as YYYY-MM-DD, e.g. 2026-11-20" in out.stdout
    assert "cases/mini.yaml:8:15: seller.legal_name: is empty — write the company's registered name" in out.stdout
    assert "notice.enforcement: 'TODO' is not allowed here — one of account-deactivation" in out.stdout


# --- the real YAML language server ---------------------------------------------------------

def _server_cmd() -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the YAML language server cannot run (Debian/Ubuntu: apt-get install nodejs npm, "
                    "then tools/setup.sh --test)")
    if not SERVER.is_file():
        pytest.skip("the YAML language server is not in .tools/: run tools/setup.sh --test (needs npm)")
    return [node, str(SERVER), "--stdio"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("yls") / "p")
    scenarios = load_scenarios()
    for sid, scenario in sorted(scenarios.items()):
        for platform in scenario.data["platforms"]:
            out = subprocess.run([POA, "new", f"s-{sid}-{platform}", "--platform", platform, "--scenario", sid],
                                 cwd=root, capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
    return root


@pytest.fixture(scope="module")
def yls(project: Path) -> Iterator[Any]:
    from lsp_client import Session

    with Session(_server_cmd(), project, settings=SETTINGS) as session:
        yield session


def _settled(session: Any, uri: str, quiet: float = 0.6, timeout: float = 30) -> list[Any]:
    """The diagnostics once the server has published and then stayed quiet."""
    session.wait_diagnostics(uri, timeout=timeout)
    seen = -1
    while True:
        now = len(session.diagnostics.get(uri, []))
        if now == seen:
            return list(session.diagnostics[uri][-1].diagnostics)
        seen = now
        time.sleep(quiet)


def test_examples_and_scaffolds_read_clean(yls: Any, project: Path) -> None:
    files = sorted((project / "cases").glob("*.yaml"))
    scaffolds = [f for f in files if f.stem.startswith("s-")]
    assert len(files) - len(scaffolds) == 5 and len(scaffolds) >= 30
    uris = {f: yls.open(f) for f in files}
    noisy = {f.name: [(d.range.start.line + 1, d.message) for d in _settled(yls, uri)] for f, uri in uris.items()}
    assert {name: found for name, found in noisy.items() if found} == {}


def _diagnostics_for(yls: Any, project: Path, name: str, text: str) -> list[Any]:
    path = project / "cases" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return _settled(yls, yls.open(path))


def test_values_our_loader_keeps_as_text_are_accepted(yls: Any, project: Path) -> None:
    """Numbers and words YAML 1.2 reads as numbers or booleans are text to poa validate."""
    text = (DATA / "mini.yaml").read_text(encoding="utf-8").replace("case: mini", "case: numbers")
    text = text.replace("seller_id: A1NORTHWIND0001", "seller_id: 123456789").replace("code: ODR", "code: 0123")
    text = text.replace('reference: "Notification 7710-ODR"', "reference: 77100042")
    text = text.replace("title: Refund log", "title: true")
    text += ("metrics:\n  - name: order_defect_rate\n    value: 1.8\n    unit: \"%\"\n    window: 60 days\n"
             "    date: 2026-11-03\n    exhibit: E1\n    target: < 1\n"
             "submissions:\n  - version: 1\n    date: 2026-11-08\n    outcome: rejected\n    commit: 1234567\n")
    assert _diagnostics_for(yls, project, "numbers", text) == []
    shutil.copytree(project / "cases" / "amazon-odr", project / "cases" / "numbers")
    for name in ("late.pdf", "checklist.pdf"):
        from conftest import write_pdf

        write_pdf(project / "cases" / "numbers" / "evidence" / name)
    from conftest import write_png

    write_png(project / "cases" / "numbers" / "evidence" / "refunds.png")
    out = subprocess.run([POA, "validate", "numbers"], cwd=project, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_real_mistakes_are_flagged_in_words(yls: Any, project: Path) -> None:
    text = (DATA / "mini.yaml").read_text(encoding="utf-8").replace("case: mini", "case: wrong")
    edits = {"as_of: 2026-11-20": "as_of: 2026-02-30", "    done: 2026-11-05\n": "    done: 2026-11-05\n    due: 2026-12-01\n",
             "  - id: E3": "  - id: 3E", "platform: amazon": "platform: Amazon", "when: 2026-09-01/2026-10-15": "when: 2026-09-01/2026-09-31",
             "deadline: 2026-12-01T23:59:00-08:00": "deadline: 2026-12-01 23:59"}
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    diags = _diagnostics_for(yls, project, "wrong", text)
    lines = text.splitlines()
    found = {lines[d.range.start.line].split(":")[0].strip(" -"): d.message for d in diags}
    assert found["as_of"] == "not a real calendar date — write YYYY-MM-DD, e.g. 2026-11-20"
    assert found["due"] == "give done: YYYY-MM-DD for a completed action or due: YYYY-MM-DD for a scheduled one, not both"
    assert found["id"].startswith("an id is letters, digits")
    assert "write the name of a profile in platforms/" in found["platform"]
    assert found["when"].startswith("not a real date or range")
    assert found["deadline"].startswith("not a real date or date-time")
    for message in found.values():
        assert "Matches multiple schemas" not in message and not re.search(r"\^|\\S|\(\?", message), message


def test_hover_shows_the_fix(yls: Any, project: Path) -> None:
    path = project / "cases" / "amazon-odr.yaml"
    text = path.read_text(encoding="utf-8")
    uri = yls.open(path)
    _settled(yls, uri)
    line = text.splitlines().index("  legal_name: Harbor & Pine Home Goods LLC") if "  legal_name: Harbor & Pine Home Goods LLC" \
        in text.splitlines() else next(n for n, t in enumerate(text.splitlines()) if t.startswith("  legal_name:"))
    hover = yls.hover(uri, line, 4)
    assert hover is not None and "**How to write it:** write the company's registered name" in hover.contents.value


SNIPPETS = {  # list → (the line above the new item, the snippet's label, required keys)
    "root_causes": ("corrective_actions:", "new root cause", ["id", "violations", "what", "when", "role", "gap", "exhibits"]),
    "corrective_actions": ("preventive_measures:", "new corrective action", ["id", "root_causes", "action", "owner", "done", "exhibits"]),
    "preventive_measures": ("exhibits:", "new preventive measure",
                            ["id", "root_causes", "measure", "owner", "effective", "frequency", "verification", "exhibits"]),
}


def _expand(snippet: str) -> str:
    """A snippet as the editor inserts it when the user accepts every default."""
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", snippet)
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", text)
    return re.sub(r"\$\{?\d+\}?", "", text)


@pytest.mark.parametrize("section", sorted(SNIPPETS))
def test_snippets_insert_valid_yaml(yls: Any, project: Path, section: str) -> None:
    before, label, keys = SNIPPETS[section]
    text = (DATA / "mini.yaml").read_text(encoding="utf-8").replace("case: mini", f"case: snip-{section.replace('_', '-')}")
    text = text.replace(f"\n{before}\n", f"\n  - \n{before}\n", 1)
    path = project / "cases" / f"snip-{section.replace('_', '-')}.yaml"
    path.write_text(text, encoding="utf-8")
    uri = yls.open(path)
    _settled(yls, uri)
    line = text.splitlines().index("  - ")
    items = {item.label: item for item in yls.completion(uri, line, 4)}
    assert label in items, sorted(items)
    chosen = items[label]
    inserted = chosen.text_edit.new_text if chosen.text_edit else chosen.insert_text
    body = _expand(inserted).replace("\n", "\n  ")       # the editor indents later lines like the first
    lines = text.splitlines()
    lines[line] = "  - " + body
    doc = parse_yaml("\n".join(lines) + "\n", str(path))  # valid YAML for our strict loader
    new_item = doc.data[section][-1]
    assert list(new_item) == keys
    # and the skeleton the server offers for any new item has a colon after every key
    skeleton = next(i for i in items.values() if i.label.startswith("object("))
    for row in _expand(skeleton.insert_text or "").splitlines():
        assert re.match(r"^\s*(?:- |[a-z_]+:)", row), row
