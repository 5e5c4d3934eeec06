"""Append-only hash-chained ledger.

Each entry hashes the canonical JSON of (seq, ts, action, evidence_sha256,
case_id, meta, prev_hash). The first entry's ``prev_hash`` is 64 zeros. Appends
lock the single ``ledger_head`` row, so concurrent writers (threads, processes,
PostgreSQL clients) are serialised and the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.store.models import LedgerEntry, LedgerHead

GENESIS = "0" * 64


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    seq: int, ts: str, action: str, evidence_sha256: str | None, case_id: int | None, meta: str, prev_hash: str
) -> str:
    payload = canonical_json(
        {
            "seq": seq,
            "ts": ts,
            "action": action,
            "sha256": evidence_sha256,
            "case": case_id,
            "meta": meta,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_of(entry: LedgerEntry) -> str:
    return entry_hash(
        entry.seq, entry.ts, entry.action, entry.evidence_sha256, entry.case_id, entry.meta, entry.prev_hash
    )


def append(
    session: Session,
    action: str,
    *,
    evidence_sha256: str | None = None,
    case_id: int | None = None,
    meta: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry inside the caller's transaction (commits with it)."""
    head = session.execute(select(LedgerHead).where(LedgerHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = LedgerHead(id=1, seq=0, entry_hash=GENESIS)
        session.add(head)
        session.flush()
    seq = head.seq + 1
    ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    meta_s = canonical_json(meta or {})
    h = entry_hash(seq, ts, action, evidence_sha256, case_id, meta_s, head.entry_hash)
    entry = LedgerEntry(
        seq=seq,
        ts=ts,
        action=action,
        evidence_sha256=evidence_sha256,
        case_id=case_id,
        meta=meta_s,
        prev_hash=head.entry_hash,
        entry_hash=h,
    )
    session.add(entry)
    head.seq = seq
    head.entry_hash = h
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason_zh: str
    reason_en: str


def walk(entries: Iterator[LedgerEntry], head: LedgerHead | None) -> ChainProblem | None:
    """Verify the chain; return the first broken entry, or None if intact."""
    prev = GENESIS
    expected_seq = 1
    last_seq = 0
    for e in entries:
        if e.seq != expected_seq:
            return ChainProblem(expected_seq, f"缺少第 {expected_seq} 条记录", f"entry {expected_seq} is missing")
        if e.prev_hash != prev:
            return ChainProblem(e.seq, "与上一条记录的链接断开", "link to the previous entry is broken")
        if hash_of(e) != e.entry_hash:
            return ChainProblem(e.seq, "记录内容被修改（哈希不符）", "entry content altered (hash mismatch)")
        prev = e.entry_hash
        last_seq = e.seq
        expected_seq += 1
    if head is not None and (head.seq != last_seq or head.entry_hash != prev):
        seq = min(head.seq, last_seq) + 1 if head.seq != last_seq else last_seq
        return ChainProblem(
            seq, "账本末尾记录被删除或替换", "entries at the end of the ledger were removed or replaced"
        )
    return None


def entries_for(session: Session, *, case_id: int | None = None, sha256s: set[str] | None = None) -> list[LedgerEntry]:
    """Entries concerning a case or a set of blobs (for evidence packages)."""
    q = select(LedgerEntry).order_by(LedgerEntry.seq)
    out = []
    for e in session.execute(q).scalars():
        if (case_id is not None and e.case_id == case_id) or (sha256s and e.evidence_sha256 in sha256s):
            out.append(e)
    return out
