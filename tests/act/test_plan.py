"""Routing: bank vs consumer finance vs online micro-lender vs unlicensed; threat vs no threat."""

from __future__ import annotations

import datetime as dt

from tests.act.act_builders import TODAY, build_case
from weiquan.act.policy import plan_policy
from weiquan.law.pack import load_pack
from weiquan.services.actions import add_action
from weiquan.services.plan import build_plan
from weiquan.workspace import Workspace


def _ids(ws: Workspace, case_id: int) -> list[str]:
    return [s.channel_id for s in build_plan(ws, case_id, today=TODAY).steps]


def test_bank_goes_to_nfra_not_local_regulator(ws: Workspace) -> None:
    b = build_case(ws, licence_type="bank", entity="示例银行股份有限公司", threats=False)
    ids = _ids(ws, b.case_id)
    assert ids[0] == "lender"
    assert "nfra" in ids and "local_regulator" not in ids
    assert ids.index("lender") < ids.index("nfra") < ids.index("isc_12321") < ids.index("court")


def test_consumer_finance_goes_to_nfra(ws: Workspace) -> None:
    b = build_case(ws, licence_type="consumer_finance", threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    ids = [s.channel_id for s in plan.steps]
    assert "nfra" in ids and "local_regulator" not in ids
    lender = plan.step("lender")
    assert lender is not None and lender.deadline is not None and lender.deadline.days == 15
    assert "消费金融" in plan.step("nfra").competence_zh


def test_online_micro_lender_goes_to_local_regulator(ws: Workspace) -> None:
    b = build_case(ws, licence_type="small_loan", lender="某某借条", entity="示例网络小额贷款有限公司", threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    ids = [s.channel_id for s in plan.steps]
    assert "local_regulator" in ids and "nfra" not in ids
    # the 15/30/60-day rule covers banks and consumer finance companies only
    assert plan.step("lender").deadline is None


def test_unlicensed_lender_goes_to_police_and_local_regulator(ws: Workspace) -> None:
    b = build_case(ws, licence_type="unlicensed", lender="快借黑口子", entity=None, threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    ids = [s.channel_id for s in plan.steps]
    assert "lender" not in ids and "nfra" not in ids
    assert {"police", "local_regulator"} <= set(ids)
    assert any("无放贷资质" in n for n in plan.notes_zh)
    local = plan.step("local_regulator")
    assert local.competence_source == plan_policy().licence_routes_source


def test_an_unlawful_loan_is_not_routed_to_every_regulator(ws: Workspace) -> None:
    """An unlawful loan from an unlicensed lender adds the police and the local financial regulator, not
    12363 (payment and credit-reporting bodies, docs/sources.md#complaint-routing) or 12315 (no source puts collection complaints there)."""
    import datetime as dt

    from weiquan.services.loans import add_loan

    b = build_case(ws, licence_type="unlicensed", lender="快借黑口子", entity=None, threats=False)
    add_loan(
        ws,
        b.case_id,
        {
            "lender": "快借黑口子",
            "lender_type": "unlicensed",
            "contract_date": "2026-02-20",
            "principal": 10000,
            "disbursed": [{"date": "2026-02-20", "amount": 8000}],
            "repayments": [{"date": "2026-02-27", "amount": 10500}],
        },
        today=dt.date(2026, 2, 27),
    )
    ids = [s.channel_id for s in build_plan(ws, b.case_id, today=TODAY).steps]
    assert {"police", "local_regulator"} <= set(ids)
    assert "pboc" not in ids and "samr_12315" not in ids


def test_police_step_warns_when_the_six_month_limit_may_have_passed(ws: Workspace) -> None:
    """治安管理处罚法 Art. 25 (docs/sources.md#psapl-2025): conduct undiscovered for six months is no longer punished."""
    import datetime as dt

    old = build_case(ws, threats=True, start=dt.date(2024, 3, 2))
    why = " ".join(build_plan(ws, old.case_id, today=TODAY).step("police").why_zh)
    # 2024 conduct: the 2012 text's Art. 22, not the 2025 Art. 25 (issue 16 item 4)
    assert "已超过6个月" in why and "（2012年修正）第二十二条" in why and "第二十五条" not in why
    recent = build_case(ws, threats=True)
    assert "已超过6个月" not in " ".join(build_plan(ws, recent.case_id, today=TODAY).step("police").why_zh)


def test_threat_puts_police_first_with_emergency_note(ws: Workspace) -> None:
    b = build_case(ws, threats=True)
    plan = build_plan(ws, b.case_id, today=TODAY)
    assert plan.safety_threat
    assert plan.steps[0].channel_id == "police" and plan.steps[0].urgent
    assert "110" in plan.notes_zh[0]
    assert any("暴力威胁" in w for w in plan.steps[0].why_zh)


def test_no_threat_keeps_the_usual_order(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    assert not plan.safety_threat
    ids = [s.channel_id for s in plan.steps]
    assert ids[0] == "lender"
    if "police" in ids:
        assert not plan.step("police").urgent
        assert ids.index("police") > ids.index("isc_12321")
    assert not any("110" in n for n in plan.notes_zh)


def test_licence_type_from_the_lender_registry(ws: Workspace) -> None:
    pack = load_pack()
    entry = next(ln for ln in pack.lenders if ln.licence_type == "consumer_finance" and ln.brands)
    b = build_case(ws, licence_type=None, lender=entry.brands[0], entity=None, threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    assert plan.lender.licence_type == "consumer_finance" and plan.lender.basis == "registry"
    assert plan.lender.entity == entry.entity
    assert "nfra" in [s.channel_id for s in plan.steps]


def test_unknown_licence_lists_both_regulators_with_a_note(ws: Workspace) -> None:
    b = build_case(ws, licence_type=None, lender="完全未知的平台名称XYZ", entity=None, threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    ids = [s.channel_id for s in plan.steps]
    assert plan.lender.licence_type is None
    assert {"nfra", "local_regulator"} <= set(ids)
    assert any("牌照类型" in n for n in plan.notes_zh)


def test_steps_carry_why_how_attach_and_lapse(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    plan = build_plan(ws, b.case_id, today=TODAY)
    pack = load_pack()
    for s in plan.steps:
        ch = pack.channels[s.channel_id]
        assert s.why_zh and s.attach == list(ch.prepare) and s.competence_zh
        assert s.if_lapsed_zh
    lender = plan.step("lender")
    assert "下一步" in lender.if_lapsed_zh and "lender" in lender.documents
    assert plan.step("isc_12321").how.get("网站", "").startswith("https://www.12321.cn")


def test_ongoing_harassment_suggests_injunction(ws: Workspace) -> None:
    b = build_case(ws, threats=True)
    assert build_plan(ws, b.case_id, today=TODAY).ongoing
    old = build_plan(ws, b.case_id, today=TODAY + dt.timedelta(days=120))
    assert not old.ongoing


def test_actions_taken_show_in_the_plan(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    a = add_action(ws, b.case_id, "lender", submitted_at=dt.date(2026, 3, 10), reference_no="TS-1")
    step = build_plan(ws, b.case_id, today=TODAY).step("lender")
    assert step.taken == {"action_id": a.id, "status": "sent", "due_at": "2026-03-25", "reference_no": "TS-1"}


def test_no_findings_means_no_steps(ws: Workspace) -> None:
    from weiquan.services.cases import create_case

    c = create_case(ws, "空案件", lender="速借")
    plan = build_plan(ws, c.id, today=TODAY)
    assert plan.steps == [] and any("尚未发现违规" in n for n in plan.notes_zh)


def test_policy_channel_ids_exist_in_the_pack() -> None:
    pack = load_pack()
    pol = plan_policy()
    assert set(pol.escalation_order) <= set(pack.channels)
    assert all(set(v) <= set(pack.channels) for v in pol.licence_routes.values())
    assert set(pol.safety_categories) <= set(pack.violations)
    for ids in pol.document_provisions.values():
        assert set(ids) <= set(pack.provisions), set(ids) - set(pack.provisions)


def test_write_plan_json_and_document(ws: Workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    import json

    from weiquan.report.render import docx_text
    from weiquan.services.documents import write_plan

    b = build_case(ws, threats=True)
    files = write_plan(ws, b.case_id, tmp_path, formats=("docx",), today=TODAY)
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert data["steps"][0]["channel_id"] == "police" and data["lender"]["licence_zh"] == "持牌消费金融公司"
    text = docx_text(files[1])
    assert "第一步：公安机关（110、派出所）（优先）" in text and "国家金融监督管理总局（12378）" in text
