"""A clean sample case for the lint tests, and variants of it made by perturbing it.

(`make bench` times `poa lint` over generated cases; see tools/bench.py.)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLE", "EVIDENCE", "TEST_PROFILE", "write_case", "perturb"]

#: Evidence files the sample cites (empty files are enough for loading and linting).
EVIDENCE = ("evidence/late.pdf", "evidence/refunds.png", "evidence/checklist.pdf", "evidence/invoice.pdf")

#: A case that lints clean against :data:`TEST_PROFILE`; ``{case}`` is its id.
SAMPLE = """\
case: {case}
platform: amazon
marketplace: US
language: en
as_of: 2026-11-20
seller:
  legal_name: Northwind Trading Ltd.
  store_name: Northwind Home
  seller_id: A1NORTHWIND0001
  responsible_person:
    name: Dana Liu
    title: Operations Director
notice:
  received: 2026-11-02
  deadline: 2026-12-01T23:59:00-08:00
  enforcement: account-deactivation
  reference: "Notification 7710-ODR"
  violations:
    - id: V1
      policy: Order Defect Rate
      code: ODR
      affected: [111-0000001-0000001]
      quote: Your Order Defect Rate is above our target of 1%. We will review your appeal.
metrics:
  - name: order_defect_rate
    value: "1.8"
    unit: "%"
    window: 60 days
    date: 2026-11-01
    exhibit: E1
root_causes:
  - id: RC1
    violations: [V1]
    what: 38 orders shipped 3 to 6 days late after the warehouse switched carriers on 2026-09-01.
    when: 2026-09-01/2026-10-15
    role: Warehouse Supervisor
    gap: The carrier onboarding checklist had no pickup-time check.
    exhibits: [E1, E4]
corrective_actions:
  - id: CA1
    root_causes: [RC1]
    action: Refunded all 38 affected orders in full.
    owner: Customer Service Manager
    done: 2026-11-05
    exhibits: [E2]
preventive_measures:
  - id: PM1
    root_causes: [RC1]
    measure: Added a pickup-time test to the carrier onboarding checklist in the ERP.
    owner: Logistics Lead
    effective: 2026-11-10
    frequency: before every carrier change
    verification: Monthly audit of carrier pickup scans by the Operations Director.
    exhibits: [E3]
exhibits:
  - id: E1
    title: Late shipment report
    file: evidence/late.pdf
    date: 2026-11-03
    proves: 38 orders shipped late between 1 September and 15 October.
  - id: E2
    title: Refund log
    file: evidence/refunds.png
    date: 2026-11-05
    proves: Each affected order was refunded.
  - id: E3
    title: Carrier onboarding checklist
    file: evidence/checklist.pdf
    date: 2026-11-10
    proves: The checklist now has a pickup-time test.
  - id: E4
    title: Carrier invoice
    file: evidence/invoice.pdf
    date: 2026-10-01
    kind: invoice
    proves: The new carrier was engaged on 1 September 2026.
"""

#: An Amazon-like profile for the tests (the real one is platforms/amazon.yaml).
TEST_PROFILE: dict = {
    "platform": "amazon", "name": "Amazon", "languages": ["en"],
    "attachments": {"mode": "separate", "max_count": None, "poa_file": None},
    "signature": {"name_title_required": False, "signature_required": False, "seal_required": False},
    "translation": {"required_language": None, "certified": False},
    "invoice_max_age_days": 365,
    "metrics": [
        {"name": "order_defect_rate", "label": "Order Defect Rate", "op": "<", "threshold": 1.0, "unit": "%"},
        {"name": "late_shipment_rate", "label": "Late Shipment Rate", "op": "<", "threshold": 4.0, "unit": "%"},
    ],
}

_WORDS = ["audited", "reviewed", "checked", "updated", "corrected", "verified", "confirmed", "recorded"]


def write_case(folder: Path, case_id: str, text: str | None = None) -> Path:
    """Write ``cases/<id>.yaml`` (``text`` or the sample) and its evidence files under ``folder``."""
    path = folder / f"{case_id}.yaml"
    path.write_text((text if text is not None else SAMPLE).replace("{case}", case_id), encoding="utf-8")
    from conftest import write_pdf, write_png

    for rel in EVIDENCE:  # readable files: `poa validate` (and so `poa lint`) reads the evidence headers
        f = folder / case_id / rel
        if not f.exists():
            (write_png if rel.endswith(".png") else write_pdf)(f)
    return path


def perturb(i: int) -> str:
    """Sample variant ``i``: other numbers, and every fourth case with its own wording."""
    text = SAMPLE.replace("38 ", f"{20 + i % 70} ").replace("3 to 6 days", f"{1 + i % 5} to {6 + i % 9} days")
    if i % 4:
        return text
    w = _WORDS[i % len(_WORDS)]
    return (text.replace("Refunded all", f"As batch {i} we {w} and refunded all")
                .replace("Added a pickup-time test", f"Introduced rule {i}, a {w} pickup-time gate,"))
