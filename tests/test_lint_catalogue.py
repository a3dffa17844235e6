"""The catalogue's examples (issue 4): every rule has one, `poa rules` shows it, and every
example that is a single field value of a content item really triggers its rule when it is
put into the valid mini case (tests/data/mini.yaml)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lint_sample import TEST_PROFILE
from poaforge.case.model import load_case
from poaforge.check import lint_case, load_catalogue, main_rules
from poaforge.check.catalogue import DEFAULT_ROOT
from poaforge.errors import ProfileError

CAT = load_catalogue()

# The mini case's line each field's example replaces: root cause RC1, action CA1, measure PM1,
# exhibit E2 (cited by CA1); a due date replaces CA1's done date.
LINE = {
    "what": "what: 38 orders shipped 3 to 6 days late after the warehouse switched carriers.",
    "when": "when: 2026-09-01/2026-10-15",
    "role": "role: Warehouse Supervisor",
    "gap": "gap: The carrier onboarding checklist had no pickup-time check.",
    "action": "action: Refunded all 38 affected orders in full.",
    "owner": "owner: Customer Service Manager",
    "done": "done: 2026-11-05",
    "due": "done: 2026-11-05",
    "exhibits": "exhibits: [E2]",
    "measure": "measure: Added a pickup-time test to the carrier onboarding checklist.",
    "effective": "effective: 2026-11-10",
    "frequency": "frequency: before every carrier change",
    "verification": "verification: Monthly audit of carrier pickup scans by the Operations Director.",
    "date": "date: 2026-11-05",
    "proves": "proves: Each affected order was refunded.",
}
# where the field belongs to another item than the default one above
OVERRIDE = {"POA303": "owner: Logistics Lead", "POA503": "date: 2026-11-10"}
# other edits a rule's example needs to load: with CA1 citing nothing, E2 is cited by PM1
EXTRA = {"POA205": {"exhibits: [E3]": "exhibits: [E2, E3]"}}

# Rules whose example is not a single field value of a content item, and why.
NOT_A_FIELD = {
    "POA001": "the parts of a whole draft (tests/test_check_drafts.py)",
    "POA002": "a draft's section heading with nothing under it",
    "POA003": "a draft's heading naming two parts",
    "POA004": "a draft's root-cause label covering several ASINs",
    "POA005": "two metrics named in a draft and the causes given",
    "POA509": "an exhibit label in a draft's list of attachments",
    "POA610": "describes a sentence over the length budget",
    "POA611": "describes a draft's opening over the length budget",
    "POA614": "needs a second draft or a scaffold to copy from",
    "POA409": "needs a Chinese case (language: zh) as well as the field",
    "POA601": "describes a field over the length budget",
    "POA602": "describes a section over the length budget",
    "POA603": "describes a whole POA over the length budget",
    "POA604": "needs a second case to copy from",
    "POA605": "needs a second case to copy from",
    "POA606": "needs a rejected submission in git history",
    "POA607": "needs a rejected submission with feedback",
    "POA701": "a notice deadline, checked against the clock",
    "POA702": "a notice deadline, checked against the clock",
    "POA801": "a platform metric and the profile's target",
    "POA802": "a platform metric and the profile",
    "POA803": "an invoice exhibit and the notice date",
    "POA804": "an exhibit's language and the profile",
    "POA805": "the seller's signatory on a platform that needs one",
    "POA806": "a platform that needs a signature or seal",
    "POA807": "the number of exhibits against the profile",
    "POA808": "the case language against the profile",
    "POA531": "a sentence citing an exhibit and the exhibit's text (tests/test_exhibit_checks.py)",
    "POA532": "an invoice exhibit and its title (tests/test_exhibit_checks.py)",
    "POA533": "an invoice's own date and the notice (tests/test_exhibit_checks.py)",
    "POA534": "an invoice's recipient and the seller (tests/test_exhibit_checks.py)",
    "POA535": "an invoice's recipient address and the seller (tests/test_exhibit_checks.py)",
    "POA536": "an invoice's supplier block (tests/test_exhibit_checks.py)",
    "POA537": "units sold and the cited invoices' quantities (tests/test_exhibit_checks.py)",
    "POA538": "the original PDF's annotations and history (tests/test_exhibit_checks.py)",
    "POA539": "an exhibit's language and the profile (tests/test_exhibit_checks.py)",
    "POA540": "the violation's scenario and the exhibits' kinds (tests/test_exhibit_checks.py)",
    "POA541": "an exhibit page without readable text (tests/test_exhibit_checks.py)",
    "POA542": "an invoice's own date and the case (tests/test_exhibit_checks.py)",
    "POA901": "a waiver entry",
    "POA902": "a waiver entry",
    "POA903": "a waiver entry and the absence of a finding",
}


def _field(example: str) -> tuple[str, str] | None:
    """(field, example) when the example is one ``field: value`` line of a content item."""
    if example.split(":", 1)[-1].strip().startswith("<"):   # "<a description>", not a value
        return None
    try:
        data = yaml.safe_load(example)
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in LINE:
        return next(iter(data)), example
    return None


def test_every_rule_has_an_example() -> None:
    assert CAT.rules
    for rule in CAT.rules.values():
        assert rule.example.strip() and "\n" not in rule.example, rule.id


def test_every_example_is_linted_or_excused() -> None:
    """Each rule is either proven below or listed in NOT_A_FIELD (and not both)."""
    single = {rid for rid, r in CAT.rules.items() if _field(r.example)}
    assert single.isdisjoint(NOT_A_FIELD), sorted(single & set(NOT_A_FIELD))
    assert single | set(NOT_A_FIELD) == set(CAT.rules), sorted(set(CAT.rules) - single - set(NOT_A_FIELD))


def test_rules_output_shows_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_rules(["--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| Rule | Severity | Category | Finding | How to fix | Example | Source |"
    assert lines[1] == "|---|---|---|---|---|---|---|"
    row = next(line for line in lines if line.startswith("| POA401 |"))
    assert "| `owner: relevant staff` |" in row and "| vague-owner |" in row
    for line in lines[2:]:   # seven cells: no unescaped | inside a cell
        assert len(line.replace("\\|", "").split("|")) == 9, line
    assert main_rules(["--format", "json"]) == 0
    rules = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rules["POA401"]["example"] == "owner: relevant staff"
    assert main_rules([]) == 0
    assert "e.g. owner: relevant staff\n" in capsys.readouterr().out


def test_markdown_escapes_pipes_in_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEFAULT_ROOT / "lint", tmp_path / "lint")
    rules = tmp_path / "lint" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "example: 'owner: relevant staff'", "example: 'owner: sales | support'", 1), encoding="utf-8")
    import poaforge.check.cli as cli
    monkeypatch.setattr(cli, "load_catalogue", lambda: load_catalogue(tmp_path))
    assert main_rules(["--format", "markdown"]) == 0
    assert "| `owner: sales \\| support` |" in capsys.readouterr().out


@pytest.mark.parametrize("example", ["", "'  '", "[a, b]"])
def test_rule_without_an_example_is_a_clear_error(tmp_path: Path, example: str) -> None:
    shutil.copytree(DEFAULT_ROOT / "lint", tmp_path / "lint")
    rules = tmp_path / "lint" / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    old = "    example: 'gap: Human error by a new employee.'\n"
    assert old in text
    rules.write_text(text.replace(old, f"    example: {example}\n" if example else "", 1), encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_catalogue(tmp_path)
    assert "'POA101' needs" in str(err.value) and "example" in str(err.value) and "lint/rules.yaml" in str(err.value)


@pytest.mark.parametrize("rule", sorted(CAT.rules))
def test_example_triggers_its_rule(rule: str, mini: Callable[..., Path]) -> None:
    found = _field(CAT.rules[rule].example)
    if found is None:
        pytest.skip(f"example is not a single field value: {NOT_A_FIELD.get(rule, '?')}")
    field, example = found
    old = OVERRIDE.get(rule, LINE[field])
    path = mini({old: example, **EXTRA.get(rule, {})})
    findings = lint_case(load_case(path), TEST_PROFILE, (), None, catalogue=CAT)
    assert rule in {f.rule for f in findings}, f"{example!r} did not trigger {rule}: {[str(f) for f in findings]}"


def test_the_mini_case_is_clean(mini: Callable[..., Path]) -> None:
    """So each finding above comes from the example."""
    assert lint_case(load_case(mini()), TEST_PROFILE, (), None, catalogue=CAT) == []


def test_readme_table_is_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's rule table is `poa rules --format markdown` (regenerate it when rules change)."""
    assert main_rules(["--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert table in (DEFAULT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_rule_speaks_chinese() -> None:
    """A Chinese case or draft gets Chinese messages: every rule has its message and fix in
    lint/lang/zh.yaml, using only {placeholders} the English has (it may leave out an English
    word such as the unit)."""
    import re

    import yaml

    zh = yaml.safe_load((Path(__file__).resolve().parents[1] / "lint" / "lang" / "zh.yaml").read_text(encoding="utf-8"))["rules"]
    fields = re.compile(r"\{(\w+)\}")
    for rid, rule in CAT.rules.items():
        assert rid in zh, f"{rid} has no Chinese message in lint/lang/zh.yaml"
        assert set(fields.findall(zh[rid]["message"])) <= set(fields.findall(rule.message)), rid
