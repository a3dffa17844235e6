"""A case with the files sellers really have builds end to end with the real snakemake.

HEIC photo, 3-page TIFF scan, a carrier's .eml with its proof-of-delivery PDF cited as its
own exhibit, a CSV order export and a digitally signed PDF (qpdf's test file). The upload
folder holds the signed PDF byte for byte and the attachment as the carrier sent it; the
bundle passes ``qpdf --check``, holds every page, carries the originals of the converted
files and no JavaScript; ``poa validate`` names an unreadable file at its line first.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from e2e import SNAKEMAKE, copy_project
from fixtures_pdf import typst_pdf
from seller_files import csv_orders, eml, heic_photo, real_exhibit, tiff_scan

MINI = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
EXHIBITS = """exhibits:
  - id: E1
    title: Late shipment report
    file: evidence/late-orders.csv
    date: 2026-11-03
    proves: 38 orders shipped late between 1 September and 15 October.
  - id: E2
    title: Warehouse photo
    file: evidence/IMG_0412.HEIC
    date: 2026-11-05
    kind: photo
    proves: Each affected order was repacked and refunded.
  - id: E3
    title: Signed carrier agreement
    file: evidence/carrier-agreement-signed.pdf
    date: 2026-11-10
    kind: contract
    proves: The new carrier contract guarantees same-day pickup.
  - id: E4
    title: Scanned pickup log
    file: evidence/pickup-log.tif
    date: 2026-11-10
    proves: Pickups are logged every day.
  - id: E5
    title: Carrier delivery e-mail
    file: evidence/delivered.eml
    date: 2026-11-06
    kind: correspondence
    proves: The carrier confirmed the delivery.
  - id: E6
    title: Proof of delivery
    file: evidence/delivered.eml
    attachment: POD-1Z999.pdf
    date: 2026-11-06
    proves: The buyer signed for the parcel.
"""


def _case() -> str:
    text = MINI[: MINI.index("\nexhibits:") + 1] + EXHIBITS
    text = text.replace("    exhibits: [E1]\ncorrective_actions", "    exhibits: [E1, E4]\ncorrective_actions")
    text = text.replace("    exhibits: [E2]\npreventive_measures", "    exhibits: [E2, E5, E6]\npreventive_measures")
    return text


@pytest.mark.e2e
def test_seller_files_build_end_to_end(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", cases=[])
    ev = project / "cases" / "mixed" / "evidence"
    ev.mkdir(parents=True)
    signed = real_exhibit("qpdf__digitally-signed.pdf")
    pod = typst_pdf("Proof of delivery 1Z999 — signed J. SMITH")
    files = {"late-orders.csv": csv_orders(60), "IMG_0412.HEIC": heic_photo(), "carrier-agreement-signed.pdf": signed,
             "pickup-log.tif": tiff_scan(3), "delivered.eml": eml(attachments={"POD-1Z999.pdf": pod})}
    for name, data in files.items():
        (ev / name).write_bytes(data)
    (project / "cases" / "mixed.yaml").write_text(_case().replace("case: mini", "case: mixed"), encoding="utf-8")

    run = subprocess.run([str(SNAKEMAKE), "--cores", "2", "mixed"], cwd=project, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    res = project / "results" / "mixed"
    exhibits = {e["id"]: e for e in json.loads((res / "exhibits.json").read_text())["exhibits"]}
    assert [exhibits[f"E{n}"]["pages"] for n in range(1, 7)][1:5] == [1, 1, 3, 1]
    assert exhibits["E1"]["conversion"].startswith("CSV table, 60 rows")
    assert exhibits["E2"]["conversion"].startswith("HEIC image decoded with pillow-heif")

    upload = {f["name"]: f for f in json.loads((res / "upload.json").read_text())["files"]}
    by_exhibit = {f["exhibit"]: f for f in upload.values()}
    assert (res / "upload" / by_exhibit["E3"]["name"]).read_bytes() == signed  # the signature stays valid
    assert (res / "upload" / by_exhibit["E6"]["name"]).read_bytes() == pod  # the attachment as the carrier sent it
    assert by_exhibit["E2"]["name"].endswith(".pdf") and "does not accept a HEIC/HEIF photo" in by_exhibit["E2"]["note"]
    assert by_exhibit["E3"]["note"] == "digitally signed: uploaded byte for byte so the signature stays valid"
    report = (res / "report.txt").read_text(encoding="utf-8")  # the report says the same, with the case's file
    assert f"E2 (evidence/IMG_0412.HEIC) upload {by_exhibit['E2']['name']}: {by_exhibit['E2']['note']}" in report, report
    assert f"E3 (evidence/carrier-agreement-signed.pdf) upload {by_exhibit['E3']['name']}: digitally signed" in report, report

    bundle = res / "bundle.pdf"
    check = subprocess.run(["qpdf", "--check", str(bundle)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    reader = PdfReader(bundle)
    assert sum(e["pages"] for e in exhibits.values()) < len(reader.pages)
    assert sorted(reader.attachments) == ["Exhibit 1 - late-orders.csv", "Exhibit 2 - IMG_0412.HEIC",
                                          "Exhibit 5 - delivered.eml", "Exhibit 6 - POD-1Z999.pdf"]
    for name in files:
        assert (ev / name).read_bytes() == files[name]  # originals untouched

    (ev / "IMG_0412.HEIC").write_bytes(b"<html>not a photo</html>")
    bad = subprocess.run([str(Path(SNAKEMAKE).with_name("poa")), "validate", "mixed"], cwd=project, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1
    assert ("cases/mixed.yaml:57:11: exhibit E2: cases/mixed/evidence/IMG_0412.HEIC is an HTML page renamed .heic, which "
            "poa-forge cannot read") in bad.stdout
