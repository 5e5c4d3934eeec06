"""RFC 3161 trusted timestamps over an evidence package's Merkle root.

The Merkle root is itself a SHA-256 digest, so it is sent as the message imprint
(hash algorithm SHA-256) unchanged; ``openssl ts -verify -digest <root> -in
merkle_root.tsr -CAfile <tsa-ca.pem>`` checks the same token independently.

- :func:`request_timestamp` builds a ``TimeStampReq`` (with a nonce and ``certReq``),
  POSTs it to the user's TSA with urllib and returns the token (DER ``ContentInfo``).
  No network, a refusal or a malformed answer raise :class:`TsaUnavailable`, which the
  export turns into a clear "skipped" notice.
- :func:`verify_token` checks the imprint, the CMS signature (RSA PKCS#1 v1.5, RSA-PSS
  or ECDSA, over the signed attributes, whose message digest must match the TSTInfo),
  the signing certificate (time-stamping usage, valid at the stamped time) and the
  time, and — when trust anchors are given — the certificate chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from weiquan import __version__

CLOCK_SKEW = dt.timedelta(minutes=5)
_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class TsaUnavailable(Exception):
    """The TSA could not be reached or gave no usable token (bilingual reason)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class TokenCheck:
    ok: bool
    imprint_ok: bool
    signature_ok: bool
    time_ok: bool
    chain: str  # trusted|untrusted|not_checked
    gen_time: str | None = None
    tsa: str | None = None
    serial: int | None = None
    policy: str | None = None
    problem_zh: str | None = None
    problem_en: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"present": True, **asdict(self)}


# --------------------------------------------------------------------------- request


class _TimeStampResp(core.Sequence):
    """RFC 3161 TimeStampResp with the token OPTIONAL (asn1crypto's class requires it; refusals omit it)."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def build_request(digest: bytes, *, nonce: int | None = None) -> tsp.TimeStampReq:
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest (32 bytes) is required")
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce if nonce is not None else secrets.randbits(63),
            "cert_req": True,
        }
    )


def request_timestamp(digest: bytes, url: str, *, timeout: float = 20.0) -> bytes:
    """Ask the TSA at ``url`` for a token over ``digest``; returns the token's DER bytes."""
    if not url.lower().startswith(("http://", "https://")):
        raise TsaUnavailable(
            f"时间戳服务地址必须以 http:// 或 https:// 开头：{url}",
            f"TSA URL must start with http:// or https://: {url}",
        )
    req = build_request(digest)
    http = urllib.request.Request(
        url,
        data=req.dump(),
        method="POST",
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
            "User-Agent": f"weiquan/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as resp:  # noqa: S310 - the user's own TSA URL
            body = resp.read(1 << 20)
    except urllib.error.HTTPError as e:
        raise TsaUnavailable(f"时间戳服务返回错误 HTTP {e.code}", f"the TSA answered HTTP {e.code}") from e
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        reason = getattr(e, "reason", e)
        raise TsaUnavailable(
            f"无法连接时间戳服务（无网络或地址错误）：{reason}",
            f"cannot reach the TSA (no network or wrong URL): {reason}",
        ) from e
    try:
        tsr = _TimeStampResp.load(body)
        status = tsr["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            text = "; ".join(tsr["status"]["status_string"].native or []) if tsr["status"]["status_string"] else ""
            raise TsaUnavailable(
                f"时间戳服务拒绝了请求：{status} {text}", f"the TSA refused the request: {status} {text}"
            )
        token = tsr["time_stamp_token"]
        if not isinstance(token, cms.ContentInfo):
            raise TsaUnavailable("时间戳服务的回复中没有时间戳", "the TSA's answer carries no timestamp token")
        der = token.dump()
        tst = _tst_info(cms.ContentInfo.load(der))
        nonce_ok = tst["nonce"].native == req["nonce"].native
    except TsaUnavailable:
        raise
    except (ValueError, TypeError, KeyError) as e:
        raise TsaUnavailable("时间戳服务的回复无法解析", f"the TSA's answer could not be parsed: {e}") from e
    if not nonce_ok:
        raise TsaUnavailable(
            "时间戳回复与请求不对应（随机数不符）", "the TSA's answer does not match the request (nonce)"
        )
    check = verify_token(der, digest)
    if not (check.imprint_ok and check.signature_ok):
        raise TsaUnavailable(f"时间戳无效：{check.problem_zh}", f"invalid timestamp token: {check.problem_en}")
    return der


# --------------------------------------------------------------------------- inspection


def _tst_info(ci: cms.ContentInfo) -> tsp.TSTInfo:
    if ci["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData")
    encap = ci["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("not a timestamp token (eContentType is not id-ct-TSTInfo)")
    return encap["content"].parsed


def describe_token(token: bytes, digest: bytes) -> dict[str, Any]:
    """Facts about a token for ``timestamp/tsa.json``."""
    ci = cms.ContentInfo.load(token)
    tst = _tst_info(ci)
    cert = _signer_cert(ci["content"])
    return {
        "gen_time": tst["gen_time"].native.astimezone(dt.timezone.utc).isoformat(),
        "serial": tst["serial_number"].native,
        "policy": tst["policy"].dotted,
        "tsa": cert.subject.rfc4514_string() if cert is not None else None,
        "hash_algorithm": tst["message_imprint"]["hash_algorithm"]["algorithm"].native,
        "imprint": digest.hex(),
        "verify_with_openssl": "openssl ts -verify -digest <MERKLE_ROOT> -in timestamp/merkle_root.tsr -CAfile <TSA CA>",
    }


def _signer_cert(sd: cms.SignedData) -> x509.Certificate | None:
    si = sd["signer_infos"][0]
    sid = si["sid"]
    for c in sd["certificates"] or []:
        if c.name != "certificate":
            continue
        cert = c.chosen
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    return None


def _load_anchor(path: Path) -> list[x509.Certificate]:
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


# --------------------------------------------------------------------------- verification


def verify_token(
    token: bytes, digest: bytes, *, trust_anchors: list[Path] | None = None, now: dt.datetime | None = None
) -> TokenCheck:
    """Check imprint, signature, certificate and time of an RFC 3161 token over ``digest``."""
    check = TokenCheck(ok=False, imprint_ok=False, signature_ok=False, time_ok=False, chain="not_checked")

    def fail(zh: str, en: str) -> TokenCheck:
        check.problem_zh, check.problem_en = check.problem_zh or zh, check.problem_en or en
        return check

    try:
        ci = cms.ContentInfo.load(token)
        sd = ci["content"]
        tst = _tst_info(ci)
        check.gen_time = tst["gen_time"].native.astimezone(dt.timezone.utc).isoformat()
        check.serial = tst["serial_number"].native
        check.policy = tst["policy"].dotted
        mi = tst["message_imprint"]
        check.imprint_ok = (
            mi["hash_algorithm"]["algorithm"].native == "sha256" and mi["hashed_message"].native == digest
        )
        cert = _signer_cert(sd)
        if cert is not None:
            check.tsa = cert.subject.rfc4514_string()
        gen_time = tst["gen_time"].native
        sig_problem = _check_signature(sd, cert)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        return fail("时间戳文件损坏或格式不对", f"the timestamp token is damaged or malformed ({type(e).__name__})")
    if not check.imprint_ok:
        fail("时间戳不是对本证据包的 Merkle 根签发的", "the timestamp was not issued over this package's Merkle root")
    check.signature_ok = sig_problem is None
    if sig_problem:
        fail(*sig_problem)
    now = now or dt.datetime.now(dt.timezone.utc)
    check.time_ok = gen_time <= now + CLOCK_SKEW and (
        cert is None or cert.not_valid_before_utc - CLOCK_SKEW <= gen_time <= cert.not_valid_after_utc + CLOCK_SKEW
    )
    if not check.time_ok:
        fail(
            "时间戳时间无效（晚于当前时间或不在证书有效期内）",
            "timestamp time invalid (in the future or outside the certificate's validity)",
        )
    if trust_anchors and cert is not None:
        embedded = [
            x509.load_der_x509_certificate(c.chosen.dump()) for c in sd["certificates"] or [] if c.name == "certificate"
        ]
        anchors = [a for p in trust_anchors for a in _load_anchor(p)]
        check.chain = "trusted" if _chains_to(cert, embedded, anchors) else "untrusted"
        if check.chain == "untrusted":
            fail(
                "时间戳机构的证书不能链接到给定的根证书",
                "the TSA certificate does not chain to the given trust anchors",
            )
    check.ok = check.imprint_ok and check.signature_ok and check.time_ok and check.chain != "untrusted"
    return check


def _check_signature(sd: cms.SignedData, cert: x509.Certificate | None) -> tuple[str, str] | None:
    if cert is None:
        return (
            "时间戳中没有签名证书，无法核验签名",
            "the token carries no signer certificate; the signature cannot be checked",
        )
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.TIME_STAMPING not in eku:
            return ("签名证书不是时间戳专用证书", "the signer certificate is not for time stamping")
    except x509.ExtensionNotFound:
        return ("签名证书缺少时间戳用途（扩展密钥用法）", "the signer certificate lacks the time-stamping key usage")
    si = sd["signer_infos"][0]
    hash_name = si["digest_algorithm"]["algorithm"].native
    if hash_name not in _HASHES:
        return (f"不支持的摘要算法 {hash_name}", f"unsupported digest algorithm {hash_name}")
    content = sd["encap_content_info"]["content"].contents
    attrs = si["signed_attrs"]
    if attrs:
        md = next((a["values"][0].native for a in attrs if a["type"].native == "message_digest"), None)
        if md != hashlib.new(hash_name, content).digest():
            return ("时间戳内容被修改（签名属性中的摘要不符）", "timestamp content altered (message digest mismatch)")
        signed = attrs.dump()
        signed = b"\x31" + signed[1:]  # [0] IMPLICIT → SET OF, as signed (RFC 5652 §5.4)
    else:
        signed = content
    signature = si["signature"].native
    algo = si["signature_algorithm"]
    key = cert.public_key()
    h = _HASHES[hash_name]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algo.signature_algo == "rsassa_pss":
                params = algo["parameters"]
                pss_hash = _HASHES[params["hash_algorithm"]["algorithm"].native]()
                key.verify(
                    signature, signed, padding.PSS(padding.MGF1(pss_hash), params["salt_length"].native), pss_hash
                )
            else:
                key.verify(signature, signed, padding.PKCS1v15(), h)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(h))
        else:
            return ("不支持的签名密钥类型", "unsupported signature key type")
    except InvalidSignature:
        return (
            "时间戳签名无效（内容被修改或不是该机构签发）",
            "timestamp signature invalid (altered, or not signed by this TSA)",
        )
    except (ValueError, KeyError) as e:
        return ("时间戳签名无法核验", f"timestamp signature cannot be checked: {e}")
    return None


def _chains_to(cert: x509.Certificate, pool: list[x509.Certificate], anchors: list[x509.Certificate]) -> bool:
    current = cert
    for _ in range(8):
        for a in anchors:
            if a == current:
                return True
            if a.subject == current.issuer and _issued_by(current, a):
                return True
        parents = [c for c in pool if c.subject == current.issuer and c != current and _issued_by(current, c)]
        if not parents:
            return False
        current = parents[0]
    return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


__all__ = ["TokenCheck", "TsaUnavailable", "build_request", "describe_token", "request_timestamp", "verify_token"]
