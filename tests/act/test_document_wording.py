"""The documents read as Chinese written for the reader: no ids, CLI commands, ISO dates or +86 numbers from other
modules' text, no template artefacts (doubled punctuation, repeated labels, keyword dumps), calls with how they
went, loan figures with their 〔未核实〕 marks and as-of date, evidence files by name."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from sqlalchemy import select

from tests.act.act_builders import (
    THREAT_SMS,
    TODAY,
    Built,
    at,
    build_case,
    build_findings_case,
    document_text,
    loan_7_days,
)
from tests.fixtures.store_rows import add_finding
from weiquan.act.deadlines import DeadlineRule, WorkCalendar
from weiquan.services.documents import document_html
from weiquan.store.models import Event, EventSource, Evidence
from weiquan.workspace import Workspace

DOCS = ("lender", "regulator", "12321", "police", "lawsuit", "injunction", "catalogue", "contacts", "plan")
CODES = (
    "employer",
    "relative",
    "colleague",
    "friend",
    "borrower",
    "weiquan",
    "incoming",
    "missed",
    "rejected",
    "blocked",
    "sent",
    "cn，",
)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
CUT = "你再不还，我们就让律师事务所起诉你，还要"
LAWSUIT_SMS = CUT + "通知你单位。"
VISIT_SMS = "明天上门，你等着。"


def _text(html: str) -> str:
    return htmllib.unescape(document_text(html))


def _doc(ws: Workspace, case_id: int, doc: str) -> str:
    return _text(document_html(ws, case_id, doc, today=TODAY))


def _add_collector_records(ws: Workspace, built: Built) -> None:
    """What the analysis adds to a real case: pattern findings with their summaries as the detectors write them
    (ISO times, +86 numbers, recipient ids), text findings whose summary is the quoted words, unanswered,
    rejected and blocked calls, and a colleague whose name already says "同事"."""
    with ws.db.session() as s:
        evid = s.execute(select(Evidence.id).where(Evidence.sha256 == built.evidence_sha[0])).scalar_one()

        def event(
            t: dt.datetime,
            channel: str,
            direction: str,
            number: str,
            text: str | None = None,
            recipient: str = "borrower",
            name: str | None = None,
        ) -> int:
            e = Event(
                case_id=built.case_id,
                channel=channel,
                direction=direction,
                start=t,
                source_tz="Asia/Shanghai",
                counterpart=number,
                text=text,
                recipient=recipient,
                recipient_name=name,
                origin="export",
                duration_s=None,
            )
            s.add(e)
            s.flush()
            s.add(EventSource(event_id=e.id, evidence_id=evid, locator=f"extra[{e.id}]", source_format="test-json"))
            return e.id

        def finding(cat: str, ids: list[int], summary: str, spans: dict[int, list[list[int]]] | None = None) -> None:
            add_finding(s, built.case_id, cat, ids, key=f"extra:{cat}:{ids[0]}:{summary}", summary=summary, spans=spans)

        calls = [event(at(2026, 3, 8, 9, 0), "call", d, "+8617100000077") for d in ("missed", "rejected", "blocked")]
        finding("harassment_volume", calls, "2026-03-08 号码 +8617100000077 未接通后仍来电 3 次，超过每日 2 次")
        colleague = event(
            at(2026, 3, 8, 11, 0), "call", "incoming", "+8617100000078", recipient="colleague", name="同事刘某"
        )
        finding("third_party_contact", [colleague], "催收方联系了借款人以外的人（colleague）1 次")
        finding(
            "third_party_contact",
            [colleague],
            "在借款人要求停止联系其家人/联系人之后，仍联系第三人：2026-03-07 11:35 之后 1 次",
        )
        cut = event(at(2026, 3, 8, 12, 0), "sms", "incoming", "+8617100000079", LAWSUIT_SMS)
        finding("false_legal_threat", [cut], f"「{CUT}」", {cut: [[0, len(CUT)]]})
        visit = event(at(2026, 3, 8, 13, 0), "sms", "incoming", "+8617100000079", VISIT_SMS)
        a = THREAT_SMS.index("上门")
        threat = built.events["sms"][3]
        finding("threat_visit", [threat], "「上门」", {threat: [[a, a + 2]]})
        finding("threat_visit", [visit], "「上门」", {visit: [[2, 4]]})


@pytest.fixture
def audited_case(ws: Workspace) -> Built:
    built = build_case(ws, threats=True, review="auto")
    _add_collector_records(ws, built)
    return built


def test_no_ids_commands_iso_dates_or_intl_numbers_in_any_document(ws: Workspace, audited_case: Built) -> None:
    for doc in DOCS:
        text = _doc(ws, audited_case.case_id, doc)
        for code in CODES:
            assert code not in text, (doc, code)
        assert not ISO.search(text), (doc, ISO.search(text))
        assert "+86" not in text, doc
        assert "。；" not in text and "；。" not in text and "。）；" not in text, doc
    police = _doc(ws, audited_case.case_id, "police")
    assert "催收方联系了借款人以外的人（同事）1次" in police
    assert "仍联系第三人：2026年3月7日11:35之后1次" in police
    assert "2026年3月8日号码17100000077未接通后仍来电3次" in police
    plan = _doc(ws, audited_case.case_id, "plan")
    assert "提交前请逐项确认（在本软件“审核违规”页）" in plan
    assert re.search(r"（2026年3月\d+日至2026年3月\d+日）", plan)
    assert "2025年6月1日施行" in _doc(ws, audited_case.case_id, "regulator")  # the law pack's NFRA contact note


def test_calls_show_how_they_went(ws: Workspace, audited_case: Built) -> None:
    rows = re.findall(r"<tr>(.*?)</tr>", document_html(ws, audited_case.case_id, "police", today=TODAY), re.S)
    text = "".join(_text(r) for r in rows if "17100000077" in r)  # the chronology's rows of the three calls
    for status in ("未接来电", "拒接", "已拦截"):
        assert status in text, status
    assert "来电" not in text.replace("未接来电", "")


def test_no_repeated_label_keyword_dump_or_cut_off_quote(ws: Workspace, audited_case: Built) -> None:
    for doc in ("police", "lawsuit", "injunction", "lender", "regulator"):
        text = _doc(ws, audited_case.case_id, doc)
        assert "同事（同事刘某）" not in text, doc
        assert "「上门」" not in text and "」。「" not in text, doc
        assert f"「{CUT}」" not in text, doc
    assert "同事刘某" in _doc(ws, audited_case.case_id, "police")


def test_short_complaint_quotes_whole_clauses() -> None:
    from weiquan.act.quotes import quote_phrase

    assert quote_phrase(LAWSUIT_SMS, 0, len(CUT)) == CUT + "通知你单位"
    long = "我们" + "一二三四五六七八九十" * 4 + "上门找你。"
    assert quote_phrase(long, long.index("上门"), long.index("上门") + 2).startswith("……")


def test_zh_text_is_idempotent_and_keeps_the_time_space() -> None:
    from weiquan.zh.format import zh_text

    s = zh_text("2024-03-07 11:35 之后 2 次（employer）+8615400000011")
    assert s == "2024年3月7日 11:35之后2次（工作单位）15400000011"
    assert zh_text(s) == s


def test_letter_to_family_and_contact_lines_have_single_punctuation(ws: Workspace, audited_case: Built) -> None:
    contacts = _doc(ws, audited_case.case_id, "contacts")
    assert "透露债务信息；第三人拒绝" in contacts
    isc = _doc(ws, audited_case.case_id, "12321")
    assert "010-12321（主要为咨询）" in isc and "其他途径：也可将短信转发至12321" in isc and "现场/地址" not in isc
    plan = _doc(ws, audited_case.case_id, "plan")
    assert "如何提交电话：拨打所用运营商的客服电话" in plan  # the carrier's cell is not empty


def test_injunction_requests_end_with_a_full_stop(ws: Workspace, audited_case: Built) -> None:
    html = document_html(ws, audited_case.case_id, "injunction", today=TODAY)
    items = re.findall(r"<li>(.*?)</li>", html.split("<h2>事实与理由</h2>")[0], re.S)
    assert items and all(i.strip().endswith("；") for i in items[:-1]) and items[-1].strip().endswith("。")


def test_one_day_is_not_a_period(ws: Workspace) -> None:
    built = build_findings_case(ws, ["threat_exposure"])
    assert "2026年3月2日，贵司" in _doc(ws, built.case_id, "lender")
    assert "日期间" not in _doc(ws, built.case_id, "lender")
    assert "2026年3月2日的联系记录" in _doc(ws, built.case_id, "catalogue")


def test_the_293_1_condition_is_printed_once(ws: Workspace) -> None:
    from tests.act.act_builders import loan_7_days
    from weiquan.services.loans import add_loan

    built = build_case(ws, threats=True)
    add_loan(ws, built.case_id, loan_7_days())  # a loan above the caps: the debt collected is an illegal one
    text = _doc(ws, built.case_id, "police")
    line = re.search(r"第二百九十三条之一[^《]*", text)
    assert line and line.group(0).count("非法债务") == 1 and line.group(0).count("情节严重") == 1
    from weiquan.act.citations import add_condition

    out: list[str] = []
    for c in ("仅当债务为非法债务且情节严重", "仅当催收的是高利放贷等非法债务且情节严重", "情节恶劣时", "情节严重时"):
        add_condition(out, c)
    assert out == ["仅当催收的是高利放贷等非法债务且情节严重", "情节恶劣时", "情节严重时"]


def test_deadline_notes_say_one_thing() -> None:
    cal = WorkCalendar()
    day = DeadlineRule(
        days=7, unit="calendar", unit_note_zh="规定写的是“日”，未见定义条款；本工具按自然日估算到期日，仅供参考。"
    )
    n = cal.due_date(dt.date(2026, 12, 30), day)
    assert n.estimated and "按自然日估算" in n.note_zh and "工作日" not in n.note_zh
    w = cal.due_date(dt.date(2026, 12, 28), DeadlineRule(days=10, unit="working")).note_zh
    assert "周一至周五" in w and "自然日" not in w and "自然工作日" not in w
    assert "2027年1月11日截止" in w and not ISO.search(w)


def test_action_deadline_note(ws: Workspace) -> None:
    from weiquan.services.actions import add_action

    b = build_case(ws, threats=False)
    a = add_action(ws, b.case_id, "court", submitted_at=dt.date(2026, 12, 30))
    note = a.deadline_zh or ""
    assert a.due_estimated and "2027年1月6日截止" in note and not ISO.search(note)
    assert "按自然日估算" in note and "自然工作日" not in note


def test_plan_states_actions_taken_in_chinese(ws: Workspace) -> None:
    from weiquan.services.actions import add_action

    b = build_case(ws, threats=False)
    add_action(ws, b.case_id, "lender", submitted_at=dt.date(2026, 3, 19))
    plan = _doc(ws, b.case_id, "plan")
    assert "状态：已提交，截止2026年4月3日" in plan


def test_loan_caps_marked_unverified_with_the_as_of_date(ws: Workspace) -> None:
    from weiquan.services.loans import add_loan

    built = build_case(ws, threats=True, licence_type="unlicensed", entity=None)
    loan = add_loan(ws, built.case_id, loan_7_days(), today=dt.date(2024, 2, 27))
    unverified = [c["name"] for c in loan.result["caps"] if c.get("exceeded") and c.get("confidence") == "unverified"]
    verified = [c["name"] for c in loan.result["caps"] if c.get("exceeded") and c.get("confidence") != "unverified"]
    assert unverified and verified
    for doc in ("police", "lender", "lawsuit", "plan"):
        text = _doc(ws, built.case_id, doc)
        for name in unverified:
            assert re.search(re.escape(f"“{name}”") + r"（[\d.]+%）〔未核实〕", text), (doc, name)
        for name in verified:
            assert not re.search(re.escape(f"“{name}”") + r"（[\d.]+%）〔未核实〕", text), (doc, name)
        assert "截至2024年2月27日，如合同有效，按四倍LPR估算应还" in text, doc
    lawsuit = _doc(ws, built.case_id, "lawsuit")
    assert lawsuit.index("合同日期2024年2月20日") < lawsuit.index("原告认为") < lawsuit.index("请依法判决")


def test_evidence_listed_by_file_name(ws: Workspace) -> None:
    built = build_case(ws, threats=False)
    ws.vault.add(b"%PDF-1.4 test", case_id=built.case_id, original_name="samples/Screenshot_20240321-214733.png")
    text = _doc(ws, built.case_id, "catalogue")
    # named for a person (kind, date), identified by its SHA-256; no file path or English file name
    assert "Screenshot" not in text and "samples/" not in text and "照片或图片" in text
