"""The ledger head as a number to keep elsewhere.

The vault's hash chain shows that no entry was changed *relative to the head*; someone who can write
the database can still delete the last entries and rewrite the head, or rebuild the whole chain.
What defeats that is a copy of the head kept somewhere they cannot reach: printed in a report that
was sent to a regulator, written on paper, or signed by a timestamp authority. :func:`head_digest`
is that number in a form people can copy; :func:`check_digest` later compares it with the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.store.models import LedgerEntry, LedgerHead
from weiquan.zh.steps import Note

_DIGEST = re.compile(r"^\s*(?:WQ-?)?(\d+)\s*[:：]\s*([0-9a-fA-F\s-]{64,})\s*$")


@dataclass(frozen=True)
class HeadDigest:
    seq: int  # entries in the ledger
    entry_hash: str  # SHA-256 (hex) of the last entry, which covers every entry before it
    ts: str | None  # when the last entry was written (UTC, ISO 8601)

    @property
    def text(self) -> str:
        """``WQ-123:3f2a9c1b-…`` — the entry count and the head hash in groups of eight, easy to copy."""
        groups = "-".join(self.entry_hash[i : i + 8] for i in range(0, 64, 8))
        return f"WQ-{self.seq}:{groups}"

    def as_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "entry_hash": self.entry_hash, "ts": self.ts, "digest": self.text}


def head_digest(s: Session) -> HeadDigest:
    head = s.get(LedgerHead, 1)
    if head is None or head.seq == 0:
        return HeadDigest(0, "0" * 64, None)
    ts = s.execute(select(LedgerEntry.ts).where(LedgerEntry.seq == head.seq)).scalar_one_or_none()
    return HeadDigest(head.seq, head.entry_hash, ts)


def parse_digest(text: str) -> tuple[int, str]:
    """(seq, hash) from a digest as printed (``WQ-123:…``, groups and case do not matter)."""
    m = _DIGEST.match(text)
    if not m:
        raise ValueError(text)
    h = re.sub(r"[\s-]", "", m.group(2)).lower()
    if len(h) != 64:
        raise ValueError(text)
    return int(m.group(1)), h


def check_digest(s: Session, text: str) -> tuple[bool, str, str]:
    """Whether the ledger still holds the entry a kept digest names (ok, zh, en)."""
    seq, want = parse_digest(text)
    if seq == 0:
        return True, "空账本", "empty ledger"
    got = s.execute(select(LedgerEntry.entry_hash).where(LedgerEntry.seq == seq)).scalar_one_or_none()
    head = s.get(LedgerHead, 1)
    if got is None:
        last = head.seq if head else 0
        return (
            False,
            (f"账本中已没有第 {seq} 条记录（现有 {last} 条）：保存此数字之后，账本末尾的记录被删除了"),
            f"the ledger no longer has entry {seq} (it has {last}): entries at its end were deleted after this number was kept",
        )
    if got != want:
        return (
            False,
            f"第 {seq} 条记录的哈希与保存的数字不同：账本被改写过",
            f"entry {seq} has a different hash than the kept number: the ledger was rewritten",
        )
    return (
        True,
        Note(f"账本仍包含保存时的第 {seq} 条记录，此前的记录未被改动；整条链请另行核验。", step="vault_verify"),
        f"the ledger still holds entry {seq} as kept; nothing before it changed (verify the whole chain too)",
    )
