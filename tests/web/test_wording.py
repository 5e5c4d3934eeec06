"""What a borrower who never read the docs sees: Chinese labels instead of ids, the words that fit the
channel (收到/发出 a message, 来电 a call; one vocabulary, weiquan.zh.labels), a next step on the case page, no CLI commands, no English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.web_builders import calls_backup_xml, sms_backup_xml
from weiquan.services.imports import format_labels
from weiquan.web import labels
from weiquan.web.templating import phone, web_note
from weiquan.zh.steps import Note

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "weiquan" / "web" / "templates"


def _imported(client: TestClient) -> int:
    r = client.post("/api/v1/cases", json={"name": "措辞"})
    cid = int(r.json()["id"])
    up = client.post(
        f"/cases/{cid}/import/upload",
        headers={"HX-Request": "true"},
        files=[
            ("files", ("sms.xml", sms_backup_xml(12), "text/xml")),
            ("files", ("calls.xml", calls_backup_xml(4), "text/xml")),
        ],
    )
    assert up.status_code == 200
    assert "synctech" not in up.text and "短信备份" in up.text and "通话记录备份" in up.text
    client.post(f"/cases/{cid}/analyze", headers={"HX-Request": "true"})
    return cid


def test_direction_words_follow_the_channel() -> None:
    assert labels.direction_label("sms", "incoming") == "收到"
    assert labels.direction_label("sms", "outgoing") == "发出"
    assert labels.direction_label("call", "incoming") == "来电"
    assert labels.direction_label("call", "missed") == "未接来电"
    assert labels.direction_label("sms", "unknown") == "" and labels.direction_label(None, None) == ""


def test_format_labels_never_show_ids() -> None:
    formats = format_labels()  # each importer's own label_zh
    assert labels.file_format("synctech_sms", None, formats).startswith("短信备份")
    assert labels.file_format("some_future_importer", None, formats) == "其他格式"
    assert labels.file_format(None, "image/png") == "图片"
    assert labels.file_format(None, None) == ""


def test_phone_numbers_as_written_in_china() -> None:
    assert phone("+8613800138000") == "138 0013 8000"
    assert phone("+8675500001234") == "0755 0000 1234"
    assert phone("10690000123451") == "10690000123451"
    assert phone("+12025550123").startswith("+1 ")
    assert phone(None) == ""


@pytest.mark.parametrize(
    ("note", "link"),
    [
        (Note("有 3 项自动识别的违规尚未人工核实：提交前请逐项确认。", step="review"), "/cases/7/review"),
        (Note("请保留借款核查结果。", step="loan"), "/loans"),
        (Note("请查找放款机构全称，再查询其牌照。", step="lender"), "/#new-case"),
    ],
)
def test_plan_notes_point_to_pages_not_commands(note: Note, link: str) -> None:
    html = str(web_note(note, 7))
    assert "weiquan" not in html and f'href="{link}"' in html and html.endswith("页）。")


def test_plan_note_is_escaped() -> None:
    assert "<b>" not in str(web_note(Note("<b>x</b>", step="review"), 1))
    assert str(web_note(Note("导入新的报价。", step="lpr_update"))) == "导入新的报价（目前只能在命令行中操作）。"


def test_timeline_dashboard_and_plan_in_plain_chinese(client: TestClient) -> None:
    cid = _imported(client)
    tl = client.get(f"/cases/{cid}/timeline", params={"channel": "sms"}).text
    assert "收到" in tl and "来电" not in tl and "短信署名" in tl
    assert "138 0013 8000" in tl  # numbers shown the way people write them
    calls = client.get(f"/cases/{cid}/timeline", params={"channel": "call"}).text
    assert "来电" in calls
    dash = client.get(f"/cases/{cid}").text
    step = re.search(r'<section class="card notice next-step".*?</section>', dash, re.S)
    assert step and "下一步" in step.group(0) and f"/cases/{cid}/review?state=auto" in step.group(0)
    plan = client.get(f"/cases/{cid}/plan", headers={"HX-Request": "true"}).text
    assert "weiquan " not in plan
    imp = client.get(f"/cases/{cid}/import").text
    assert "synctech" not in imp and "短信备份" in imp


def test_empty_case_says_what_to_do_first(client: TestClient) -> None:
    cid = int(client.post("/api/v1/cases", json={"name": "空"}).json()["id"])
    dash = client.get(f"/cases/{cid}").text
    assert "第一步" in dash and f"/cases/{cid}/import" in dash and "/guides/export-phone" in dash
    assert "weiquan " not in client.get(f"/cases/{cid}/plan", headers={"HX-Request": "true"}).text


def test_confirmed_findings_lead_to_documents(client: TestClient) -> None:
    cid = _imported(client)
    for f in client.get(f"/api/v1/cases/{cid}/findings").json():
        client.post(f"/api/v1/cases/{cid}/findings/{f['id']}/review", json={"state": "confirmed"})
    step = re.search(r'<section class="card notice next-step".*?</section>', client.get(f"/cases/{cid}").text, re.S)
    assert step and f"/cases/{cid}/documents" in step.group(0) and "生成投诉材料" in step.group(0)


def test_error_page_keeps_english_out_of_sight(client: TestClient) -> None:
    r = client.get("/cases/999")
    assert r.status_code == 404
    visible = re.sub(r"<details.*?</details>", "", r.text, flags=re.S)
    body = re.search(r"<main.*?</main>", visible, re.S)
    assert body and not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", "", body.group(0)))


def test_no_javascript_urls_in_templates() -> None:
    # the CSP forbids inline script, so a javascript: link would silently do nothing
    for t in TEMPLATES.glob("*.html"):
        assert "javascript:" not in t.read_text(encoding="utf-8"), t.name
