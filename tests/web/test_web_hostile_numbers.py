"""Issue 19 item 2 on the web: ids beyond 64 bits and non-finite numbers are refused (404/422), never a 500."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.web_builders import calls_backup_xml

HUGE = ("9223372036854775808", "18446744073709551616", "1" + "0" * 30)


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route with a path parameter, through included routers."""
    out = []

    def walk(routes: list, prefix: str) -> None:  # type: ignore[type-arg]  # untyped pytest fixtures or test doubles
        for r in routes:
            if hasattr(r, "original_router"):  # FastAPI's included router
                walk(r.original_router.routes, prefix + r.include_context.prefix)
                continue
            path = prefix + getattr(r, "path", "")
            if "{" not in path or not getattr(r, "methods", None):
                continue
            out.extend((m, path) for m in sorted(r.methods) if m in ("GET", "POST", "PUT", "PATCH", "DELETE"))

    walk(client.app.routes, "")  # type: ignore[attr-defined]  # TestClient's app and the result union are typed loosely
    return out


@pytest.mark.parametrize("huge", HUGE)
def test_every_route_with_an_id_answers_huge_ids_without_a_500(client: TestClient, huge: str) -> None:
    case = client.post("/api/v1/cases", json={"name": "大数"}).json()["id"]
    seen = 0
    for method, path in _routes(client):
        # each id in turn is the huge one; the others are real
        names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
        for bad in names:
            url = path
            for n in names:
                url = re.sub(r"\{" + n + r"(?::\w+)?\}", huge if n == bad else str(case if n == "case_id" else 1), url)
            r = client.request(method, url, json={})
            seen += 1
            assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
            if bad == "case_id" or method == "GET":
                assert r.status_code in (400, 404, 405, 422), (method, url, r.status_code)
    assert seen > 20


@pytest.mark.parametrize("huge", HUGE)
def test_integer_query_parameters_beyond_64_bits(client: TestClient, huge: str) -> None:
    case = client.post("/api/v1/cases", json={"name": "大数"}).json()["id"]
    for url in (f"/api/v1/cases/{case}/evidence/1?event={huge}", f"/cases/{case}/evidence/1?event={huge}"):
        r = client.get(url)
        assert r.status_code in (404, 422, 400), (url, r.status_code, r.text[:300])


@pytest.mark.parametrize("value", ["1e400", "Infinity", "NaN", "-50", "-Infinity"])
def test_manual_event_duration_must_be_a_real_duration(client: TestClient, value: str) -> None:
    case = client.post("/api/v1/cases", json={"name": "时长"}).json()["id"]
    body = '{"channel": "call", "time": "2025-03-01 21:05", "number": "15400000001", "duration_s": %s}' % value
    r = client.post(f"/api/v1/cases/{case}/events", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert client.get(f"/api/v1/cases/{case}/events").json()["items"] == []
    assert client.get(f"/cases/{case}/timeline").status_code == 200


@pytest.mark.parametrize("value", ["inf", "1e400", "-50", "nan"])
def test_imported_bad_duration_keeps_the_case_usable(client: TestClient, value: str) -> None:
    case = client.post("/api/v1/cases", json={"name": "时长"}).json()["id"]
    data = calls_backup_xml(3).replace(b'duration="', b'duration="' + value.encode() + b'" x="', 1)
    r = client.post(f"/api/v1/cases/{case}/import", files={"files": ("calls.xml", data, "application/xml")})
    assert r.status_code in (200, 201), r.text
    assert client.get(f"/cases/{case}/timeline").status_code == 200
    page = client.get(f"/api/v1/cases/{case}/events").json()
    assert len(page["items"]) == 3
    assert "Infinity" not in client.get(f"/api/v1/cases/{case}/events").text
