"""Schema errors: every required field missing in turn, wrong types, unknown fields,
impossible dates, time zones, bad ids. The cases are generated from the schema itself,
so a field added to it is covered without editing this file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Step
from .corpus import CASE, dump, full_data, leaves, mini_data, position, required_fields, schema_at, write_case

REQUIRED = required_fields()
WORDS = {"string": "text", "array": "a list", "object": "a mapping of fields"}


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def describe(data: dict[str, Any], path: tuple[str | int, ...]) -> str:
    """``root_causes[1] (RC1).owner``: how messages name a place (written here independently)."""
    out, node = "", data
    for part in path:
        if isinstance(part, int):
            node = node[part]
            out += f"[{part + 1}]" + (f" ({node['id']})" if isinstance(node, dict) and isinstance(node.get("id"), str) else "")
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else None
    return out


def validate(proj: Path, step: Step, data: dict[str, Any]) -> tuple[int, list[str], str]:
    text = dump(data)
    write_case(proj, text)
    code, err = step("validate", CASE, "results/mini/case.json")
    return code, err, text


def test_the_full_case_is_valid(proj: Path, step: Step) -> None:
    assert validate(proj, step, full_data())[:2] == (0, [])


def test_every_required_field_is_covered() -> None:
    """The generator found every list of required fields (the schema has 12 objects with some)."""
    assert len({parent for parent, _ in REQUIRED}) == 12
    assert len(REQUIRED) == 60


@pytest.mark.parametrize(("parent", "field"), REQUIRED, ids=[".".join(map(str, p + (f,))) for p, f in REQUIRED])
def test_required_field_missing(proj: Path, step: Step, parent: tuple[str | int, ...], field: str) -> None:
    data = full_data()
    del _get(data, parent)[field]
    code, err, text = validate(proj, step, data)
    line, col = position(text, parent, key=True) if parent else (1, 1)
    where = describe(data, parent)
    expected = f"{CASE}:{line}:{col}: {where + ': ' if where else ''}'{field}' is missing — "
    hint = schema_at(parent + (field,)).get("x-hint")
    assert code == 1
    if hint:
        assert expected + hint in err, err
    else:  # the hint then comes from the field's choices or description
        assert any(e.startswith(expected + f"add '{field}:' (") for e in err), err
    assert all(e.startswith(f"{CASE}:") and " — " in e for e in err), err


def test_action_without_done_or_due(proj: Path, step: Step) -> None:
    fix = "give 'done: YYYY-MM-DD' for a completed action, or 'due: YYYY-MM-DD' for a scheduled one"
    data = mini_data()
    del data["corrective_actions"][0]["done"]
    code, err, text = validate(proj, step, data)
    line, col = position(text, ("corrective_actions", 0), key=True)
    assert (code, err) == (1, [f"{CASE}:{line}:{col}: corrective_actions[1] (CA1): has neither 'done' nor 'due' — {fix}"])
    data["corrective_actions"][0].update(done="2026-11-05", due="2026-11-30")
    assert validate(proj, step, data)[1] == [f"{CASE}:{line}:{col}: corrective_actions[1] (CA1): has both 'done' and 'due' — {fix}"]


def _wrong_type_cases() -> list[tuple[tuple[str | int, ...], Any, str]]:
    """(path, wrong value, expected 'must be …, not …') for every field of the full case
    (for list items: the first item only)."""
    out = []
    for path in leaves(full_data()):
        if any(isinstance(part, int) and part > 0 for part in path):
            continue
        kind = schema_at(path).get("type")
        if kind == "string":
            out.append((path, ["x"], "must be text, not a list"))
        elif kind == "array":
            out.append((path, "x", "must be a list, not 'x'"))
        elif kind == "object":
            out.append((path, "x", "must be a mapping of fields, not 'x'"))
    return out


WRONG = _wrong_type_cases()


@pytest.mark.parametrize(("path", "value", "words"), WRONG, ids=[".".join(map(str, p)) for p, _, _ in WRONG])
def test_wrong_type(proj: Path, step: Step, path: tuple[str | int, ...], value: Any, words: str) -> None:
    data = full_data()
    _get(data, path[:-1])[path[-1]] = value
    code, err, text = validate(proj, step, data)
    line, col = position(text, path)
    expected = f"{CASE}:{line}:{col}: {describe(data, path)}: {words} — "
    hint = schema_at(path).get("x-hint")
    assert code == 1
    if hint:
        assert expected + hint in err, err
    else:  # the hint then comes from the field's choices or description
        assert any(e.startswith(expected) and len(e) > len(expected) + 8 for e in err), err
    assert all(e.startswith(f"{CASE}:") and " — " in e for e in err), err


def test_wrong_types_cover_every_kind() -> None:
    assert len(WRONG) > 50
    assert {w for _, _, w in WRONG} == {"must be text, not a list", "must be a list, not 'x'", "must be a mapping of fields, not 'x'"}


TOP = ("as_of, case, corrective_actions, exhibits, language, marketplace, metrics, notice, platform, preventive_measures, "
       "root_causes, seller, signed_letter, submissions, waive")


@pytest.mark.parametrize(("path", "name", "expected"), [
    ((), "colour", f"unknown field 'colour' — remove it; allowed here: {TOP}"),
    ((), "platfrom", "unknown field 'platfrom' — did you mean 'platform'?"),
    ((), "Case", "unknown field 'Case' — did you mean 'case'?"),
    (("seller",), "phone", "seller: unknown field 'phone' — remove it; allowed here: address, email, legal_name, local_name, "
     "responsible_person, seller_id, store_name"),
    (("seller", "responsible_person"), "name_cn", "seller.responsible_person: unknown field 'name_cn' — did you mean 'name'?"),
    (("root_causes", 0), "wehn", "root_causes[1] (RC1): unknown field 'wehn' — did you mean 'when'?"),
    (("root_causes", 0), "why", "root_causes[1] (RC1): unknown field 'why' — remove it; allowed here: exhibits, gap, id, role, "
     "violations, what, when"),
    (("exhibits", 2), "fiel", "exhibits[3] (E3): unknown field 'fiel' — did you mean 'file'?"),
])
def test_unknown_field(proj: Path, step: Step, path: tuple[str | int, ...], name: str, expected: str) -> None:
    data = mini_data()
    _get(data, path)[name] = "x"
    code, err, text = validate(proj, step, data)
    line, col = position(text, path + (name,), key=True)
    assert (code, err) == (1, [f"{CASE}:{line}:{col}: {expected}"])


DATE_HINT = "write the date as YYYY-MM-DD, e.g. 2026-11-20"
ZONE_HINT = "write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM with the zone"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("as_of: 2026-11-20", "as_of: 2026-02-30", f"6:8: as_of: '2026-02-30' is not a real date — {DATE_HINT}"),
    ("as_of: 2026-11-20", "as_of: 2026-13-01", f"6:8: as_of: '2026-13-01' is not a real date — {DATE_HINT}"),
    ("as_of: 2026-11-20", "as_of: 2025-02-29", f"6:8: as_of: '2025-02-29' is not a real date — {DATE_HINT}"),
    ("as_of: 2026-11-20", "as_of: 20/11/2026", f"6:8: as_of: '20/11/2026' is not in the expected form — {DATE_HINT}"),
    ("as_of: 2026-11-20", "as_of: 2026-11-20T10:00:00Z", f"6:8: as_of: '2026-11-20T10:00:00Z' is not in the expected form — {DATE_HINT}"),
    ("as_of: 2026-11-20", "as_of: '２０２６-11-20'", f"6:8: as_of: '２０２６-11-20' is not a real date — {DATE_HINT}"),
    ("deadline: 2026-12-01T23:59:00-08:00", "deadline: 2026-12-01T23:59:00",
     f"16:13: notice.deadline: '2026-12-01T23:59:00' is not in the expected form — {ZONE_HINT}"),
    ("deadline: 2026-12-01T23:59:00-08:00", "deadline: 2026-12-01T23:59:00+25:00",
     f"16:13: notice.deadline: '2026-12-01T23:59:00+25:00' is not in the expected form — {ZONE_HINT}"),
    ("deadline: 2026-12-01T23:59:00-08:00", "deadline: 2026-12-01T24:30:00Z",
     f"16:13: notice.deadline: '2026-12-01T24:30:00Z' is not in the expected form — {ZONE_HINT}"),
    ("deadline: 2026-12-01T23:59:00-08:00", "deadline: 2026-02-30T23:59:00Z",
     f"16:13: notice.deadline: '2026-02-30T23:59:00Z' is not in the expected form — {ZONE_HINT}"),
    ("deadline: 2026-12-01T23:59:00-08:00", "deadline: 2026-12-01 23:59 PST",
     f"16:13: notice.deadline: '2026-12-01 23:59 PST' is not in the expected form — {ZONE_HINT}"),
    ("when: 2026-09-01/2026-10-15", "when: 2026-10-15/2026-09-01",
     "29:11: root_causes[1] (RC1).when: the range ends before it starts — write the earlier date first: YYYY-MM-DD/YYYY-MM-DD"),
    ("when: 2026-09-01/2026-10-15", "when: 2026-09-01/2026-09-31",
     "29:11: root_causes[1] (RC1).when: '2026-09-01/2026-09-31' is not a real date — "
     "write a date or a range such as 2026-09-01/2026-10-15"),
])
def test_dates_and_zones(proj: Path, step: Step, old: str, new: str, expected: str) -> None:
    from .corpus import MINI_TEXT

    assert old in MINI_TEXT
    write_case(proj, MINI_TEXT.replace(old, new))
    assert step("validate", CASE, "results/mini/case.json") == (1, [f"{CASE}:{expected}"])


@pytest.mark.parametrize("deadline", ["2026-12-01", "2026-12-01T23:59:00Z", "2026-12-01T23:59:00+05:30",
                                      "2026-12-01T23:59:00.5-08:00", "2026-12-01T23:59-08:00"])
def test_time_zones_that_are_fine(proj: Path, step: Step, deadline: str) -> None:
    from .corpus import MINI_TEXT

    write_case(proj, MINI_TEXT.replace("2026-12-01T23:59:00-08:00", deadline))
    assert step("validate", CASE, "results/mini/case.json") == (0, [])


ID_HINT = "use letters, digits, '-' or '_', starting with a letter, e.g. RC1"


@pytest.mark.parametrize("ident", ["RC 1", "1RC", "RC1;rm", "根因1", "R" * 33, "RC1 "])
def test_bad_item_ids(proj: Path, step: Step, ident: str) -> None:
    """The id is renamed everywhere, so the problems are its form where defined and where cited."""
    from .corpus import MINI_TEXT

    write_case(proj, MINI_TEXT.replace("RC1", f"'{ident}'"))
    bad = f"'{ident}' is not in the expected form — {ID_HINT}"
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{CASE}:26:9: root_causes[1] ({ident}).id: {bad}",
        f"{CASE}:35:19: corrective_actions[1] (CA1).root_causes[1]: {bad}",
        f"{CASE}:42:19: preventive_measures[1] (PM1).root_causes[1]: {bad}"])


@pytest.mark.parametrize("ident", ["all", "build_case", "status_page", "case", "results"])
def test_item_id_equal_to_a_rule_name_is_fine(proj: Path, step: Step, ident: str) -> None:
    """Only case ids become Snakemake rules; an item may be called 'all'."""
    from .corpus import MINI_TEXT

    write_case(proj, MINI_TEXT.replace("RC1", ident))
    assert step("validate", CASE, "results/mini/case.json") == (0, [])


@pytest.mark.parametrize(("stem", "expected"), [
    ("all", "1:1: the case id 'all' is the name of a pipeline rule — rename the file, e.g. to 'case-all'"),
    ("build_case", "1:1: the case id 'build_case' is the name of a pipeline rule — rename the file, e.g. to 'case-build_case'"),
    ("my case", "1:1: the file name 'my case' is not a usable case id — rename the file: letters, digits, '-' and '_', "
     "starting with a letter"),
    ("2026-odr", "1:1: the file name '2026-odr' is not a usable case id — rename the file: letters, digits, '-' and '_', "
     "starting with a letter"),
])
def test_case_ids(proj: Path, step: Step, stem: str, expected: str) -> None:
    from .corpus import MINI_TEXT

    write_case(proj)
    path = proj / "cases" / f"{stem}.yaml"
    path.write_text(MINI_TEXT.replace("case: mini", f"case: '{stem}'"), encoding="utf-8")
    (proj / "cases" / "mini").rename(proj / "cases" / stem)
    code, err = step("validate", f"cases/{stem}.yaml", f"results/{stem}/case.json")
    assert code == 1
    assert f"cases/{stem}.yaml:{expected}" in err


def test_case_id_not_matching_file_name(proj: Path, step: Step) -> None:
    from .corpus import MINI_TEXT

    write_case(proj, MINI_TEXT.replace("case: mini", "case: maxi"))
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{CASE}:2:7: case id 'maxi' does not match the file name 'mini.yaml' — write 'case: mini' or rename the file to maxi.yaml"])


def test_snakemake_refuses_case_named_like_a_rule(tmp_path: Path) -> None:
    """`snakemake` itself stops at once, naming the file (a Snakemake rule would clash)."""
    from .corpus import MINI_TEXT, assert_clean, copy_project, run_snakemake

    root = copy_project(tmp_path / "p")
    (root / "cases" / "all.yaml").write_text(MINI_TEXT.replace("case: mini", "case: all"), encoding="utf-8")
    result = run_snakemake(root, "-n")
    assert result.returncode == 1
    assert ("cases/all.yaml: the case id 'all' is the name of a pipeline rule — rename the file, e.g. to case-all.yaml"
            in result.stderr + result.stdout)
    assert_clean(result.stderr)
