"""The letter's opening and re-appeal paragraphs, built from the case's own facts.

No sentence of these paragraphs is fixed text: the opening says which notice, when, what the
platform did and for which violations (with the items affected), the key metric before and
after. No counting sentence ("we traced this to 3 root causes, completed 5 actions…"): with
its numbers changed it would read the same in every letter the tool writes, exactly what
reviewers' template detection looks for [practice], and the sections say it anyway.

A re-appeal (a case whose latest filing was rejected) gets one more paragraph: the rejected
submission (date, reference) and what changed since, from the history
(:mod:`poaforge.portfolio.history`): items added or revised since the version filed (when the
submission records its git commit), else actions completed, measures put into effect and
exhibits dated after the filing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from poaforge.letter.words import Words

__all__ = ["opening", "reappeal", "self_describing"]

_TOKENS = re.compile(r"[\s,;:()（），；：]+")
#: what the names_* labels call each section's items; exhibits use their own label
_SECTIONS = ("root_causes", "corrective_actions", "preventive_measures")


def self_describing(reference: str) -> bool:
    """Whether a notice reference already says what it is ("Violation record VR-1",
    "违规记录 IPR-2", "Complaint IDs 1, 2") rather than being a bare id ("NTC-123"): only a bare
    id gets a noun before it, so the letter never reads "violation record Violation record …"."""
    return any(len(token) >= 2 and token.isalpha() for token in _TOKENS.split(reference))


def _names(words: Words, section: str, nums: list[int]) -> str:
    key = f"name_{section}" if len(nums) == 1 else f"names_{section}"
    return words.fill(key, n=words.numbers(nums))


def _exhibits(words: Words, nums: list[int]) -> str:
    word = words["exhibit"] if len(nums) == 1 else words["exhibits"]
    return words.fill("exhibit_n", exhibit=word, n=words.numbers(nums))


def _violations(case: dict[str, Any], words: Words) -> str:
    named = []
    for v in case["notice"]["violations"]:
        text = words.fill("violation_named", policy=v["policy"].strip(), code=v["code"].strip()) if v.get("code") \
            else v["policy"].strip()
        if text not in named:
            named.append(text)
    return words.join(named)


def _affected(case: dict[str, Any], words: Words, most: int = 10) -> str:
    items = list(dict.fromkeys(a.strip() for v in case["notice"]["violations"] for a in v.get("affected") or []))
    if not items:
        return ""
    shown = words.join(items) if len(items) <= most else \
        words.fill("more_items", items=words["list_sep"].join(items[:most]), count=len(items) - most)
    return words.fill("opening_affected", items=shown)


def _metric(case: dict[str, Any], words: Words, value: Any, target_text: Any) -> str:
    """The key metric (the first the case lists): its first reading against its target, and
    its latest reading when there are several."""
    from poaforge.case.metrics import label

    metrics = case.get("metrics") or []
    if not metrics:
        return ""
    name = metrics[0]["name"]
    readings = sorted((m for m in metrics if m["name"] == name), key=lambda m: m["date"])
    first, last = readings[0], readings[-1]
    target = target_text(name)
    values = {"metric": label(case["profile"], name), "value": value(first), "date": words.date(first["date"]),
              "target": words.fill("metric_target", target=target) if target else ""}
    if len(readings) == 1:
        return words.fill("metric_one", **values)
    return words.fill("metric_two", last_value=value(last), last_date=words.date(last["date"]), **values)


def opening(case: dict[str, Any], words: Words, value: Any, target_text: Any) -> str:
    """The opening paragraph. ``value(reading)`` and ``target_text(name)`` format a metric
    reading and its target as the metrics table does."""
    notice, seller = case["notice"], case["seller"]
    reference = notice["reference"].strip()
    if not self_describing(reference):
        reference = words.fill("notice_named", reference=reference)
    store = words.fill("opening_store", store_name=seller["store_name"].strip(), seller_id=seller["seller_id"].strip(),
                       seller_id_label=words["seller_id"])
    enforcement = words.fill("enforcement_" + notice["enforcement"].replace("-", "_"), store=store)
    first = words.fill("opening", reference=reference, date=words.date(notice["received"]), platform=case["profile"]["name"],
                       enforcement=enforcement, violations=_violations(case, words), affected=_affected(case, words))
    sentences = [first, _metric(case, words, value, target_text)]
    return words["sentence_gap"].join(s for s in sentences if s)


def _numbers(case: dict[str, Any], section: str, ids: list[str]) -> list[int]:
    position = {item["id"]: n for n, item in enumerate(case[section], start=1)}
    return [position[i] for i in ids if i in position]


def _changes_filed(case: dict[str, Any], words: Words, filed: Any) -> list[str]:
    """What changed since the version filed (its text from git)."""
    from poaforge.portfolio.history import section_changes

    changes = section_changes(filed.data, case, Path(case["case_dir"]), filed.blobs)
    out = []
    for section in _SECTIONS:
        res = changes[section]
        added = _numbers(case, section, [i["id"] for i in res["added"]])
        revised = _numbers(case, section, [i["id"] for i, _ in res["edited"]])
        if revised:
            out.append(words.fill("change_revised", items=_names(words, section, revised)))
        if added:
            out.append(words.fill("change_added", items=_names(words, section, added)))
        if res["removed"]:
            out.append(words.fill("change_removed", items=words.count(section, len(res["removed"]))))
    numbers = {e["id"]: int(e["number"]) for e in case["exhibits"]}
    ex = changes["exhibits"]
    added = [numbers[i["id"]] for i in ex["added"]]
    replaced = [numbers[i["id"]] for i in ex["replaced"]]
    if added:
        out.append(words.fill("change_evidence", items=_exhibits(words, added)))
    if replaced:
        out.append(words.fill("change_replaced", items=_exhibits(words, replaced)))
    return out


def _changes_dated(case: dict[str, Any], words: Words, filed_on: str) -> list[str]:
    """What is dated after the rejected filing, so cannot have been in it."""
    out = []
    done = [n for n, a in enumerate(case["corrective_actions"], 1) if str(a.get("done", "")) > filed_on]
    if done:
        out.append(words.fill("change_completed", items=_names(words, "corrective_actions", done)))
    active = [n for n, m in enumerate(case["preventive_measures"], 1) if str(m["effective"]) > filed_on]
    if active:
        out.append(words.fill("change_in_force", items=_names(words, "preventive_measures", active)))
    later = [int(e["number"]) for e in case["exhibits"] if str(e["date"]) > filed_on]
    if later:
        out.append(words.fill("change_evidence", items=_exhibits(words, later)))
    return out


def reappeal(case: dict[str, Any], words: Words) -> str | None:
    """The re-appeal paragraph, or None when no submission was rejected."""
    from poaforge.portfolio.history import filed_version, rejected_submission

    sub = rejected_submission(case)
    if sub is None:
        return None
    ref = str(sub.get("reference") or "").strip()
    text = words.fill("reappeal", date=words.date(str(sub["date"])),
                      reference=words.fill("reappeal_reference", reference=ref) if ref else "")
    filed = filed_version(Path(case["source"]), case) if sub.get("commit") else None
    if filed is not None and filed.data is not None:
        changes = _changes_filed(case, words, filed)
    else:
        changes = _changes_dated(case, words, str(sub["date"]))
    if changes:
        text += words["sentence_gap"] + words.fill("reappeal_changes", changes=words.join(changes))
    return text
