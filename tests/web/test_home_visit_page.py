"""Issue 15 item 3: a visit recorded on the 手动记录 form is shown as 上门催收 (home_visit, conduct) on the review page and
the case dashboard, never as 上门恐吓 (a threat)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.web_builders import post_form


def test_a_recorded_visit_is_shown_as_a_visit_not_a_threat(client: TestClient) -> None:
    assert (
        post_form(client, "/cases", {"name": "上门案件", "lender": "速借"}, follow_redirects=False).status_code == 303
    )
    r = post_form(
        client,
        "/cases/1/events/new",
        {"channel": "visit", "time": "2026-03-02 15:00", "text": "两个人到家门口要钱，坐了一个小时才走"},
        follow_redirects=False,
    )
    assert r.status_code in (200, 303)
    assert "分析完成" in client.post("/cases/1/analyze", headers={"HX-Request": "true"}).text
    for page in ("/cases/1/review", "/cases/1"):
        text = client.get(page).text
        assert "上门催收" in text and "上门恐吓" not in text, page
    assert "治安管理处罚法" in client.get("/cases/1/review").text
