"""Store-side helpers of the extraction service that the import writer does not cover.

- ``insert_unmerged``: events that must never be merged with each other (the calls of a "(7)"
  group in a call list share the one time the screen shows), inserted idempotently by
  (evidence, locator).
- ``attach_to_recording``: a transcript becomes the text of the call event(s) the import created
  for the recording, with a second source pointing at the transcript (derived evidence).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.ingest.base import RawEvent
from weiquan.ingest.numbers import normalize_number
from weiquan.ingest.textnorm import extract_signature
from weiquan.store.models import Event, EventSource


def _source_exists(s: Session, case_id: int, evidence_id: int, locator: str) -> bool:
    q = (
        select(EventSource.id)
        .join(Event, Event.id == EventSource.event_id)
        .where(Event.case_id == case_id, EventSource.evidence_id == evidence_id, EventSource.locator == locator)
    )
    return s.execute(q).first() is not None


def insert_unmerged(s: Session, *, case_id: int, evidence_id: int, source_format: str, raws: list[RawEvent]) -> int:
    added = 0
    for r in raws:
        locator = r.locator[:500]
        if _source_exists(s, case_id, evidence_id, locator):
            continue
        info = normalize_number(r.counterpart_raw)
        ev = Event(
            case_id=case_id,
            channel=r.channel,
            direction=r.direction,
            start=r.start.astimezone(dt.timezone.utc),
            source_tz=r.source_tz,
            time_basis=r.time_basis,
            wallclock_text=(r.wallclock_text or None) and r.wallclock_text[:100],
            duration_s=r.duration_s,
            counterpart_raw=r.counterpart_raw,
            counterpart=info.key,
            counterpart_name=r.counterpart_name,
            number_kind=info.kind,
            carrier=info.carrier,
            region=info.region,
            signature=extract_signature(r.text) if r.channel in ("sms", "mms", "chat") else None,
            text=r.text,
            recipient=r.recipient,
            recipient_name=r.recipient_name,
            origin=r.origin,
            confidence=r.confidence,
            dedupe_key=None,
            extra=dict(r.extra),
            date_unconfirmed=r.extra.get("date_unconfirmed") is True,
        )
        ev.sources.append(EventSource(evidence_id=evidence_id, locator=locator, source_format=source_format, raw=r.raw))
        s.add(ev)
        added += 1
    s.flush()
    return added


def attach_to_recording(
    s: Session, *, case_id: int, evidence_id: int, derived_id: int, raw: RawEvent
) -> tuple[int, RawEvent | None]:
    """Put the transcript on the case's events sourced from this recording.

    Returns (events updated, None), or (0, raw) when the import created no event for the
    recording, so the caller stores ``raw`` as a new call event.
    """
    q = (
        select(Event)
        .join(EventSource, EventSource.event_id == Event.id)
        .where(Event.case_id == case_id, EventSource.evidence_id == evidence_id)
        .distinct()
    )
    events = s.execute(q).scalars().all()
    if not events:
        return 0, raw
    updated = 0
    transcript: dict[str, Any] = {
        k: raw.extra[k]
        for k in (
            "segments",
            "spans",
            "engine",
            "language",
            "audio_duration_s",
            "dropped_segments",
            "corrections",
            "rescored",
        )
        if k in raw.extra
    }
    for ev in events:
        extra = dict(ev.extra or {})
        if ev.text and extra.get("text_from") != "asr":
            extra["transcript"] = {"text": raw.text, **transcript}  # keep a human-entered text; add ours beside it
        else:
            ev.text = raw.text
            extra.update(text_from="asr", **transcript)
        extra["transcript_evidence_id"] = derived_id
        ev.extra = extra
        if not _source_exists(s, case_id, derived_id, "transcript"):
            s.add(
                EventSource(
                    event_id=ev.id,
                    evidence_id=derived_id,
                    locator="transcript",
                    source_format="asr",
                    raw={"segments": len(transcript.get("segments", []))},
                )
            )
        updated += 1
    s.flush()
    return updated, None
