"""Issue 16, the defects the second independent audit still found (docs/audits/legal-2026-12-after.md), each fixed
by its cause and tested on a case built for it: no "lawful" figure for a licensed lender below the caps; the local
regulator's complaint about an unlicensed lender with the loan facts; confirmed contacts never collapsed; the period
and the totals from one count; GB/T 45251 not for a credit card and the CBA guideline only where it binds, in the
report too; per-version penalties on the web; the 治安 six months from the last collection contact; witness names
without their relation; the cover sheet's warning when everything rests on the borrower's own account; call
transcripts reaching the findings."""

from __future__ import annotations

import datetime as dt
import re

from tests.act.act_builders import SH, TODAY, at, build_case, build_findings_case, document_text
from tests.fixtures.store_rows import add_event
from weiquan.law.pack import load_pack
from weiquan.services.analysis import analyze_case, list_findings, review_finding, review_items
from weiquan.services.documents import document_html
from weiquan.services.loans import add_loan
from weiquan.services.plan import build_plan
from weiquan.services.timeline import add_manual_event
from weiquan.services.law import case_scope
from weiquan.store.models import Case, Event, Finding, FindingEvent
from weiquan.workspace import Workspace


def _loan(lender_type: str, due: float, lender: str = "某银行") -> dict:
    return {
        "lender": lender,
        "lender_type": lender_type,
        "contract_date": "2025-03-01",
        "principal": 10000,
        "disbursed": [{"date": "2025-03-01", "amount": 10000}],
        "repayments": [{"date": "2026-03-01", "amount": due}],
        "as_of": "2026-03-20",
    }


def test_no_lawful_owed_figure_for_a_licensed_lender_below_the_caps(ws: Workspace) -> None:
    """A bank charging 18 %: no cap governs the amount, so no figure "owed by law" is written to the creditor or the
    police (it would be the contract rate run forward, and reads as an acknowledgement, 民法典 Art. 195)."""
    bank = build_findings_case(ws, ["threat_visit"], licence_type="bank", entity="某银行股份有限公司", lender="某银行")
    add_loan(ws, bank.case_id, _loan("bank", 11800))
    text = document_text(document_html(ws, bank.case_id, "lender", today=TODAY))
    assert "年化利率" in text and "估算应还" not in text and "法律保护的利率" not in text
    # a rate no cap reaches is not in dispute: no verdict to the creditor, and no loan paragraph to the police
    # (audit 3, O1; tests/act/test_held_material.py has the credit card)
    assert "核查结论" not in text
    police = document_text(document_html(ws, bank.case_id, "police", today=TODAY))
    assert "年化利率" not in police and "估算应还" not in police
    # above the 24 % line a court may reduce to: the figure is an argument, introduced as such
    cf = build_findings_case(ws, ["threat_visit"], licence_type="consumer_finance")
    add_loan(ws, cf.case_id, _loan("consumer_finance", 13600, "速借"))
    assert "如请求法院调减超过年利率24%的部分，估算应还" in document_text(
        document_html(ws, cf.case_id, "lender", today=TODAY)
    )
    # and for a private or unlicensed lender the 4×LPR figure stays
    un = build_findings_case(ws, ["threat_visit"], licence_type="unlicensed", lender="某App", entity=None)
    add_loan(ws, un.case_id, _loan("unlicensed", 13600, "某App"))
    assert "如合同有效，按四倍LPR估算应还" in document_text(document_html(ws, un.case_id, "police", today=TODAY))


def test_local_regulator_complaint_about_an_unlicensed_lender(ws: Workspace) -> None:
    b = build_findings_case(
        ws, ["threat_exposure", "third_party_contact"], licence_type="unlicensed", lender="速借花", entity=None
    )
    add_loan(
        ws,
        b.case_id,
        {
            "lender": "速借花",
            "lender_type": "unlicensed",
            "contract_date": "2025-04-01",
            "principal": 3000,
            "disbursed": [{"date": "2025-04-01", "amount": 2100}],
            "repayments": [{"date": "2025-04-08", "amount": 3000, "paid": False}],
            "as_of": "2026-03-20",
        },
    )
    text = document_text(document_html(ws, b.case_id, "regulator", today=TODAY))
    assert "地方金融管理局" in text
    assert "实际到手人民币2,100.00元" in text and "砍头息" in text and "借款合同可能无效" in text
    assert "第十三条第（三）项" in text
    short = text[: text.index("二、完整版")]  # the web-form text keeps the loan facts whole within its limit
    assert "实际到手2,100.00元（合同金额3,000.00元，砍头息900.00元），年化利率约1,908%" in short
    assert "借款合同可能无效（民间借贷规定第十三条）" in short and "依法查处其未经批准放贷的行为" in short
    asks = text[text.index("投诉请求") :]
    assert "依法查处被投诉方未经批准从事放贷业务的行为" in asks
    assert "更正不合规的收费" not in asks and "核对并更正借款费用" not in text


def test_confirmed_contacts_are_listed_not_collapsed(ws: Workspace) -> None:
    """A confirmed third-party call the detector quoted no words of (the borrower typed what the collector told her
    mother) is listed with its words, never folded into "另有N次未逐条摘录"."""
    b = build_findings_case(ws, ["third_party_contact"])
    with ws.db.session() as s:
        e = Event(
            case_id=b.case_id,
            channel="call",
            direction="in",
            start=at(2026, 3, 3, 10, 0),
            source_tz="Asia/Shanghai",
            counterpart="+8617012345603",
            recipient="relative",
            recipient_name="母亲",
            text="催收员打电话给借款人母亲，让她替借款人还钱，否则把借款人的照片发到网上。",
            origin="manual",
            duration_s=120.0,
        )
        s.add(e)
        s.flush()
        f = s.query(Finding).filter_by(case_id=b.case_id).one()
        s.add(FindingEvent(finding_id=f.id, event_id=e.id, spans=[]))
    for doc in ("police", "lender", "lawsuit", "regulator"):
        text = document_text(document_html(ws, b.case_id, doc, today=TODAY))
        assert "否则把借款人的照片发到网上" in text and "未逐条摘录" not in text, doc
    police = document_text(document_html(ws, b.case_id, "police", today=TODAY))
    assert "通话120秒：“催收员打电话给借款人母亲" in police  # the chronology row has its words


def test_the_period_holds_the_totals_it_states(ws: Workspace) -> None:
    """ "…至…期间…共N次": the period is the first to the last collection contact the figures count, and the numbers
    listed are all the numbers counted."""
    b = build_case(ws, threats=True)
    analyze_case(ws, b.case_id)
    for f in list_findings(ws, b.case_id):
        if f.category in ("threat_violence", "insult"):  # the pleaded conduct covers a part of the case only
            review_finding(ws, f.id, "confirmed", reviewer="测试")
    with ws.db.read_session() as s:
        fig = s.get(Case, b.case_id).extra["contact_figures"]
    first = dt.datetime.fromisoformat(fig["first"]).astimezone(SH)
    last = dt.datetime.fromisoformat(fig["last"]).astimezone(SH)
    period = f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日期间"
    for doc in ("lender", "police", "lawsuit", "injunction"):
        text = document_text(document_html(ws, b.case_id, doc, today=TODAY))
        assert period + "，" in text and f"共{fig['events']}次" in text, doc
    police = document_text(document_html(ws, b.case_id, "police", today=TODAY))
    listed = police[police.index("催收所用号码：") : police.index("其他已知信息")]
    assert len(fig["number_list"]) == fig["numbers"]
    for n, _c in fig["number_list"]:
        assert n.removeprefix("+86") in listed


def test_gbt45251_not_for_a_credit_card_and_cba_only_where_it_binds(ws: Workspace) -> None:
    pack = load_pack()
    gbt = pack.provisions["gbt45251-5.3"]
    gbt_cite = re.sub(r"\s+", "", gbt.cite())
    card = build_findings_case(
        ws,
        ["third_party_contact"],
        licence_type="bank",
        lender="某银行信用卡中心",
        entity="某银行股份有限公司信用卡中心",
    )
    loan_bank = build_findings_case(
        ws, ["third_party_contact"], licence_type="bank", lender="某银行", entity="某银行股份有限公司"
    )
    for doc in ("lender", "regulator", "contacts"):
        assert "GB/T45251" not in document_text(document_html(ws, card.case_id, doc, today=TODAY)), doc
    assert gbt_cite in document_text(document_html(ws, loan_bank.case_id, "lender", today=TODAY))
    assert card.case_id and build_plan(ws, card.case_id, today=TODAY).lender.product == "credit_card"

    from weiquan.report.case_data import load_law

    law = load_law(pack)
    cba = pack.provisions["cba_guideline-night"].cite()
    # an unlicensed lender is bound by neither; a consumer-finance company not known to be a CBA member by GB/T only;
    # a credit card by neither standard
    assert law.night_basis("unlicensed", None, dt.date(2025, 4, 9), dt.date(2025, 4, 13)) is None
    cf = law.night_basis("consumer_finance", None, dt.date(2026, 10, 8), dt.date(2026, 11, 28)) or ""
    assert gbt.cite() in cf and cba not in cf
    assert law.night_basis("bank", "credit_card", dt.date(2025, 11, 5), dt.date(2026, 5, 20)) is None


def test_report_night_basis_follows_the_lender(ws: Workspace) -> None:
    from weiquan.report.case_data import load_law
    from weiquan.report.case_report import render_html
    from weiquan.services.case_report import load_report_data
    from weiquan.services.cases import get_case_row
    from weiquan.services.evidence import case_evidence

    b = build_case(ws, threats=False, licence_type="unlicensed", lender="某App", entity=None, start=dt.date(2025, 4, 2))
    analyze_case(ws, b.case_id)
    with ws.db.read_session() as s:
        case = get_case_row(s, b.case_id)
        report = document_text(render_html(load_report_data(s, case, case_evidence(s, b.case_id), load_law(ws.law))))
    assert "夜间联系" in report
    assert "GB/T45251" not in report and "催收工作指引" not in report


def test_web_review_cites_each_finding_in_its_own_version(ws: Workspace) -> None:
    """A case running from 2025 into 2026: the 2025 act's card shows the 2012 text and its penalty (fines up to
    500 yuan), the 2026 act's the 2025 text."""
    b = build_findings_case(
        ws, ["harassment_volume", "harassment_volume"], days=[dt.date(2025, 11, 5), dt.date(2026, 3, 2)]
    )
    items = {
        it.finding.events[0].start.year: it
        for it in review_items(ws.law, list_findings(ws, b.case_id), case_scope(ws, b.case_id))
    }
    old, new = items[2025], items[2026]
    p_old = next(p for p in old.provisions if p.id == "psapl-50-1-5")
    p_new = next(p for p in new.provisions if p.id == "psapl-50-1-5")
    assert "第四十二条" in p_old.cite and "五百元" in (p_old.penalty or "") and "一千元" not in (p_old.penalty or "")
    assert "第五十条" in p_new.cite and "滋扰" in (p_new.words_zh or "")


def test_police_time_limit_runs_from_the_last_collection_contact(ws: Workspace) -> None:
    b = build_case(ws, threats=True)
    analyze_case(ws, b.case_id)
    for f in list_findings(ws, b.case_id):
        if f.category == "threat_violence":
            review_finding(ws, f.id, "confirmed", reviewer="测试")
        else:
            review_finding(ws, f.id, "rejected", reviewer="测试")
    with ws.db.read_session() as s:
        last = dt.datetime.fromisoformat(s.get(Case, b.case_id).extra["contact_figures"]["last"]).astimezone(SH).date()
    plan = build_plan(ws, b.case_id, today=TODAY)
    d = next(d for d in plan.deadlines if d["id"] == "police_limit")
    assert f"最近一次联系是{last.year}年{last.month}月{last.day}日" in d["note_zh"]
    assert d["date"] == dt.date(last.year, last.month + 6, last.day)


def test_witness_name_fields_carry_no_relation(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact", "threat_visit"])
    with ws.db.session() as s:
        tp = s.get(Event, b.events["sms"][0])
        tp.recipient, tp.recipient_name = "friend", "朋友刘洋"
        visit = s.get(Event, b.events["sms"][1])
        visit.channel, visit.counterpart, visit.origin = "visit", None, "manual"
        visit.extra = {"note": "邻居张秀兰愿意作证", "witnesses": "保安李强"}
    text = document_text(document_html(ws, b.case_id, "lawsuit", today=TODAY))
    w = text[text.index("证人：") :]
    assert "姓名：刘洋，与本人关系：朋友" in w and "姓名：张秀兰，与本人关系：邻居" in w
    assert "姓名：李强，与本人关系：保安" in w  # typed with --witnesses
    assert "姓名：朋友" not in w and "姓名：邻居" not in w


def test_cover_sheet_warns_when_everything_rests_on_the_borrowers_account(ws: Workspace) -> None:
    from weiquan.services.documents import checklist_html

    b = build_findings_case(ws, ["threat_visit"])
    with ws.db.session() as s:
        s.get(Event, b.events["sms"][0]).origin = "manual"
    sheet = document_text(checklist_html(ws, b.case_id, "police", today=TODAY))
    assert "都来自您本人的陈述" in sheet and "第一百一十一条" not in sheet
    exported = build_findings_case(ws, ["threat_visit"])
    assert "都来自您本人的陈述" not in document_text(checklist_html(ws, exported.case_id, "police", today=TODAY))


def test_a_call_transcript_reaches_the_findings(ws: Workspace) -> None:
    """A recorded call whose transcript says the caller is from a court, while the borrower's own text for the call
    says less: the transcript is analysed too, and the finding cites the version in force for its day."""
    with ws.db.session() as s:
        case = Case(name="录音", lender_name="某银行", licence_type="bank", borrower_name="赵强", extra={})
        s.add(case)
        s.flush()
        cid = case.id
    ev = add_manual_event(
        ws,
        cid,
        channel="call",
        time="2026-01-08 11:00",
        number="01065001234",
        text="对方来电催款，语气很凶。",
        duration_s=200,
    )
    with ws.db.session() as s:
        e = s.get(Event, ev.id)
        e.extra = {
            **(e.extra or {}),
            "transcript": {"text": "我是朝阳区人民法院的，你的案子已经立案了，今天不还款就下逮捕令。"},
        }
    analyze_case(ws, cid)
    fs = [f for f in list_findings(ws, cid) if f.category == "impersonation"]
    assert fs and fs[0].events[0].event_id == ev.id and "录音转写" in (fs[0].summary or "")
    it = review_items(ws.law, fs, case_scope(ws, cid))[0]
    assert any(p.id == "psapl-62-1" and "第六十二条" in p.cite for p in it.provisions)


def test_a_paper_letter_is_catalogued_as_a_document_not_only_a_statement(ws: Workspace) -> None:

    b = build_findings_case(ws, ["threat_visit"])
    ev = ws.vault.add(
        b'{"type": "manual_event", "channel": "letter"}',
        case_id=b.case_id,
        original_name="manual-entry-1.json",
        metadata={"via": "manual"},
    )
    with ws.db.session() as s:
        eid = add_event(
            s,
            b.case_id,
            evidence_id=ev.evidence.id,
            locator="manual-entry",
            source_format="manual",
            channel="letter",
            direction="in",
            start=at(2026, 3, 4, 10, 0),
            text="收到一封自称律师事务所的“律师函”。",
            origin="manual",
            recipient="borrower",
        )
        f = s.query(Finding).filter_by(case_id=b.case_id).one()
        s.add(FindingEvent(finding_id=f.id, event_id=eid, spans=[]))
    text = document_text(document_html(ws, b.case_id, "catalogue", today=TODAY))
    assert "收到的信函（纸质原件由本人保存" in text and "书证（纸质原件）" in text


def test_public_insult_is_cited_with_its_condition(ws: Workspace) -> None:
    """治安 Art. 50(1)(2) (2012: 42(2)) is 公然侮辱: a private message to the borrower does not meet it as such."""
    b = build_findings_case(ws, ["threat_visit"])
    with ws.db.session() as s:
        s.query(Finding).filter_by(case_id=b.case_id).one().category = "insult"
    text = document_text(document_html(ws, b.case_id, "lender", today=TODAY))
    assert "第五十条第一款第（二）项" in text and "适用情形：公然侮辱、诽谤时" in text


def test_cli_review_prints_the_version_for_the_conduct(home, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures
    """``weiquan review`` cites a 2025 act under the 2012 text (Art. 42), as the documents do — not the finding's
    stored citation of the current text."""
    from tests.fixtures.cli import add_analysed_threat, wq
    from weiquan.commands import analyze

    assert wq(home, "case", "new", "--name", "旧法").exit_code == 0
    add_analysed_threat(home, "2025-03-01 21:30")
    monkeypatch.setattr(analyze, "has_terminal", lambda: True)
    out = wq(home, "review", "--case", "1", input="s\n" * 10).output
    assert "法律规定" in out and "（2012年修正）第四十二条" in out
    assert "第五十条第一款" not in out


def test_a_confirmed_contact_without_any_quote_is_still_listed_with_its_words(ws: Workspace) -> None:
    """A category whose only event has no quoted span (a call to a colleague the borrower recorded by hand): the
    letter to the lender lists it with whom it reached and the borrower's words."""
    b = build_findings_case(ws, ["third_party_contact"])
    with ws.db.session() as s:
        e = s.get(Event, b.events["sms"][0])
        e.channel, e.origin, e.recipient, e.recipient_name = "call", "manual", "colleague", "同事孙丽"
        e.text = "催收员打给借款人同事孙丽，说借款人欠款不还，让她转告。"
        s.query(FindingEvent).filter_by(event_id=e.id).one().spans = []
    for doc in ("lender", "police", "lawsuit"):
        text = document_text(document_html(ws, b.case_id, doc, today=TODAY))
        assert "对象：同事孙丽：“催收员打给借款人同事孙丽" in text, doc


def test_web_review_applies_the_preconditions_the_documents_apply(ws: Workspace) -> None:
    """A bank's lawful debt: 刑法 293之一 (illegal debts only) is not shown beside a third-party contact, even when
    the finding stored it; 民法典 1019 not for a threat to expose without an image."""
    b = build_findings_case(ws, ["third_party_contact", "threat_exposure"], licence_type="bank", entity="某银行")
    with ws.db.session() as s:
        for f in s.query(Finding).filter_by(case_id=b.case_id):
            f.provisions = [
                {"provision_id": "criminal-293-1"},
                {"provision_id": "civil-1019"},
                {"provision_id": "civil-1032"},
            ]
    items = review_items(ws.law, list_findings(ws, b.case_id), case_scope(ws, b.case_id))
    ids = {p.id for it in items for p in it.provisions}
    assert "civil-1032" in ids and "criminal-293-1" not in ids and "civil-1019" not in ids


def test_cba_guideline_binds_members_for_conduct_from_its_release_only(ws: Workspace) -> None:
    from weiquan.act.citations import cited_provisions
    from weiquan.act.plan import build
    from weiquan.services.case_facts import load_case_facts

    pack = load_pack()

    def cited(day: dt.date, member: bool | None) -> set[str]:
        b = build_findings_case(ws, ["third_party_contact"], licence_type="bank", entity="某银行", start=day)
        facts = load_case_facts(ws, b.case_id, today=TODAY)
        lender = build(pack, facts).lender
        lender.cba_member = member
        return {p.id for p in cited_provisions(pack, facts, None, [], "bank", lender)}

    assert "cba_guideline-third_party" in cited(dt.date(2026, 3, 2), True)
    assert "cba_guideline-third_party" not in cited(dt.date(2025, 11, 5), True)  # before 2026-01-30
    assert "cba_guideline-third_party" not in cited(dt.date(2026, 3, 2), None)  # membership unknown


def test_dashboard_cites_each_category_for_its_own_days(ws: Workspace) -> None:
    """A case from 2025 into 2026: a category of 2025 acts is shown in the 2012 text alone (no article new in the 2025
    text), one of 2026 acts in the 2025 text alone."""
    from weiquan.services.law import category_info, category_scopes

    b = build_findings_case(ws, ["harassment_volume", "threat_visit"], days=[dt.date(2025, 11, 5), dt.date(2026, 3, 2)])
    scopes = category_scopes(ws, b.case_id)
    old = category_info(ws.law, "harassment_volume", scopes["harassment_volume"])
    new = category_info(ws.law, "threat_visit", scopes["threat_visit"])
    p_old = next(p for p in old.provisions if p.id == "psapl-50-1-5")
    assert "（2012年修正）第四十二条" in p_old.cite and not p_old.era_zh and "五百元" in (p_old.penalty or "")
    p_new = next(p for p in new.provisions if p.id == "psapl-50-1-5")
    assert "第五十条" in p_new.cite and not p_new.era_zh and "一千元" in (p_new.penalty or "")
