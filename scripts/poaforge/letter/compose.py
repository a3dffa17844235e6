"""The letter model: every word the POA shows, composed once from case.json.

:func:`compose` turns the validated case (with its profile and labels) into the model
written as ``results/<case>/letter.json`` (``schemas/letter.schema.json``): headings, labels
with their punctuation, dates in the language's one style, item numbers and the names the
index and checklist use for items ("Action 2"), citations "(Exhibit 3)" / "（附件3）",
the metrics table with each reading's status against its target (the case's or notice's
target, else the profile's), the opening and re-appeal paragraphs, the closing and the
signatory block. The PDF, the DOCX, the form text, the evidence index, the bundle cover and
the checklist only lay this model out; none of them decides a word.
"""

from __future__ import annotations

from typing import Any

from poaforge.case.metrics import SYMBOLS, case_target, in_order, label, meets
from poaforge.case.profile import LEAD_PARTS
from poaforge.errors import BuildError, Problem
from poaforge.letter.opening import opening, reappeal, self_describing
from poaforge.letter.words import KEEP, Words, plain

__all__ = ["compose", "VERSION"]

VERSION = 1
_CJK_LANGUAGES = ("zh", "ja", "ko")


def _part(words: Words, key: str, value: str) -> dict[str, str]:
    """One labelled value of a detail line: ``{"label": "When: ", "value": "…"}``."""
    return {"label": words[key] + words["colon"], "value": value}


class _Composer:
    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.words = Words(case["labels"], where=f"templates/lang/{case['language']}.yaml")
        self.numbers = {e["id"]: int(e["number"]) for e in case["exhibits"]}
        self.names: dict[str, str] = {}
        self.cited_by: dict[str, list[str]] = {e["id"]: [] for e in case["exhibits"]}

    # --- citations -----------------------------------------------------------------------

    def cite(self, ids: list[str], who: str) -> dict[str, Any] | None:
        missing = [i for i in ids if i not in self.numbers]
        if missing:
            raise BuildError(Problem(self.case.get("source", "case"), message=f"{who} cites unknown exhibit(s) {', '.join(missing)}",
                                     hint="list the exhibit under exhibits, or fix the id"))
        for i in ids:
            if who not in self.cited_by[i]:
                self.cited_by[i].append(who)
        return self.words.cite([self.numbers[i] for i in ids])

    # --- metrics -------------------------------------------------------------------------

    def value(self, reading: dict[str, Any], number: Any = None) -> str:
        shown = number if number is not None else reading["value"]
        unit = reading["unit"]
        if unit == "%":
            return f"{shown}%"
        if unit in ("hours", "days"):
            return f"{shown} {self.words['unit_' + unit]}"
        return str(shown)

    def target(self, name: str) -> str:
        spec = case_target(self.case, name)
        if spec is None:
            return ""
        threshold = f"{spec['threshold']:g}"
        return f"{SYMBOLS.get(spec['op'], spec['op'])} {self.value({'unit': spec['unit']}, threshold)}"

    def target_words(self, name: str) -> str:
        """The target in words for a sentence: "under 1%", "at most 4%" (labels target_lt …)."""
        spec = case_target(self.case, name)
        if spec is None:
            return ""
        threshold = f"{spec['threshold']:g}"
        key = {"<": "target_lt", "<=": "target_le", ">": "target_gt", ">=": "target_ge"}[spec["op"]]
        return self.words.fill(key, n=self.value({"unit": spec["unit"]}, threshold))

    def metrics(self) -> dict[str, Any] | None:
        readings = in_order(self.case.get("metrics") or [])
        if not readings:
            return None
        w, rows, seen = self.words, [], set()
        for m in readings:
            name = label(self.case["profile"], m["name"])
            self.names[m["name"]] = name
            spec = case_target(self.case, m["name"])
            status = {True: "meets", False: "misses", None: "none"}[meets(m["value"], spec)]
            self.cite([m["exhibit"]], name)
            rows.append({"cells": ["" if m["name"] in seen else name, self.value(m), w.in_text(m["window"]),
                                   w.date(m["date"]), self.target(m["name"]) or "—",
                                   w[{"meets": "metric_meets", "misses": "metric_misses", "none": "metric_no_target"}[status]],
                                   w.exhibit(self.numbers[m["exhibit"]])],
                         "status": status, "exhibit": self.numbers[m["exhibit"]]})
            seen.add(m["name"])
        columns = [w[k] for k in ("col_metric", "col_value", "col_window", "col_date", "col_target", "col_status", "col_exhibit")]
        return {"part": "metrics", "heading": w["metrics"], "columns": columns, "rows": rows}

    # --- sections ------------------------------------------------------------------------

    def item(self, section: str, n: int, item: dict[str, Any]) -> dict[str, Any]:
        w = self.words
        name = w.fill(f"name_{section}", n=n)
        self.names[item["id"]] = name
        if section == "root_causes":
            text = item["what"]
            details = [[_part(w, "when", w.period(item["when"])), _part(w, "role", plain(item["role"]))],
                       [_part(w, "gap", w.in_text(item["gap"]))]]
        elif section == "corrective_actions":
            text = item["action"]
            when = _part(w, "done_on", w.date(item["done"])) if item.get("done") else _part(w, "due_by", w.date(item["due"]))
            details = [[_part(w, "owner", plain(item["owner"])), when]]
        else:
            text = item["measure"]
            details = [[_part(w, "owner", plain(item["owner"])), _part(w, "effective", w.date(item["effective"])),
                        _part(w, "frequency", w.in_text(item["frequency"]))],
                       [_part(w, "verification", w.in_text(item["verification"]))]]
        return {"id": item["id"], "name": name, "number": w.fill("item_number", n=n), "text": w.in_text(text),
                "details": details, "cite": self.cite(item.get("exhibits") or [], name)}

    def sections(self) -> list[dict[str, Any]]:
        return [{"part": section, "heading": self.words[section],
                 "items": [self.item(section, n, it) for n, it in enumerate(self.case[section], start=1)]}
                for section in self.case["profile"]["sections"]]

    # --- head and foot -------------------------------------------------------------------

    def meta(self) -> list[dict[str, Any]]:
        w, notice = self.words, self.case["notice"]
        lines = [plain(notice["reference"])]
        for v in notice["violations"]:
            text = w.fill("violation_line", code=plain(v["code"]), policy=plain(v["policy"])) if v.get("code") else plain(v["policy"])
            if v.get("affected"):
                text += w.fill("affected_list", items=w["list_sep"].join(plain(a) for a in v["affected"]))
            lines.append(text)
        return [{"label": w["date"], "lines": [w.date(self.case["as_of"])]},
                {"label": w["to"], "lines": [plain(w["addressee"])]},
                {"label": w["reference"], "lines": list(dict.fromkeys(lines))}]

    def signatory(self) -> dict[str, Any]:
        w, seller = self.words, self.case["seller"]
        person = seller["responsible_person"]
        sig = self.case["profile"]["signature"]
        return {"signature": w["signature_line"] if sig["signature_required"] else None,
                "lines": [plain(person["name"]), plain(person["title"]), plain(seller["legal_name"]), w.date(self.case["as_of"])],
                "seal": w["seal_placeholder"] if sig["seal_required"] else None}

    def exhibits(self) -> list[dict[str, Any]]:
        w = self.words
        out = []
        for e in sorted(self.case["exhibits"], key=lambda e: int(e["number"])):
            name = w.exhibit(int(e["number"]))
            title = plain(e["title"])
            out.append({"id": e["id"], "number": int(e["number"]), "name": name, "heading": f"{name} — {title}",
                        "title": title, "date": w.date(e["date"]), "proves": w.in_text(e["proves"]),
                        "cited_by": self.cited_by[e["id"]]})
        return out


def compose(case: dict[str, Any]) -> dict[str, Any]:
    """The letter model (letter.json content) of ``case`` (case.json content).

    Raises ProfileError for a label that cannot be filled, BuildError for a citation of an
    unknown exhibit. Deterministic: the same case gives the same model.
    """
    c = _Composer(case)
    w, seller, notice = c.words, case["seller"], case["notice"]
    metrics = c.metrics()
    sections = c.sections()
    paragraphs = [{"part": "opening", "text": opening(case, w, c.value, c.target_words)}]
    again = reappeal(case, w)
    if again:
        paragraphs.append({"part": "reappeal", "text": again})
    title = w["title"]
    reference = plain(notice["reference"])
    lead = [{"label": w["store"] + w["colon"], "value": plain(seller["store_name"])},
            {"label": w["seller_id"] + w["colon"], "value": plain(seller["seller_id"])}]
    extra = [[{"label": "", "value": plain(seller[k])}] for k in ("address", "email") if seller.get(k)]
    deadline = str(notice["deadline"])
    scan = case.get("signed_scan")
    return {
        "version": VERSION,
        "case": case["case"],
        "language": case["language"],
        "lang_tag": {"zh": "zh-CN"}.get(case["language"], case["language"]),
        "script": "cjk" if case["language"].split("-")[0] in _CJK_LANGUAGES else "latin",
        "paper": case["profile"]["paper"],
        "date": case["as_of"],
        "title": title,
        "document_title": f"{title} — {plain(seller['store_name'])}",
        "author": plain(seller["legal_name"]),
        "store": plain(seller["store_name"]),
        "running_header": w["letterhead_sep"].join([plain(seller["legal_name"]), plain(seller["seller_id"]), reference]),
        "page_of": w["page_of"],
        "keep": KEEP,
        "separators": {"item": w["item_sep"], "letterhead": w["letterhead_sep"]},
        "letterhead": {"name": plain(seller["legal_name"]), "lines": [lead, *extra]},
        "meta": c.meta(),
        "paragraphs": paragraphs,
        "metrics": metrics,
        "sections": sections,
        "parts": [p for p in LEAD_PARTS if p in {x["part"] for x in paragraphs} or (p == "metrics" and metrics)]
        + [s["part"] for s in sections],
        "closing": [x for x in (w["sincerely"], w["sincerely_line2"]) if x],
        "signatory": c.signatory(),
        "exhibits": c.exhibits(),
        "names": c.names,
        "notice": {"reference": reference, "self_describing": self_describing(reference),
                   "received": w.date(notice["received"]), "deadline": w.moment(deadline),
                   "deadline_iso": deadline, "date_only": "T" not in deadline},
        "signed": {"title": w.fill("signed_letter", title=title), "pages": scan["pages"],
                   "files": [f["file"] for f in scan["files"]]} if scan else None,
        "labels": dict(sorted(case["labels"].items())),
    }
