"""Analysis of a case: run every registered detector, keep findings, record reviews.

``analyze_case`` is idempotent: each finding has a stable ``key``; a re-run updates the finding with
that key, never touches its review (who confirmed or rejected it, when, the note), and when a finding
is no longer produced it is deleted if nobody reviewed it, or marked ``stale`` if somebody did.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from weiquan.analyze.base import (
    CaseContext,
    CaseRequest,
    EventLink,
    FindingDraft,
    Hit,
    TimelineEvent,
    is_note_of_contact,
)
from weiquan.analyze.figures import FIGURES_KEY, contact_figures
from weiquan.analyze.lawrules import category_law, provisions_by_id
from weiquan.analyze.patterns import stop_request_kind
from weiquan.errors import InputError, NotFoundError
from weiquan.law.pack import LawPack
from weiquan.plugins import collect
from weiquan.services import law as law_svc
from weiquan.services.cases import get_case_row
from weiquan.store.models import Action, Event, Finding, FindingEvent
from weiquan.store.types import utcnow
from weiquan.workspace import Workspace
from weiquan.zh.labels import severity_rank

log = logging.getLogger(__name__)
REVIEW_STATES = ("auto", "confirmed", "rejected")


class FindingEventOut(BaseModel):
    event_id: int
    spans: list[list[int]]  # [start, end) in the event's text
    quotes: list[str] = []  # the words; for a finding of a call's transcript kept beside a typed text, the transcript's
    text: str | None = None
    start: dt.datetime
    channel: str
    counterpart: str | None = None
    recipient: str


class FindingOut(BaseModel):
    id: int
    case_id: int
    key: str
    category: str
    category_zh: str
    severity: str
    confidence: float
    detector: str
    detector_version: str
    provisions: list[dict[str, Any]]
    summary: str | None = None
    explanation: str | None = None
    review_state: str
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    review_note: str | None = None
    stale: bool = False
    events: list[FindingEventOut] = []


class CategorySummary(BaseModel):
    category: str
    name_zh: str
    severity: str
    count: int  # findings not rejected
    confirmed: int
    rejected: int
    events: int
    examples: list[FindingOut]


class AnalysisResult(BaseModel):
    case_id: int
    created: int
    updated: int
    removed: int
    stale: int
    detectors: list[str]
    categories: list[CategorySummary]


# ------------------------------------------------------------------------------------------ loading


def _timeline(s: Session, case_id: int) -> list[TimelineEvent]:
    # events whose date the user has not confirmed are not evidence of anything yet (services.dates)
    rows = s.execute(
        select(Event).where(Event.case_id == case_id, Event.date_unconfirmed.is_(False)).order_by(Event.start, Event.id)
    ).scalars()
    return [
        TimelineEvent(
            id=e.id,
            channel=e.channel,
            direction=e.direction,
            start=e.start,
            source_tz=e.source_tz,
            counterpart=e.counterpart,
            counterpart_name=e.counterpart_name,
            signature=e.signature,
            text=e.text,
            recipient=e.recipient or "borrower",
            duration_s=e.duration_s,
            number_kind=e.number_kind,
            origin=e.origin,
            text_from=(e.extra or {}).get("text_from"),
        )
        for e in rows
    ]


def _requests(s: Session, case_id: int, events: list[TimelineEvent]) -> list[CaseRequest]:
    reqs: list[CaseRequest] = []
    for a in s.execute(select(Action).where(Action.case_id == case_id, Action.submitted_at.is_not(None))).scalars():
        if a.submitted_at is not None:
            reqs.append(CaseRequest(a.submitted_at, "complaint", f"action:{a.id}", f"向 {a.body} 提交投诉"))
    for e in events:
        if e.direction in ("outgoing", "out") and e.text:
            kind = stop_request_kind(e.text)
            if kind:
                reqs.append(
                    CaseRequest(
                        e.start,
                        kind,
                        f"event:{e.id}",
                        "借款人要求停止联系" + ("其家人/联系人" if kind == "stop_third_party" else ""),
                    )
                )
    return reqs


def _detectors() -> list[Any]:
    return collect("register_detectors")


def _transcripts(s: Session, case_id: int) -> dict[int, str]:
    """The machine transcript of each call recording kept beside a text the borrower typed for the same call
    (``extraction_write.attach_to_recording`` never overwrites a human-entered text): analysed too, so what the
    recording says reaches the findings even when the borrower's own summary of the call does not say it."""
    out: dict[int, str] = {}
    rows = s.execute(
        select(Event.id, Event.extra, Event.direction).where(
            Event.case_id == case_id, Event.date_unconfirmed.is_(False)
        )
    )
    for eid, extra, direction in rows:
        t = (extra or {}).get("transcript") if isinstance(extra, dict) else None
        text = t.get("text") if isinstance(t, dict) else None
        if isinstance(text, str) and text.strip() and direction not in ("outgoing", "out", "draft"):
            out[eid] = text
    return out


def hit_out(hit: Hit, text: str) -> dict[str, Any]:
    """A text hit as ``weiquan classify`` shows it: category, spans and the quoted words, which part decided (a rule
    id or the model's version), and the provisions a finding of its category cites (id, citation, kind)."""
    provisions = [{"id": p["id"], "cite": p["cite"], "kind": p["kind"]} for p in category_law(hit.category).provisions]
    return {**hit.to_dict(text), "provisions": provisions}


def _hits(detector: Any, texts: list[str]) -> list[list[Hit]]:
    if hasattr(detector, "detect_many"):
        return list(detector.detect_many(texts))
    return [detector.detect(t) for t in texts]


def _text_drafts(
    detector: Any,
    events: list[TimelineEvent],
    seen: dict[int, list[Hit]] | None = None,
    transcripts: dict[int, str] | None = None,
) -> list[FindingDraft]:
    """Findings of one text detector; ``seen`` collects every event's hits for the case detectors. A call's
    ``transcripts`` kept beside the borrower's own text are read too: a category the typed text does not show
    becomes a finding of the event, its quote from the transcript (no span: the spans index the typed text)."""
    with_text = [e for e in events if e.text and e.text.strip() and e.direction not in ("outgoing", "out", "draft")]
    texts = [e.text or "" for e in with_text]
    all_hits = _hits(detector, texts)
    notes = [i for i, e in enumerate(with_text) if is_note_of_contact(e)]
    if notes and hasattr(detector, "detect_many_notes"):  # notes of calls and visits: also read as a retelling
        for i, hits in zip(notes, detector.detect_many_notes([texts[i] for i in notes]), strict=True):
            all_hits[i] = hits
    drafts = []
    found = {(ev.id, h.category) for ev, hits in zip(with_text, all_hits, strict=True) for h in hits}
    by_id = {e.id: e for e in events}
    extra_ids = [eid for eid in (transcripts or {}) if eid in by_id]
    for eid, hits in zip(extra_ids, _hits(detector, [(transcripts or {})[i] for i in extra_ids]), strict=True):
        tr = (transcripts or {})[eid]
        for h in hits:
            if (eid, h.category) in found:
                continue
            found.add((eid, h.category))
            drafts.append(_hit_draft(h, eid, tr, transcript=True))
    for ev, hits in zip(with_text, all_hits, strict=True):
        if seen is not None:
            seen.setdefault(ev.id, []).extend(hits)
        drafts += [_hit_draft(h, ev.id, ev.text or "", transcript=False) for h in hits]
    return drafts


def _hit_draft(h: Hit, event_id: int, text: str, *, transcript: bool) -> FindingDraft:
    """A text detector's hit as a finding of one event, quoting the words it matched in ``text``. In a call's
    transcript the spans index the transcript, not the typed text: kept apart, so the quotes still show."""
    quote = "」「".join(text[a:b] for a, b in h.spans)[:80]
    rule = {"rule": h.rule_id} if h.rule_id else {}
    return FindingDraft(
        key=f"text:{h.category}:{event_id}",
        category=h.category,
        detector_id=h.detector_id,
        detector_version=h.detector_version,
        confidence=h.confidence,
        summary=f"「{quote}」（录音转写）" if transcript else f"「{quote}」",
        explanation=h.explanation,
        events=[EventLink(event_id, [] if transcript else [tuple(sp) for sp in h.spans])],
        extra={"text_source": "transcript", "transcript_spans": [list(sp) for sp in h.spans], **rule}
        if transcript
        else rule,
    )


# ------------------------------------------------------------------------------------------ analyse


def analyze_case(ws: Workspace, case_id: int) -> AnalysisResult:
    """Run every registered detector over the case and store the findings (idempotent)."""
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone
        events = _timeline(s, case_id)
        transcripts = _transcripts(s, case_id)
        ctx = CaseContext(
            case_id=case_id,
            timezone=tz,
            events=events,
            requests=_requests(s, case_id, events),
            borrower_phones=list(case.borrower_phones or []),
        )
    drafts: list[FindingDraft] = []
    names: list[str] = []
    dets = _detectors()
    for det in dets:  # text detectors first: case detectors may read their hits (ctx.text_hits)
        if getattr(det, "kind", "") == "text":
            names.append(f"{det.id}@{det.version}")
            drafts.extend(_text_drafts(det, events, ctx.text_hits, transcripts))
    for det in dets:
        if getattr(det, "kind", "") == "case":
            names.append(f"{det.id}@{det.version}")
            drafts.extend(det.detect_case(ctx))
    # a visit that happened is one finding of the act (pattern.visit: conduct, with its provisions and the words'
    # spans), not also a text "threat" of the same event or of a later note telling the same visit
    told_visits = {
        f"text:threat_visit:{eid}"
        for d in drafts
        if d.extra.get("conduct") == "visit"
        for eid in [*(e.event_id for e in d.events), *d.extra.get("told_again", [])]
    }
    drafts = [d for d in drafts if d.key not in told_visits]
    by_key: dict[str, FindingDraft] = {}
    for d in drafts:  # two detectors reporting the same key: keep the more confident one
        if d.key not in by_key or d.confidence > by_key[d.key].confidence:
            by_key[d.key] = d
    created = updated = removed = stale = 0

    figures = contact_figures(ctx, ws.law.conduct.night)
    with ws.db.session() as s:
        case_row = get_case_row(s, case_id)
        case_row.extra = {**(case_row.extra or {}), FIGURES_KEY: figures}  # one count for every output
        existing = {
            f.key: f
            for f in s.execute(
                select(Finding).where(Finding.case_id == case_id).options(selectinload(Finding.events))
            ).scalars()
        }
        for key, d in by_key.items():
            law = category_law(d.category)
            f = existing.get(key)
            if f is None:
                f = Finding(case_id=case_id, key=key)
                s.add(f)
                created += 1
            else:
                updated += 1
            f.category, f.severity = d.category, law.severity
            f.detector_id, f.detector_version = d.detector_id, d.detector_version
            own = provisions_by_id(d.extra["provision_ids"]) if d.extra.get("provision_ids") else []
            f.confidence, f.provisions = (
                float(d.confidence),
                own + [p for p in law.provisions if p["id"] not in d.extra.get("provision_ids", ())],
            )
            f.summary, f.explanation, f.stale = d.summary, d.explanation, False
            f.extra = dict(d.extra)
            wanted = {link.event_id: [list(sp) for sp in link.spans] for link in d.events}
            for fe in list(f.events):
                if fe.event_id not in wanted:
                    f.events.remove(fe)
                else:
                    fe.spans = wanted.pop(fe.event_id)
            for eid, spans in wanted.items():
                f.events.append(FindingEvent(event_id=eid, spans=spans))
        for key, f in existing.items():
            if key in by_key:
                continue
            if f.review_state != "auto" or f.review_note:
                if not f.stale:
                    f.stale = True
                    stale += 1
            else:
                s.delete(f)
                removed += 1
    log.info(
        "case %s analysed: %d created, %d updated, %d removed, %d stale", case_id, created, updated, removed, stale
    )
    return AnalysisResult(
        case_id=case_id,
        created=created,
        updated=updated,
        removed=removed,
        stale=stale,
        detectors=names,
        categories=summarize(ws, case_id),
    )


# ------------------------------------------------------------------------------------------ reading


def _finding_out(f: Finding, events: dict[int, Event]) -> FindingOut:
    law = category_law(f.category)
    evs = []
    for fe in sorted(
        f.events, key=lambda x: (events[x.event_id].start, x.event_id) if x.event_id in events else (utcnow(), 0)
    ):
        e = events.get(fe.event_id)
        if e is None:
            continue
        spans = [list(sp) for sp in (fe.spans or [])]
        quotes = [(e.text or "")[a:b] for a, b in spans]
        heard = (f.extra or {}).get("transcript_spans") if not spans else None
        if heard:  # a finding of the recording's transcript kept beside the borrower's typed text: quote the transcript
            tr = ((e.extra or {}).get("transcript") or {}).get("text") or ""
            quotes = [tr[a:b] for a, b in heard if tr[a:b]]
        evs.append(
            FindingEventOut(
                event_id=e.id,
                spans=spans,
                quotes=quotes,
                text=e.text,
                start=e.start,
                channel=e.channel,
                counterpart=e.counterpart,
                recipient=e.recipient,
            )
        )
    return FindingOut(
        id=f.id,
        case_id=f.case_id,
        key=f.key,
        category=f.category,
        category_zh=law.name_zh,
        severity=f.severity,
        confidence=f.confidence,
        detector=f.detector_id,
        detector_version=f.detector_version,
        provisions=list(f.provisions or []),
        summary=f.summary,
        explanation=f.explanation,
        review_state=f.review_state,
        reviewed_by=f.reviewed_by,
        reviewed_at=f.reviewed_at,
        review_note=f.review_note,
        stale=f.stale,
        events=evs,
    )


def _load(s: Session, q: Any) -> list[FindingOut]:
    rows = list(s.execute(q.options(selectinload(Finding.events))).scalars())
    ids = {fe.event_id for f in rows for fe in f.events}
    events = {e.id: e for e in s.execute(select(Event).where(Event.id.in_(ids))).scalars()} if ids else {}
    return [_finding_out(f, events) for f in rows]


def list_findings(
    ws: Workspace, case_id: int, *, state: str | None = None, category: str | None = None, include_stale: bool = True
) -> list[FindingOut]:
    """Findings of a case, most severe and most confident first."""
    if state is not None and state not in REVIEW_STATES:
        raise InputError(
            f"未知的审核状态：{state}（可选 auto/confirmed/rejected）",
            f"unknown review state: {state} (auto/confirmed/rejected)",
        )
    with ws.db.read_session() as s:
        get_case_row(s, case_id)
        q = select(Finding).where(Finding.case_id == case_id)
        if state:
            q = q.where(Finding.review_state == state)
        if category:
            q = q.where(Finding.category == category)
        if not include_stale:
            q = q.where(Finding.stale.is_(False))
        out = _load(s, q)
    return sorted(out, key=lambda f: (severity_rank(f.severity), -f.confidence, f.id))


def get_finding(ws: Workspace, finding_id: int) -> FindingOut:
    with ws.db.read_session() as s:
        out = _load(s, select(Finding).where(Finding.id == finding_id))
    if not out:
        raise NotFoundError(f"发现 {finding_id} 不存在", f"finding {finding_id} does not exist")
    return out[0]


def review_finding(ws: Workspace, finding_id: int, state: str, *, reviewer: str, note: str | None = None) -> FindingOut:
    """Record a person's review: ``confirmed``, ``rejected`` or back to ``auto``. Kept across re-analysis."""
    if state not in REVIEW_STATES:
        raise InputError(
            f"未知的审核状态：{state}（可选 confirmed/rejected/auto）",
            f"unknown review state: {state} (confirmed/rejected/auto)",
        )
    if not reviewer.strip():
        raise InputError("审核人不能为空", "reviewer must not be empty")
    with ws.db.session() as s:
        f = s.get(Finding, finding_id)
        if f is None:
            raise NotFoundError(f"发现 {finding_id} 不存在", f"finding {finding_id} does not exist")
        f.review_state = state
        f.reviewed_by = reviewer.strip()
        f.reviewed_at = utcnow()
        if note is not None:
            f.review_note = note
        case_id = f.case_id
    ws.vault.record("finding_reviewed", case_id=case_id, meta={"finding_id": finding_id, "state": state})
    return get_finding(ws, finding_id)


def summarize(ws: Workspace, case_id: int, *, examples: int = 3) -> list[CategorySummary]:
    """Per category: counts (not rejected / confirmed / rejected), events involved, strongest examples."""
    findings = list_findings(ws, case_id)
    cats: dict[str, list[FindingOut]] = {}
    for f in findings:
        cats.setdefault(f.category, []).append(f)
    out = []
    for cat, fs in cats.items():
        law = category_law(cat)
        live = [f for f in fs if f.review_state != "rejected" and not f.stale]
        best = sorted(live, key=lambda f: (f.review_state != "confirmed", -f.confidence, -len(f.events)))[:examples]
        out.append(
            CategorySummary(
                category=cat,
                name_zh=law.name_zh,
                severity=law.severity,
                count=len(live),
                confirmed=sum(f.review_state == "confirmed" for f in fs),
                rejected=sum(f.review_state == "rejected" for f in fs),
                events=len({e.event_id for f in live for e in f.events}),
                examples=best,
            )
        )
    return sorted(out, key=lambda c: (severity_rank(c.severity), -c.count, c.category))


# -- review: which case a finding belongs to, and findings with their law in plain words (the review page)


def finding_case_id(ws: Workspace, finding_id: int) -> int:
    with ws.db.read_session() as s:
        f = s.get(Finding, finding_id)
        if f is None:
            raise NotFoundError(f"违规记录 {finding_id} 不存在", f"finding {finding_id} does not exist")
        return f.case_id


def require_finding_in_case(ws: Workspace, case_id: int, finding_id: int) -> None:
    if finding_case_id(ws, finding_id) != case_id:
        raise NotFoundError(
            f"违规记录 {finding_id} 不属于这个案件", f"finding {finding_id} is not part of case {case_id}"
        )


UNKNOWN_DETECTOR_ZH = "自动识别"


def detector_labels() -> dict[str, str]:
    """Each registered detector's id with its own ``label_zh`` (a plug-in's included), and the parts a detector
    combines (the text detector's rules and model, whose ids its hits carry)."""
    out: dict[str, str] = {}
    for d in _detectors():
        for one in [d, *getattr(d, "parts", [])]:
            out.setdefault(one.id, getattr(one, "label_zh", "") or UNKNOWN_DETECTOR_ZH)
    return out


class ReviewItem(BaseModel):
    finding: Any  # the analysis service's FindingOut
    detector_zh: str = UNKNOWN_DETECTOR_ZH  # the detector that found it, as it names itself
    info: law_svc.CategoryInfo
    provisions: list[law_svc.ProvisionInfo]


class ReviewGroup(BaseModel):
    category: str
    name_zh: str
    items: list[ReviewItem]
    total: int  # findings of the category in the case (all states)
    pending: int  # of them not reviewed yet


def group_pending(findings: list[Any], category: str) -> int:
    return sum(1 for f in findings if f.category == category and f.review_state == "auto")


def group_by_category(items: list[ReviewItem], everything: list[Any]) -> list[ReviewGroup]:
    """One page's findings grouped by violation category (in the order they come), with each category's counts."""
    groups: dict[str, ReviewGroup] = {}
    for it in items:
        cat = it.finding.category
        g = groups.get(cat)
        if g is None:
            g = groups[cat] = ReviewGroup(
                category=cat,
                name_zh=it.info.name_zh,
                items=[],
                total=sum(1 for f in everything if f.category == cat),
                pending=group_pending(everything, cat),
            )
        g.items.append(it)
    return list(groups.values())


def _finding_scope(f: Any, scope: law_svc.LawScope | None) -> law_svc.LawScope | None:
    """The case's scope narrowed to the local days of the finding's own events."""
    if scope is None or scope.first is None:
        return scope
    starts = [e.start for e in (getattr(f, "events", None) or []) if getattr(e, "start", None) is not None]
    if not starts:
        return scope
    z = ZoneInfo(scope.tz)
    days = [(t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(z).date() for t in starts]
    return scope.model_copy(update={"first": min(days), "last": max(days)})


def review_items(pack: LawPack, findings: list[Any], scope: law_svc.LawScope | None = None) -> list[ReviewItem]:
    """Each finding with its category's plain-words law and its own provisions resolved from the law pack, cited as
    the case's documents cite them (``scope``: the version in force when the conduct happened, the lender's
    licence type)."""
    out = []
    detectors = detector_labels()
    for f in findings:
        # each finding cited in the version in force on its own days (a 2025 act: the 2012 text and its penalty,
        # even when the case goes on into 2026)
        own = _finding_scope(f, scope)
        info = law_svc.category_info(pack, f.category, own)
        provs = law_svc.provisions_for(pack, list(f.provisions or []), own) or info.provisions
        out.append(
            ReviewItem(
                finding=f, info=info, provisions=provs, detector_zh=detectors.get(f.detector, UNKNOWN_DETECTOR_ZH)
            )
        )
    return out
