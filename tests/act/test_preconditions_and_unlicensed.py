"""Issue 16 items 3 and 5: unlicensed lending presented as possibly void and routed to the police and the local
financial regulator first (刑法 225 with the 2019 opinion, 293之一 only for an illegal debt); provisions cited only
when the evidence shows their preconditions (民法典 1019 only with an image; 威胁人身安全 only for bodily threats)."""

from __future__ import annotations

import datetime as dt

from tests.act.act_builders import TODAY, build_findings_case, cite, document_text, loan_7_days
from weiquan.law.pack import load_pack
from weiquan.loans.check import check_loan
from weiquan.services.documents import document_html
from weiquan.services.loans import add_loan
from weiquan.services.plan import build_plan
from weiquan.store.models import Event
from weiquan.workspace import Workspace


def test_unlicensed_loan_is_presented_as_possibly_void() -> None:
    res = check_loan(loan_7_days())
    v = res["possibly_void"]
    assert v["received"] == 8000 and "第十三条第（三）项" in v["citations"][0] and "第一百五十七条" in v["citations"][1]
    assert "实际收到的借款8,000.00元" in v["owed_zh"] and res["lawful_label_zh"].startswith("如合同有效")
    assert any("资金占用补偿" in u for u in res["unverified"])
    licensed = check_loan({**loan_7_days(), "lender_type": "consumer_finance"})
    assert licensed["possibly_void"] is None


def test_unlicensed_lender_goes_to_police_and_local_regulator_first(ws: Workspace) -> None:
    b = build_findings_case(
        ws,
        ["harassment_volume", "harassment_volume", "third_party_contact"],
        licence_type=None,
        entity=None,
        lender="某714平台",
    )
    add_loan(ws, b.case_id, loan_7_days())
    plan = build_plan(ws, b.case_id, today=TODAY)
    ids = [s.channel_id for s in plan.steps]
    assert plan.lender.licence_type == "unlicensed"
    assert ids[:2] == ["police", "local_regulator"] and "nfra" not in ids and "lender" not in ids and "nifa" not in ids
    police = document_text(document_html(ws, b.case_id, "police", today=TODAY))
    assert cite("criminal-225") in police and "关于办理非法放贷刑事案件若干问题的意见" in police
    assert cite("criminal-293-1") in police and "借款核查结果" in police
    assert "借款合同可能无效" in police and "实际收到的借款人民币8,000.00元" in police


def test_293_1_not_cited_for_a_lawful_debt(ws: Workspace) -> None:
    b = build_findings_case(ws, ["harassment_volume", "threat_visit"], licence_type="bank", entity="某银行")
    assert cite("criminal-293-1") not in document_text(document_html(ws, b.case_id, "police", today=TODAY))


def _set_text(ws: Workspace, event_id: int, text: str) -> None:
    with ws.db.session() as s:
        s.get(Event, event_id).text = text


def test_portrait_right_only_when_an_image_was_made_or_spread(ws: Workspace) -> None:
    threat = build_findings_case(ws, ["threat_exposure"])
    _set_text(ws, threat.events["sms"][0], "再不还钱就把你的照片P了发到网上。")
    assert cite("civil-1019") not in document_text(document_html(ws, threat.case_id, "lawsuit", today=TODAY))
    done = build_findings_case(ws, ["threat_exposure"])
    _set_text(ws, done.events["sms"][0], "催收员在同学群里发了一张把借款人照片P成“通缉令”的图片。")
    assert cite("civil-1019") in document_text(document_html(ws, done.case_id, "lawsuit", today=TODAY))


def test_threat_to_visit_is_not_a_threat_to_personal_safety(ws: Workspace) -> None:
    b = build_findings_case(ws, ["threat_visit"])
    police = document_text(document_html(ws, b.case_id, "police", today=TODAY))
    assert cite("psapl-50-1-1") not in police and "人身安全" not in police
    plan = build_plan(ws, b.case_id, today=TODAY)
    assert not plan.safety_threat and not any("人身安全" in n for n in plan.notes_zh)


def test_web_cites_as_the_documents_do(ws: Workspace) -> None:
    """The web pages cite the version in force for the conduct and apply the same preconditions and scope."""
    from weiquan.services import law as law_svc

    b = build_findings_case(ws, ["threat_exposure", "harassment_volume"], start=dt.date(2025, 6, 2))
    scope = law_svc.case_scope(ws, b.case_id)
    assert scope.first == dt.date(2025, 6, 2) and scope.shows == frozenset()
    info = law_svc.category_info(ws.law, "harassment_volume", scope)
    cites = [p.cite for p in info.provisions]
    assert load_pack().provisions["psapl-50-1-5"].old_cite() in cites and cite("psapl-50-1-5") not in cites
    p = next(p for p in info.provisions if p.id == "psapl-50-1-5")
    assert "滋扰" not in p.words_zh and "五百元" in p.penalty
    assert not any(p.id == "civil-1019" for p in law_svc.category_info(ws.law, "threat_exposure", scope).provisions)
    assert not any(
        p.id.startswith("nifa_convention") for p in law_svc.category_info(ws.law, "threat_exposure", scope).provisions
    )
