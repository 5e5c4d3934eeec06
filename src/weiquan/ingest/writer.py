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

Rows are plain tuples (no per-row ORM objects or dicts); event ids are pre-allocated under the write
lock. On SQLite (the fast path) values are converted to their storage form once, when the record is
added (UTC timestamps as SQLAlchemy's text form, JSON as compact text), each batch goes to the DB-API
driver as a few multi-row ``INSERT … VALUES (…),(…)`` statements and the candidate query is one
driver-level statement; elsewhere rows go through SQLAlchemy Core. Both store the same rows
(tests/ingest/test_fast_path.py).

With ``background=True`` (the import service, for files) batches are written by one worker thread
(:class:`weiquan.ingest.pipeline.OrderedWorker`) while the importer keeps parsing: SQLite runs a
multi-row statement without holding the GIL, so parsing and writing overlap on two cores. Batches
are written strictly in order, on the caller's session (which the caller must not use until
:meth:`EventWriter.flush` returns); at most ``MAX_IN_FLIGHT`` batches wait, so memory stays bounded
by the batch size. An error in the worker is raised in the caller at the next batch or at ``flush``;
leaving the ``with`` block on an error waits for the worker before the caller's transaction rolls
back.

With ``staged=True`` (the import service on SQLite) full batches are pickled to an unlinked temporary
file while the importer parses, and :meth:`EventWriter.flush` writes them all, in order, in the
caller's transaction: the session is first used there, so SQLite's single write lock is taken for
the write itself and not during the (longer) parse, and other users' own writes get through in the
meantime. Deduplication happens at that write, against the store as it then is; the file's records
are still written in one transaction (atomic, idempotent), and memory stays bounded by the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import json.encoder
import pickle
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b
from types import TracebackType
from typing import Any, BinaryIO

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from weiquan.ingest.base import Attachment, RawEvent
from weiquan.ingest.numbers import normalize_number
from weiquan.ingest.pipeline import OrderedWorker
from weiquan.ingest.textnorm import extract_signature
from weiquan.store.models import Event, EventSource, Evidence, LedgerEntry, LedgerHead
from weiquan.store.types import utcnow
from weiquan.vault import ledger
from weiquan.vault.blobs import BlobStore
from weiquan.vault.sniff import sniff_bytes

BATCH = 2000
MAX_IN_FLIGHT = 2  # batches handed to the worker thread and not yet written (bounds memory)
ROWS_PER_STATEMENT = 2000  # rows of one multi-row INSERT (within SQLite's bound-variable limit)
SQLITE_CACHE_KIB = 8 * 1024
EXACT_WINDOW_S = 2.0  # machine timestamps
LOOSE_WINDOW_S = 60.0  # manual entries, screenshot (OCR) times
RECORDING_WINDOW_S = 120.0  # recording file-name time vs call-log time
MAX_WINDOW = dt.timedelta(seconds=RECORDING_WINDOW_S)
TEXT_CHANNELS = ("sms", "mms", "chat")
UTC = dt.timezone.utc
UNANSWERED = ("missed", "rejected", "blocked", "voicemail")


def _sqlite_datetime(v: dt.datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores (naive UTC, ``%Y-%m-%d %H:%M:%S.%f``), so reads
    and comparisons agree. ``isoformat`` is several times faster than ``strftime`` on the hot path."""
    if v.tzinfo is dt.timezone.utc and v.year >= 1000:
        return v.isoformat(" ", "microseconds")[:-6]  # drop "+00:00"
    u = v if v.tzinfo is None else v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if u.year < 1000:
        return f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}"
    return u.isoformat(" ", "microseconds")


# One C encoder for every row (compact, UTF-8 kept): json.dumps(..., ensure_ascii=False) builds a new
# JSONEncoder and a new C encoder per call. Values come from parsed files, so no circular check.
_JSON = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]  # CPython's private C accelerator of json, None where it is missing
        None,
        str,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    if json.encoder.c_make_encoder is not None
    else None
)  # type: ignore[attr-defined]  # CPython's private C accelerator of json, None where it is missing
_JSON_SLOW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _json_text(v: Any) -> str:
    if not v:
        return "{}"
    return "".join(_JSON(v, 0)) if _JSON is not None else _JSON_SLOW.encode(v)


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


# Column order of the event rows the writer buffers (``id`` is prepended at insert time).
EVENT_COLS = (
    "case_id",
    "channel",
    "direction",
    "start",
    "source_tz",
    "time_basis",
    "wallclock_text",
    "duration_s",
    "counterpart_raw",
    "counterpart",
    "counterpart_name",
    "number_kind",
    "carrier",
    "region",
    "signature",
    "text",
    "recipient",
    "recipient_name",
    "origin",
    "confidence",
    "dedupe_key",
    "extra",
    "created_at",
    "date_unconfirmed",
)
SOURCE_COLS = ("event_id", "evidence_id", "locator", "source_format", "raw")
_C = {c: i for i, c in enumerate(EVENT_COLS)}
_DIRECTION, _TIME_BASIS, _DURATION, _NAME, _ORIGIN, _KEY = (
    _C["direction"],
    _C["time_basis"],
    _C["duration_s"],
    _C["counterpart_name"],
    _C["origin"],
    _C["dedupe_key"],
)
_SQL_EVENTS = f"INSERT INTO events (id, {', '.join(EVENT_COLS)}) VALUES "
_SQL_SOURCES = f"INSERT INTO event_sources ({', '.join(SOURCE_COLS)}) VALUES "


@lru_cache(maxsize=32)
def _values_sql(prefix: str, ncols: int, nrows: int) -> str:
    """``prefix`` + ``(?,…),(?,…)…``: one statement for ``nrows`` rows (SQLite steps it without the GIL)."""
    row = "(" + ",".join("?" * ncols) + ")"
    return prefix + ",".join(itertools.repeat(row, nrows))


def _rows_per_statement(conn: sqlite3.Connection, ncols: int) -> int:
    try:
        limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # pragma: no cover - Python < 3.11 or an unusual build
        limit = 999
    return max(1, min(ROWS_PER_STATEMENT, limit // ncols))


@dataclass(slots=True)
class _Pending:
    row: tuple[Any, ...]  # values in EVENT_COLS order, already in storage form on the fast path
    ts: float  # start as a POSIX timestamp (for matching)
    start: dt.datetime  # start, aware UTC
    locator: str
    raw: Any  # raw original values (JSON text on the fast path)
    attachments: list[tuple[str, int, str, str | None, int]]  # sha, size, media type, name, part index


def _same(v: Any) -> Any:
    return v


class EventWriter:
    """Buffer, dedupe and insert the records of one evidence file for one case.

    ``fast`` (default: on for SQLite) writes multi-row statements through the DB-API driver with
    values converted once when a record is added (timestamps as SQLAlchemy's text form, JSON as
    text); otherwise rows go through SQLAlchemy Core. Both produce the same rows (tested).
    ``background`` writes full batches on a worker thread (see the module docstring); use the writer
    as a context manager then, so that an error waits for the worker before the rollback.
    """

    def __init__(
        self,
        session: Session,
        blobs: BlobStore,
        *,
        case_id: int,
        evidence_id: int,
        evidence_sha256: str,
        source_format: str,
        keep_ids: int = 10_000,
        fast: bool | None = None,
        background: bool = False,
        batch: int | None = None,
        staged: bool = False,
    ) -> None:
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
        self.fast = self._dialect == "sqlite" if fast is None else (fast and self._dialect == "sqlite")
        self._next_id: int | None = None
        self._now = utcnow()
        self._dt: Callable[[dt.datetime], Any] = _sqlite_datetime if self.fast else _same
        self._json: Callable[[Any], Any] = _json_text if self.fast else _same
        self._created = self._dt(self._now)
        self._no_extra: Any = self._json({})  # "{}" (never mutated)
        self._prepared = False
        self._attachment_ids: dict[str, int] = {}
        # staged: full batches go to an unlinked temporary file while the file is parsed, and are written at
        # flush(); the session (and on SQLite the database's one write lock) is not touched until then
        self._spool: BinaryIO | None = tempfile.TemporaryFile(prefix="weiquan-stage-") if staged else None
        self._spooled = 0
        self.batch = batch or BATCH  # read at call time (tests shrink it)
        self._worker: OrderedWorker[list[_Pending]] | None = (
            OrderedWorker(self._write_batch, depth=MAX_IN_FLIGHT) if background else None
        )

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.flush()
        else:
            self.abort()

    # -- public -------------------------------------------------------------
    def add(self, raw: RawEvent) -> None:
        self.stats.records += 1
        channel, text_, cp_raw, origin = raw.channel, raw.text, raw.counterpart_raw, raw.origin
        info = normalize_number(cp_raw)
        # a 【签名】 needs a "【" (cheap test first: most bodies have none)
        signature = extract_signature(text_) if text_ and channel in TEXT_CHANNELS and "【" in text_ else None
        if origin == "recording" and not info.key:
            key = None  # a recording without a number is never matched to another call
        else:
            body = (text_ or "").strip() if channel != "call" else ""  # dedupe_key(), inlined
            key = blake2b(f"{channel}\x1f{info.key or ''}\x1f{body}".encode(), digest_size=16).hexdigest()
        if info.post_dial:
            extra: dict[str, Any] = {**raw.extra, "post_dial": info.post_dial}
        else:
            extra = raw.extra
        start = raw.start
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        if self.fast:
            # storage forms: _sqlite_datetime() and _json_text(), inlined for the common case
            stored_start = start.isoformat(" ", "microseconds")[:-6] if start.year >= 1000 else _sqlite_datetime(start)
            raw_values = raw.raw
            stored_raw = "".join(_JSON(raw_values, 0)) if raw_values and _JSON is not None else _json_text(raw_values)
            stored_extra = _json_text(extra) if extra else self._no_extra
        else:
            stored_start, stored_raw = start, raw.raw
            stored_extra = dict(extra) if extra else self._no_extra
        name = raw.counterpart_name
        row = (
            self.case_id,
            channel,
            raw.direction,
            stored_start,
            raw.source_tz,
            raw.time_basis,
            raw.wallclock_text[:100] if raw.wallclock_text else None,
            raw.duration_s,
            cp_raw[:200] if cp_raw else None,
            info.key,
            name[:200] if name else None,
            info.kind if cp_raw is not None or channel in ("call", "sms", "mms") else None,
            info.carrier,
            info.region,
            signature[:100] if signature else None,
            text_,
            raw.recipient,
            raw.recipient_name,
            origin,
            raw.confidence,
            key,
            stored_extra,
            self._created,
            extra.get("date_unconfirmed") is True,  # a date the source did not show (services.dates)
        )
        atts = [self._store_attachment(a, i) for i, a in enumerate(raw.attachments)] if raw.attachments else []
        pending = self._pending
        pending.append(_Pending(row, start.timestamp(), start, raw.locator[:500], stored_raw, atts))
        if len(pending) >= self.batch:
            self._submit()

    def flush(self) -> None:
        """Write everything added so far and wait until it is written (raises a worker's error)."""
        if self._spool is not None:
            self._replay()
        if self._worker is not None:
            if self._pending and not self._worker.idle:
                self._submit()
            self._worker.drain()
        if self._pending:  # nothing in flight: the last (or only) batch is written here, no thread needed
            pending, self._pending = self._pending, []
            self._write_batch(pending)

    def abort(self) -> None:
        """Drop what is not written yet and wait for the worker (the caller then rolls back)."""
        self._pending = []
        if self._worker is not None:
            self._worker.abort()
        self._close_spool()

    def _replay(self) -> None:
        """The staged batches, in order, into the store (one short burst of writes at the end)."""
        spool = self._spool
        assert spool is not None
        self._spool = None  # from here on, batches are written
        try:
            spool.seek(0)
            for _ in range(self._spooled):
                batch: list[_Pending] = pickle.load(spool)
                if self._worker is None:
                    self._write_batch(batch)
                else:
                    self._worker.submit(batch)
        finally:
            spool.close()

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _submit(self) -> None:
        pending, self._pending = self._pending, []
        if self._spool is not None:
            pickle.dump(pending, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
            self._spooled += 1
            return
        if self._worker is None:
            self._write_batch(pending)
        else:
            self._worker.submit(pending)

    def _write_batch(self, pending: list[_Pending]) -> None:
        """Dedupe one batch against the store (and itself) and insert it; runs on the worker thread
        when ``background``."""
        if not self._prepared and self._dialect == "sqlite":
            # A bigger page cache for this write transaction: the three event indexes take random
            # inserts. Bounded (not proportional to the file), so peak memory stays flat.
            self.s.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
        self._prepared = True
        index = self._candidates(pending)
        existing_sources = self._existing_sources(index)
        new_events: list[tuple[Any, ...]] = []
        sources: list[tuple[Any, ...]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        ids = self._reserve_ids(len(pending))
        stats, event_ids, keep = self.stats, self.stats.event_ids, self.keep_ids
        evidence_id, source_format = self.evidence_id, self.source_format
        added = 0
        for p in pending:
            row = p.row
            key = row[_KEY]
            found = index.get(key) if key is not None else None
            match = self._match(found, p) if found else None
            if match is None:
                eid = ids.pop()
                new_events.append((eid, *row))
                if key is not None:
                    cand = [p.ts, eid, row[_ORIGIN], row[_DIRECTION]]
                    if found is None:
                        index[key] = [cand]
                    else:
                        found.append(cand)
                added += 1
            else:
                eid, other_origin = match
                if (eid, p.locator) in existing_sources:
                    stats.unchanged += 1
                    continue
                stats.merged += 1
                if other_origin == "recording" and row[_ORIGIN] != "recording" and row[_C["channel"]] == "call":
                    # the call log is authoritative for time, direction and duration
                    updates.append(
                        (
                            eid,
                            {
                                "start": p.start,
                                "direction": row[_DIRECTION],
                                "duration_s": row[_DURATION],
                                "time_basis": row[_TIME_BASIS],
                                "origin": row[_ORIGIN],
                                "counterpart_name": row[_NAME],
                            },
                        )
                    )
                    for cand in index.get(key, []):
                        if cand[1] == eid:
                            cand[0], cand[2], cand[3] = p.ts, row[_ORIGIN], row[_DIRECTION]
            existing_sources.add((eid, p.locator))
            sources.append((eid, evidence_id, p.locator, source_format, p.raw))
            for sha, size, media_type, name, part in p.attachments:
                att_id = self._attachment_evidence(sha, size, media_type, name)
                loc = f"{p.locator}/part[{part}]"[:500]
                if self._source_exists(eid, att_id, loc):
                    continue
                sources.append(
                    (eid, att_id, loc, "mms_attachment", self._json({"media_type": media_type, "name": name}))
                )
            if len(event_ids) < keep:
                event_ids.append(eid)
        stats.added += added
        if new_events:
            self._insert(Event.__table__, ("id", *EVENT_COLS), _SQL_EVENTS, new_events)
        conn = self.s.connection()
        for eid, values in updates:
            conn.execute(update(Event.__table__).where(Event.__table__.c.id == eid).values(**values))
        if sources:
            self._insert(EventSource.__table__, SOURCE_COLS, _SQL_SOURCES, sources)

    def _insert(self, table: Any, cols: tuple[str, ...], sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Fast path: multi-row statements straight to the DB-API driver (values are already in
        storage form); otherwise one SQLAlchemy Core executemany with its per-type bind processing."""
        conn = self.s.connection()
        if not self.fast:
            conn.execute(table.insert(), [dict(zip(cols, r)) for r in rows])
            return
        dbapi = conn.connection.driver_connection
        assert isinstance(dbapi, sqlite3.Connection)
        per = _rows_per_statement(dbapi, len(cols))
        cur = dbapi.cursor()
        try:
            for i in range(0, len(rows), per):
                chunk = rows[i : i + per]
                cur.execute(_values_sql(sql, len(cols), len(chunk)), list(itertools.chain.from_iterable(chunk)))
        finally:
            cur.close()

    # -- internals ----------------------------------------------------------
    @staticmethod
    def _match(cands: list[list[Any]], p: _Pending) -> tuple[int, str] | None:
        """The nearest candidate (ts, id, origin, direction) within the channel/origin window, if any."""
        t, row = p.ts, p.row
        origin, direction = row[_ORIGIN], row[_DIRECTION]
        best: tuple[float, int, str] | None = None
        for ct, cid, corigin, cdirection in cands:
            if (
                "recording" in (corigin, origin)
                and corigin != origin
                and (cdirection in UNANSWERED or direction in UNANSWERED)
            ):
                continue  # a recording belongs to an answered call, never to a missed/rejected/blocked one
            delta = abs(ct - t)
            if delta <= window_for(row[_C["channel"]], origin, corigin) and (best is None or delta < best[0]):
                best = (delta, cid, corigin)
        return None if best is None else (best[1], best[2])

    def _candidates(self, pending: list[_Pending]) -> dict[str, list[list[Any]]]:
        """Events of the case with the same dedupe keys within the batch's time range (+ the widest window)."""
        keys = list({p.row[_KEY] for p in pending if p.row[_KEY] is not None})
        index: dict[str, list[list[Any]]] = {}
        if not keys:
            return index
        lo = min(p.start for p in pending) - MAX_WINDOW
        hi = max(p.start for p in pending) + MAX_WINDOW
        if self.fast:
            # one driver-level query (no per-batch SQL compilation); SQLite's limit is 32766 variables
            conn = self.s.connection()
            for i in range(0, len(keys), 30000):
                chunk = keys[i : i + 30000]
                sql = (
                    "SELECT id, dedupe_key, start, origin, direction FROM events WHERE case_id = ? AND start >= ? "
                    f"AND start <= ? AND dedupe_key IN ({', '.join('?' for _ in chunk)})"
                )
                for eid, key, start, origin, direction in conn.exec_driver_sql(
                    sql, (self.case_id, _sqlite_datetime(lo), _sqlite_datetime(hi), *chunk)
                ):
                    ts = dt.datetime.fromisoformat(start).replace(tzinfo=UTC).timestamp()
                    index.setdefault(key, []).append([ts, eid, origin, direction])
            return index
        q = select(Event.id, Event.dedupe_key, Event.start, Event.origin, Event.direction).where(
            Event.case_id == self.case_id, Event.dedupe_key.in_(keys), Event.start >= lo, Event.start <= hi
        )
        for eid, key, start, origin, direction in self.s.execute(q):
            index.setdefault(key, []).append([start.timestamp(), eid, origin, direction])
        return index

    def _existing_sources(self, index: dict[str, list[list[Any]]]) -> set[tuple[int, str]]:
        ids = [c[1] for cands in index.values() for c in cands]
        found: set[tuple[int, str]] = set()
        for i in range(0, len(ids), 900):
            q = select(EventSource.event_id, EventSource.locator).where(
                EventSource.evidence_id == self.evidence_id, EventSource.event_id.in_(ids[i : i + 900])
            )
            found.update((eid, loc) for eid, loc in self.s.execute(q))
        return found

    def _source_exists(self, event_id: int, evidence_id: int, locator: str) -> bool:
        q = select(EventSource.id).where(
            EventSource.event_id == event_id, EventSource.evidence_id == evidence_id, EventSource.locator == locator
        )
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
        rows = (
            self.s.execute(
                text("SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, :n)"), {"n": n}
            )
            .scalars()
            .all()
        )
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
        meta = {"source": self.evidence_sha256, "derivation": "attachment", "size": size, "media_type": media_type}
        if (
            found is not None
            and self.s.execute(
                select(LedgerEntry.seq)
                .where(LedgerEntry.evidence_sha256 == sha, LedgerEntry.case_id == self.case_id)
                .limit(1)
            ).first()
            is None
        ):
            # stored for another case before: this case gets its own entry (its package holds only its entries)
            self.s.execute(select(LedgerHead.id).where(LedgerHead.id == 1).with_for_update()).first()
            ledger.append(self.s, "derived", evidence_sha256=sha, case_id=self.case_id, meta=meta)
        if found is None:
            self.s.execute(select(LedgerHead.id).where(LedgerHead.id == 1).with_for_update()).first()
            entry = ledger.append(self.s, "derived", evidence_sha256=sha, case_id=self.case_id, meta=meta)
            ev = Evidence(
                sha256=sha,
                size=size,
                media_type=media_type,
                kind="derived",
                derived_from_id=self.evidence_id,
                derivation="attachment",
                first_name=(name or None) and name[:500],
                ledger_seq=entry.seq,
            )
            self.s.add(ev)
            self.s.flush()
            found = ev.id
        self._attachment_ids[sha] = found
        self.stats.attachments += 1
        return found
