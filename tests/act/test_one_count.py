"""Issue 16 item 8: contacts, night contacts and distinct numbers computed once (collection contacts only) and the
same figures on the dashboard, the report, the plan and every document."""

from __future__ import annotations


from tests.act.act_builders import TODAY, build_case, document_text
from weiquan.services.analysis import analyze_case, list_findings, review_finding
from weiquan.services.dashboard import case_dashboard
from weiquan.services.documents import document_html
from weiquan.workspace import Workspace


def test_the_same_figures_everywhere(ws: Workspace) -> None:
    b = build_case(ws, threats=True)
    analyze_case(ws, b.case_id)
    for f in list_findings(ws, b.case_id):
        review_finding(ws, f.id, "confirmed", reviewer="测试")
    d = case_dashboard(ws, b.case_id)
    fig = d.collection
    assert fig and fig["events"] > 0 and d.night == fig["night"] and d.distinct_numbers == fig["numbers"]
    assert fig["events"] <= d.total_events  # collection contacts only (analyze/patterns.collection_contacts)
    phrase = f"共{fig['events']}次"
    for doc in ("plan", "lender", "police", "lawsuit", "injunction"):
        text = document_text(document_html(ws, b.case_id, doc, today=TODAY))
        assert phrase in text, doc
        if fig["numbers"]:
            assert f"使用{fig['numbers']}个号码" in text or f"涉及{fig['numbers']}个号码" in text, doc
        if fig["night"]:
            assert f"至次日08:00）{fig['night']}次" in text, doc
    from weiquan.report.case_data import load_law
    from weiquan.report.case_report import render_html
    from weiquan.services.case_report import load_report_data
    from weiquan.services.cases import get_case_row
    from weiquan.services.evidence import case_evidence

    with ws.db.read_session() as s:
        case = get_case_row(s, b.case_id)
        report = document_text(render_html(load_report_data(s, case, case_evidence(s, b.case_id), load_law(ws.law))))
    assert f"催收联系{fig['events']}次" in report and f"使用号码{fig['numbers']}个" in report
