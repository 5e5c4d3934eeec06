"""Issue 16 items 4–6: documents say only what the user confirmed (the rest goes to the cover sheet 提交前核对清单);
诉讼时效 and the 治安 six-month limit as deadlines on the plan and in `actions`, with the version in force; the
人格权侵害禁令 offered only for ongoing conduct."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from tests.act.act_builders import build_findings_case, document_text
from weiquan.cli import app
from weiquan.services.documents import checklist_html, document_html
from weiquan.services.plan import build_plan
from weiquan.workspace import Workspace

D = dt.date


def _auto(ws: Workspace, case_id: int, category: str) -> None:
    from weiquan.store.models import Finding

    with ws.db.session() as s:
        for f in s.query(Finding).filter_by(case_id=case_id, category=category):
            f.review_state = "auto"


def test_unconfirmed_findings_stay_out_of_the_pleading(ws: Workspace) -> None:
    b = build_findings_case(ws, ["threat_exposure", "third_party_contact"], start=D(2026, 3, 2))
    _auto(ws, b.case_id, "threat_exposure")
    today = D(2026, 3, 20)
    for doc in ("lender", "police", "lawsuit", "12321", "catalogue"):
        text = document_text(document_html(ws, b.case_id, doc, today=today))
        assert "威胁曝光" not in text and "发给你通讯录里所有人" not in text, doc
        assert "自动识别" not in text and "不构成法律意见" not in text, doc
        sheet = document_text(checklist_html(ws, b.case_id, doc, today=today))
        assert "尚未确认的识别结果" in sheet and "威胁曝光" in sheet and "发给你通讯录里所有人" in sheet, doc
        assert "不构成法律意见" in sheet and "请不要随" in sheet
    assert "骚扰第三人" in document_text(document_html(ws, b.case_id, "police", today=today))


def test_limitation_deadline_and_parallel_filing_warning(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact", "harassment_volume"], start=D(2024, 3, 2))
    plan = build_plan(ws, b.case_id, today=D(2027, 1, 10))
    lim = next(d for d in plan.deadlines if d["id"] == "limitation")
    assert lim["date"] == D(2027, 3, 2) and "第一百八十八条" in lim["basis_zh"] and not lim["passed"]
    court = next(s for s in plan.steps if s.kind == "court")
    assert court.urgent and any("同时向法院起诉" in w for w in court.warnings_zh)
    assert any("同时向法院起诉" in n for n in plan.notes_zh)
    # long after: the limitation may have run (damages), stopping the infringement is not time-barred
    plan = build_plan(ws, b.case_id, today=D(2027, 6, 1))
    lim = next(d for d in plan.deadlines if d["id"] == "limitation")
    assert lim["passed"] and "第一百九十六条" in lim["note_zh"]


def test_six_month_limit_uses_the_version_in_force(ws: Workspace) -> None:
    old = build_findings_case(ws, ["harassment_volume"], start=D(2025, 6, 2))
    new = build_findings_case(ws, ["harassment_volume"], start=D(2026, 2, 2))
    p_old = next(d for d in build_plan(ws, old.case_id, today=D(2026, 3, 1)).deadlines if d["id"] == "police_limit")
    p_new = next(d for d in build_plan(ws, new.case_id, today=D(2026, 3, 1)).deadlines if d["id"] == "police_limit")
    assert p_old["basis_zh"].endswith("（2012年修正）第二十二条") and p_old["passed"]
    assert p_new["basis_zh"].endswith("》第二十五条") and not p_new["passed"] and p_new["date"] == D(2026, 8, 2)


def test_actions_show_the_case_deadlines(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact"], start=D(2026, 3, 2))
    r = CliRunner().invoke(app, ["--home", str(ws.home), "actions", "--case", str(b.case_id)])
    assert r.exit_code == 0, r.output
    assert "诉讼时效" in r.output and "2029-03-02" in r.output and "治安处罚时限" in r.output


def test_injunction_only_for_ongoing_conduct(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact", "harassment_volume"], start=D(2026, 3, 2))
    fresh = build_plan(ws, b.case_id, today=D(2026, 3, 10))
    assert fresh.ongoing and "injunction" in next(s for s in fresh.steps if s.kind == "court").documents
    stale = build_plan(ws, b.case_id, today=D(2026, 9, 10))
    court = next(s for s in stale.steps if s.kind == "court")
    assert "injunction" not in court.documents
    assert any("暂不建议申请人格权侵害禁令" in n and "正在实施或者即将实施" in n for n in stale.notes_zh)
    sheet = document_text(checklist_html(ws, b.case_id, "injunction", today=D(2026, 9, 10)))
    assert "暂不建议申请人格权侵害禁令" in sheet
