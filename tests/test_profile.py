"""Platform profiles and language labels: schema, merge, errors, new platforms and languages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from poaforge.case.profile import list_languages, list_platforms, load_labels, load_profile
from poaforge.errors import ProfileError
from poaforge.letter.compose import compose
from poaforge.letter.formtext import build_form
from poaforge.submit.plan import attachment_name

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "platform.schema.json").read_text(encoding="utf-8"))


def _sites(platform: str) -> list[str]:
    data = yaml.safe_load((ROOT / "platforms" / f"{platform}.yaml").read_text(encoding="utf-8"))
    return sorted(data.get("marketplaces", {})) + ["XX"]


def _walk(schema: object, where: str = "") -> list[str]:
    """Paths of properties without a description."""
    missing = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{where}.{name}")
        for key, sub in schema.items():
            missing += _walk(sub, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            missing += _walk(sub, f"{where}[{i}]")
    return missing


def test_schema_is_valid_and_documented() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    assert _walk(SCHEMA) == []


def test_platforms_and_languages_come_from_files() -> None:
    assert list_platforms(ROOT) == ["aliexpress", "amazon", "tiktok-shop", "walmart"]
    assert list_languages(ROOT) == ["en", "zh"]


@pytest.mark.parametrize("platform", ["aliexpress", "amazon", "tiktok-shop", "walmart"])
def test_every_marketplace_merges_to_a_valid_profile(platform: str) -> None:
    from jsonschema import Draft202012Validator

    for site in _sites(platform):
        profile = load_profile(platform, site, ROOT)
        Draft202012Validator(SCHEMA).validate(profile)
        assert "marketplaces" not in profile
        assert all("marketplaces" not in m for m in profile["metrics"])
        for language in profile["languages"]:
            labels = load_labels(language, profile, ROOT)
            assert labels["addressee"] and labels["root_causes"] == profile["headings"][language]["root_causes"]


@pytest.mark.parametrize(("platform", "site", "paper"), [
    ("amazon", "US", "us-letter"), ("amazon", "DE", "a4"), ("amazon", "de", "a4"), ("amazon", "UK", "a4"),
    ("amazon", "EU", "a4"), ("amazon", "CA", "us-letter"), ("tiktok-shop", "US", "us-letter"),
    ("tiktok-shop", "UK", "a4"), ("aliexpress", "global", "a4"), ("walmart", "US", "us-letter"),
])
def test_paper_per_marketplace(platform: str, site: str, paper: str) -> None:
    assert load_profile(platform, site, ROOT)["paper"] == paper


def test_platform_rules() -> None:
    amazon_us, amazon_de = load_profile("amazon", "US", ROOT), load_profile("amazon", "DE", ROOT)
    assert [f["key"] for f in amazon_us["form_fields"]] == ["root_causes", "corrective_actions", "preventive_measures"]
    assert {(f["limit"], f["limit_source"]) for f in amazon_us["form_fields"]} == {(4000, "unpublished")}
    metrics = {m["name"]: m for m in amazon_us["metrics"]}
    assert metrics["order_defect_rate"] == {"name": "order_defect_rate", "label": "Order Defect Rate", "op": "<",
                                            "threshold": 1.0, "unit": "%", "window": "60 days"}
    assert metrics["pre_fulfillment_cancel_rate"]["threshold"] == 2.5
    assert "on_time_delivery_rate" in metrics
    assert "on_time_delivery_rate" not in {m["name"] for m in amazon_de["metrics"]}
    assert amazon_us["invoice_max_age_days"] == 365 and amazon_us["deadline"]["default_days"] == 17

    tt_us, tt_uk = load_profile("tiktok-shop", "US", ROOT), load_profile("tiktok-shop", "UK", ROOT)
    assert tt_us["attachments"]["mode"] == "combined" and tt_us["attachments"]["max_file_mb"] == 10
    assert tt_us["signature"] == {"name_title_required": True, "signature_required": True, "seal_required": False}
    assert not tt_uk["signature"]["signature_required"] and tt_uk["metrics"] == []
    names = {m["name"] for m in tt_us["metrics"]}
    assert names == {"late_dispatch_rate", "valid_tracking_rate", "seller_fault_cancellation_rate"}
    assert [(f["limit"], f["limit_source"]) for f in tt_uk["form_fields"]] == [(1800, "single")]
    assert tt_uk["exhibit_order"] == "first-cited" and "exhibit_order" not in amazon_us

    ae = load_profile("aliexpress", "global", ROOT)
    assert ae["languages"] == ["zh"] and ae["signature"]["seal_required"]
    assert ae["attachments"]["max_count"] == 5 and ae["attachments"]["max_file_mb"] == 10
    assert ae["attachments"]["min_image_px"] == [600, 800]
    assert ae["translation"] == {"required_language": "zh", "certified": True}

    assert load_profile("walmart", "US", ROOT)["invoice_max_age_days"] == 60


def test_label_files_have_the_same_keys() -> None:
    files = sorted((ROOT / "templates" / "lang").glob("*.yaml"))
    keys = [set(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files]
    assert len(files) >= 2 and all(k == keys[0] for k in keys)


def test_chinese_labels() -> None:
    labels = load_labels("zh", load_profile("aliexpress", "global", ROOT), ROOT)
    assert labels["title"] == "申诉说明函" and labels["exhibit"] == "附件"  # AliExpress's word, from its profile
    assert load_labels("zh", load_profile("amazon", "US", ROOT), ROOT)["exhibit"] == "证据"
    assert load_labels("en", load_profile("tiktok-shop", "UK", ROOT), ROOT)["seller_id"] == "Shop ID"
    assert labels["seal_placeholder"] == "（公司盖章处）" and labels["page_of"] == "第 {page} 页，共 {total} 页"
    assert labels["root_causes"] == "问题原因分析" and labels["addressee"] == "全球速卖通平台审核团队"


def test_unknown_platform_and_language() -> None:
    with pytest.raises(ProfileError, match=r"^platforms/ebay\.yaml: unknown platform 'ebay' — use one of: aliexpress, amazon"):
        load_profile("ebay", "US", ROOT)
    with pytest.raises(ProfileError) as err:
        load_labels("fr", load_profile("amazon", "US", ROOT), ROOT)
    assert "templates/lang/en.yaml, templates/lang/zh.yaml" in str(err.value)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """A project root holding the schema, the label files and the real profiles."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "templates" / "lang", tmp_path / "templates" / "lang")
    shutil.copytree(ROOT / "platforms", tmp_path / "platforms")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("edit", "site", "marker", "expected"), [
    (("  DE: {paper: a4}", "  DE: {paper: a5}"), "DE", r"^  DE: \{paper: a5", "{line}:15: paper: 'a5' is not one of"),
    (("paper: us-letter ", "paper: letter "), "US", r"^paper: letter", "{line}:8: paper: 'letter' is not one of"),
    (("invoice_max_age_days: 365", "invoice_max_age_days: 365\npaper: a4"), "US", r"^paper: a4 ",
     "{line}:1: invalid YAML: duplicate key 'paper' — keep one of them"),
    (("platform: amazon", "platform: amazon-x"), "US", r"^platform:", "{line}:11: platform is 'amazon-x' in file amazon.yaml"),
    (("    parts: [preventive_measures]", "    parts: [corrective_actions]"), "US",
     r"^    parts: \[corr.*\n(.*\n){4}.*parts: \[corr",
     "part 'corrective_actions' is in two form boxes"),
    (("    parts: [corrective_actions]", "    parts: [metrics, corrective_actions]"), "US", r"^    parts: \[metrics, corr",
     "part 'metrics' is in two form boxes"),
    (("    parts: [opening, reappeal, metrics, root_causes]", "    parts: [opening, root_causes]"), "US",
     r"^    parts: \[opening, root", "the parts of box 'root_causes' do not follow each other in the letter"),
    (("    limit: 4000\n    limit_source: unpublished", "    limit: null\n    limit_source: unpublished"), "US",
     r"^    limit_source: unpublished", "box 'root_causes' has limit None with limit_source unpublished"),
])
def test_profile_errors_point_at_the_line(root: Path, edit: tuple[str, str], site: str, marker: str, expected: str) -> None:
    path = root / "platforms" / "amazon.yaml"
    _edit(path, *edit)
    text = path.read_text(encoding="utf-8")
    line = text[: re.search(marker, text, re.M).start()].count("\n") + 1  # type: ignore[union-attr]
    with pytest.raises(ProfileError) as err:
        load_profile("amazon", site, root)
    assert str(err.value).startswith("platforms/amazon.yaml:")
    assert expected.format(line=line) in str(err.value)


def test_undeclared_language_texts_are_optional(root: Path) -> None:
    _edit(root / "platforms" / "amazon.yaml", "  zh: 亚马逊卖家绩效团队\n", "")
    assert "zh" not in load_profile("amazon", "US", root)["addressee"]


def test_declared_language_needs_every_text(root: Path) -> None:
    _edit(root / "platforms" / "amazon.yaml", "languages: [en]", "languages: [en, zh]")
    _edit(root / "platforms" / "amazon.yaml", "  zh: 亚马逊卖家绩效团队\n", "")
    with pytest.raises(ProfileError, match=r"platforms/amazon\.yaml:\d+:3: addressee has no 'zh' entry — add addressee\.zh"):
        load_profile("amazon", "US", root)


def test_label_file_missing_key(root: Path) -> None:
    _edit(root / "templates" / "lang" / "zh.yaml", "title: 申诉说明函\n", "")
    with pytest.raises(ProfileError, match=r"^templates/lang/zh\.yaml: labels missing: title"):
        load_labels("zh", load_profile("aliexpress", "global", root), root)


FICTIONAL = """\
platform: bazaar
name: Bazaar
languages: [fr]
paper: a4
addressee: {fr: "Équipe Conformité Bazaar"}
labels: {fr: {exhibit: Pièce, exhibits: Pièces}}
headings:
  fr: {root_causes: "Causes", corrective_actions: "Actions correctives", preventive_measures: "Prévention"}
sections: [root_causes, corrective_actions, preventive_measures]
form_fields:
  - {key: causes, label: {fr: "Causes"}, parts: [opening, reappeal, metrics, root_causes], limit: 1500, limit_source: official}
  - {key: actions, label: {fr: "Actions"}, parts: [corrective_actions, preventive_measures], limit: null, limit_source: none}
attachments:
  mode: separate
  types: [pdf]
  images_as_pdf: true
  max_file_mb: 5
  max_total_mb: null
  max_count: 3
  naming: "{exhibit}_{number}_{title}.{ext}"
  poa_file: null
  min_image_px: null
  min_scan_dpi: null
signature: {name_title_required: true, signature_required: false, seal_required: false}
translation: {required_language: null, certified: false}
invoice_max_age_days: 90
deadline: {default_days: 10, note: {fr: "Dix jours."}}
metrics: []
submission_steps: {fr: ["Ouvrir l'avis.", "Cliquer sur Faire appel."]}
marketplaces:
  FR: {paper: a4}
  CA: {paper: us-letter}
"""


def test_a_new_platform_and_language_are_files_only(root: Path) -> None:
    (root / "platforms" / "bazaar.yaml").write_text(FICTIONAL, encoding="utf-8")
    en = yaml.safe_load((root / "templates" / "lang" / "en.yaml").read_text(encoding="utf-8"))
    fr = {**en, "title": "Plan d'action", "when": "Quand", "colon": " : ", "cite_one": "({exhibit} {n})",
          "month_names": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
          "opening": "Le {date}, {platform} a {enforcement} pour {violations}{affected} ({reference}).",
          "enforcement_warning": "adressé un avertissement à notre boutique {store}", "notice_named": "avis {reference}",
          "summary": "Nous avons trouvé {causes}, {actions} et {measures}."}
    (root / "templates" / "lang" / "fr.yaml").write_text(yaml.safe_dump(fr, allow_unicode=True), encoding="utf-8")
    assert "bazaar" in list_platforms(root) and "fr" in list_languages(root)

    profile = load_profile("bazaar", "ca", root)
    assert profile["paper"] == "us-letter"
    labels = load_labels("fr", profile, root)
    assert labels["root_causes"] == "Causes" and labels["addressee"] == "Équipe Conformité Bazaar"
    assert labels["exhibit"] == "Pièce"
    case = {
        "case": "bz1", "platform": "bazaar", "marketplace": "CA", "language": "fr", "as_of": "2026-11-20",
        "seller": {"legal_name": "Demo SARL", "store_name": "Demo", "seller_id": "S1",
                   "responsible_person": {"name": "A. B.", "title": "Gérante"}},
        "notice": {"received": "2026-11-10", "deadline": "2026-11-20", "enforcement": "warning", "reference": "N-1",
                   "violations": [{"id": "V1", "policy": "Retards", "quote": "…"}]},
        "root_causes": [{"id": "RC1", "violations": ["V1"], "what": "Colis en retard", "when": "2026-10-01",
                         "role": "Logisticien", "gap": "Aucun contrôle", "exhibits": ["E1"]}],
        "corrective_actions": [{"id": "CA1", "root_causes": ["RC1"], "action": "Remboursé", "owner": "SAV",
                                "done": "2026-11-12", "exhibits": ["E1"]}],
        "preventive_measures": [{"id": "PM1", "root_causes": ["RC1"], "measure": "Contrôle", "owner": "SAV",
                                 "effective": "2026-11-13", "frequency": "quotidien", "verification": "audit", "exhibits": []}],
        "exhibits": [{"id": "E1", "title": "Journal", "file": "j.pdf", "date": "2026-11-12", "proves": "x", "number": 1}],
        "profile": profile, "labels": labels, "source": "cases/bz1.yaml", "case_dir": "cases/bz1",
    }
    model = compose(case)
    form = build_form(case, model)
    assert [f["key"] for f in form["fields"]] == ["causes", "actions"]
    assert form["fields"][0]["text"].startswith("Le 10 novembre 2026, Bazaar a adressé un avertissement à notre boutique Demo")
    assert "(avis N-1)." in form["fields"][0]["text"]
    assert "\n\nCauses\n1. Colis en retard\n   Quand : 1 octobre 2026" in form["fields"][0]["text"]
    assert form["fields"][0]["text"].endswith("(Pièce 1)")
    assert form["fields"][1]["text"].startswith("Actions correctives\n1. Remboursé")
    name = attachment_name(profile["attachments"]["naming"], number=1, title="Journal de bord", ext="pdf", exhibit=labels["exhibit"])
    assert name == "Piece_1_Journal_de_bord.pdf"


def test_import_is_light() -> None:
    code = ("import sys, poaforge.case.profile, poaforge.letter.compose, poaforge.letter.formtext, poaforge.submit.checklist; "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "scripts")})
    assert out.stdout.strip() == "False"
