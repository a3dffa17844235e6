"""The merged bundle: pages, bookmarks, links, stamps in an added strip, labels, reproducibility."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

import tricky_pdf as tricky
from fixtures_pdf import bundle_model, front_source, image_bytes, make_case, typst_pdf
from seller_files import eml, real_exhibit
from poaforge.bundle.merge import build_bundle
from poaforge.evidence.intake import prepare


def _pdf(mutate) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(typst_pdf("Original {n} text", pages=1))))
    mutate(writer.pages[0])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _rotate(page) -> None:  # type: ignore[no-untyped-def]
    page.rotation = 90


def _offset(page) -> None:  # type: ignore[no-untyped-def]
    page.mediabox = RectangleObject((100, 100, 712, 892))


FILES = {
    "sop.pdf": typst_pdf("SOP page {n}", pages=3),
    "rotated.pdf": _pdf(_rotate),
    "offset.pdf": _pdf(_offset),
    "photo.png": image_bytes(size=(300, 200)),
}
TITLES = {"sop.pdf": "Shipping SOP", "rotated.pdf": "Carrier contract", "offset.pdf": "Odd box",
          "photo.png": "Warehouse photo"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import typst

    tmp = tmp_path_factory.mktemp("bundle")
    case, case_dir, results = make_case(tmp, FILES, titles=TITLES)
    exhibits = prepare(case, case_dir, results)
    front = []
    for name, title, heads, links in (("poa", "Plan of Action", ["Root causes", "Corrective actions"], [1, 3]),
                                      ("index", "Evidence index", ["Exhibits"], [1, 2, 3, 4])):
        path = results / f"{name}-bundle.pdf"
        path.write_bytes(typst.compile(front_source(title, heads, links).encode(), timestamp=0))
        front.append((title, path))
    out = results / "bundle.pdf"
    total = build_bundle(case, bundle_model(case), exhibits, results, front, out)
    return {"case": case, "exhibits": exhibits, "results": results, "front": front, "out": out,
            "total": total, "reader": PdfReader(out), "tmp": tmp}


def _starts(built: dict) -> dict[str, int]:
    """First page index of each part, counted from the inputs."""
    cover = len(built["reader"].pages) - sum(len(PdfReader(p).pages) for _, p in built["front"]) - sum(
        e["pages"] for e in built["exhibits"]["exhibits"])
    starts, page = {"Cover": 0}, cover
    for title, path in built["front"]:
        starts[title] = page
        page += len(PdfReader(path).pages)
    for ex in built["exhibits"]["exhibits"]:
        starts[f"exhibit-{ex['number']}"] = page
        page += ex["pages"]
    return starts


def test_page_count_is_sum_of_parts(built: dict) -> None:
    reader = built["reader"]
    parts = sum(len(PdfReader(p).pages) for _, p in built["front"]) + 3 + 1 + 1 + 1
    assert len(reader.pages) == built["total"] == parts + 1  # + a one-page cover


def test_bookmarks_resolve(built: dict) -> None:
    reader, starts = built["reader"], _starts(built)
    outline = reader.outline
    tops = [item for item in outline if not isinstance(item, list)]
    assert [t.title for t in tops] == ["Cover", "Plan of Action", "Evidence index", "Exhibits"]
    assert [reader.get_destination_page_number(t) for t in tops] == [
        0, starts["Plan of Action"], starts["Evidence index"], starts["exhibit-1"]]
    poa_children = outline[2]
    assert [c.title for c in poa_children] == ["Root causes", "Corrective actions"]
    assert all(starts["Plan of Action"] <= reader.get_destination_page_number(c) < starts["Evidence index"]
               for c in poa_children)
    exhibits = outline[-1]
    assert [c.title for c in exhibits] == ["Exhibit 1 — Shipping SOP", "Exhibit 2 — Carrier contract",
                                           "Exhibit 3 — Odd box", "Exhibit 4 — Warehouse photo"]
    assert [reader.get_destination_page_number(c) for c in exhibits] == [starts[f"exhibit-{n}"] for n in (1, 2, 3, 4)]
    named = reader.named_destinations
    assert {k: reader.get_destination_page_number(v) for k, v in named.items() if k.startswith("exhibit-")} == {
        f"exhibit-{n}": starts[f"exhibit-{n}"] for n in (1, 2, 3, 4)}


def test_links_go_to_first_page_of_exhibit(built: dict) -> None:
    reader, starts = built["reader"], _starts(built)
    pages_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    seen = []
    for i, page in enumerate(reader.pages[: starts["exhibit-1"]]):
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A", {})
            assert action.get("/S") != "/URI" or not str(action.get("/URI")).startswith("bundle:")
            if action.get("/S") == "/GoTo":
                seen.append((i, pages_of[action["/D"][0].idnum]))
    assert seen, "no links rewritten"
    targets = set(starts.values())
    assert all(target in targets for _, target in seen)
    assert {t for _, t in seen} >= {starts["exhibit-1"], starts["exhibit-3"]}


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    import re
    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


@pytest.mark.parametrize("exhibit", [1, 3])  # the rotated exhibit 2: test_tricky_page_renders_as_the_original
def test_stamps_lie_in_added_strip(built: dict, exhibit: int) -> None:
    """Words of the original stay in the original box; stamp words lie below it."""
    reader, starts = built["reader"], _starts(built)
    index = starts[f"exhibit-{exhibit}"]
    page = reader.pages[index]
    original = PdfReader(built["results"] / "exhibits" / f"{exhibit}.pdf").pages[0]
    w, h = (original.mediabox.height, original.mediabox.width) if original.rotation % 180 else (
        original.mediabox.width, original.mediabox.height)
    assert (round(page.mediabox.width), round(page.mediabox.top - page.mediabox.bottom) > round(h)) == (round(w), True)
    words = _words(built["out"], index + 1)
    stamp = [wd for wd in words if wd[0] in ("Exhibit", "Page", "of", "p.")]
    body = [wd for wd in words if wd[0] in ("Original", "page", "text")]
    assert stamp and body
    assert all(wd[2] >= float(h) - 0.5 for wd in stamp)  # yMin from the top: below the original page
    assert all(wd[4] <= float(h) + 0.5 for wd in body)
    text = " ".join(wd[0] for wd in words)
    total = len(reader.pages)
    assert f"Exhibit {exhibit} · p. 1/" in text and f"Page {index + 1} of {total}" in text


def test_rotated_page_keeps_its_rotation_and_gets_the_strip_at_its_shown_bottom(built: dict) -> None:
    page = built["reader"].pages[_starts(built)["exhibit-2"]]
    original = PdfReader(built["results"] / "exhibits" / "2.pdf").pages[0]
    assert page.rotation == 90 and page.mediabox.top == original.mediabox.top
    assert page.mediabox.right > original.mediabox.right  # grown on the edge shown at the bottom


def test_page_labels_match_numbers(built: dict) -> None:
    reader = built["reader"]
    assert reader.page_labels == [str(i + 1) for i in range(len(reader.pages))]
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(built["out"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Page 2 of {len(reader.pages)}" in text


def test_qpdf_check_and_metadata(built: dict) -> None:
    check = subprocess.run(["qpdf", "--check", str(built["out"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    data = built["out"].read_bytes()
    assert str(built["tmp"]).encode() not in data and b"CreationDate" not in data
    meta = built["reader"].metadata
    assert meta.title == "Appeal bundle — Example Store" and meta.producer == "poa-forge"


def test_reproducible(built: dict, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    build_bundle(built["case"], bundle_model(built["case"]), built["exhibits"], built["results"], built["front"], again)
    assert again.read_bytes() == built["out"].read_bytes()


def test_identifier_follows_the_content(built: dict, tmp_path: Path) -> None:
    """The file identifier (trailer /ID, first half) is a digest of what the bundle is made
    of: the same for the same inputs, another when a word of the letter changes."""
    model = bundle_model(built["case"])
    model["store"] += " Ltd"
    other = tmp_path / "other.pdf"
    build_bundle(built["case"], model, built["exhibits"], built["results"], built["front"], other)
    first = PdfReader(built["out"]).trailer["/ID"][0]
    assert len(first) == 16 and first != PdfReader(other).trailer["/ID"][0]


def test_cover_lists_contents_with_pages(built: dict) -> None:
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(built["out"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    starts = _starts(built)
    assert "NOTICE-42" in text and "20 November 2026" in text and "Example Store" in text and "2026-11-20" not in text
    assert any("Exhibit 3 — Odd box" in line and line.rstrip().endswith(str(starts["exhibit-3"] + 1))
               for line in text.splitlines())


def test_chinese_labels_and_unknown_link(tmp_path: Path) -> None:
    import typst

    from poaforge.errors import BuildError

    case, case_dir, results = make_case(tmp_path, {"a.pdf": typst_pdf("x")}, titles={"a.pdf": "发票"})
    case["language"] = "zh"
    model = bundle_model(case, "zh")
    exhibits = prepare(case, case_dir, results)
    good = results / "poa.pdf"
    good.write_bytes(typst.compile(front_source("POA", ["A"], [1]).encode(), timestamp=0))
    out = results / "bundle.pdf"
    build_bundle(case, model, exhibits, results, [("申诉说明函", good)], out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = text.replace(" ", "")
    assert "证据1·第1/1页—发票" in squeezed and "第1页，共" in squeezed
    bad = results / "bad.pdf"
    bad.write_bytes(typst.compile(front_source("POA", ["A"], [9]).encode(), timestamp=0))
    with pytest.raises(BuildError, match="link bundle:exhibit-9 points to no part of the bundle"):
        build_bundle(case, model, exhibits, results, [("POA", bad)], tmp_path / "b.pdf")
    assert not (tmp_path / "b.pdf").exists()


# ---- faithful pages: every tricky page of the original, rendered by poppler, is what the bundle shows ----

TRICKY = {
    "swapped-box.pdf": tricky.swapped_box, "boxes-inside.pdf": tricky.boxes_inside,
    "rotate-90.pdf": lambda: tricky.rotated_with_notes(90), "rotate-180.pdf": lambda: tricky.rotated_with_notes(180),
    "rotate-270.pdf": lambda: tricky.rotated_with_notes(270), "form.pdf": tricky.form_pdf,
    "javascript.pdf": tricky.active_pdf, "e-invoice.pdf": tricky.with_embedded_file,
}


@pytest.fixture(scope="module")
def tricky_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import typst

    tmp = tmp_path_factory.mktemp("tricky")
    files = {name: make() for name, make in TRICKY.items()}
    files["signed.pdf"] = real_exhibit("qpdf__digitally-signed.pdf")
    files["mail.eml"] = eml(attachments={"POD.pdf": typst_pdf("Proof of delivery")})
    case, case_dir, results = make_case(tmp, files)
    exhibits = prepare(case, case_dir, results)
    front = results / "poa-bundle.pdf"
    front.write_bytes(typst.compile(front_source("POA", ["A"], [1]).encode(), timestamp=0))
    out = results / "bundle.pdf"
    build_bundle(case, bundle_model(case), exhibits, results, [("Plan of Action", front)], out, case_dir=case_dir)
    first = len(PdfReader(out).pages) - sum(e["pages"] for e in exhibits["exhibits"])
    starts = {}
    for ex in exhibits["exhibits"]:
        starts[ex["file"].split("/")[-1]] = first
        first += ex["pages"]
    return {"out": out, "results": results, "exhibits": {e["file"].split("/")[-1]: e for e in exhibits["exhibits"]},
            "starts": starts, "case": case, "case_dir": case_dir, "front": front}


@pytest.mark.parametrize("name", [*TRICKY, "signed.pdf"])
def test_tricky_page_renders_as_the_original(tricky_bundle: dict, name: str) -> None:
    """Poppler renders the original page and the bundle page; above the added strip they are the same picture."""
    ex = tricky_bundle["exhibits"][name]
    original = tricky_bundle["results"] / ex["pdf"]
    diff, shown, bundled = tricky.compare_render(original, tricky_bundle["out"], tricky_bundle["starts"][name] + 1)
    assert bundled[0] == shown[0] and bundled[1] > shown[1]  # same width as read, taller by the strip only
    assert diff < 1.0, f"{name}: mean pixel difference {diff:.2f}"


def test_every_annotation_but_form_fields_stays_where_it_was(tricky_bundle: dict) -> None:
    reader = PdfReader(tricky_bundle["out"])
    for name in ("rotate-90.pdf", "rotate-270.pdf"):
        page = reader.pages[tricky_bundle["starts"][name]]
        kinds = sorted(str(a.get_object()["/Subtype"]) for a in page["/Annots"])
        rects = sorted([round(float(v)) for v in a.get_object()["/Rect"]] for a in page["/Annots"])
        assert kinds == ["/Highlight", "/Link", "/Text"]
        assert rects == [[40, 60, 200, 90], [150, 380, 460, 420], [500, 700, 524, 724]]


def test_form_values_are_flattened_into_the_page(tricky_bundle: dict) -> None:
    index = tricky_bundle["starts"]["form.pdf"]
    page = PdfReader(tricky_bundle["out"]).pages[index]
    assert "/Annots" not in page and "/AcroForm" not in PdfReader(tricky_bundle["out"]).trailer["/Root"]
    text = subprocess.run(["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(tricky_bundle["out"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "ACME Trading Ltd" in text


def test_bundle_carries_no_javascript_and_passes_qpdf(tricky_bundle: dict, tmp_path: Path) -> None:
    check = subprocess.run(["qpdf", "--check", str(tricky_bundle["out"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    flat = tmp_path / "flat.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(tricky_bundle["out"]), str(flat)], check=True)
    body = flat.read_bytes()
    assert b"/JavaScript" not in body and b"/JS " not in body and b"app.alert" not in body and b"this.print" not in body


def test_attachments_list_holds_originals_and_embedded_files(tricky_bundle: dict) -> None:
    attached = PdfReader(tricky_bundle["out"]).attachments
    mail = tricky_bundle["exhibits"]["mail.eml"]
    inv = tricky_bundle["exhibits"]["e-invoice.pdf"]
    assert attached[f"Exhibit {mail['number']} - mail.eml"] == [(tricky_bundle["case_dir"] / mail["file"]).read_bytes()]
    assert attached[f"Exhibit {inv['number']} - factur-x.xml"] == [b"<Invoice>INV-2026-118</Invoice>"]
    assert len(attached) == 2


def test_signed_and_converted_exhibits_say_so_in_their_first_stamp(tricky_bundle: dict) -> None:
    out = tricky_bundle["out"]
    for name, expected in (("signed.pdf", "digitally signed: verify the signature on the uploaded original"),
                           ("mail.eml", "rendition of mail.eml (original attached to this PDF)")):
        page = tricky_bundle["starts"][name] + 1
        text = subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(out), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert expected in " ".join(text.split()), name


def test_tricky_bundle_is_reproducible(tricky_bundle: dict, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    exhibits = {"exhibits": sorted(tricky_bundle["exhibits"].values(), key=lambda e: e["number"])}
    build_bundle(tricky_bundle["case"], bundle_model(tricky_bundle["case"]), exhibits, tricky_bundle["results"], [("Plan of Action", tricky_bundle["front"])],
                 again, case_dir=tricky_bundle["case_dir"])
    assert again.read_bytes() == tricky_bundle["out"].read_bytes()


def test_exhibit_streams_are_copied_as_they_are(built: dict) -> None:
    """The photo's image data in the bundle is the exhibit PDF's, byte for byte (never decoded
    or re-encoded), and the bundle is written with object streams."""
    import pikepdf

    number = next(e["number"] for e in built["exhibits"]["exhibits"] if e["file"].endswith("photo.png"))
    start = _starts(built)[f"exhibit-{number}"]
    with pikepdf.open(built["results"] / "exhibits" / f"{number}.pdf") as original, pikepdf.open(built["out"]) as bundle:
        def images(page: pikepdf.Page) -> list[bytes]:
            xobjects = page.obj.Resources.get("/XObject") or {}
            return [bytes(x.read_raw_bytes()) for x in xobjects.values() if x.get("/Subtype") == "/Image"]
        assert images(bundle.pages[start]) == images(original.pages[0]) != []
    assert b"/ObjStm" in built["out"].read_bytes()


def test_cover_numbers_count_its_own_length_when_the_guess_is_wrong(tmp_path: Path) -> None:
    """The cover is compiled with the length merge expects (one page for < 45 rows); a contents
    list that wraps onto more pages makes it compile again with the length it got."""
    from poaforge.bundle.merge import _cover

    case, _case_dir, _results = make_case(tmp_path, {"a.pdf": typst_pdf("x")}, titles={"a.pdf": "A"})
    long = "Supplier invoice and the matching delivery note for the batch received at the warehouse"
    contents = [{"title": f"Exhibit {n} — {long}", "page": 10 * n, "target": f"bundle:exhibit-{n}", "level": 1}
                for n in range(1, 41)]
    cover = _cover(case, bundle_model(case), contents, tmp_path)
    pages = len(PdfReader(cover).pages)
    assert pages >= 2  # the guess (1 page) was wrong
    text = subprocess.run(["pdftotext", "-layout", str(cover), "-"], capture_output=True, text=True, check=True).stdout
    numbers = [int(line.split()[-1]) for line in text.splitlines() if line.strip().startswith("Exhibit ")
               and line.split()[-1].isdigit()]
    assert numbers == [10 * n + pages for n in range(1, 41)]
