"""Issue 16, observations O1, O2 and O3 of the third legal audit (docs/audits/legal-2026-12-after2.md §7): the material a
borrower's own entry says exists (the recording of a home visit, a screenshot a friend holds) is an item of the
证据目录 of its own, named for a person with who holds it; and the regulator form's offer of evidence names only the
kinds of evidence the case holds; a bank credit card is described as one (no loan term read from a repayment
plan), and a rate no cap reaches is neither called lawful to the creditor nor pleaded to the police or the court."""

from __future__ import annotations

import datetime as dt
import re

from tests.act.act_builders import TODAY, document_text
from weiquan.act.held import held_items, holders_zh
from weiquan.services.documents import document_html
from weiquan.services.timeline import add_manual_event
from weiquan.store.models import Case
from weiquan.workspace import Workspace

VISIT = "两名外访人员到借款人住所楼道拍门约20分钟，大声喊“李明欠钱不还”。借款人用手机全程录音（时长约18分钟）。"
CHAT = "催收员在同学微信群里发了一张把借款人照片P成“通缉令”的图片。朋友刘洋截图发给借款人。"
LETTER = "收到一封快递“律师函”，称三日内不还款将申请刑事拘留，查无此律所。"
T0 = dt.datetime(2026, 3, 2, 11, 30, tzinfo=dt.UTC)


def _case(ws: Workspace, licence: str = "consumer_finance") -> int:
    with ws.db.session() as s:
        c = Case(
            name="测试",
            lender_name="某金融",
            lender_entity="某消费金融有限公司",
            licence_type=licence,
            borrower_name="李明",
            borrower_phones=["+8613800138000"],
            extra={},
        )
        s.add(c)
        s.flush()
        return c.id


def _friends_screenshot(ws: Workspace, case_id: int, note: str) -> None:
    """The borrower's entry of the collector's post in a chat group, the screenshot of which a friend holds."""
    add_manual_event(
        ws,
        case_id,
        channel="chat",
        time="2026-03-05 20:15",
        name="催收员",
        recipient="friend",
        recipient_name="朋友刘洋",
        text=CHAT,
        note=note,
    )


def _short_text(ws: Workspace, case_id: int) -> str:
    from weiquan.act.context import build_context
    from weiquan.act.drafting import render_text
    from weiquan.act.plan import build
    from weiquan.law.pack import load_pack
    from weiquan.services.case_facts import load_case_facts

    pack = load_pack()
    facts = load_case_facts(ws, case_id, today=TODAY)
    ctx = build_context(pack, facts, build(pack, facts), doc_key="regulator", channel_id=None)
    return render_text("regulator_short.txt.j2", ctx)


def test_an_entry_names_its_recording_screenshot_and_holders() -> None:
    (rec,) = held_items(T0, "visit", VISIT, "录音文件在我手机里，邻居张秀兰愿意作证，电话139xxxx")
    assert rec.kind.id == "recording" and rec.duration_zh == "约18分钟" and holders_zh(rec) == "由本人保存"
    (shot,) = held_items(T0, "chat", CHAT, "截图在刘洋那里，我手机里也有一份")
    assert shot.kind.id == "screenshot" and holders_zh(shot) == "由刘洋保存，本人亦有一份"
    # no material is invented: a denied recording, a photo the collector doctored, a paper letter
    assert held_items(T0, "visit", "上门拍门，当时没有录音。", "") == []
    assert held_items(T0, "letter", LETTER, "律师函原件在家里抽屉") == []
    assert held_items(T0, "chat", "把借款人照片P成通缉令发到群里。", "") == []


def test_the_catalogue_lists_the_visit_recording_and_the_friends_screenshot(ws: Workspace) -> None:
    cid = _case(ws)
    add_manual_event(
        ws,
        cid,
        channel="visit",
        time="2026-03-02 19:30",
        name="外访人员",
        text=VISIT,
        note="录音文件在我手机里，邻居张秀兰愿意作证",
        witnesses="邻居张秀兰",
    )
    _friends_screenshot(ws, cid, "截图在刘洋那里，我手机里也有一份")
    add_manual_event(ws, cid, channel="letter", time="2026-03-08 10:00", name="某律所", text=LETTER)
    text = document_text(document_html(ws, cid, "catalogue", today=TODAY))
    # the three entries keep their numbers 1-3 (the evidence package's); the material follows as 4 and 5
    assert "<td>4</td><td>2026年3月2日上门录音（约18分钟）</td><td>视听资料（录音）；由本人保存</td>" in (
        re.sub(r"\s+", "", document_html(ws, cid, "catalogue", today=TODAY))
    )
    assert "2026年3月5日聊天消息截图" in text and "电子数据（截图）；由刘洋保存，本人亦有一份" in text
    assert "第4项由本人保存，原始载体可当庭出示；第5项由刘洋保存，本人亦有一份，原始载体可当庭出示" in text
    assert "（原件未经本软件导入，无校验值）" in text
    # the paper letter is catalogued as before, and nothing else is invented
    assert (
        text.count("视听资料（录音）") == 1
        and text.count("电子数据（截图）") == 1
        and "信函截图" not in text
        and "第1、2、3项是提交人" in text
    )


def test_the_form_offers_only_the_evidence_the_case_holds(ws: Workspace) -> None:
    # a case resting on the borrower's account and a paper letter: no recording, screenshot or call log is offered
    bare = _case(ws, "bank")
    add_manual_event(
        ws,
        bare,
        channel="visit",
        time="2026-03-02 19:30",
        name="外访人员",
        text="两名外访人员上门拍门，大声喊“欠钱不还”。当时没有录音。",
    )
    add_manual_event(ws, bare, channel="letter", time="2026-03-08 10:00", name="某律所", text=LETTER)
    short = _short_text(ws, bare)
    assert "证据（信函原件）可随时提供。" in short
    assert "录音" not in short.replace("没有录音", "") and "截图" not in short and "通话记录" not in short
    # with a recording of the visit it names the recording, and still no screenshot or call log
    rec = _case(ws, "bank")
    add_manual_event(
        ws, rec, channel="visit", time="2026-03-02 19:30", name="外访人员", text=VISIT, note="录音文件在我手机里"
    )
    assert "证据（录音）可随时提供。" in _short_text(ws, rec)
    # an unlicensed lender's form, with the friend's screenshot
    un = _case(ws, "unlicensed")
    _friends_screenshot(ws, un, "截图在刘洋那里")
    assert "证据（截图）可随时提供。" in _short_text(ws, un)


def test_a_credit_card_is_described_as_one_and_its_rate_is_not_called_lawful(ws: Workspace) -> None:
    from weiquan.services.loans import add_loan

    cid = _case(ws, "bank")
    with ws.db.session() as s:
        c = s.get(Case, cid)
        c.lender_name, c.lender_entity = "招商银行信用卡中心", "招商银行股份有限公司信用卡中心"
    add_manual_event(ws, cid, channel="visit", time="2026-03-02 19:30", name="外访人员", text=VISIT)
    loan = {
        "lender": "招商银行信用卡中心",
        "lender_type": "bank",
        "contract_date": "2024-06-01",
        "principal": 50000,
        "disbursed": [{"date": "2024-06-01", "amount": 50000}],
        "repayments": [{"date": "2025-06-01", "amount": 59000, "paid": False}],
        "as_of": "2026-03-20",
    }
    add_loan(ws, cid, loan)
    letter = document_text(document_html(ws, cid, "lender", today=TODAY))
    assert "信用卡欠款（招商银行信用卡中心）：透支本金" in letter
    assert "借款期限" not in letter and "合同日期" not in letter and "核查结论" not in letter
    for doc in ("police", "lawsuit"):
        text = document_text(document_html(ws, cid, doc, today=TODAY))
        assert "信用卡欠款" not in text and "借款期限" not in text and "年化利率" not in text, doc
    # the borrower's own plan keeps the loan check's verdict
    assert "核查结论：未超过适用上限" in document_text(document_html(ws, cid, "plan", today=TODAY))
