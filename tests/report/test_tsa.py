"""RFC 3161 timestamps against a local test TSA (own CA and key, HTTP on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import zipfile
from pathlib import Path

import pytest
from asn1crypto import cms
from typer.testing import CliRunner

from tests.report.report_case_builder import BuiltCase
from tests.report.report_tsa_server import make_pki, running_tsa
from weiquan.cli import app
from weiquan.report import tsa
from weiquan.report import verify as verifier
from weiquan.services.export import export_case, verify_package
from weiquan.workspace import Workspace

ROOT = hashlib.sha256(b"merkle root of a test package").digest()


def _token(url: str, digest: bytes = ROOT) -> bytes:
    return tsa.request_timestamp(digest, url, timeout=5)


def _replace_token(zip_path: Path, out: Path, token: bytes) -> Path:
    with zipfile.ZipFile(zip_path) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/" + verifier.TSA_TOKEN):
                data = token
            zout.writestr(info, data)
    return out


def test_good_token_verifies() -> None:
    with running_tsa() as server:
        token = _token(server.url)
        check = tsa.verify_token(token, ROOT)
    assert check.ok and check.imprint_ok and check.signature_ok and check.time_ok
    assert check.chain == "not_checked"
    assert "weiquan Test TSA" in (check.tsa or "")
    gen = dt.datetime.fromisoformat(check.gen_time or "")
    assert abs((dt.datetime.now(dt.timezone.utc) - gen).total_seconds()) < 60


def test_chain_to_given_trust_anchor(tmp_path: Path) -> None:
    pki = make_pki()
    with running_tsa(pki) as server:
        token = _token(server.url)
    good = tsa.verify_token(token, ROOT, trust_anchors=[pki.ca_pem(tmp_path / "ca.pem")])
    assert good.ok and good.chain == "trusted"
    stranger = make_pki("Some Other CA")
    bad = tsa.verify_token(token, ROOT, trust_anchors=[stranger.ca_pem(tmp_path / "other.pem")])
    assert not bad.ok and bad.chain == "untrusted" and bad.signature_ok


def test_tampered_token_fails() -> None:
    with running_tsa() as server:
        token = _token(server.url)
    # Flip a byte of the signature (the last bytes of the token).
    sig_flipped = bytearray(token)
    sig_flipped[-3] ^= 0x01
    c1 = tsa.verify_token(bytes(sig_flipped), ROOT)
    assert not c1.ok and not c1.signature_ok
    # Change the stamped time inside the TSTInfo: the signed message digest no longer matches.
    ci = cms.ContentInfo.load(token)
    tst_bytes = ci["content"]["encap_content_info"]["content"].contents
    year = dt.datetime.now(dt.timezone.utc).strftime("%Y").encode()
    assert year in tst_bytes
    forged = token.replace(tst_bytes, tst_bytes.replace(year, b"2019", 1))
    c2 = tsa.verify_token(forged, ROOT)
    assert not c2.ok and not c2.signature_ok
    assert "digest" in (c2.problem_en or "")
    # A genuine token over some other digest: imprint mismatch.
    c3 = tsa.verify_token(token, hashlib.sha256(b"another package").digest())
    assert not c3.ok and not c3.imprint_ok and c3.signature_ok
    # Garbage.
    c4 = tsa.verify_token(b"\x30\x03\x02\x01\x00", ROOT)
    assert not c4.ok and c4.problem_en


def test_future_time_rejected() -> None:
    with running_tsa() as server:
        token = _token(server.url)
    check = tsa.verify_token(token, ROOT, now=dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))
    assert not check.ok and not check.time_ok


def test_request_carries_nonce_and_imprint() -> None:
    with running_tsa() as server:
        _token(server.url)
        from asn1crypto import tsp

        req = tsp.TimeStampReq.load(server.requests[0])
    assert req["message_imprint"]["hashed_message"].native == ROOT
    assert req["cert_req"].native is True and req["nonce"].native


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def test_unreachable_or_refusing_tsa_is_clear() -> None:
    with pytest.raises(tsa.TsaUnavailable) as e:
        _token(_closed_port_url())
    assert "无法连接" in e.value.zh
    with running_tsa(mode="reject") as server, pytest.raises(tsa.TsaUnavailable) as e2:
        _token(server.url)
    assert "rejection" in e2.value.en
    with running_tsa(mode="garbage") as server, pytest.raises(tsa.TsaUnavailable):
        _token(server.url)
    with pytest.raises(tsa.TsaUnavailable):
        _token("ftp://example.invalid/tsa")


def test_export_with_timestamp_round_trip(ws: Workspace, built: BuiltCase, tmp_path: Path) -> None:
    pki = make_pki()
    with running_tsa(pki) as server:
        res = export_case(ws, built.case_id, tmp_path / "case.zip", tsa_url=server.url, with_report=False)
    assert res.timestamp and res.timestamp["imprint"] == res.merkle_root
    v = verify_package(res.path, tsa_ca=[pki.ca_pem(tmp_path / "ca.pem")])
    assert v.ok, v.problems
    assert v.timestamp and v.timestamp["signature_ok"] and v.timestamp["chain"] == "trusted"
    # The stdlib verifier accepts the token's imprint too.
    assert verifier.verify_package(str(res.path))["timestamp"] == {"present": True, "imprint_matches": True}
    # A tampered token inside the package is named.
    with zipfile.ZipFile(res.path) as zf:
        token = zf.read(next(n for n in zf.namelist() if n.endswith(verifier.TSA_TOKEN)))
    bad = bytearray(token)
    bad[-3] ^= 0x01
    broken = _replace_token(res.path, tmp_path / "broken.zip", bytes(bad))
    v2 = verify_package(broken)
    assert not v2.ok and [p["path"] for p in v2.problems] == [verifier.TSA_TOKEN]
    # CLI shows the timestamp and exits 1 on the broken one.
    runner = CliRunner()
    r = runner.invoke(app, ["--home", str(ws.home), "verify", str(res.path)])
    assert r.exit_code == 0 and "可信时间戳" in r.stdout
    r = runner.invoke(app, ["--home", str(ws.home), "verify", str(broken)])
    assert r.exit_code == 1


def test_token_from_another_package_is_named(ws: Workspace, built: BuiltCase, tmp_path: Path) -> None:
    with running_tsa() as server:
        a = export_case(ws, built.case_id, tmp_path / "a.zip", tsa_url=server.url, with_report=False)
        foreign = _token(server.url, hashlib.sha256(b"x").digest())
    swapped = _replace_token(a.path, tmp_path / "swapped.zip", foreign)
    raw = verifier.verify_package(str(swapped))
    assert not raw["ok"] and raw["problems"][0]["path"] == verifier.TSA_TOKEN
    assert not verify_package(swapped).ok


def test_export_without_network_skips_timestamp(ws: Workspace, built: BuiltCase, tmp_path: Path) -> None:
    res = export_case(ws, built.case_id, tmp_path / "case.zip", tsa_url=_closed_port_url(), with_report=False)
    assert res.timestamp is None
    assert any("已跳过可信时间戳" in n.zh and "skipped" in n.en for n in res.notices)
    with zipfile.ZipFile(res.path) as zf:
        assert not any(n.endswith(verifier.TSA_TOKEN) for n in zf.namelist())
    assert verify_package(res.path).ok
