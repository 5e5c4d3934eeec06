"""The 证据目录 numbering equals the evidence package's; loan-check figures reach the documents; routing data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from docx import Document

from tests.act.act_builders import at, build_case, flat, loan_7_days
from weiquan.store.models import Event, EventSource
from weiquan.workspace import Workspace

TODAY = dt.date(2026, 3, 20)


def test_catalogue_rows_match_the_evidence_package(ws: Workspace, tmp_path: Path) -> None:
    from weiquan.services.export import export_case

    built = build_case(ws, threats=True)
    # a file imported for another case but cited by an event of this one: the package numbers it last
    other = build_case(ws, threats=False)
    late = ws.vault.add(b"recording-bytes" * 50, case_id=other.case_id, original_name="录音.mp3").evidence
    with ws.db.session() as s:
        e = Event(
            case_id=built.case_id,
            channel="call",
            direction="in",
            start=at(2026, 3, 12, 9),
            counterpart="+8617100000009",
        )
        s.add(e)
        s.flush()
        s.add(EventSource(event_id=e.id, evidence_id=late.id, locator="whole"))
    out = tmp_path / "case.zip"
    export_case(ws, built.case_id, out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read(next(n for n in names if n.endswith("/manifest.json"))))
        docx_bytes = zf.read(next(n for n in names if n.endswith("证据目录.docx")))
    originals = {f["evidence"]: f["sha256"] for f in manifest["files"] if f["role"] == "original"}
    assert len(originals) >= 3 and late.sha256 in originals.values()

    table = Document(io.BytesIO(docx_bytes)).tables[0]
    rows = [[c.text.strip() for c in r.cells] for r in table.rows[1:]]
    got = {f"E{int(r[0]):03d}": r[-1] for r in rows}
    assert got == originals


def test_loan_check_figures_reach_the_documents(ws: Workspace) -> None:
    from weiquan.services.documents import document_html
    from weiquan.services.loans import add_loan

    built = build_case(ws, threats=True, licence_type="unlicensed", entity=None)
    loan = add_loan(ws, built.case_id, loan_7_days(), today=dt.date(2024, 2, 27))
    result = loan.result
    assert result["upfront_deduction"] == 2000.0
    apr_pct = f"{loan.apr * 100:.2f}%"
    lawful = result["lawful_amount_owed"]
    import cn2an

    for doc in ("police", "lender"):
        text = flat(document_html(ws, built.case_id, doc, today=TODAY))
        assert apr_pct in text, doc
        assert "砍头息）人民币2,000.00元（大写：贰仟元整）" in text, doc
        assert f"人民币10,000.00元（大写：{cn2an.an2cn(10000, 'rmb')}）" in text, doc
        assert f"如合同有效，按四倍LPR估算应还人民币{lawful:,.2f}元（大写：{cn2an.an2cn(lawful, 'rmb')}）" in text, doc
        assert result["verdict_zh"] in text, doc
        assert f"借款期限仅{result['term_days']}天且放款时预先扣除了费用" in text, doc
        assert "714高炮" not in text and "依法核算" not in text, (
            doc
        )  # a label the research does not source; no promised figure


def test_a_licensed_lenders_figures_are_worded_as_a_reduction_to_request(ws: Workspace) -> None:
    """Above 24 % a licensed lender's charges may be reduced only if the borrower asks a court
    (法发〔2017〕22号): the documents must say so, not state the figure as what the law already says."""
    from weiquan.services.documents import document_html
    from weiquan.services.loans import add_loan

    built = build_case(ws, threats=True, licence_type="consumer_finance", entity=None)
    add_loan(
        ws,
        built.case_id,
        {
            "lender": "某消费金融",
            "lender_type": "consumer_finance",
            "contract_date": "2025-03-01",
            "principal": 10000,
            "disbursed": [{"date": "2025-03-01", "amount": 10000}],
            "repayments": [{"date": "2026-03-01", "amount": 13600}],
        },
        today=dt.date(2026, 3, 1),
    )
    text = flat(document_html(ws, built.case_id, "lender", today=TODAY))
    assert "如请求法院调减超过年利率24%的部分，估算应还" in text
    assert "估算多付人民币1,200.00元" in text


def test_plan_reports_the_loan_verdict(ws: Workspace) -> None:
    from weiquan.services.loans import add_loan
    from weiquan.services.plan import build_plan

    built = build_case(ws, threats=False, licence_type="unlicensed", entity=None)
    add_loan(ws, built.case_id, loan_7_days(), today=dt.date(2024, 2, 27))
    plan = build_plan(ws, built.case_id, today=TODAY)
    assert plan.loans and plan.loans[0]["verdict_zh"]
    assert plan.loans[0]["upfront_deduction"] == 2000.0


def test_routing_never_invents_a_body(ws: Workspace) -> None:
    from weiquan.act.plan import build
    from weiquan.act.policy import plan_policy
    from weiquan.law.pack import load_pack
    from weiquan.services.case_facts import load_case_facts

    pack = load_pack()
    policy = plan_policy()
    assert policy.licence_routes_source and policy.licence_routes_confidence
    for ids in policy.licence_routes.values():
        assert set(ids) <= set(pack.channels), "plan.yaml routes to a channel the law pack lacks"
    built = build_case(ws, threats=True, licence_type="unlicensed", entity=None)
    facts = load_case_facts(ws, built.case_id, today=TODAY)
    steps = {s.channel_id: s for s in build(pack, facts).steps}
    assert "local_regulator" in steps and "lender" not in steps
    assert "未经法规库核实" in steps["local_regulator"].competence_zh
    reduced = dataclasses.replace(pack, channels={k: v for k, v in pack.channels.items() if k != "local_regulator"})
    ids = [s.channel_id for s in build(reduced, facts).steps]
    assert "local_regulator" not in ids and set(ids) <= set(reduced.channels)
