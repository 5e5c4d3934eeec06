"""Action records: due dates from the channel's rule, overdue computed, status updates, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.act.act_builders import build_case
from tests.fixtures.cli import wq
from weiquan.errors import InputError, NotFoundError
from weiquan.services.actions import add_action, due_actions, list_actions, update_action
from weiquan.store.models import LedgerEntry
from weiquan.workspace import Workspace


def test_lender_complaint_due_in_15_calendar_days_past_national_day(ws: Workspace) -> None:
    b = build_case(ws, licence_type="consumer_finance", threats=False)
    a = add_action(ws, b.case_id, "lender", submitted_at=dt.date(2026, 9, 20), reference_no="KF-7")
    # 9-20 + 15 days = 10-5, inside the National Day holiday → 10-8
    assert a.status == "sent" and a.due_at == dt.date(2026, 10, 8) and not a.due_estimated
    assert a.deadline_rule["days"] == 15 and a.deadline_rule["unit"] == "calendar"
    [listed] = list_actions(ws, b.case_id, today=dt.date(2026, 10, 9))
    assert listed.overdue and listed.effective_status == "overdue" and listed.days_left == -1
    [ok] = list_actions(ws, b.case_id, today=dt.date(2026, 10, 1))
    assert not ok.overdue and ok.days_left == 7


def test_working_day_rule_and_2027_estimate(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    a = add_action(ws, b.case_id, "miit_12300", submitted_at=dt.date(2026, 12, 30))
    # 5 working days: 12-31, then 2027 by weekdays only (1-1, 1-4, 1-5, 1-6) → estimate
    assert a.due_at == dt.date(2027, 1, 6) and a.due_estimated
    assert "估算" in (a.deadline_zh or "")


def test_reply_clears_overdue_and_notes_append(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    a = add_action(ws, b.case_id, "lender", submitted_at=dt.date(2026, 3, 1))
    u = update_action(
        ws, a.id, status="replied", response="已停止联系第三人", note="电话回访", today=dt.date(2026, 4, 30)
    )
    assert u.status == "replied" and not u.overdue and u.response == "已停止联系第三人"
    u2 = update_action(ws, a.id, note="再次来电", today=dt.date(2026, 4, 30))
    assert u2.notes is not None and u2.notes.count("\n") == 1 and "再次来电" in u2.notes


def test_resubmission_recomputes_due(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    a = add_action(ws, b.case_id, "lender")
    assert a.status == "draft" and a.due_at is None
    u = update_action(ws, a.id, submitted_at=dt.date(2026, 5, 6), status="sent")
    assert u.due_at == dt.date(2026, 5, 21)


def test_small_loan_lender_has_no_national_deadline(ws: Workspace) -> None:
    b = build_case(ws, licence_type="small_loan", threats=False)
    a = add_action(ws, b.case_id, "lender", submitted_at=dt.date(2026, 5, 6))
    assert a.due_at is None and a.status == "sent"


def test_bad_input_is_refused_clearly(ws: Workspace) -> None:
    b = build_case(ws, threats=False)
    with pytest.raises(InputError) as e:
        add_action(ws, b.case_id, "nosuchbody")
    assert "未知的投诉渠道" in e.value.zh and "lender" in e.value.zh
    with pytest.raises(InputError):
        add_action(ws, b.case_id, "lender", status="lost")
    with pytest.raises(NotFoundError):
        update_action(ws, 999, status="sent")
    assert list_actions(ws, b.case_id) == []  # nothing half-written


def test_due_actions_across_cases_and_ledger(ws: Workspace) -> None:
    b1 = build_case(ws, threats=False)
    b2 = build_case(ws, threats=False)
    add_action(ws, b1.case_id, "lender", submitted_at=dt.date(2026, 3, 1))
    add_action(ws, b2.case_id, "lender", submitted_at=dt.date(2026, 6, 1))
    due = due_actions(ws, within_days=7, today=dt.date(2026, 3, 20))
    assert [d.case_id for d in due] == [b1.case_id] and due[0].overdue
    with ws.db.read_session() as s:
        actions = [e.action for e in s.query(LedgerEntry).order_by(LedgerEntry.seq)]
    assert actions.count("action_added") == 2


def test_cli_plan_draft_actions(ws: Workspace, tmp_path: Path) -> None:
    b = build_case(ws, threats=True)
    home, case = ws.home, str(b.case_id)
    ws.close()
    out = wq(home, "plan", "--case", case, "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["steps"][0]["channel_id"] == "police" and data["safety_threat"] is True
    out = wq(home, "plan", "--case", case)
    assert out.exit_code == 0 and "公安机关" in out.output
    out = wq(home, "draft", "--case", case, "--doc", "lender", "--format", "docx", "--out", str(tmp_path), "--json")
    assert out.exit_code == 0, out.output
    assert Path(json.loads(out.output)["lender"][0]).suffix == ".docx"
    out = wq(home, "draft", "--case", case, "--doc", "memo")
    assert out.exit_code == 2 and "未知的文书类型" in out.output
    out = wq(
        home, "action", "add", "--case", case, "--body", "lender", "--submitted", "2026-09-28", "--ref", "A1", "--json"
    )
    assert out.exit_code == 0, out.output
    aid = json.loads(out.output)["id"]
    out = wq(home, "action", "update", str(aid), "--status", "escalated", "--json")
    assert out.exit_code == 0 and json.loads(out.output)["status"] == "escalated"
    out = wq(home, "actions", "--case", case, "--json")
    assert out.exit_code == 0 and json.loads(out.output)[0]["due_at"] == "2026-10-13"
    out = wq(home, "action", "add", "--case", case, "--body", "lender", "--submitted", "28/09/2026")
    assert out.exit_code == 2 and "无法识别的日期" in out.output


def test_actions_on_every_backend(any_ws: Workspace) -> None:
    b = build_case(any_ws, threats=False)
    a = add_action(any_ws, b.case_id, "police", submitted_at=dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.timezone.utc))
    # 23:30 UTC is 10-01 07:30 in Shanghai: 30 days from 10-01 = 10-31 (Saturday) → next working day 11-02
    assert a.due_at == dt.date(2026, 11, 2)
    [listed] = list_actions(any_ws, b.case_id, today=dt.date(2026, 11, 3))
    assert listed.overdue
