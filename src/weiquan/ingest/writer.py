"""Write one file's records into the store inside the caller's transaction, in batches.

For each :class:`RawEvent` the writer normalises the counterpart number and the 【签名】,
computes a dedupe key (channel + normalised number + body) and, once per batch of
``BATCH`` records, looks up events of the case with the same keys near the same time:

- the same message in two overlapping exports (|Δt| ≤ 2 s) becomes one event with two
  ``EventSource`` rows ("merged");
- a call recording matches a call-log event of the same number within ±2 min (either
  import order);
- a record whose (evidence, locator) source already exists adds nothing ("unchanged"), which
  makes re-importing a file a no-op.

Rows are inserted with executemany (no per-row ORM objects); memory is bounded by the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, select, text, update
from sqlalchemy.orm import Session

from weiquan.ingest.base import Attachment, RawEvent
from weiquan.ingest.numbers import normalize_number
from weiquan.ingest.textnorm import extract_signature
from weiquan.store.models import Event, EventSource, Evidence, LedgerHead
from weiquan.store.types import utcnow
from weiquan.vault import ledger
from weiquan.vault.blobs import BlobStore
from weiquan.vault.sniff import sniff_bytes

BATCH = 2000
EXACT_WINDOW_S = 2.0  # machine timestamps
LOOSE_WINDOW_S = 60.0  # manual entries, screenshot (OCR) times
RECORDING_WINDOW_S = 120.0  # recording file-name time vs call-log time
MAX_WINDOW = dt.timedelta(seconds=RECORDING_WINDOW_S)
TEXT_CHANNELS = ("sms", "mms", "chat")
UNANSWERED = ("missed", "rejected", "blocked", "voicemail")


def _sqlite_datetime(v: dt.datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores (naive UTC), so reads and comparisons agree."""
    u = v if v.tzinfo is None or v.tzinfo is dt.timezone.utc else v.astimezone(dt.timezone.utc)
    if u.year >= 1000:
        return u.strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}"


def _json_text(v: Any) -> str:
    return "{}" if not v else json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)


def dedupe_key(channel: str, number_key: str | None, text: str | None) -> str:
    body = (text or "").strip() if channel != "call" else ""
    h = hashlib.blake2b(f"{channel}\x1f{number_key or ''}\x1f{body}".encode(), digest_size=16)
    return h.hexdigest()


def window_for(channel: str, origin_a: str, origin_b: str) -> float:
    origins = {origin_a, origin_b}
    if channel == "call" and "recording" in origins:
        return RECORDING_WINDOW_S
    if origins & {"manual", "screenshot", "transcript"}:
        return LOOSE_WINDOW_S
    return EXACT_WINDOW_S


@dataclass
class WriteStats:
    records: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    attachments: int = 0
    event_ids: list[int] = field(default_factory=list)  # ids touched (only kept when small)


@dataclass
class _Pending:
    row: dict[str, Any]
    locator: str
    raw: dict[str, Any]
    attachments: list[tuple[str, int, str, str | None, int]]  # sha, size, media type, name, part index


class EventWriter:
    """Buffer, dedupe and insert the records of one evidence file for one case."""

    def __init__(self, session: Session, blobs: BlobStore, *, case_id: int, evidence_id: int, evidence_sha256: str,
                 source_format: str, keep_ids: int = 10_000) -> None:
        self.s = session
        self.blobs = blobs
        self.case_id = case_id
        self.evidence_id = evidence_id
        self.evidence_sha256 = evidence_sha256
        self.source_format = source_format
        self.stats = WriteStats()
        self.keep_ids = keep_ids
        self._pending: list[_Pending] = []
        self._dialect = session.get_bind().dialect.name
        self._next_id: int | None = None
        self._now = utcnow()
        self._attachment_ids: dict[str, int] = {}

    # -- public -------------------------------------------------------------
    def add(self, raw: RawEvent) -> None:
        self.stats.records += 1
        info = normalize_number(raw.counterpart_raw)
        text_ = raw.text
        signature = extract_signature(text_) if raw.channel in TEXT_CHANNELS else None
        if raw.origin == "recording" and not info.key:
            key = None  # a recording without a number is never matched to another call
        else:
            key = dedupe_key(raw.channel, info.key, text_)
        extra = dict(raw.extra)
        if info.post_dial:
            extra["post_dial"] = info.post_dial
        row: dict[str, Any] = {
            "case_id": self.case_id, "channel": raw.channel, "direction": raw.direction,
            "start": raw.start.astimezone(dt.timezone.utc), "source_tz": raw.source_tz, "time_basis": raw.time_basis,
            "wallclock_text": raw.wallclock_text[:100] if raw.wallclock_text else None, "duration_s": raw.duration_s,
            "counterpart_raw": raw.counterpart_raw[:200] if raw.counterpart_raw else None, "counterpart": info.key,
            "counterpart_name": raw.counterpart_name[:200] if raw.counterpart_name else None,
            "number_kind": info.kind if raw.counterpart_raw is not None or raw.channel in ("call", "sms", "mms") else None,
            "carrier": info.carrier, "region": info.region,
            "signature": signature[:100] if signature else None, "text": text_, "recipient": raw.recipient,
            "recipient_name": raw.recipient_name, "origin": raw.origin, "confidence": raw.confidence,
            "dedupe_key": key, "extra": extra, "created_at": self._now,
        }
        atts = [self._store_attachment(a, i) for i, a in enumerate(raw.attachments)]
        self._pending.append(_Pending(row, raw.locator[:500], raw.raw, atts))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        index = self._candidates(pending)
        existing_sources = self._existing_sources(index)
        new_events: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        ids = self._reserve_ids(len(pending))
        for p in pending:
            row = p.row
            match = self._match(index, row)
            if match is None:
                eid = ids.pop()
                row["id"] = eid
                new_events.append(row)
                if row["dedupe_key"] is not None:
                    index.setdefault(row["dedupe_key"], []).append([row["start"].timestamp(), eid, row["origin"], row["direction"]])
                self.stats.added += 1
            else:
                eid, other_origin = match
                if (eid, p.locator) in existing_sources:
                    self.stats.unchanged += 1
                    continue
                self.stats.merged += 1
                if other_origin == "recording" and row["origin"] != "recording" and row["channel"] == "call":
                    # the call log is authoritative for time, direction and duration
                    updates.append((eid, {k: row[k] for k in ("start", "direction", "duration_s", "time_basis", "origin",
                                                              "counterpart_name")}))
                    for cand in index.get(row["dedupe_key"], []):
                        if cand[1] == eid:
                            cand[0], cand[2], cand[3] = row["start"].timestamp(), row["origin"], row["direction"]
            existing_sources.add((eid, p.locator))
            sources.append({"event_id": eid, "evidence_id": self.evidence_id, "locator": p.locator,
                            "source_format": self.source_format, "raw": p.raw})
            for sha, size, media_type, name, part in p.attachments:
                att_id = self._attachment_evidence(sha, size, media_type, name)
                loc = f"{p.locator}/part[{part}]"[:500]
                if self._source_exists(eid, att_id, loc):
                    continue
                sources.append({"event_id": eid, "evidence_id": att_id, "locator": loc,
                                "source_format": "mms_attachment", "raw": {"media_type": media_type, "name": name}})
            if len(self.stats.event_ids) < self.keep_ids:
                self.stats.event_ids.append(eid)
        conn = self.s.connection()
        if new_events:
            self._insert(Event.__table__, new_events)
        for eid, values in updates:
            conn.execute(update(Event.__table__).where(Event.__table__.c.id == eid).values(**values))
        if sources:
            self._insert(EventSource.__table__, sources)

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """executemany; on SQLite straight to the driver with values pre-converted exactly as
        SQLAlchemy would store them (UTC text timestamps, JSON text), skipping per-row bind processing."""
        conn = self.s.connection()
        if self._dialect != "sqlite":
            conn.execute(table.insert(), rows)
            return
        cols = list(rows[0])
        getter = operator.itemgetter(*cols)
        special: list[tuple[int, Any]] = []
        for i, c in enumerate(cols):
            col_type = table.c[c].type
            if isinstance(col_type, JSON):
                special.append((i, _json_text))
            elif isinstance(rows[0][c], dt.datetime) or c in ("start", "created_at"):
                special.append((i, _sqlite_datetime))
            elif isinstance(rows[0][c], bool):
                special.append((i, int))
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        params = []
        for r in rows:
            vals = list(getter(r))
            for i, f in special:
                v = vals[i]
                if v is not None:
                    vals[i] = f(v)
            params.append(tuple(vals))
        conn.exec_driver_sql(sql, params)

    # -- internals ----------------------------------------------------------
    def _match(self, index: dict[str, list[list[Any]]], row: dict[str, Any]) -> tuple[int, str] | None:
        key = row["dedupe_key"]
        if key is None:
            return None
        t = row["start"].timestamp()
        best: tuple[float, int, str] | None = None
        for ct, cid, corigin, cdirection in index.get(key, ()):
            if "recording" in (corigin, row["origin"]) and corigin != row["origin"] and \
                    (cdirection in UNANSWERED or row["direction"] in UNANSWERED):
                continue  # a recording belongs to an answered call, never to a missed/rejected/blocked one
            delta = abs(ct - t)
            if delta <= window_for(row["channel"], row["origin"], corigin) and (best is None or delta < best[0]):
                best = (delta, cid, corigin)
        return None if best is None else (best[1], best[2])

    def _candidates(self, pending: list[_Pending]) -> dict[str, list[list[Any]]]:
        keys = {p.row["dedupe_key"] for p in pending if p.row["dedupe_key"] is not None}
        index: dict[str, list[list[Any]]] = {}
        if not keys:
            return index
        starts = [p.row["start"] for p in pending]
        lo, hi = min(starts) - MAX_WINDOW, max(starts) + MAX_WINDOW
        q = select(Event.id, Event.dedupe_key, Event.start, Event.origin, Event.direction).where(
            Event.case_id == self.case_id, Event.dedupe_key.in_(keys), Event.start >= lo, Event.start <= hi)
        for eid, key, start, origin, direction in self.s.execute(q):
            index.setdefault(key, []).append([start.timestamp(), eid, origin, direction])
        return index

    def _existing_sources(self, index: dict[str, list[list[Any]]]) -> set[tuple[int, str]]:
        ids = [c[1] for cands in index.values() for c in cands]
        found: set[tuple[int, str]] = set()
        for i in range(0, len(ids), 900):
            q = select(EventSource.event_id, EventSource.locator).where(
                EventSource.evidence_id == self.evidence_id, EventSource.event_id.in_(ids[i:i + 900]))
            found.update((eid, loc) for eid, loc in self.s.execute(q))
        return found

    def _source_exists(self, event_id: int, evidence_id: int, locator: str) -> bool:
        q = select(EventSource.id).where(EventSource.event_id == event_id, EventSource.evidence_id == evidence_id,
                                         EventSource.locator == locator)
        return self.s.execute(q).first() is not None

    def _reserve_ids(self, n: int) -> list[int]:
        """Event ids for this batch, handed out in ascending order (pop from the end)."""
        if self._dialect == "sqlite":
            # The write transaction holds SQLite's database lock, so max(id) cannot move under us.
            if self._next_id is None:
                self._next_id = (self.s.scalar(text("SELECT coalesce(max(id), 0) FROM events")) or 0) + 1
            first = self._next_id
            self._next_id += n
            return list(range(first + n - 1, first - 1, -1))
        rows = self.s.execute(text("SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, :n)"),
                              {"n": n}).scalars().all()
        return sorted(rows, reverse=True)

    def _store_attachment(self, att: Attachment, part: int) -> tuple[str, int, str, str | None, int]:
        stored = self.blobs.put_bytes(att.data)
        media_type = att.media_type or sniff_bytes(att.data[:4096])
        return stored.sha256, stored.size, media_type, att.name, part

    def _attachment_evidence(self, sha: str, size: int, media_type: str, name: str | None) -> int:
        """A derived Evidence row (with its ledger entry) for an attachment, in this transaction."""
        if sha in self._attachment_ids:
            return self._attachment_ids[sha]
        found = self.s.execute(select(Evidence.id).where(Evidence.sha256 == sha)).scalar_one_or_none()
        if found is None:
            self.s.execute(select(LedgerHead.id).where(LedgerHead.id == 1).with_for_update()).first()
            entry = ledger.append(self.s, "derived", evidence_sha256=sha, case_id=self.case_id,
                                  meta={"source": self.evidence_sha256, "derivation": "attachment", "size": size,
                                        "media_type": media_type})
            ev = Evidence(sha256=sha, size=size, media_type=media_type, kind="derived", derived_from_id=self.evidence_id,
                          derivation="attachment", first_name=(name or None) and name[:500], ledger_seq=entry.seq)
            self.s.add(ev)
            self.s.flush()
            found = ev.id
        self._attachment_ids[sha] = found
        self.stats.attachments += 1
        return found
