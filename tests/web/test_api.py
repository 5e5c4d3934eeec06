"""REST API (local mode): every endpoint under /api/v1, with real services underneath."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient

from tests.web.web_builders import THREAT, calls_backup_xml, sms_backup_xml

API = "/api/v1"


def _case(client: TestClient, **kw: object) -> int:
    r = client.post(f"{API}/cases", json={"name": "测试案件", "lender": "招联", **kw})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _imported(client: TestClient) -> int:
    cid = _case(client)
    r = client.post(
        f"{API}/cases/{cid}/import",
        files=[
            ("files", ("sms-20250301.xml", sms_backup_xml(30), "text/xml")),
            ("files", ("calls-20250301.xml", calls_backup_xml(10), "text/xml")),
        ],
    )
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()] == ["parsed", "parsed"]
    assert client.post(f"{API}/cases/{cid}/analyze").status_code == 200
    return cid


def test_openapi_lists_every_area(client: TestClient) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for p in (
        "/cases",
        "/cases/{case_id}/import",
        "/cases/{case_id}/events",
        "/cases/{case_id}/findings",
        "/cases/{case_id}/findings/{finding_id}/review",
        "/cases/{case_id}/plan",
        "/documents",
        "/cases/{case_id}/actions",
        "/cases/{case_id}/export",
        "/verify",
        "/loans/check",
        "/lenders",
    ):
        assert f"{API}{p}" in paths, p
    assert not any(p.startswith("/cases") for p in paths), "pages must not be in the API schema"


def test_case_crud_and_lender_fill(client: TestClient) -> None:
    cid = _case(client, borrower_name="张三")
    c = client.get(f"{API}/cases/{cid}").json()
    assert c["lender_name"] == "招联" and c["licence_type"] == "consumer_finance" and c["lender_entity"]
    assert [x["id"] for x in client.get(f"{API}/cases").json()] == [cid]
    r = client.patch(f"{API}/cases/{cid}", json={"name": "改名", "notes": "备注"})
    assert r.status_code == 200 and r.json()["name"] == "改名"
    assert (
        client.patch(f"{API}/cases/{cid}", json={"owner_id": 5}).status_code == 200
    )  # unknown fields ignored by the schema
    assert client.get(f"{API}/cases/{cid}").json()["owner_id"] is None
    assert client.post(f"{API}/cases", json={"name": ""}).status_code == 422
    assert client.delete(f"{API}/cases/{cid}").json()["deleted"] is True
    r = client.get(f"{API}/cases/{cid}")
    assert r.status_code == 404 and r.json()["error"]["zh"]


def test_lenders_and_loans(client: TestClient) -> None:
    hits = client.get(f"{API}/lenders", params={"q": "招联"}).json()
    assert hits and hits[0]["licence_type"] == "consumer_finance"
    loan = {
        "lender_type": "small_loan",
        "contract_date": "2025-01-01",
        "principal": 10000,
        "disbursed": [{"date": "2025-01-01", "amount": 8000}],
        "repayments": [{"date": "2025-02-01", "amount": 5500}, {"date": "2025-03-01", "amount": 5500}],
        "as_of": "2025-03-02",
    }
    out = client.post(f"{API}/loans/check", json=loan).json()
    assert out["upfront_deduction"] == 2000 and out["apr"] > 1 and out["verdict"] != "lawful"
    bad = client.post(f"{API}/loans/check", json={**loan, "lender_type": "martian"})
    assert bad.status_code == 400 and "lender_type" in bad.json()["error"]["en"]
    rates = client.get(f"{API}/loans/rates", params={"daily_percent": 0.05, "monthly_fee_percent": 1.5}).json()
    assert rates["daily"]["nominal_annual"] == pytest.approx(0.1825)
    assert rates["fee"]["apr"] > rates["fee"]["nominal_annual"]


def test_import_refusals_leave_nothing(client: TestClient, ws) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    cid = _case(client)
    r = client.post(
        f"{API}/cases/{cid}/import",
        files={"files": ("../../../etc/passwd.exe", b"MZ\x90\x00" + bytes(300), "application/octet-stream")},
    )
    assert r.status_code == 200
    (res,) = r.json()
    assert res["status"] == "refused" and res["name"] == "passwd.exe" and "无法识别" in res["error"]
    r = client.post(f"{API}/cases/{cid}/import", files={"files": ("empty.xml", b"", "text/xml")})
    assert r.json()[0]["status"] == "refused"
    assert client.get(f"{API}/cases/{cid}/files").json() == []
    assert not any((ws.home / "uploads-tmp").iterdir()), "staging folder must be cleaned"


def test_upload_size_limit(ws) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    from weiquan.web import create_app
    from weiquan.web.config import WebConfig

    with TestClient(create_app(ws, config=WebConfig(max_upload_mb=1, run_extraction=False))) as c:
        cid = c.post(f"{API}/cases", json={"name": "x"}).json()["id"]
        big = sms_backup_xml(1) + b"<!--" + b"x" * (2 * 1024 * 1024) + b"-->"
        r = c.post(f"{API}/cases/{cid}/import", files={"files": ("big.xml", big, "text/xml")})
        assert r.status_code == 413 and r.json()["error"]["zh"].startswith("上传内容超过")
        assert c.get(f"{API}/cases/{cid}/files").json() == []
        assert c.get(f"{API}/cases/{cid}/events").json()["items"] == []


def test_broken_file_is_kept_but_adds_no_events(client: TestClient) -> None:
    cid = _case(client)
    good = sms_backup_xml(5)
    broken = good[: len(good) // 2]  # cut mid-element
    res = client.post(f"{API}/cases/{cid}/import", files={"files": ("sms-broken.xml", broken, "text/xml")}).json()[0]
    assert res["status"] in ("unparsed", "partial")
    files = client.get(f"{API}/cases/{cid}/files").json()
    assert len(files) == 1 and files[0]["status"] == res["status"]
    events = client.get(f"{API}/cases/{cid}/events").json()["items"]
    assert len(events) == res["added"]


def test_timeline_filters_and_pages(client: TestClient) -> None:
    cid = _imported(client)
    base = f"{API}/cases/{cid}/events"
    allp = client.get(base, params={"page_size": 500}).json()
    assert len(allp["items"]) == 40 and not allp["has_next"]
    p1 = client.get(base, params={"page_size": 15}).json()
    p3 = client.get(base, params={"page_size": 15, "page": 3}).json()
    assert p1["has_next"] and not p3["has_next"] and len(p3["items"]) == 10
    assert [
        i["event"]["channel"] for i in client.get(base, params={"channel": "call", "page_size": 500}).json()["items"]
    ] == ["call"] * 10
    hits = client.get(base, params={"q": "通讯录"}).json()["items"]
    assert hits and all("通讯录" in i["event"]["text"] for i in hits)
    assert len(client.get(base, params={"number": "13800138001"}).json()["items"]) == 3
    day = client.get(base, params={"since": "2025-03-02", "until": "2025-03-02", "page_size": 500}).json()["items"]
    assert day and all(i["event"]["start"].startswith("2025-03-02") for i in day)
    cats = {f["category"] for f in client.get(f"{API}/cases/{cid}/findings").json()}
    cat = sorted(cats)[0]
    in_cat = client.get(base, params={"category": cat, "page_size": 500}).json()["items"]
    assert in_cat and all(any(f["category"] == cat for f in i["findings"]) for i in in_cat)
    assert client.get(base, params={"channel": "pigeon"}).status_code == 400


def test_evidence_original(client: TestClient) -> None:
    cid = _imported(client)
    item = client.get(f"{API}/cases/{cid}/events", params={"page_size": 1}).json()["items"][0]
    ref = item["event"]["evidence"][0]
    view = client.get(f"{API}/cases/{cid}/evidence/{ref['evidence_id']}").json()
    assert view["sha256"] == ref["sha256"] and view["events"]
    raw = client.get(f"{API}/cases/{cid}/evidence/{ref['evidence_id']}/raw")
    assert (
        raw.status_code == 200
        and raw.content.startswith(b"<?xml")
        and "attachment" in raw.headers["content-disposition"]
    )
    other = _case(client, name="另一个")
    assert client.get(f"{API}/cases/{other}/evidence/{ref['evidence_id']}").status_code == 404


def test_findings_review_and_plan(client: TestClient) -> None:
    cid = _imported(client)
    findings = client.get(f"{API}/cases/{cid}/findings").json()
    assert findings and all(f["review_state"] == "auto" for f in findings)
    f = next(x for x in findings if x["events"] and x["events"][0]["spans"])
    ev = f["events"][0]
    a, b = ev["spans"][0]
    assert ev["text"][a:b] in THREAT
    r = client.post(f"{API}/cases/{cid}/findings/{f['id']}/review", json={"state": "confirmed", "note": "属实"})
    assert r.status_code == 200 and r.json()["review_state"] == "confirmed"
    assert [x["id"] for x in client.get(f"{API}/cases/{cid}/findings", params={"state": "confirmed"}).json()] == [
        f["id"]
    ]
    assert client.post(f"{API}/cases/{cid}/findings/{f['id']}/review", json={"state": "maybe"}).status_code == 422
    other = _case(client, name="另一个")
    assert client.post(f"{API}/cases/{other}/findings/{f['id']}/review", json={"state": "rejected"}).status_code == 404
    plan = client.get(f"{API}/cases/{cid}/plan").json()
    assert plan["case_id"] == cid and plan["steps"]
    dash = client.get(f"{API}/cases/{cid}/dashboard").json()
    assert dash["total_events"] == 40 and dash["by_channel"] == {"call": 10, "sms": 30}
    assert sum(sum(r) for r in dash["heat"]) == 40 and dash["night"] >= 10


def test_documents_and_actions(client: TestClient) -> None:
    cid = _imported(client)
    docs = {d["id"] for d in client.get(f"{API}/documents").json()}
    assert {"lender", "regulator", "police", "catalogue"} <= docs
    html = client.get(f"{API}/cases/{cid}/documents/lender.html")
    assert html.status_code == 200 and "投诉" in html.text and "sandbox" in html.headers["content-security-policy"]
    docx = client.get(f"{API}/cases/{cid}/documents/lender.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert zipfile.ZipFile(io.BytesIO(docx.content)).testzip() is None
    assert client.get(f"{API}/cases/{cid}/documents/lender.exe").status_code == 404
    assert client.get(f"{API}/cases/{cid}/documents/nonsense.docx").status_code in (400, 404)
    r = client.post(
        f"{API}/cases/{cid}/actions",
        json={"body": "lender", "document": "lender", "submitted_at": "2025-03-03", "reference_no": "TS-1"},
    )
    assert r.status_code == 201, r.text
    act = r.json()
    assert act["status"] == "sent" and act["due_at"] and act["due_at"] > "2025-03-03"
    r = client.patch(f"{API}/cases/{cid}/actions/{act['id']}", json={"status": "replied", "response": "已处理"})
    assert r.json()["status"] == "replied"
    assert [a["id"] for a in client.get(f"{API}/cases/{cid}/actions").json()] == [act["id"]]
    other = _case(client, name="另一个")
    assert client.patch(f"{API}/cases/{other}/actions/{act['id']}", json={"status": "closed"}).status_code == 404
    assert client.post(f"{API}/cases/{cid}/actions", json={"body": "no_such_body"}).status_code == 400


@pytest.mark.slow
def test_pdf_document(client: TestClient) -> None:
    cid = _imported(client)
    pdf = client.get(f"{API}/cases/{cid}/documents/lender.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


@pytest.mark.slow
def test_export_download_verify(client: TestClient) -> None:
    cid = _imported(client)
    out = client.post(f"{API}/cases/{cid}/export").json()
    assert out["originals"] == 2 and len(out["merkle_root"]) == 64
    assert [p["name"] for p in client.get(f"{API}/cases/{cid}/packages").json()] == [out["path"]]
    z = client.get(out["download"])
    assert z.status_code == 200 and z.content[:2] == b"PK"
    ok = client.post(f"{API}/verify", files={"package": ("p.zip", z.content, "application/zip")}).json()
    assert ok["ok"] is True and ok["merkle_root"] == out["merkle_root"]
    bad = bytearray(z.content)
    bad[len(bad) // 3] ^= 0x01
    res = client.post(f"{API}/verify", files={"package": ("p.zip", bytes(bad), "application/zip")}).json()
    assert res["ok"] is False and res["problems"]
    assert client.get(f"{API}/cases/{cid}/packages/..%2F..%2Fweiquan.db").status_code == 404
