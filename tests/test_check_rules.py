"""Each text-rule family on sentences written for these tests (not taken from the development
corpus): in each language one sentence the rule must flag, and a near miss it must not.

A sentence is checked as a small draft under the heading of its section, the way a seller's
paragraph sits in a real draft; "flagged" means a finding of that rule on the sentence's line.
"""

from __future__ import annotations

import pytest

from poaforge.check.drafts import check_text

HEAD = {
    "en": {"opening": "Opening", "root": "Root cause", "action": "Corrective actions", "measure": "Preventive measures",
           "closing": "Closing", "docs": "Supporting documents"},
    "zh": {"opening": "开头", "root": "根本原因", "action": "纠正措施", "measure": "预防措施", "closing": "结尾", "docs": "证明材料"},
}

# (rule, language, section, sentence that must be flagged, near miss that must not be)
CASES = [
    ("POA101", "en", "root", "The wrong size chart was a simple human error by our copywriter.",
     "A copywriter pasted the wrong size chart; our listing SOP had no second check of size charts."),
    ("POA101", "zh", "root", "尺码表填错是运营人员一时疏忽造成的。",
     "运营专员贴错了尺码表，我们的上架流程没有尺码表复核这一步。"),
    ("POA105", "en", "root", "Being a new store, we were not familiar with the battery shipping rules.",
     "The battery shipping rule was not in our onboarding checklist until 2026-05-02, when the compliance lead added it."),
    ("POA105", "zh", "root", "我们刚开店不久，对电池运输规定不熟悉。",
     "2026 年 5 月 2 日之前，入职培训清单中没有电池运输规定这一项。"),
    ("POA106", "en", "root", "The root cause was our violation of the Restricted Products policy.",
     "The root cause was a missing hazmat flag in our ERP item template for 14 lithium SKUs."),
    ("POA106", "zh", "root", "根本原因在于我们违反了禁售商品规定。",
     "根本原因是 ERP 商品模板中没有危险品标记字段。"),
    ("POA107", "en", "root", "The labels might have been swapped at the warehouse.",
     "We compared all 26 returned labels with the packing log and found 26 swapped labels from one printer."),
    ("POA107", "zh", "root", "可能是仓库贴错了标签。",
     "我们核对了 26 个退回包裹的标签与打包记录，26 个都来自同一台打印机。"),
    ("POA108", "en", "root", "Refunds were delayed.",
     "Refunds waited up to 9 days because our helpdesk had no queue for refund requests."),
    ("POA108", "zh", "root", "退款没有及时处理。",
     "退款最长等了 9 天，因为客服系统没有退款请求队列。"),
    ("POA201", "en", "measure", "We will keep a close watch on every new listing from now on.",
     "From 2026-06-01 the listing lead, Mara Osei, will approve every new listing before it goes live."),
    ("POA201", "zh", "measure", "今后我们会加倍努力，杜绝此类问题。",
     "自 2026 年 6 月 1 日起，上架主管将逐条审核新上架商品。"),
    ("POA206", "en", "action", "We went through the Seller Code of Conduct again with the whole team.",
     "On 2026-05-03 the compliance lead trained 7 agents on the Seller Code of Conduct; all passed a 15-question quiz (Exhibit 4)."),
    ("POA206", "zh", "action", "我们组织全体员工重新学习了平台规则。",
     "2026 年 5 月 3 日，合规专员为 7 名客服讲解平台规则，全员通过 15 道题的考核（附件 4）。"),
    ("POA305", "en", "measure", "We will strengthen supervision of the packing team.",
     "Packing supervision now uses a scan gate in the WMS that stops any box without a packing-slip scan."),
    ("POA305", "zh", "measure", "我们会加强监督，严格把关。",
     "仓库系统新增扫码关卡，未扫描装箱单的包裹无法出库（系统截图见附件 5）。"),
    ("POA401", "en", "action", "Someone from the warehouse now checks the labels.",
     "The warehouse supervisor, Ivo Lenz, checks 20 labels per shift and signs the label log."),
    ("POA401", "zh", "action", "相关人员已经核对了所有标签。",
     "仓库主管李强每班抽查 20 张标签并在标签记录表上签字。"),
    ("POA402", "en", "opening", "We are deeply sorry and ashamed of what happened.",
     "On 2026-05-04 we wrote to the 12 affected buyers with an apology and a prepaid return label."),
    ("POA402", "zh", "opening", "对于这次违规，我们深感愧疚，万分抱歉。",
     "2026 年 5 月 4 日，客服主管向 12 位受影响的买家发送了致歉信和退货标签。"),
    ("POA403", "en", "root", "The courier lost the parcels and never updated the tracking.",
     "The courier lost 3 parcels; we had no daily report of parcels without a scan, which we added on 2026-05-06."),
    ("POA403", "zh", "root", "这些包裹是快递公司弄丢的。",
     "快递公司丢失了 3 个包裹；我们当时没有每日无扫描包裹报表，已于 2026 年 5 月 6 日补上。"),
    ("POA404", "en", "closing", "Could you tell us which listing triggered the review?",
     "Which listings were affected? All 4, listed with their ASINs in Exhibit 1."),
    ("POA404", "zh", "closing", "请问我们还需要提供哪些文件？",
     "买家在留言中问“什么时候发货？”，客服当天回复了发货日期。"),
    ("POA405", "en", "opening", "As agreed on our call with Seller Support yesterday, here is our revised plan.",
     "This plan answers the notice of 2026-04-28 about 4 listings in the pesticide category."),
    ("POA405", "zh", "opening", "之前我们已经通过工单 5521983 联系过客服。",
     "本申诉针对 2026 年 4 月 28 日的通知，涉及 4 个商品。"),
    ("POA406", "en", "opening", "We have been selling kitchen tools on Amazon for over eight years.",
     "Our store started selling kitchen tools on Amazon in March 2018."),
    ("POA406", "zh", "opening", "我们是一家有十年经验的专业厨具卖家。",
     "本店于 2018 年 3 月开始在亚马逊销售厨具。"),
    ("POA411", "en", "closing", "Thank you very much for your time and kind consideration.",
     "A buyer thanked our agent for the replacement, which arrived on 2026-05-09 (message log, Exhibit 6)."),
    ("POA411", "zh", "closing", "感谢审核团队在百忙之中阅读我们的申诉。",
     "2026 年 5 月 9 日，客服主管为买家补发了商品（物流记录见附件 6）。"),
    ("POA412", "en", "closing", "Please give us another chance; our small family depends on this store.",
     "The reinstatement request is supported by Exhibits 1 to 6."),
    ("POA412", "zh", "closing", "恳请平台网开一面，给我们一次改正的机会。",
     "以上措施的证据见附件 1 至附件 6。"),
    ("POA413", "en", "root", "We never meant to break the pricing rules.",
     "Our repricer lowered 40 prices below the list price on 2026-04-11; it had no floor setting."),
    ("POA413", "zh", "root", "我们并非故意违反定价规则。",
     "2026 年 4 月 11 日，调价软件把 40 个商品的价格调到了标价以下；软件没有设置最低价。"),
    ("POA506", "en", "action", "As you can see from the attached files, all listings are fixed.",
     "As you can see in Exhibit 3 (inventory report of 2026-05-02), all 40 listings are fixed."),
    ("POA506", "zh", "action", "详见附件，所有商品都已修改。",
     "全部 40 个商品已修改，修改前后截图见附件 3。"),
    ("POA507", "en", "root", "Several customers received the wrong colour.",
     "Some 40 customers received the wrong colour; their order ids are in Exhibit 2."),
    ("POA507", "zh", "root", "有一些买家收到了错误的颜色。",
     "共有 40 位买家收到了错误的颜色，订单号见附件 2。"),
    ("POA508", "en", "action", "We can guarantee that all our products are authentic.",
     "The 3 supplier invoices in Exhibit 4 cover all 600 units sold between 2026-01-01 and 2026-04-30."),
    ("POA508", "zh", "action", "我们保证店内每件商品都是正品。",
     "附件 4 中的 3 张供应商发票覆盖了 2026 年 1 月至 4 月售出的全部 600 件商品。"),
    ("POA510", "en", "root", "Affected orders on Amazon: 114-2233445-5566778, 114-2233445-5566778.",
     "Affected orders on Amazon: 114-2233445-5566778, 114-2233445-5566779."),
    ("POA510", "zh", "root", "亚马逊受影响订单：114-223344-5566778。",
     "亚马逊受影响订单：114-2233445-5566778。"),
    ("POA608", "en", "root", "In other words, the parcels left our warehouse too late.",
     "Parcels left the warehouse 2 days late because the pickup moved to 10:00."),
    ("POA608", "zh", "root", "换句话说，我们的包裹出库太晚了。",
     "因为揽收时间改到了上午 10 点，包裹晚了 2 天出库。"),
    ("POA612", "en", "closing", "We treat this matter with great seriousness and are committed to providing the best service.",
     "The 4 measures above took effect between 2026-04-25 and 2026-05-06."),
    ("POA612", "zh", "closing", "我们对此事非常重视，也认识到了自身的不足。",
     "以上 4 项措施已于 2026 年 4 月 25 日至 5 月 6 日间生效。"),
    ("POA613", "en", "measure", "We now do everything we can to keep our customers happy.",
     "Every return is now inspected by the returns clerk before it goes back into stock."),
    ("POA613", "zh", "measure", "我们一直努力让每一位顾客满意。",
     "每件退货入库前都由退货专员检查外观和配件。"),
    ("POA616", "en", "opening", "Our store [store name] sells XX products in the home category.",
     "Our store, Larkfield Home, sells 212 products in the home category."),
    ("POA616", "zh", "opening", "本店（店铺名）主营 XX 类商品。",
     "本店（禾木家居）主营 212 款家居商品。"),
]


def _findings(lang: str, section: str, text: str):  # type: ignore[no-untyped-def]
    return check_text(f"{HEAD[lang][section]}\n{text}").findings


@pytest.mark.parametrize(("rule", "lang", "section", "bad", "good"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_rule_flags_the_defect_and_not_the_near_miss(rule: str, lang: str, section: str, bad: str, good: str) -> None:
    flagged = [f for f in _findings(lang, section, bad) if f.rule == rule and f.line == 2]
    assert flagged, f"{rule} missed: {bad!r}; got {[str(f) for f in _findings(lang, section, bad)]}"
    assert flagged[0].category, "every finding carries its category"
    clean = [str(f) for f in _findings(lang, section, good) if f.line == 2]
    assert clean == [], f"{good!r} must raise nothing"


def test_finding_points_at_the_matched_words() -> None:
    text = "Root cause\nThe parcels arrived late. Honestly, we never meant to ship them late."
    found = [f for f in check_text(text).findings if f.rule == "POA413"]
    assert len(found) == 1
    f = found[0]
    line = text.splitlines()[1]
    assert (f.line, f.end_line) == (2, 2)
    assert line[f.col - 1:f.end_col - 1] == f.match == "never meant to"


def test_every_sentence_of_a_paragraph_is_read() -> None:
    text = "Corrective actions\nSorry for this. We refunded 4 orders on 2026-05-02. Sorry again, we will do better."
    apologies = [f for f in check_text(text).findings if f.rule == "POA402"]
    assert [f.col for f in apologies] == [1, 53]


def test_findings_are_capped_per_paragraph() -> None:
    text = "Closing\n" + " ".join(f"Sorry {n}." for n in range(1, 9))
    res = check_text(text)
    assert len([f for f in res.findings if f.rule == "POA402"]) == 3
    assert res.dropped["POA402"] == 5


def test_chinese_messages_for_a_chinese_draft_and_override() -> None:
    zh = check_text("根本原因\n这些包裹是快递公司弄丢的。")
    blame = next(f for f in zh.findings if f.rule == "POA403")
    assert zh.language == "zh" and "推给他人" in blame.message and "流程" in blame.fix
    en = check_text("根本原因\n这些包裹是快递公司弄丢的。", language="en")
    assert "blames others" in next(f for f in en.findings if f.rule == "POA403").message
