"""Cross-checks of the letter against what its exhibits show (POA531-POA542).

Pure functions over the case data, the platform profile and the exhibits' facts
(``results/<case>/facts.json``, :mod:`poaforge.evidence.read`): :func:`cross_check` returns
:class:`Issue` objects, each naming the rule, the case field that makes the claim and the
exhibit page. :func:`check_exhibit_facts` is the thin adapter to the quality gate's
``Context.emit``; :func:`checked_column` the evidence index's "checked against the letter".

Sources (see each rule's catalogue entry): invoices within the platform's window, addressed to
the seller, naming the supplier, covering the units sold, no order confirmation or pro-forma
[official / practice, shared DOMAIN.md]; altered documents [practice]; languages [single].
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .claims import claims, sold_units
from .names import address_matches, name_matches

__all__ = ["Issue", "cross_check", "check_exhibit_facts", "checked_column", "pages_text"]

_INVOICE_LIKE = ("order-confirmation", "pro-forma", "quotation", "packing-list")



@dataclass(frozen=True)
class Issue:
    """One finding: ``rule``, the case ``path`` to point at, message ``values``, the exhibit id
    and pages it concerns, and ``short``: (label key, values) for the evidence index cell."""

    rule: str
    path: tuple[str | int, ...]
    values: dict[str, Any]
    exhibit: str
    pages: tuple[int, ...] = ()
    short: tuple[str, dict[str, Any]] = ("", {})
    key: bool = field(default=False)


def pages_text(pages: list[int] | tuple[int, ...], total: int) -> str:
    """``[1, 2, 3]`` of 3 → "p. 1–3"; ``[2]`` → "p. 2"."""
    ps = sorted(set(pages))
    if not ps:
        return "no page"
    if len(ps) > 1 and ps == list(range(ps[0], ps[-1] + 1)):
        return f"p. {ps[0]}–{ps[-1]}"
    return "p. " + ", ".join(map(str, ps))


def _exhibits(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(i, e) for i, e in enumerate(data.get("exhibits") or []) if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _label(e: dict[str, Any], n: int) -> str:
    return f"Exhibit {n} ({e.get('file', e['id'])})"


def _claims(data: dict[str, Any], profile: dict[str, Any], facts: dict[str, Any], numbers: dict[str, int],
            by_id: dict[str, dict[str, Any]]) -> list[Issue]:
    grouped: dict[tuple[Any, ...], list[Any]] = {}
    for c in claims(data, profile):
        fx = [facts.get(x) for x in c.exhibits]
        if not all(fx):
            continue                                     # an exhibit not read (intake failed): nothing to compare
        if any(_proves(c, f) for f in fx) or (c.kind == "number" and c.norm in _scope_counts(fx)):
            continue
        grouped.setdefault((c.path, c.where, c.exhibits), []).append(c)
    out = []
    for (path, where, ids), missing in grouped.items():
        looked = "; ".join(f"{_label(by_id[x], numbers[x])}, {pages_text(range(1, facts[x]['pages'] + 1), facts[x]['pages'])}"
                           + (f" ({pages_text(facts[x]['unreadable'], 0)} unreadable)" if facts[x]["unreadable"] else "")
                           for x in ids)
        counts = "; ".join(f"Exhibit {numbers[x]} lists {len(v)} {spec_label}" for x in ids
                           for spec_label, v in _id_counts(facts[x], profile) if v)
        what = ", ".join(f'"{c.text}"' for c in missing)
        for x in ids:
            out.append(Issue("POA531", path, {"where": where, "what": what, "looked": looked,
                                              "counts": f" ({counts})" if counts else ""},
                             x, tuple(range(1, facts[x]["pages"] + 1)),
                             ("checked_missing", {"what": ", ".join(c.text for c in missing)})))
    return out


def _scope_counts(fx: list[Any]) -> set[str]:
    """Figures the cited exhibits show together: the sum of their quantity totals (two invoices of
    2,000 and 1,600 units show 3,600) and the number of their quantity lines (24 SKUs invoiced)."""
    qty = [f["quantities"] for f in fx if f.get("quantities")]
    if not qty:
        return set()
    return {str(sum(q["total"] for q in qty)), str(sum(len(q["items"]) for q in qty))}


def _id_counts(f: dict[str, Any], profile: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    specs = (profile.get("evidence") or {}).get("ids") or {}
    return [(f"{specs[k]['label']}s" if k in specs else k, v) for k, v in sorted((f.get("ids") or {}).items())]


def _proves(c: Any, f: dict[str, Any]) -> bool:
    key = {"number": "numbers", "id": "ids", "date": "dates"}[c.kind]
    if any(c.norm in page.get(key, []) for page in f.get("tokens", [])):
        return True
    if c.kind == "id":  # an id may be split or joined differently in the document (LB-2026-0318 / LB20260318)
        flat = re.sub(r"[-_/ ]", "", c.norm)
        return any(flat == re.sub(r"[-_/ ]", "", t) for page in f.get("tokens", []) for t in page.get("ids", []))
    if c.kind == "number" and c.norm.isdigit():  # a count proven by the number of ids the exhibit lists
        return any(len(v) == int(c.norm) for v in (f.get("ids") or {}).values())
    return False


def _is_invoice(e: dict[str, Any], f: dict[str, Any]) -> bool:
    kind = (f.get("kind") or {}).get("kind")
    return e.get("kind") == "invoice" or kind == "invoice" or bool(re.search(r"invoice|发票", str(e.get("title", "")), re.I))


def _invoice(data: dict[str, Any], profile: dict[str, Any], i: int, e: dict[str, Any], f: dict[str, Any], n: int,
             labels: dict[str, str]) -> list[Issue]:
    out: list[Issue] = []
    eid, where = e["id"], f"{e['id']}"
    kind = f.get("kind") or {}
    if kind.get("kind") in _INVOICE_LIKE:
        out.append(Issue("POA532", ("exhibits", i, "file"), {"where": where, "exhibit": _label(e, n), "page": kind["page"],
                                                             "text": kind["text"], "kind": labels.get(kind["kind"], kind["kind"])},
                         eid, (kind["page"],), ("checked_kind", {"kind": labels.get(kind["kind"], kind["kind"])})))
    date = f.get("date") or {}
    received = (data.get("notice") or {}).get("received")
    max_age = profile.get("invoice_max_age_days")
    if date.get("value") and isinstance(received, str) and max_age:
        age = (dt.date.fromisoformat(received) - dt.date.fromisoformat(date["value"])).days
        if age > int(max_age):
            out.append(Issue("POA533", ("exhibits", i, "file"), {"where": where, "exhibit": _label(e, n), "date": date["value"],
                                                                 "page": date["page"], "age": age, "days": max_age,
                                                                 "received": received},
                             eid, (date["page"],), ("checked_old", {"date": date["value"], "days": max_age})))
    if date.get("value") and isinstance(e.get("date"), str) and e["date"] != date["value"]:
        out.append(Issue("POA542", ("exhibits", i, "date"), {"where": where, "date": e["date"], "shown": date["value"],
                                                             "page": date["page"], "exhibit": _label(e, n)},
                         eid, (date["page"],), ("checked_date", {"date": date["value"]})))
    seller = data.get("seller") or {}
    names = [str(x) for x in (seller.get("legal_name"), seller.get("local_name")) if x]
    rec = f.get("recipient")
    if rec and names:
        if not name_matches(names, rec["text"]):
            out.append(Issue("POA534", ("exhibits", i, "file"), {"where": where, "exhibit": _label(e, n), "page": rec["page"],
                                                                 "recipient": rec["text"][:80], "names": " / ".join(names)},
                             eid, (rec["page"],), ("checked_recipient", {"recipient": rec["text"][:40]})))
        elif seller.get("address") and rec.get("address") and not address_matches(str(seller["address"]), rec["address"]):
            out.append(Issue("POA535", ("exhibits", i, "file"), {"where": where, "exhibit": _label(e, n), "page": rec["page"],
                                                                 "recipient": rec["address"][:100]},
                             eid, (rec["page"],), ("checked_address", {})))
    issuer = f.get("issuer") or {}
    lacking = [what for what, ok in (("name", issuer.get("name")), ("address", issuer.get("address")),
                                     ("phone, e-mail or website", issuer.get("contact"))) if not ok]
    if f.get("pages") and not f.get("unreadable") and lacking:
        out.append(Issue("POA536", ("exhibits", i, "file"), {"where": where, "exhibit": _label(e, n), "lacking": ", ".join(lacking)},
                         eid, (1,), ("checked_supplier", {"lacking": ", ".join(lacking)})))
    return out


def _quantities(data: dict[str, Any], facts: dict[str, Any], numbers: dict[str, int], invoices: set[str]) -> list[Issue]:
    out = []
    for section, keys in (("root_causes", ("what",)), ("corrective_actions", ("action",))):
        for i, item in enumerate(data.get(section) or []):
            refs = [r for r in (item.get("exhibits") or []) if r in invoices] if isinstance(item, dict) else []
            qty = [facts[r]["quantities"]["total"] for r in refs if (facts[r].get("quantities") or {}).get("total")]
            if not refs or not qty:
                continue
            for key in keys:
                sold = sold_units(str(item.get(key, "")))
                if sold and sum(qty) < sold:
                    out.append(Issue("POA537", (section, i, key), {
                        "where": item.get("id", section), "sold": f"{sold:,}", "invoiced": f"{sum(qty):,}",
                        "exhibits": ", ".join(f"Exhibit {numbers[r]}" for r in refs)},
                        refs[0], (facts[refs[0]]["quantities"]["page"],), ("checked_quantity", {"invoiced": f"{sum(qty):,}"})))
    return out


def cross_check(data: dict[str, Any], profile: dict[str, Any], facts: dict[str, Any], docs: Any = None) -> list[Issue]:
    """Every issue of the case ``data`` against its exhibits' ``facts`` (``facts.json``'s ``exhibits``:
    id → facts); exhibits without facts are skipped. ``docs``: :func:`poaforge.evidence.kinds.load_documents`."""
    from poaforge.evidence.kinds import load_documents, scenarios_of

    docs = docs or load_documents()
    labels = {k.id: k.name(str(data.get("language", "en"))) for k in docs.kinds}
    exhibits = _exhibits(data)
    numbers = {e["id"]: n for n, (_, e) in enumerate(exhibits, start=1)}
    by_id = {e["id"]: e for _, e in exhibits}
    out = _claims(data, profile, facts, numbers, by_id)
    accepted = (profile.get("evidence") or {}).get("languages")
    checked_kinds = set(docs.editors.get("checked_kinds", []))
    invoices = set()
    for i, e in exhibits:
        f, n = facts.get(e["id"]), numbers[e["id"]]
        if not f:
            continue
        if _is_invoice(e, f):
            invoices.add(e["id"])
            out += _invoice(data, profile, i, e, f, n, labels)
        kind = (f.get("kind") or {}).get("kind")
        if e.get("kind") in ("invoice", "certificate") or kind in checked_kinds:
            for s in f.get("signs", []):
                out.append(Issue("POA538", ("exhibits", i, "file"), {
                    "where": e["id"], "exhibit": _label(e, n), "sign": s["detail"], "page": f" p. {s['page']}" if s.get("page") else "",
                    "kind": s["sign"]}, e["id"], (s["page"],) if s.get("page") else (), ("checked_altered", {"sign": s["sign"]})))
        lang = f.get("language")
        if accepted and lang and lang not in accepted and not e.get("translation") and not e.get("language"):
            out.append(Issue("POA539", ("exhibits", i, "file"), {"where": e["id"], "exhibit": _label(e, n), "language": lang,
                                                                 "accepted": ", ".join(accepted), "platform": profile.get("name", "")},
                             e["id"], tuple(range(1, f["pages"] + 1)), ("checked_language", {"language": lang})))
        photo = e.get("kind") == "photo" or (not e.get("kind") and kind == "photo")
        if f.get("unreadable") and not photo:  # a photo of a shelf need not hold text
            out.append(Issue("POA541", ("exhibits", i, "file"), {"where": e["id"], "exhibit": _label(e, n),
                                                                 "pages": pages_text(f["unreadable"], f["pages"])},
                             e["id"], tuple(f["unreadable"]), ("checked_unreadable", {"pages": pages_text(f["unreadable"], 0)})))
    out += _quantities(data, facts, numbers, invoices)
    out += _required(data, profile, facts, docs, exhibits, scenarios_of)
    return out


def _required(data: dict[str, Any], profile: dict[str, Any], facts: dict[str, Any], docs: Any,
              exhibits: list[tuple[int, dict[str, Any]]], scenarios_of: Any) -> list[Issue]:
    violations = [v for v in (data.get("notice") or {}).get("violations") or [] if isinstance(v, dict)]
    platform, lang = str(data.get("platform", "")), str(data.get("language", "en"))
    have: set[str] = set()
    for _, e in exhibits:
        f = facts.get(e["id"]) or {}
        if (f.get("kind") or {}).get("kind"):
            have.add(f["kind"]["kind"])
        for k in docs.kinds:
            if e.get("kind") in k.declared or (k.phrases.search(str(e.get("title", ""))) and not k.images_only):
                have.add(k.id)
    out = []
    for sid in scenarios_of(violations, docs):
        for req in docs.scenarios[sid]["platforms"].get(platform, []):
            if have & set(req["any_of"]):
                continue
            vi = next(i for i, v in enumerate(violations) if sid in scenarios_of([v], docs))
            wording = req["wording"].get(lang) or req["wording"].get("en", "")
            names = " or ".join(docs.kind(k).name(lang) for k in req["any_of"] if docs.kind(k))
            out.append(Issue("POA540", ("notice", "violations", vi, "policy"), {
                "where": violations[vi].get("id", f"violations[{vi + 1}]"), "scenario": sid, "kinds": names,
                "wording": wording, "platform": profile.get("name", platform), "source": req["source"]}, ""))
    return out


def checked_column(issues: list[Issue], exhibit_ids: list[str], labels: dict[str, str]) -> dict[str, str]:
    """The evidence index's "checked against the letter" cell per exhibit: the ``checked_ok`` label
    (✓) or the short notes of its issues, from the language's labels."""
    cells: dict[str, list[str]] = {x: [] for x in exhibit_ids}
    for issue in issues:
        key, values = issue.short
        if issue.exhibit in cells and key:
            text = labels.get(key, key).format(**values)
            if text not in cells[issue.exhibit]:
                cells[issue.exhibit].append(text)
    return {x: "; ".join(v) if v else labels.get("checked_ok", "✓") for x, v in cells.items()}


def check_exhibit_facts(ctx: Any) -> None:
    """Adapter to the quality gate: emit every issue of ``ctx.case`` against ``ctx.facts`` (if read)."""
    facts = getattr(ctx, "facts", None)
    if not facts:
        return
    seen = set()
    for issue in cross_check(ctx.data, ctx.profile, facts.get("exhibits", {})):
        key = (issue.rule, issue.path, tuple(sorted(issue.values.items())))
        if key not in seen:  # a claim looked for in several exhibits is one finding
            seen.add(key)
            ctx.emit(issue.rule, issue.path, **issue.values)
