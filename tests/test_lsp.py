"""`poa lsp` end to end: a real LSP client (pygls's) talks to the real `poa lsp` process over
stdio, in a temporary copy of the project: diagnostics on open and on change at their words,
hover (rule rationale, exhibit), go to definition, completion of ids, timing."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from e2e import copy_project
from lsp_client import Session

POA = str(Path(sys.executable).with_name("poa"))
NOW = "2026-11-20T08:00+00:00"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("lsp") / "p", cases=["amazon-odr", "aliexpress-ip"])
    mini = root / "cases" / "mini.yaml"
    mini.write_text((DATA / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    from conftest import write_pdf, write_png

    write_pdf(root / "cases/mini/evidence/late.pdf", pages=2)
    write_png(root / "cases/mini/evidence/refunds.png")
    write_pdf(root / "cases/mini/evidence/checklist.pdf")
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Session]:
    with Session([POA, "lsp", "--now", NOW], project) as session:
        yield session


def _line_of(text: str, needle: str) -> tuple[int, int]:
    """0-based line and column of the first ``needle``."""
    before = text[: text.index(needle)]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)


def test_capabilities(server: Session) -> None:
    caps = server.initialize_result.capabilities
    assert caps.hover_provider and caps.definition_provider
    assert caps.completion_provider is not None and "[" in caps.completion_provider.trigger_characters
    assert server.initialize_result.server_info.name == "poa-forge"


def test_a_clean_example_has_no_diagnostics(server: Session, project: Path) -> None:
    uri = server.open(project / "cases/amazon-odr.yaml")
    assert server.wait_diagnostics(uri) == []


def test_findings_on_change_at_their_words(server: Session, project: Path) -> None:
    path = project / "cases/mini.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    assert server.wait_diagnostics(uri) == []
    edited = text.replace("action: Refunded all 38", "action: Sorry, our team refunded all 38")
    version = server.change(uri, edited)
    diags = server.wait_diagnostics(uri, version=version)
    by_code = {d.code: d for d in diags}
    assert {"POA401", "POA402"} <= set(by_code), [(d.code, d.message) for d in diags]
    line, col = _line_of(edited, "Sorry")
    sorry = by_code["POA402"]
    assert (sorry.range.start.line, sorry.range.start.character) == (line, col)
    assert sorry.range.end.character == col + len("Sorry")
    assert sorry.severity == lsp.DiagnosticSeverity.Error and sorry.source == "poa lint"
    assert "— state facts, causes and actions" in sorry.message          # the fix is in the message
    # the file on disk was never touched
    assert path.read_text(encoding="utf-8") == text
    # the rule's rationale on hover over the diagnostic
    hover = server.hover(uri, line, col + 2)
    assert hover is not None and "**POA402**" in hover.contents.value and "**Why:**" in hover.contents.value
    # and back: the findings go away
    version = server.change(uri, text)
    assert server.wait_diagnostics(uri, version=version) == []


def test_validation_problems_and_broken_yaml(server: Session, project: Path) -> None:
    path = project / "cases/mini.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    server.wait_diagnostics(uri)
    missing = text.replace("    owner: Customer Service Manager\n", "", 1).replace("exhibits: [E3]", "exhibits: [E9]")
    version = server.change(uri, missing)
    diags = server.wait_diagnostics(uri, version=version)
    messages = [d.message for d in diags]
    assert any("'owner' is missing — " in m for m in messages), messages
    e9 = next(d for d in diags if "exhibit 'E9' does not exist" in d.message)
    line, col = _line_of(missing, "E9")
    assert (e9.range.start.line, e9.range.start.character, e9.range.end.character) == (line, col, col + 2)
    assert e9.source == "poa validate" and e9.code is None
    # a tab makes it unreadable YAML: one diagnostic at the line, no traceback
    broken = text.replace("  legal_name:", "\tlegal_name:")
    version = server.change(uri, broken)
    diags = server.wait_diagnostics(uri, version=version)
    assert [d.range.start.line for d in diags] == [_line_of(broken, "\tlegal")[0]]
    assert "tab" in diags[0].message
    # completion still offers the ids read before the YAML broke
    edited = broken.replace("    exhibits: [E2]", "    exhibits: [")
    version = server.change(uri, edited)
    server.wait_diagnostics(uri, version=version)
    line, col = _line_of(edited, "    exhibits: [\n")
    assert [c.label for c in server.completion(uri, line, col + len("    exhibits: ["))] == ["E1", "E2", "E3"]
    server.change(uri, text)


def test_hover_definition_completion(server: Session, project: Path) -> None:
    path = project / "cases/mini.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    server.wait_diagnostics(uri)
    version = server.change(uri, text)
    server.wait_diagnostics(uri, version=version)
    line, col = _line_of(text, "exhibits: [E2]")
    hover = server.hover(uri, line, col + len("exhibits: [") + 1)
    assert hover is not None
    shown = hover.contents.value
    assert "**E2** · Exhibit 2 — Refund log" in shown and "evidence/refunds.png" in shown and "cited by: CA1" in shown
    # go to definition: E2 → its id line under exhibits
    loc = server.definition(uri, line, col + len("exhibits: [") + 1)
    target = _line_of(text, "  - id: E2")
    assert loc.uri == uri and (loc.range.start.line, loc.range.start.character) == (target[0], target[1] + len("  - id: "))
    # RC1 cited by the action → the root cause's id
    line, col = _line_of(text, "root_causes: [RC1]")
    loc = server.definition(uri, line, col + len("root_causes: [") + 1)
    assert loc.range.start.line == _line_of(text, "  - id: RC1")[0]
    # completion where ids are expected, nothing where text is
    for before, after, want in (("    violations: [V1]", "    violations: [", ["V1"]),
                                ("    root_causes: [RC1]\n    action", "    root_causes: [\n    action", ["RC1"])):
        edited = text.replace(before, after, 1)
        version = server.change(uri, edited)
        server.wait_diagnostics(uri, version=version)
        line, col = _line_of(edited, after.split("\n")[0] + "\n")
        items = server.completion(uri, line, col + len(after.split("\n")[0]))
        assert [c.label for c in items] == want
        assert items[0].detail and items[0].text_edit is not None
    line, col = _line_of(text, "title: Refund log")
    assert server.completion(uri, line, col + len("title: Ref")) == []
    edited = text + "waive:\n  - rule: POA40\n    reason: quoted on purpose\n"
    version = server.change(uri, edited)
    server.wait_diagnostics(uri, version=version)
    line, col = _line_of(edited, "  - rule: POA40")
    rules = server.completion(uri, line, col + len("  - rule: POA40"))
    assert "POA402" in [c.label for c in rules] and not any(c.label.startswith("POA9") for c in rules)
    server.change(uri, text)


def test_utf16_columns_and_chinese_exhibit_word(server: Session, project: Path) -> None:
    path = project / "cases/mini.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    server.wait_diagnostics(uri)
    edited = text.replace("action: Refunded all 38", "action: 🙂 Sorry, we refunded all 38")
    version = server.change(uri, edited)
    sorry = next(d for d in server.wait_diagnostics(uri, version=version) if d.code == "POA402")
    line, col = _line_of(edited, "Sorry")
    assert sorry.range.start.character == col + 1            # the emoji is two UTF-16 units
    server.change(uri, text)
    zh = project / "cases/aliexpress-ip.yaml"
    zh_text = zh.read_text(encoding="utf-8")
    zuri = server.open(zh)
    server.wait_diagnostics(zuri)
    line, col = _line_of(zh_text, "  - id: E1")
    hover = server.hover(zuri, line, col + len("  - id: "))
    assert hover is not None and "附件" in hover.contents.value


def test_a_draft_is_checked_like_poa_check(server: Session, project: Path) -> None:
    draft = project / "draft.txt"
    draft.write_text("Root cause\nThe courier lost several parcels, and our team did not notice.\n", encoding="utf-8")
    uri = server.open(draft, language="plaintext")
    codes = {d.code for d in server.wait_diagnostics(uri)}
    expected = subprocess.run([POA, "check", "--format", "json", str(draft)], capture_output=True, text=True, cwd=project)
    assert codes == {f["rule"] for f in json.loads(expected.stdout)["findings"]}
    assert {"POA403", "POA401"} <= codes
    server.close_document(uri)
    assert server.wait_diagnostics(uri, count=2) == []


def test_answers_within_150_ms(server: Session, project: Path) -> None:
    """A typical case (the bench's: 10 exhibits) in a warm server: every answer ≤ 150 ms."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from bench import write_case

    write_case(project, "typical", [6, 5, 5, 4, 4, 3, 3], 3)
    path = project / "cases/typical.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    server.wait_diagnostics(uri)
    line, col = _line_of(text, "exhibits: [E")
    changes, hovers, definitions, completions = [], [], [], []
    for n in range(7):
        edited = text.replace("Refunded all 38", f"Refunded all {38 + n}")
        _, took = server.timed(lambda t=edited: server.wait_diagnostics(uri, version=server.change(uri, t)))
        changes.append(took)
        hovers.append(server.timed(server.hover, uri, line, col + 12)[1])
        definitions.append(server.timed(server.definition, uri, line, col + 12)[1])
        completions.append(server.timed(server.completion, uri, line, col + len("exhibits: [")) [1])
    medians = {name: statistics.median(v) for name, v in
               (("change → diagnostics", changes), ("hover", hovers), ("definition", definitions), ("completion", completions))}
    print("poa lsp answer times (median of 7, s):", {k: round(v, 3) for k, v in medians.items()})
    assert all(v <= 0.150 for v in medians.values()), medians


def test_no_case_pipeline_before_initialize() -> None:
    """The server sets the project from the editor's workspace, so importing it must not fix
    the project folder already (poaforge.paths decides it on import)."""
    code = "import sys, poaforge.editor.lsp; sys.exit('poaforge.paths' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_wrong_command_line() -> None:
    out = subprocess.run([POA, "lsp", "--now", "soon"], capture_output=True, text=True)
    assert out.returncode == 2 and "'soon' is not a date-time" in out.stderr and "Traceback" not in out.stderr
