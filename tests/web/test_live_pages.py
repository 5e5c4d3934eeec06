"""Pages that reflect what just happened (import live region, review counters), the loan page's quick
conversion with any one field, manual entries without a file, and plain Chinese in findings."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.web_builders import sms_backup_xml
from weiquan.services import analysis, cases, timeline
from weiquan.workspace import Workspace
from weiquan.zh.wording import plain_zh


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


def test_quick_conversion_accepts_any_one_field(client: TestClient) -> None:
    r = client.get("/loans", params={"daily": "0.05", "fee": "", "months": ""})
    assert r.status_code == 200 and "年化" in r.text and "18.25%" in r.text
    r = client.get("/loans", params={"daily": "", "fee": "1.5", "months": "12"})
    assert r.status_code == 200 and "实际年化约" in r.text
    r = client.get("/loans", params={"daily": "０.０５%"})  # full-width digits and a per-cent sign
    assert r.status_code == 200 and "18.25%" in r.text
    r = client.get("/loans", params={"daily": "很多"})
    assert r.status_code == 400 and "日利率应是一个数字" in r.text
    r = client.get("/loans", params={"months": "6"})
    assert r.status_code == 400 and "请再填写日利率或每月手续费率中的一项" in r.text


def test_import_live_region_follows_uploads(client: TestClient, ws: Workspace) -> None:
    case = cases.create_case(ws, "实时")
    live = client.get(f"/cases/{case.id}/import/live").text
    assert 'id="import-live"' in live and "还没有文件" in live and "every 3s" not in live  # nothing to poll for
    r = client.post(
        f"/cases/{case.id}/import/upload",
        files={"files": ("sms.xml", sms_backup_xml(6), "text/xml")},
        headers={"hx-request": "true"},
    )
    assert r.status_code == 200
    live = client.get(f"/cases/{case.id}/import/live").text
    assert "已导入的文件（1）" in _text(live) and "sms.xml" in live
    client.post(f"/cases/{case.id}/analyze", headers={"hx-request": "true"})
    live = client.get(f"/cases/{case.id}/import/live").text
    assert "条可能违法的催收行为" in live and f"/cases/{case.id}/review" in live


def test_review_counters_update_with_each_click(client: TestClient, ws: Workspace) -> None:
    case = cases.create_case(ws, "审核")
    client.post(f"/cases/{case.id}/import/upload", files={"files": ("sms.xml", sms_backup_xml(12), "text/xml")})
    analysis.analyze_case(ws, case.id)
    items = analysis.list_findings(ws, case.id)
    assert len(items) >= 2
    page = client.get(f"/cases/{case.id}/review").text
    assert f"待审核（{len(items)}）" in page and 'class="card review-group"' in page
    f = items[0]
    r = client.post(
        f"/cases/{case.id}/findings/{f.id}/review", data={"state": "confirmed"}, headers={"hx-request": "true"}
    )
    assert r.status_code == 200
    assert 'id="review-counts" hx-swap-oob="true"' in r.text and f"待审核（{len(items) - 1}）" in r.text
    assert "已确认（1）" in r.text and f'id="gp-{f.category}" hx-swap-oob="true"' in r.text


def test_manual_entry_form_uses_the_add_event_service(client: TestClient, ws: Workspace) -> None:
    case = cases.create_case(ws, "手动")
    form = client.get(f"/cases/{case.id}/events/new").text
    for field in ('name="channel"', 'name="recipient"', 'name="witnesses"', 'name="note"', 'type="datetime-local"'):
        assert field in form
    r = client.post(
        f"/cases/{case.id}/events/new",
        data={
            "channel": "call",
            "time": "2026-03-20T19:00",
            "recipient": "employer",
            "recipient_name": "公司人事",
            "number": "13800138000",
            "text": "打到单位说我欠钱不还",
            "witnesses": "同事李某",
        },
    )
    assert r.status_code == 200 and "已保存" in r.text
    (ev,) = timeline.list_events(ws, case.id)
    assert (ev.channel, ev.recipient, ev.recipient_name, ev.origin, ev.extra["witnesses"]) == (
        "call",
        "employer",
        "公司人事",
        "manual",
        "同事李某",
    )
    tl = client.get(f"/cases/{case.id}/timeline").text
    assert "在场证人：同事李某" in tl
    r = client.post(f"/cases/{case.id}/events/new", data={"channel": "visit", "time": "2026-03-20T19:00"})
    assert r.status_code == 400 and "请至少填写" in r.text
    note = client.post(
        f"/cases/{case.id}/import/upload",
        files={"files": ("上门经过.md", "# 3月20日\n两人上门".encode(), "text/markdown")},
        headers={"hx-request": "true"},
    ).text
    assert "这是一份文字笔记" in note and f"/cases/{case.id}/events/new" in note


def test_plain_zh_removes_internal_identifiers() -> None:
    assert plain_zh("催收方联系了借款人以外的人（employer）1 次") == "催收方联系了借款人以外的人（工作单位）1次"
    assert plain_zh("不得透露债务（law pack conduct.third_party no_debt_details）") == "不得透露债务"
    assert "clf-" not in plain_zh("分类模型 clf-1.713f6d5e0d 判断为该类（概率 0.94），主要依据「去你家」")
    out = plain_zh("禁止时段（GB/T 45251—2025 5.3；海南日报转载 http://m.example.com/a_1.html；https://x.cn/n/1）")
    assert "http" not in out and "海南日报" in out and "GB/T 45251" in out
    assert plain_zh("号段 1540000xxxx 使用 5 个号码") == "号段1540000××××使用5个号码"
    # note marks are cleaned from stored findings once (migration 0005), not at display: tests/test_migration_note_marks.py
    assert (
        plain_zh("匹配威胁模式 E2「去你家」；匹配辱骂模式 L14「废物」")
        == "匹配威胁模式「去你家」；匹配辱骂模式「废物」"
    )
