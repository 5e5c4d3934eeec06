"""A local RFC 3161 time-stamping authority for tests: own CA, own TSA key, HTTP on 127.0.0.1.

Built with ``cryptography`` (keys, certificates, signatures) and ``asn1crypto``
(TimeStampReq/TimeStampResp/CMS). It answers exactly like a real TSA: a
``TimeStampResp`` whose token is a CMS SignedData over a TSTInfo, signed attributes
with content type and message digest, the signer certificate (and the CA) included
when the request asks for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class LocalPki:
    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey
    tsa_cert: x509.Certificate

    def ca_pem(self, path: Path) -> Path:
        path.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))
        return path


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "weiquan tests")]
    )


def make_pki(cn: str = "weiquan Test Root CA") -> LocalPki:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("weiquan Test TSA"))
        .issuer_name(ca_cert.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return LocalPki(ca_key, ca_cert, tsa_key, tsa_cert)


@dataclass
class LocalTsa:
    pki: LocalPki
    mode: str = "good"  # good|reject|garbage
    serial: int = 0
    requests: list[bytes] = field(default_factory=list)
    url: str = ""

    def respond(self, body: bytes) -> bytes:
        self.requests.append(body)
        if self.mode == "garbage":
            return b"not a timestamp response"
        req = tsp.TimeStampReq.load(body)
        if self.mode == "reject":
            # TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL } — no token here.
            status = tsp.PKIStatusInfo(
                {"status": "rejection", "status_string": ["policy not accepted"], "fail_info": {"unaccepted_policy"}}
            ).dump()
            return core.Sequence.load(b"\x30" + _der_len(len(status)) + status).dump()
        self.serial += 1
        tst = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.3.6.1.4.1.99999.1",
                "message_imprint": req["message_imprint"],
                "serial_number": self.serial,
                "gen_time": dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                "nonce": req["nonce"].native,
            }
        )
        return tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": self.sign(tst, with_certs=bool(req["cert_req"].native)),
            }
        ).dump()

    def sign(self, tst: tsp.TSTInfo, *, with_certs: bool = True) -> cms.ContentInfo:
        content = tst.dump()
        attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
            ]
        )
        signature = self.pki.tsa_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        tsa_asn1 = ax509.Certificate.load(self.pki.tsa_cert.public_bytes(serialization.Encoding.DER))
        ca_asn1 = ax509.Certificate.load(self.pki.ca_cert.public_bytes(serialization.Encoding.DER))
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {"issuer": tsa_asn1.issuer, "serial_number": tsa_asn1.serial_number}
                        )
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                "signature": signature,
            }
        )
        sd = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(content)},
                "certificates": [tsa_asn1, ca_asn1] if with_certs else None,
                "signer_infos": [signer],
            }
        )
        return cms.ContentInfo({"content_type": "signed_data", "content": sd})


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@contextmanager
def running_tsa(pki: LocalPki | None = None, mode: str = "good") -> Iterator[LocalTsa]:
    tsa = LocalTsa(pki or make_pki(), mode=mode)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            answer = tsa.respond(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()
