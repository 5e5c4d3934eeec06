"""Issue 15 item 3: a visit that happened (a recorded `--channel visit` event, a note telling it) is its own finding,
上门催收 (home_visit: conduct), never 上门恐吓 (threat_visit: the words of a threat) — in the findings, the plan, the
documents, the evidence catalogue and the case report."""

from __future__ import annotations


import pytest

from tests.act.act_builders import TODAY, document_text
from weiquan.services.analysis import analyze_case, list_findings, review_finding
from weiquan.services.cases import create_case, update_case
from weiquan.services.documents import document_html
from weiquan.services.timeline import add_manual_event
from weiquan.workspace import Workspace

DOCS = ("lender", "regulator", "police", "lawsuit", "injunction", "catalogue", "plan")


@pytest.fixture
def visit_case(ws: Workspace) -> tuple[int, int, int]:
    """A consumer-finance case whose only conduct is one home visit: recorded by hand, then told in a note."""
    case_id = create_case(ws, "上门案件", lender="速借", borrower_name="李四").id
    update_case(ws, case_id, lender_entity="示例消费金融有限公司", licence_type="consumer_finance")
    visit = add_manual_event(
        ws,
        case_id,
        channel="visit",
        time="2026-03-02 15:00",
        name="外访员",
        text="两个人到家门口要钱，坐了一个小时才走",
    ).id
    note = add_manual_event(
        ws, case_id, channel="other", time="2026-03-03 09:00", text="昨天下午催收的两个人上门了，在门口坐了一个小时"
    ).id
    analyze_case(ws, case_id)
    for f in list_findings(ws, case_id):
        review_finding(ws, f.id, "confirmed", reviewer="测试")
    return case_id, visit, note


def test_one_home_visit_finding_with_its_provisions_and_no_threat(
    ws: Workspace, visit_case: tuple[int, int, int]
) -> None:
    case_id, visit, note = visit_case
    fs = list_findings(ws, case_id)
    visits = [f for f in fs if "visit" in f.category]
    assert [(f.key, f.category, f.category_zh) for f in visits] == [(f"visit:{visit}", "home_visit", "上门催收")]
    ids = [p["id"] for p in visits[0].provisions]
    assert ids[0] == "cba_guideline-conduct" and {"psapl-47-1-3", "psapl-50-1-5"} <= set(ids)
    assert "cba_guideline-night" not in ids  # a daytime visit
    assert not [f for f in fs if f.category == "threat_visit"]
    assert all(note not in [e.event_id for e in f.events] for f in fs if f.category != "night_contact")


def test_documents_name_the_visit_not_a_threat(ws: Workspace, visit_case: tuple[int, int, int]) -> None:
    case_id = visit_case[0]
    texts = {doc: document_text(document_html(ws, case_id, doc, today=TODAY)) for doc in DOCS}
    for doc, text in texts.items():
        assert "上门恐吓" not in text, doc
        assert "如对方实际实施了所威胁的行为" not in text, doc  # the visit is the act, not a threat of one
    for doc in ("lender", "regulator", "police", "catalogue", "plan"):
        assert "上门催收" in texts[doc], doc
    # its provisions, each with the condition under which it applies
    assert "第四十七条" in texts["police"] and "非法侵入住宅" in texts["police"]
    assert "停止未经本人同意的上门催收" in texts["lender"]
    assert "（一）上门催收" in texts["lender"] and "适用情形：未经允许进入住宅或经要求拒不离开" in texts["lender"]
    # the court is asked to stop the visits as conduct, not a threat
    assert "未经原告同意到原告住所、工作单位上门催收" in texts["lawsuit"]
    assert "找人相威胁" not in texts["lawsuit"]


def test_the_report_names_the_visit(ws: Workspace, visit_case: tuple[int, int, int]) -> None:
    from weiquan.report.case_data import load_law
    from weiquan.report.case_report import render_html
    from weiquan.services.case_report import load_report_data
    from weiquan.services.cases import get_case_row

    case_id = visit_case[0]
    from weiquan.services.evidence import case_evidence

    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        text = document_text(render_html(load_report_data(s, case, case_evidence(s, case_id), load_law(ws.law))))
    assert "上门催收" in text and "上门恐吓" not in text
