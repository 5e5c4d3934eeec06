"""Issue 19 items 7 and 9: the same bytes in two users' cases leak nothing; bidi controls are shown, not obeyed."""

from __future__ import annotations

import io
import json
import zipfile

from tests.web.web_builders import Server, sms_backup_xml

API = "/api/v1"
SECRET_NAME = "张三-借款纠纷-私密.xml"


def _case_with(c, name: str, filename: str, data: bytes) -> tuple[int, int]:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    cid = c.post(f"{API}/cases", json={"name": name}).json()["id"]
    [r] = c.post(f"{API}/cases/{cid}/import", files={"files": (filename, data, "text/xml")}).json()
    assert r["status"] == "parsed", r
    return cid, r["evidence_id"]


def test_same_bytes_in_another_users_case_reveal_nothing(server: Server) -> None:
    data = sms_backup_xml(5)
    alice, bob = server.client("alice"), server.client("bob")
    _case_with(alice, "甲", SECRET_NAME, data)
    bob_case, ev = _case_with(bob, "乙", "sms.xml", data)
    # the download and the original's page use bob's own name for the file
    raw = bob.get(f"{API}/cases/{bob_case}/evidence/{ev}/raw")
    assert raw.status_code == 200 and "sms.xml" in raw.headers["content-disposition"]
    for url in (
        f"/cases/{bob_case}/evidence/{ev}",
        f"/cases/{bob_case}/timeline",
        f"/cases/{bob_case}/import",
        f"{API}/cases/{bob_case}/evidence/{ev}",
        f"{API}/cases/{bob_case}/events",
        f"{API}/cases/{bob_case}/files",
    ):
        page = bob.get(url)
        assert page.status_code == 200, url
        assert "张三" not in page.text and "私密" not in page.text, url
        assert "reacquired" not in page.text
    # bob's package: only bob's ledger entries, the same kind of entry as for bytes nobody had
    out = bob.post(f"{API}/cases/{bob_case}/export").json()
    z = zipfile.ZipFile(io.BytesIO(bob.get(out["download"]).content))
    ledger = [
        json.loads(line)
        for n in z.namelist()
        if n.endswith("ledger.jsonl")
        for line in z.read(n).decode().splitlines()
        if line.strip()
    ]
    assert ledger and all(e.get("case_id") in (bob_case, None) for e in ledger), ledger
    assert {e["action"] for e in ledger if e.get("evidence_sha256")} <= {"acquired", "derived"}
    blob = b"".join(z.read(n) for n in z.namelist())
    assert "张三".encode() not in blob and "私密".encode() not in blob
    ok = bob.post(
        f"{API}/verify", files={"package": ("p.zip", bob.get(out["download"]).content, "application/zip")}
    ).json()
    assert ok["ok"] is True, ok


def test_no_evidence_number_tells_that_the_bytes_were_there_before(server: Server) -> None:
    """The vault keeps one row per distinct file; the pages and the API show per-case handles, so an upload of
    bytes someone else holds gets no older number than an upload of new bytes, and links carry no vault id."""
    shared, own = sms_backup_xml(5), sms_backup_xml(6, text="新的字节")
    alice, bob = server.client("alice"), server.client("bob")
    _case_with(alice, "甲", SECRET_NAME, shared)
    bob_case = bob.post(f"{API}/cases", json={"name": "乙"}).json()["id"]
    [first] = bob.post(f"{API}/cases/{bob_case}/import", files={"files": ("own.xml", own, "text/xml")}).json()
    [second] = bob.post(f"{API}/cases/{bob_case}/import", files={"files": ("sms.xml", shared, "text/xml")}).json()
    from sqlalchemy import select

    from weiquan.store.models import Evidence

    with server.ws.db.read_session() as s:
        vault_ids = {sha: i for i, sha in s.execute(select(Evidence.id, Evidence.sha256))}
    shown = {first["evidence_id"], second["evidence_id"]}
    assert not shown & set(vault_ids.values()) and len(shown) == 2  # handles, not the vault's ids
    # the same file keeps its handle in its case (files list, events, pages) and opens; a vault id does not
    files = {f["sha256"]: f["evidence_id"] for f in bob.get(f"{API}/cases/{bob_case}/files").json()}
    assert files == {first["sha256"]: first["evidence_id"], second["sha256"]: second["evidence_id"]}
    refs = {
        r["evidence_id"]
        for e in bob.get(f"{API}/cases/{bob_case}/events?page_size=100").json()["items"]
        for r in e["event"]["evidence"]
    }
    assert refs == shown
    assert (
        bob.get(f"{API}/cases/{bob_case}/evidence/{second['evidence_id']}").json()["evidence_id"]
        == second["evidence_id"]
    )
    raw = bob.get(f"{API}/cases/{bob_case}/evidence/{second['evidence_id']}/raw")
    assert raw.status_code == 200 and raw.content == shared
    assert f'filename="evidence-{second["evidence_id"]}"' in raw.headers["content-disposition"]
    assert bob.get(f"{API}/cases/{bob_case}/evidence/{vault_ids[second['sha256']]}").status_code == 404
    page = bob.get(f"/cases/{bob_case}/timeline").text
    assert f"/evidence/{second['evidence_id']}?" in page and f"/evidence/{vault_ids[second['sha256']]}?" not in page
    # alice's handle of the same bytes is another number
    [alice_case] = [c["id"] for c in alice.get(f"{API}/cases").json()]
    alice_files = alice.get(f"{API}/cases/{alice_case}/files").json()
    assert [f["evidence_id"] for f in alice_files] != [second["evidence_id"]]


def test_bidi_controls_in_file_names_are_neutralised(client) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    cid = client.post(f"{API}/cases", json={"name": "文件名"}).json()["id"]
    name = "催收短信\u202egpj.xml"
    [r] = client.post(f"{API}/cases/{cid}/import", files={"files": (name, sms_backup_xml(3), "text/xml")}).json()
    assert r["status"] == "parsed", r
    for url in (f"/cases/{cid}/import", f"/cases/{cid}/evidence/{r['evidence_id']}", f"/cases/{cid}/timeline"):
        page = client.get(url).text
        assert "\u202e" not in page, url
    assert "[U+202E]" in client.get(f"/cases/{cid}/evidence/{r['evidence_id']}").text
