"""Core records (docs/sources.md#records).

Names: ``Case`` (one borrower vs. lenders/collectors), ``Evidence`` (one stored blob,
original or derived), ``Acquisition`` (each time a blob was given to us, with its
file name and case), ``Event`` (one contact on the timeline) with ``EventSource``
(provenance: evidence + locator; an event merged from two exports has two),
``Finding`` (a detected unlawful act) with ``FindingEvent`` (its events and spans),
``Loan``, ``Action`` (a step taken: complaint sent, deadline), ``LedgerEntry``
(append-only hash chain), ``Job`` (background extraction), and the web server
mode's ``User``, ``CaseAccess`` and ``AuditLog``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from weiquan.store.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="borrower")  # borrower|advocate|admin
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lender_name: Mapped[str | None] = mapped_column(String(200))
    lender_entity: Mapped[str | None] = mapped_column(String(300))
    licence_type: Mapped[str | None] = mapped_column(String(40))
    borrower_name: Mapped[str | None] = mapped_column(String(100))
    borrower_phones: Mapped[list[Any]] = mapped_column(default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    status: Mapped[str] = mapped_column(String(20), default="open")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseAccess(Base):
    """Sharing of a case with an advocate (server mode)."""

    __tablename__ = "case_access"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="advocate")
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Evidence(Base):
    """One stored blob, content-addressed by SHA-256. Originals and derived artefacts alike."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="original")  # original|derived
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"))
    derivation: Mapped[str | None] = mapped_column(String(40))  # ocr|asr|attachment|export …
    first_name: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    derived_from: Mapped[Evidence | None] = relationship(remote_side=[id])
    acquisitions: Mapped[list[Acquisition]] = relationship(back_populates="evidence")


class Acquisition(Base):
    """Each time a blob was handed to weiquan (file name, case, device). Never deleted with a blob."""

    __tablename__ = "acquisitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    original_name: Mapped[str | None] = mapped_column(String(500))
    source_path: Mapped[str | None] = mapped_column(Text)
    source_device: Mapped[str | None] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)
    # Parse state of this acquisition: pending|parsed|unparsed|queued (awaiting extraction)
    parse_status: Mapped[str] = mapped_column(String(20), default="pending")
    parse_format: Mapped[str | None] = mapped_column(String(60))
    parse_error: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[Evidence] = relationship(back_populates="acquisitions")


class Event(Base):
    """One contact on the timeline."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))  # call|sms|mms|chat|visit|letter|other
    direction: Mapped[str] = mapped_column(String(20), default="unknown")
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source_tz: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    time_basis: Mapped[str | None] = mapped_column(String(60))
    wallclock_text: Mapped[str | None] = mapped_column(String(100))  # wall-clock string as given
    duration_s: Mapped[float | None] = mapped_column(Float)
    counterpart_raw: Mapped[str | None] = mapped_column(String(200))
    counterpart: Mapped[str | None] = mapped_column(String(40))  # E.164 when parseable (indexed with the case below)
    counterpart_name: Mapped[str | None] = mapped_column(String(200))
    number_kind: Mapped[str | None] = mapped_column(String(30))
    carrier: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(100))
    signature: Mapped[str | None] = mapped_column(String(100))  # 【…】 claimed sender identity
    text: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(
        String(20), default="borrower"
    )  # borrower|relative|colleague|friend|employer|other
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20), default="export")  # export|screenshot|recording|manual|transcript
    confidence: Mapped[float | None] = mapped_column(Float)
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The date was not shown on the source (a screenshot's "22:47" with no file-name/EXIF/status-bar date):
    # ``start`` is only a proposal; the event is kept out of counts, analysis and documents until the user
    # confirms the date (services.dates). Migration 0004.
    date_unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    sources: Mapped[list[EventSource]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        Index("ix_events_case_start", "case_id", "start"),
        Index("ix_events_case_dedupe", "case_id", "dedupe_key"),
        # covering index of the dashboard's grouped pass (services.dashboard); migrations 0002, 0004
        Index(
            "ix_events_case_dashboard",
            "case_id",
            "counterpart",
            "channel",
            "recipient",
            "date_unconfirmed",
            "start",
            "signature",
        ),
    )


class EventSource(Base):
    """Provenance of an event: which evidence, where inside it."""

    __tablename__ = "event_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))  # uq_event_source leads with it
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"), index=True)
    locator: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str | None] = mapped_column(String(60))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)

    event: Mapped[Event] = relationship(back_populates="sources")
    evidence: Mapped[Evidence] = relationship()

    __table_args__ = (UniqueConstraint("event_id", "evidence_id", "locator", name="uq_event_source"),)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20), default="medium")
    detector_id: Mapped[str] = mapped_column(String(80))
    detector_version: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    provisions: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(128))  # stable identity for idempotent re-analysis
    review_state: Mapped[str] = mapped_column(String(20), default="auto")  # auto|confirmed|rejected
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)  # detector no longer reports it
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_finding_key"),)


class FindingEvent(Base):
    __tablename__ = "finding_events"
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True)
    spans: Mapped[list[Any]] = mapped_column(default=list)  # [[start, end], …] into Event.text

    finding: Mapped[Finding] = relationship(back_populates="events")
    event: Mapped[Event] = relationship()


class Loan(Base):
    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    lender: Mapped[str | None] = mapped_column(String(200))
    legal_entity: Mapped[str | None] = mapped_column(String(300))
    licence_type: Mapped[str | None] = mapped_column(String(40))
    contract_date: Mapped[dt.date | None] = mapped_column()
    principal: Mapped[float | None] = mapped_column(Float)
    cash_flows: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the loan description as given
    apr: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str | None] = mapped_column(String(40))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)  # full check result
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Action(Base):
    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(80))  # channel id from the law pack
    document: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|sent|replied|overdue|escalated|closed
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reference_no: Mapped[str | None] = mapped_column(String(120))
    due_at: Mapped[dt.date | None] = mapped_column()
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_rule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    response: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LedgerEntry(Base):
    """Append-only, hash-chained record of every acquisition, derivation and export.

    ``ts`` and ``meta`` are stored as the exact strings that were hashed, so the
    chain can be re-verified byte for byte on any backend.
    """

    __tablename__ = "ledger"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    ts: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: survives case deletion
    meta: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """Single row locked by every ledger append, serialising writers on all backends."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))


class Job(Base):
    """Background extraction work (OCR, ASR), keyed by content hash and engine."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # ocr|asr
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|running|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("kind", "evidence_id", "case_id", name="uq_job"),)


class AuditLog(Base):
    """Who saw or changed what (web server mode). Never stores message bodies."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
