"""Trusted timestamps of the ledger head (RFC 3161), after each import and export when a TSA is configured.

A timestamp authority signs the SHA-256 of the ledger's last entry, which covers every entry before it:
the token proves the ledger up to that entry existed no later than the signed time, so neither a
rebuilt chain nor an entry dated afterwards can claim to be older. The token is stored in the vault
like any original (``ledger-head-<seq>.tsr``) and a ``head_timestamped`` ledger entry names it.
Without a TSA (``tsa_url`` unset) nothing is requested; when the TSA cannot be reached the import or
export still succeeds and says that the timestamp was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import logging

from sqlalchemy import select

from weiquan.report import tsa
from weiquan.store.models import LedgerEntry
from weiquan.workspace import Workspace

log = logging.getLogger("weiquan.anchoring")
ACTION = "head_timestamped"


@dataclass(frozen=True)
class HeadStamp:
    seq: int  # the ledger entry whose hash was signed
    entry_hash: str
    token_sha256: str
    tsa: str
    time: str | None  # the time in the token (UTC)


@dataclass(frozen=True)
class StampCheck:
    stamp: HeadStamp
    ok: bool
    zh: str
    en: str


def anchor_head(ws: Workspace, reason: str, *, case_id: int | None = None) -> tuple[HeadStamp | None, str | None]:
    """Timestamp the current head if a TSA is configured: (stamp, None), (None, why skipped) or (None, None)."""
    url = ws.settings.tsa_url
    if not url:
        return None, None

    head = ws.vault.head()
    if head.seq == 0:
        return None, None
    try:
        token = tsa.request_timestamp(bytes.fromhex(head.entry_hash), url)
    except tsa.TsaUnavailable as e:
        log.warning("ledger head timestamp skipped: %s", e.en)
        return None, f"账本可信时间戳已跳过：{e.zh} / ledger timestamp skipped: {e.en}"
    info = tsa.describe_token(token, bytes.fromhex(head.entry_hash))
    add = ws.vault.add(token, case_id=None, original_name=f"ledger-head-{head.seq}.tsr", metadata={"via": "tsa"})
    stamp = HeadStamp(head.seq, head.entry_hash, add.evidence.sha256, url, info.get("gen_time"))
    ws.vault.record(
        ACTION,
        case_id=case_id,
        evidence_sha256=add.evidence.sha256,
        meta={"seq": head.seq, "entry_hash": head.entry_hash, "tsa": url, "time": stamp.time, "after": reason},
    )
    return stamp, None


def latest_stamp(ws: Workspace) -> HeadStamp | None:
    with ws.db.read_session() as s:
        e = s.execute(
            select(LedgerEntry).where(LedgerEntry.action == ACTION).order_by(LedgerEntry.seq.desc()).limit(1)
        ).scalar_one_or_none()
        if e is None:
            return None
        meta = json.loads(e.meta)
        return HeadStamp(
            int(meta["seq"]), str(meta["entry_hash"]), str(e.evidence_sha256), str(meta.get("tsa")), meta.get("time")
        )


def check_stamp(ws: Workspace, stamp: HeadStamp) -> StampCheck:
    """The token's signature and imprint against the entry it names, as the ledger holds it now."""

    with ws.db.read_session() as s:
        now = s.execute(select(LedgerEntry.entry_hash).where(LedgerEntry.seq == stamp.seq)).scalar_one_or_none()
    if now is None:
        return StampCheck(
            stamp,
            False,
            f"账本中已没有第 {stamp.seq} 条记录（时间戳所签的记录被删除）",
            f"the ledger no longer has entry {stamp.seq}, which the timestamp signed",
        )
    check = tsa.verify_token(ws.vault.read(stamp.token_sha256), bytes.fromhex(now))
    if not check.ok:
        return StampCheck(
            stamp,
            False,
            f"时间戳与账本第 {stamp.seq} 条记录不符：{check.problem_zh}",
            f"the timestamp does not match ledger entry {stamp.seq}: {check.problem_en}",
        )
    return StampCheck(
        stamp,
        True,
        f"可信时间戳证明账本前 {stamp.seq} 条记录不晚于 {check.gen_time or stamp.time} 已存在",
        f"a trusted timestamp proves the first {stamp.seq} ledger entries existed by {check.gen_time or stamp.time}",
    )
