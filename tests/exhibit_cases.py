"""Cases with generated evidence for the cross-check tests: invoices, letters and logs in English
and Chinese, rendered by the example generator (tools/examples/doc.typ), read by the real
pipeline functions (validate → intake → read → lint)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tools" / "examples"))

SELLER_EN = "Qingmu Home Supplies Co., Ltd."
SELLER_ZH = "杭州青木家居用品有限公司"
ADDRESS = "Room 506, Building 3, 1288 Wenyi West Road, Yuhang District, Hangzhou 311121, China"


def invoice(*, lang: str = "en", date: str = "2026-03-18", buyer: str = SELLER_EN, title: str | None = None,
            qty: tuple[int, int] = (600, 400)) -> dict[str, Any]:
    """A supplier invoice (doc.typ data) in English or Chinese."""
    total = sum(qty)
    if lang == "zh":
        y, m, d = date.split("-")
        return {"lang": "zh", "paper": "a4", "accent": "#1f5f5b", "org": "宁波澜湾贸易有限公司",
                "org_lines": ["浙江省宁波市北仑区江南路66号 315800", "电话 0574-5550 2188 · sales@lumenbay-trading.example"],
                "doc_no": "No. 33021180", "title": title or "增值税普通发票", "subtitle": "", "footer": "宁波澜湾贸易有限公司",
                "blocks": [
                    {"t": "kv", "rows": [["发票号码", "33021180"], ["开票日期", f"{int(y)}年{int(m)}月{int(d)}日"],
                                         ["购买方名称", buyer], ["购买方地址", "杭州市余杭区文一西路1288号3幢506室"]]},
                    {"t": "table", "head": ["序号", "货物名称", "型号", "数量", "单价", "金额"], "widths": [0, 3, 1, 1, 1, 1],
                     "align": "lllrrr", "rows": [["1", "电子厨房秤", "B0FV7K2M9Q", str(qty[0]), "58.00", f"{qty[0] * 58:,}.00"],
                                                 ["2", "玻璃保鲜盒套装", "B0FV7K4T1X", str(qty[1]), "80.00", f"{qty[1] * 80:,}.00"]],
                     "foot": ["", "合计", "", f"{total:,}", "", ""]},
                    {"t": "sign", "people": [{"sig": "徐杰", "name": "徐杰", "role": "开票人", "date": date}]}]}
    return {"lang": "en", "paper": "a4", "accent": "#1f5f5b", "org": "Lumen Bay Trading (Ningbo) Co., Ltd.",
            "org_lines": ["No. 66 Jiangnan Road, Beilun District, Ningbo 315800, China",
                          "www.lumenbay-trading.example · sales@lumenbay-trading.example · +86 574 5550 2188"],
            "doc_no": "Invoice LB-2026-0318", "title": title or "COMMERCIAL INVOICE", "subtitle": "Original",
            "footer": "Lumen Bay Trading (Ningbo) Co., Ltd.",
            "blocks": [
                {"t": "kv", "rows": [["Invoice no.", "LB-2026-0318"], ["Invoice date", date], ["Buyer", f"{buyer}, {ADDRESS}"],
                                     ["Terms", "FOB Ningbo · payment T/T 30 days"]]},
                {"t": "table", "head": ["No.", "ASIN", "Description", "Quantity (units)", "Unit price (USD)", "Amount (USD)"],
                 "widths": [0, 1, 3, 1, 1, 1], "align": "lllrrr",
                 "rows": [["1", "B0FV7K2M9Q", "VELORIA Digital Kitchen Scale KS200", str(qty[0]), "8.40", f"{qty[0] * 8.4:,.2f}"],
                          ["2", "B0FV7K4T1X", "VELORIA Glass Food Storage Set", str(qty[1]), "11.60", f"{qty[1] * 11.6:,.2f}"]],
                 "foot": ["", "", "Total", f"{total:,}", "", ""]},
                {"t": "sign", "people": [{"sig": "Xu Jie", "name": "Xu Jie", "role": "Sales Manager", "date": date}]}]}


def authorisation(lang: str = "en") -> dict[str, Any]:
    if lang == "zh":
        return {"lang": "zh", "paper": "a4", "accent": "#23395d", "org": "宁波澜湾贸易有限公司", "org_lines": ["浙江省宁波市北仑区江南路66号"],
                "doc_no": "LB-SA-2026-031", "title": "品牌授权书", "subtitle": "", "footer": "授权书",
                "blocks": [{"t": "p", "text": f"兹授权{SELLER_ZH}在速卖通平台销售VELORIA正品，期限至2027-12-31。"}]}
    return {"lang": "en", "paper": "a4", "accent": "#23395d", "org": "Lumen Bay Trading (Ningbo) Co., Ltd.",
            "org_lines": ["No. 66 Jiangnan Road, Beilun District, Ningbo 315800, China"], "doc_no": "LB-SA-2026-031",
            "title": "Letter of Authorisation", "subtitle": "", "footer": "Sub-authorisation",
            "blocks": [{"t": "p", "text": f"We authorise {SELLER_EN} to resell genuine VELORIA products on Amazon.com until 2027-12-31."}]}


def refund_log(orders: list[str], lang: str = "en") -> dict[str, Any]:
    head = ["订单号", "退款日期", "金额"] if lang == "zh" else ["Order ID", "Refunded", "Amount (USD)"]
    return {"lang": lang, "paper": "a4", "accent": "#444444", "org": SELLER_ZH if lang == "zh" else SELLER_EN, "org_lines": [ADDRESS],
            "doc_no": "QM-RF-2026-01", "title": "退款记录" if lang == "zh" else "Refund log", "subtitle": "", "footer": "QM-RF-2026-01",
            "blocks": [{"t": "table", "head": head, "widths": [2, 1, 1],
                        "rows": [[o, "2026-11-05", "25.00"] for o in orders]}]}


def amazon_orders(n: int) -> list[str]:
    return [f"114-{1000001 + i:07d}-{2000003 + 7 * i:07d}" for i in range(n)]


def aliexpress_orders(n: int) -> list[str]:
    return [f"8{100000000000001 + 37 * i:015d}" for i in range(n)]


CASE_EN = """\
case: {cid}
platform: amazon
marketplace: US
language: en
as_of: 2026-11-18
seller:
  legal_name: Qingmu Home Supplies Co., Ltd.
  store_name: Qingmu Home
  seller_id: A1QMH8VZ3RT5KD
  address: Room 506, Building 3, 1288 Wenyi West Road, Yuhang District, Hangzhou 311121, China
  responsible_person: {{name: Zhou Yan, title: General Manager}}
notice:
  received: 2026-11-04
  deadline: 2026-12-04
  enforcement: listing-removal
  reference: Complaint 15827364091
  violations:
    - {{id: V1, policy: Intellectual Property Policy (trademark), code: TM, quote: "The listing infringes the trademark VELORIA."}}
root_causes:
  - id: RC1
    violations: [V1]
    what: >-
      ASINs B0FV7K2M9Q and B0FV7K4T1X resold genuine VELORIA goods bought from the brand's distributor;
      the listing used the brand owner's photos without a written authorisation.
    when: 2026-03-20/2026-11-03
    role: Listing Specialist
    gap: The listing SOP had no step to document the authorisation chain for a third-party brand.
    exhibits: [E1, E2]
corrective_actions:
  - id: CA1
    root_causes: [RC1]
    action: Refunded all 38 affected orders on 2026-11-05 (Exhibit 3).
    owner: Customer Service Manager
    done: 2026-11-05
    exhibits: [E3]
preventive_measures:
  - id: PM1
    root_causes: [RC1]
    measure: A listing that names another brand needs the authorisation chain, approved by the Compliance Lead.
    owner: Compliance Lead
    effective: 2026-11-10
    frequency: every new listing
    verification: Monthly review of new listings by the Compliance Lead.
    exhibits: [E2]
exhibits:
  - {{id: E1, title: Supplier invoice LB-2026-0318, file: evidence/invoice.pdf, date: 2026-03-18, kind: invoice,
      proves: Purchase of 600 scales and 400 storage sets from the distributor.}}
  - {{id: E2, title: {e2_title}, file: evidence/{e2_file}, date: 2026-11-10, kind: correspondence,
      proves: The distributor's written authorisation to resell VELORIA products.}}
  - {{id: E3, title: Refund log, file: evidence/refunds.pdf, date: 2026-11-05, kind: report,
      proves: Every affected order was refunded in full.}}
"""

CASE_ZH = """\
case: {cid}
platform: aliexpress
marketplace: global
language: zh
as_of: 2026-11-18
seller:
  legal_name: Qingmu Home Supplies Co., Ltd.
  local_name: 杭州青木家居用品有限公司
  store_name: 青木家居
  seller_id: "2088123456"
  address: 杭州市余杭区文一西路1288号3幢506室
  responsible_person: {{name: 周燕, title: 总经理}}
notice:
  received: 2026-11-04
  deadline: 2026-11-11
  enforcement: penalty-points
  reference: IPR-2026111400487391
  violations:
    - {{id: V1, policy: 知识产权侵权（商标）, code: AE-IP-002, quote: 该商品涉嫌侵犯VELORIA商标权。}}
root_causes:
  - id: RC1
    violations: [V1]
    what: 运营专员上架时直接使用了品牌方图片，未取得书面授权。
    when: 2026-09-03/2026-11-03
    role: 运营专员
    gap: 上架流程中没有核查品牌授权链的步骤。
    exhibits: [E1, E2]
corrective_actions:
  - id: CA1
    root_causes: [RC1]
    action: 已于2026-11-05为全部38个受影响订单全额退款（附件3）。
    owner: 客服主管
    done: 2026-11-05
    exhibits: [E3]
preventive_measures:
  - id: PM1
    root_causes: [RC1]
    measure: 上架第三方品牌商品前须取得完整授权链，并由合规主管审批。
    owner: 合规主管
    effective: 2026-11-10
    frequency: 每次上架
    verification: 合规主管每月抽查新上架商品的授权记录。
    exhibits: [E2]
exhibits:
  - {{id: E1, title: 供应商发票, file: evidence/invoice.pdf, date: 2026-03-18, kind: invoice, proves: 向经销商采购厨房秤和保鲜盒的发票。}}
  - {{id: E2, title: {e2_title}, file: evidence/{e2_file}, date: 2026-11-10, kind: correspondence, proves: 经销商的书面授权。}}
  - {{id: E3, title: 退款记录, file: evidence/refunds.pdf, date: 2026-11-05, kind: report, proves: 每个受影响订单均已全额退款。}}
"""


def write_case(root: Path, lang: str, *, invoice_doc: dict[str, Any] | None = None, refunds: int = 38,
               authorised: bool = True, scanned: bool = False) -> Path:
    """cases/<cid>.yaml and its evidence under ``root``; returns the case file."""
    from make_evidence import render_file

    cid = f"planted-{lang}"
    ev = root / "cases" / cid
    doc = invoice_doc or invoice(lang=lang)
    if scanned:  # an image of the invoice with no text layer: only OCR can read it
        import typst

        png = typst.compile(str(PROJECT / "tools/examples/doc.typ"), root=str(PROJECT / "tools/examples"), format="png", ppi=200,
                            font_paths=["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/opentype/noto"],
                            ignore_system_fonts=True, sys_inputs={"data": json.dumps(doc, ensure_ascii=False)})
        (ev / "evidence").mkdir(parents=True, exist_ok=True)
        (ev / "evidence" / "invoice.png").write_bytes(bytes(png[0] if isinstance(png, list) else png))
    else:
        render_file({"file": "evidence/invoice.pdf", "type": "doc", "data": doc}, {}, ev)
    if authorised:
        render_file({"file": "evidence/authorisation.pdf", "type": "doc", "data": authorisation(lang)}, {}, ev)
        e2 = ("Letter of authorisation" if lang == "en" else "品牌授权书", "authorisation.pdf")
    else:  # an IP case whose second exhibit is only the listing SOP
        sop = {**authorisation(lang), "title": "Listing SOP" if lang == "en" else "上架流程", "blocks": [
            {"t": "p", "text": "Every listing is approved by the Compliance Lead." if lang == "en" else "每个商品上架前由合规主管审批。"}]}
        render_file({"file": "evidence/sop.pdf", "type": "doc", "data": sop}, {}, ev)
        e2 = ("Listing SOP" if lang == "en" else "上架流程", "sop.pdf")
    orders = amazon_orders(refunds) if lang == "en" else aliexpress_orders(refunds)
    render_file({"file": "evidence/refunds.pdf", "type": "doc", "data": refund_log(orders, lang)}, {}, ev)
    text = (CASE_EN if lang == "en" else CASE_ZH).format(cid=cid, e2_title=e2[0], e2_file=e2[1])
    if scanned:
        text = text.replace("evidence/invoice.pdf", "evidence/invoice.png")
    path = root / "cases" / f"{cid}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_checks(case_file: Path) -> tuple[list[Any], dict[str, Any]]:
    """Validate, take in, read and lint ``case_file`` with the pipeline's functions: (findings, facts)."""
    from poaforge.case.model import load_case
    from poaforge.case.normalize import normalise
    from poaforge.check.engine import lint_case
    from poaforge.evidence.intake import prepare
    from poaforge.evidence.read import read_case

    case = load_case(case_file)
    data = json.loads(json.dumps(normalise(case, PROJECT), ensure_ascii=False))
    out = case_file.parent.parent / "results" / case.id
    out.mkdir(parents=True, exist_ok=True)
    exhibits = prepare(data, Path(data["case_dir"]), out)
    facts, _ = read_case(data, exhibits, out)
    return lint_case(case, data["profile"], (), None, facts=facts), facts
