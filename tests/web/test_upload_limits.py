"""Issue 19 item 5: every upload path has bounded size; a chunked upload over the limit is a 413."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from fastapi.testclient import TestClient

from tests.web.web_builders import sms_backup_xml
from weiquan.web import create_app
from weiquan.web.config import WebConfig

API = "/api/v1"


def _multipart(boundary: str, payload: bytes) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode()
    for i in range(0, len(payload), 64 * 1024):
        yield payload[i : i + 64 * 1024]
    yield f"\r\n--{boundary}--\r\n".encode()


def test_chunked_upload_over_the_limit_is_413(ws) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    """No Content-Length (chunked): the limit is hit while the form is parsed, inside a task group."""
    with TestClient(
        create_app(ws, config=WebConfig(max_upload_mb=1, run_extraction=False)), raise_server_exceptions=False
    ) as c:
        cid = c.post(f"{API}/cases", json={"name": "x"}).json()["id"]
        big = sms_backup_xml(1) + b"<!--" + b"x" * (3 * 1024 * 1024) + b"-->"
        r = c.post(
            f"{API}/cases/{cid}/import",
            content=_multipart("b0undary", big),
            headers={"content-type": "multipart/form-data; boundary=b0undary"},
        )
        assert r.status_code == 413, (r.status_code, r.text[:300])
        assert r.json()["error"]["zh"].startswith("上传内容超过")
        assert c.get(f"{API}/cases/{cid}/files").json() == []


def test_unrecognised_archive_members_are_not_stored(client: TestClient) -> None:
    cid = client.post(f"{API}/cases", json={"name": "压缩包"}).json()["id"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sms.xml", sms_backup_xml(4))
        for i in range(5):
            zf.writestr(f"junk-{i}.bin", bytes([i]) * (2 * 1024 * 1024))  # compresses to almost nothing
    r = client.post(f"{API}/cases/{cid}/import", files={"files": ("backup.zip", buf.getvalue(), "application/zip")})
    assert r.status_code == 200, r.text
    by_name = {x["name"]: x for x in r.json()}
    assert by_name["backup.zip!/sms.xml"]["status"] == "parsed"
    refused = [x for n, x in by_name.items() if "junk-" in n]
    assert len(refused) == 5 and all(x["status"] == "refused" and x["sha256"] is None for x in refused)
    ws = client.app.state.ws  # type: ignore[attr-defined]  # TestClient's app and the result union are typed loosely
    stored = sum(1 for _ in ws.vault.blobs.iter_shas())
    assert stored == 2  # the archive and sms.xml, not the junk
