"""Case validation: schema and consistency errors located at line:col, with a fix."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import tree_hashes
from poaforge.case.model import load_case
from poaforge.errors import CaseError

Make = Callable[..., Path]

# (edit of the valid mini case, the exact message)
INVALID = [
    ({"    owner: Customer Service Manager\n": ""},
     "cases/mini.yaml:34:5: corrective_actions[1] (CA1): 'owner' is missing — name the role that did it, e.g. \"Customer Service Manager\""),
    ({"as_of: 2026-11-20": "as_of: 2026-02-30"},
     "cases/mini.yaml:6:8: as_of: '2026-02-30' is not a real date — write the date as YYYY-MM-DD, e.g. 2026-11-20"),
    ({"platform: amazon": "platform: amazn"},
     "cases/mini.yaml:3:11: platform: 'amazn' is not allowed here — one of aliexpress, amazon, tiktok-shop, walmart (each is a file in platforms/)"),
    ({"done: 2026-11-05": "done: 2026-11-25"},
     "cases/mini.yaml:38:11: corrective_actions[1] (CA1): completed on 2026-11-25, after the POA's date 2026-11-20 — "
     "an action done later is scheduled: write 'due:' instead of 'done:', or fix the date"),
    ({"done: 2026-11-05": "done: 2026-08-05"},
     "cases/mini.yaml:38:11: corrective_actions[1] (CA1): completed on 2026-08-05, before the problem it fixes began (2026-09-01) — "
     "check the date of the action and the 'when' of its root cause"),
    ({"done: 2026-11-05": "due: 2026-11-25\n    done: 2026-11-05"},
     "cases/mini.yaml:34:5: corrective_actions[1] (CA1): has both 'done' and 'due' — "
     "give 'done: YYYY-MM-DD' for a completed action, or 'due: YYYY-MM-DD' for a scheduled one"),
    ({"    done: 2026-11-05\n": ""},
     "cases/mini.yaml:34:5: corrective_actions[1] (CA1): has neither 'done' nor 'due' — "
     "give 'done: YYYY-MM-DD' for a completed action, or 'due: YYYY-MM-DD' for a scheduled one"),
    ({"violations: [V1]": "violations: [V2]"},
     "cases/mini.yaml:20:7: notice.violations[1] (V1): violation 'V1' is not answered by any root cause — add a root cause with violations: [V1]"),
    ({"file: evidence/late.pdf": "file: /etc/passwd"},
     "cases/mini.yaml:52:11: exhibits[1] (E1).file: '/etc/passwd' is an absolute path — "
     "keep the file inside cases/mini/ and give its path relative to that folder"),
    ({"file: evidence/late.pdf": "file: ../../etc/passwd"},
     "cases/mini.yaml:52:11: exhibits[1] (E1).file: '../../etc/passwd' climbs out of the case folder with '..' — "
     "keep the file inside cases/mini/ and give its path relative to that folder"),
    ({"file: evidence/late.pdf": "file: evidence/nope.pdf"},
     "cases/mini.yaml:52:11: exhibits[1] (E1).file: file 'evidence/nope.pdf' does not exist in cases/mini/ — "
     "check the spelling, or copy the evidence file there"),
    ({"file: evidence/late.pdf": "file: evidence"},
     "cases/mini.yaml:52:11: exhibits[1] (E1).file: 'evidence' is a folder, not a file — name one file; list each document as its own exhibit"),
    ({"case: mini": "case: other"},
     "cases/mini.yaml:2:7: case id 'other' does not match the file name 'mini.yaml' — write 'case: mini' or rename the file to other.yaml"),
    ({"case: mini": "case: all"},  # never advise a file name the pipeline refuses
     "cases/mini.yaml:2:7: case id 'all' does not match the file name 'mini.yaml' — write 'case: mini'"),
    ({"case: mini": "case: 'a b'"},
     "cases/mini.yaml:2:7: case id 'a b' does not match the file name 'mini.yaml' — write 'case: mini'"),
    ({"affected: [111-0000001-0000001]": "affected: 5"},
     "cases/mini.yaml:23:17: notice.violations[1] (V1).affected: must be a list, not '5' — "
     "expected: ASINs, SKUs, listing ids or order ids named in the notice"),
    ({"  received: 2026-11-02": "  received: 2026-12-02"},
     "cases/mini.yaml:15:13: notice.received (2026-12-02) is after as_of (2026-11-20) — the POA is dated after the notice arrives: check both dates"),
    ({"when: 2026-09-01/2026-10-15": "when: 2026-10-15/2026-09-01"},
     "cases/mini.yaml:29:11: root_causes[1] (RC1).when: the range ends before it starts — write the earlier date first: YYYY-MM-DD/YYYY-MM-DD"),
    ({"when: 2026-09-01/2026-10-15": "when: last autumn"},
     "cases/mini.yaml:29:11: root_causes[1] (RC1).when: 'last autumn' is not in the expected form — "
     "write a date or a range such as 2026-09-01/2026-10-15"),
    ({"deadline: 2026-12-01T23:59:00-08:00": "deadline: 2026-12-01T23:59:00"},
     "cases/mini.yaml:16:13: notice.deadline: '2026-12-01T23:59:00' is not in the expected form — "
     "write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM with the zone"),
    ({"  legal_name: Northwind Trading Ltd.\n": ""},
     "cases/mini.yaml:7:1: seller: 'legal_name' is missing — write the company's registered name"),
    ({"    title: Operations Director": "    title: [a]"},
     "cases/mini.yaml:13:12: seller.responsible_person.title: must be text, not a list — "
     "write the signatory's job title, e.g. \"Operations Director\""),
    ({"  - id: RC1": "  - id: RC 1"},
     "cases/mini.yaml:26:9: root_causes[1] (RC 1).id: 'RC 1' is not in the expected form — "
     "use letters, digits, '-' or '_', starting with a letter, e.g. RC1"),
    ({"    owner: Logistics Lead": "    ownr: Logistics Lead"},
     "cases/mini.yaml:44:5: preventive_measures[1] (PM1): unknown field 'ownr' — did you mean 'owner'?"),
    ({"  seller_id: A1NORTHWIND0001": "  seller_id: \"  \""},
     "cases/mini.yaml:10:14: seller.seller_id: is blank — copy the seller id from the seller dashboard"),
]


@pytest.mark.parametrize(("edit", "message"), INVALID, ids=[m.split(": ", 1)[1][:50] for _, m in INVALID])
def test_invalid_case_is_located_and_explained(mini: Make, edit: dict[str, str], message: str) -> None:
    path = mini(edit)
    before = tree_hashes(Path("cases"))
    with pytest.raises(CaseError) as exc:
        load_case(path)
    assert message in [str(p) for p in exc.value.problems]
    assert tree_hashes(Path("cases")) == before  # the case and its evidence are untouched


def test_valid_case(mini: Make) -> None:
    case = load_case(mini())
    assert case.id == "mini"
    assert sorted(case.files) == ["E1:file", "E2:file", "E3:file"]


def test_all_problems_in_one_run_sorted_by_line(mini: Make) -> None:
    path = mini({"platform: amazon": "platform: amazn", "    owner: Logistics Lead": "    ownr: Logistics Lead",
                 "as_of: 2026-11-20": "as_of: 2026-13-01"})
    with pytest.raises(CaseError) as exc:
        load_case(path)
    lines = [p.line for p in exc.value.problems]
    assert lines == sorted(lines) and len(lines) >= 4


def test_unused_exhibit_and_duplicate_id(mini: Make) -> None:
    path = mini({"exhibits: [E3]": "exhibits: []", "  - id: E3\n": "  - id: E2\n"})
    with pytest.raises(CaseError) as exc:
        load_case(path)
    text = str(exc.value)
    assert "cases/mini.yaml:60:9: exhibits[3] (E2): id 'E2' is already used at line 55 — give every item its own id" in text


def test_symlink_out_of_case_folder(mini: Make) -> None:
    path = mini({"file: evidence/late.pdf": "file: evidence/link.pdf"})
    os.symlink("/etc/passwd", "cases/mini/evidence/link.pdf")
    with pytest.raises(CaseError) as exc:
        load_case(path)
    assert str(exc.value) == ("cases/mini.yaml:52:11: exhibits[1] (E1).file: 'evidence/link.pdf' is a link that leads outside the case "
                              "folder — keep the file inside cases/mini/ and give its path relative to that folder (copy the file, do not link it)")


def test_symlink_inside_case_folder_is_fine(mini: Make) -> None:
    path = mini({"file: evidence/late.pdf": "file: evidence/alias.pdf"})
    os.symlink("late.pdf", "cases/mini/evidence/alias.pdf")
    assert load_case(path).files["E1:file"].name == "late.pdf"


@pytest.mark.parametrize("name", ["all", "build_case"])
def test_reserved_case_ids(mini: Make, name: str) -> None:
    path = mini({"case: mini": f"case: {name}"})
    target = path.with_name(f"{name}.yaml")
    path.rename(target)
    Path("cases/mini").rename(f"cases/{name}")
    with pytest.raises(CaseError) as exc:
        load_case(target)
    assert f"the case id '{name}' is the name of a pipeline rule" in str(exc.value)


def test_a_job_inspects_the_case_once_and_only_inside_its_block(mini: Make) -> None:
    """Inside inputs_fixed (one pipeline job) the case file is read and checked once; outside,
    every call reads it again (the editor and `poa watch` see each change)."""
    from poaforge.case.model import inputs_fixed, inspect_case

    path = mini()
    text = path.read_text(encoding="utf-8")
    with inputs_fixed():
        first, problems = inspect_case(path)
        path.write_text(text.replace("Northwind Trading Ltd.", "Southwind Trading Ltd."), encoding="utf-8")
        again, _ = inspect_case(path)
        problems.append("changed by a caller")
        assert again is first and "changed by a caller" not in inspect_case(path)[1]
    assert first is not None and first.data["seller"]["legal_name"] == "Northwind Trading Ltd."
    fresh_case, _ = inspect_case(path)
    assert fresh_case is not None and fresh_case.data["seller"]["legal_name"] == "Southwind Trading Ltd."
