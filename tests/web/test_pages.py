"""Pages (local mode): every page renders in Chinese, the import → review → documents → package flow works."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.web_builders import calls_backup_xml, post_form, sms_backup_xml
from weiquan.law.pack import load_pack
from weiquan.services import cases
from weiquan.web.guide_data import for_pack, load_guides


def test_home_and_new_case(client: TestClient) -> None:
    home = client.get("/")
    assert "新建案件" in home.text and "第一次使用" in home.text
    r = post_form(client, "/cases", {"name": "我的案件", "lender": "招联"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases/1/import"
    assert "招联" in client.get("/").text
    sug = client.get("/lenders/suggest", params={"lender": "招联"})
    assert "消费金融公司" in sug.text and "data-fill" in sug.text


def test_sample_case_is_marked(client: TestClient, ws) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    c = cases.create_case(ws, "示例案件", is_sample=True)
    assert "示例" in client.get("/").text
    assert "这是<strong>示例</strong>案件" in client.get(f"/cases/{c.id}").text


def test_full_flow_pages(client: TestClient) -> None:
    post_form(client, "/cases", {"name": "流程", "lender": "招联"})
    up = client.post(
        "/cases/1/import/upload",
        headers={"HX-Request": "true"},
        files=[
            ("files", ("sms.xml", sms_backup_xml(30), "text/xml")),
            ("files", ("calls.xml", calls_backup_xml(8), "text/xml")),
        ],
    )
    assert up.text.count("已导入") == 2 and "读取 30 条" in up.text
    an = client.post("/cases/1/analyze", headers={"HX-Request": "true"})
    assert "分析完成" in an.text
    dash = client.get("/cases/1")
    assert "可能违法的催收行为" in dash.text and "每天被联系的次数" in dash.text and "次在夜间" in dash.text
    assert "下一步怎么做" in client.get("/cases/1/plan", headers={"HX-Request": "true"}).text
    tl = client.get("/cases/1/timeline", params={"q": "通讯录"})
    assert "<mark>" in tl.text and "查看原件" in tl.text
    ev = re.search(r"/cases/1/evidence/(\d+)\?event=(\d+)", tl.text)
    assert ev and "SHA-256" in client.get(ev.group(0)).text
    rv = client.get("/cases/1/review")
    fid = re.search(r'id="f(\d+)"', rv.text).group(1)  # type: ignore[union-attr]  # the test asserts the value exists
    assert "相关法律规定" in rv.text and "《" in rv.text
    done = client.post(
        f"/cases/1/findings/{fid}/review", data={"state": "confirmed", "note": ""}, headers={"HX-Request": "true"}
    )
    assert "已确认" in done.text and "已保存" in done.text
    docs = client.get("/cases/1/documents")
    assert "投诉函" in docs.text and "记录已提交" in docs.text
    assert "iframe" in client.get("/cases/1/documents/lender/view").text
    docx = client.get("/cases/1/documents/lender.docx")
    assert docx.content[:2] == b"PK" and docx.headers["content-disposition"].startswith("attachment;")
    r = post_form(
        client,
        "/cases/1/actions",
        {"body": "lender", "document": "lender", "submitted_on": "2025-03-03", "reference_no": "W-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "W-1" in client.get("/cases/1/documents").text and "投诉进度" in client.get("/cases/1").text
    bad = post_form(client, "/cases/1/actions", {"body": "lender", "submitted_on": "31/01/2025"})
    assert bad.status_code == 400 and "日期格式不对" in bad.text
    post_form(client, "/cases", {"name": "另一个"})
    elsewhere = post_form(client, "/cases/2/actions/1", {"status": "closed"})
    assert elsewhere.status_code == 404 and "记录 1 不属于这个案件" in elsewhere.text
    assert "生成证据包" in client.get("/cases/1/package").text
    made = post_form(client, "/cases/1/package", {})
    link = re.search(r'href="(/cases/1/package/files/[^"]+\.zip)"', made.text)
    assert "证据包已生成" in made.text and link
    assert client.get(link.group(1)).content[:2] == b"PK"
    imp = client.get("/cases/1/import")
    assert "sms.xml" in imp.text and "已读取" in imp.text


def test_guides_have_related_links() -> None:
    guides = load_guides()
    assert {"start", "nfra-12378", "record-calls", "tell-family"} <= set(guides)
    for g in guides.values():
        assert g.related or g.tools, g.id


def test_guide_pages(client: TestClient) -> None:
    assert "12378 是什么" in client.get("/guides").text
    for gid, raw in load_guides().items():
        g = for_pack(raw, load_pack())
        page = client.get(f"/guides/{gid}")
        assert page.status_code == 200 and "相关推荐" in page.text and g.title in page.text
        if any(f.confidence == "unverified" for f in g.facts):
            assert "未核实" in page.text
    assert client.get("/guides/nope").status_code == 404


def test_loan_page(client: TestClient) -> None:
    loan = {"lender_type": "small_loan", "contract_date": "2025-01-01", "principal": "10000", "received": "8000"}
    r = post_form(client, "/loans", {**loan, "repayments": "2025-02-01 5500\n2025-03-01 5500 未还"})
    assert r.status_code == 200 and "实际年化利率" in r.text and "被预先扣掉 2000.00 元" in r.text
    bad = post_form(client, "/loans", {**loan, "repayments": "下个月还"})
    assert bad.status_code == 400 and "看不懂" in bad.text
    q = client.get("/loans", params={"daily": "0.05"})
    assert "18.25%" in q.text


def test_errors_are_chinese(client: TestClient) -> None:
    r = client.get("/cases/999")
    assert r.status_code == 404 and "不存在" in r.text
    assert "页面不存在" in client.get("/no/such/page").text
    r = client.post("/cases", data={"name": "x"}, headers={"X-CSRF-Token": ""})  # no valid CSRF token
    assert r.status_code == 403 and "刷新页面" in r.text


def test_dashboard_memo_follows_new_events(client: TestClient) -> None:
    post_form(client, "/cases", {"name": "缓存"})
    client.post("/cases/1/import/upload", files={"files": ("a.xml", sms_backup_xml(5), "text/xml")})
    assert '<span class="n">5</span><span class="t">条联系记录' in client.get("/cases/1").text
    client.post("/cases/1/import/upload", files={"files": ("b.xml", calls_backup_xml(4), "text/xml")})
    assert '<span class="n">9</span><span class="t">条联系记录' in client.get("/cases/1").text
