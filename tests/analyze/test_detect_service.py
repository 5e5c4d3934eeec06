"""analyze_case: text findings, idempotent re-analysis, reviews preserved, stale findings."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.analyze_builders import local
from sqlalchemy import delete

from weiquan.plugins import collect
from weiquan.services.analysis import analyze_case, get_finding, list_findings, review_finding, summarize
from weiquan.store.models import Event
from weiquan.workspace import Workspace


def test_builtin_detectors_registered_through_plugin_hook() -> None:
    ids = {d.id for d in collect("register_detectors")}
    assert {"text.combined", "pattern.night", "pattern.rotation", "pattern.calls_per_number"} <= ids


def test_text_finding_has_span_and_provisions(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    text = "今晚十点前不还，就爆你通讯录"
    eid = add_event(local(2026, 3, 2, 10), channel="sms", text=text, duration=None)
    add_event(local(2026, 3, 2, 11), channel="sms", text="你的借款已逾期，请尽快还款，以免影响征信", duration=None)
    res = analyze_case(ws, case_id)
    fs = list_findings(ws, case_id)
    assert [f.category for f in fs] == ["threat_exposure"]
    f = fs[0]
    assert f.key == f"text:threat_exposure:{eid}"
    a, b = f.events[0].spans[0]
    assert "通讯录" in text[a:b] and f.events[0].quotes[0] == text[a:b]
    assert any("治安管理处罚法" in p["cite"] for p in f.provisions)
    assert res.categories[0].category == "threat_exposure" and res.categories[0].count == 1


def test_reanalysis_is_idempotent_and_keeps_reviews(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    e1 = add_event(local(2026, 3, 2, 10), channel="sms", text="再不还钱就上门找你", duration=None)
    add_event(local(2026, 3, 2, 23, 40), channel="sms", text="还钱", duration=None)
    first = analyze_case(ws, case_id)
    assert first.created >= 2
    fs = list_findings(ws, case_id)
    visit = next(f for f in fs if f.category == "threat_visit")
    night = next(f for f in fs if f.category == "night_contact")
    review_finding(ws, visit.id, "confirmed", reviewer="律师甲", note="已核对原始短信")
    review_finding(ws, night.id, "rejected", reviewer="律师甲")
    second = analyze_case(ws, case_id)
    assert second.created == 0 and second.removed == 0 and second.updated == first.created
    again = {f.id: f for f in list_findings(ws, case_id)}
    assert set(again) == {f.id for f in fs}
    assert again[visit.id].review_state == "confirmed" and again[visit.id].reviewed_by == "律师甲"
    assert again[visit.id].review_note == "已核对原始短信"
    assert again[night.id].review_state == "rejected"
    # the visit message disappears: reviewed finding becomes stale, not deleted
    with ws.db.session() as s:
        s.execute(delete(Event).where(Event.id == e1))
    analyze_case(ws, case_id)
    # FindingEvent rows cascade with the event; the finding itself is kept, marked stale
    kept = get_finding(ws, visit.id)
    assert kept.stale and kept.review_state == "confirmed"


def test_unreviewed_findings_no_longer_produced_are_removed(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    e = add_event(local(2026, 3, 2, 10), channel="sms", text="你个废物，赶紧还钱", duration=None)
    analyze_case(ws, case_id)
    assert any(f.category == "insult" for f in list_findings(ws, case_id))
    with ws.db.session() as s:
        s.get(Event, e).text = "请尽快还款"
    res = analyze_case(ws, case_id)
    assert res.removed == 1 and not list_findings(ws, case_id)


def test_summary_counts_exclude_rejected(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    for h in (10, 11, 12):
        add_event(local(2026, 3, 2, h), channel="sms", text=f"不还钱就让你坐牢（第{h}次）", duration=None)
    analyze_case(ws, case_id)
    fs = list_findings(ws, case_id, category="threat_legal_false")
    review_finding(ws, fs[0].id, "rejected", reviewer="me")
    cat = next(c for c in summarize(ws, case_id) if c.category == "threat_legal_false")
    assert cat.count == 2 and cat.rejected == 1 and len(cat.examples) == 2


def test_a_finding_of_a_calls_transcript_keeps_its_words(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """The borrower typed a note of the call; the recording's transcript, kept beside it, says more: the finding of
    the transcript keeps its spans (into the transcript) and quotes the words heard."""
    heard = "你再不还，我们就把你欠钱的事发到你家族群里，让你亲戚都知道"
    eid = add_event(
        local(2026, 3, 2, 10),
        text="对方来电催我还款",
        extra={"transcript": {"text": heard}},
    )
    analyze_case(ws, case_id)
    f = next(f for f in list_findings(ws, case_id) if f.key == f"text:threat_exposure:{eid}")
    (link,) = f.events
    assert link.spans == [] and link.quotes and all(q and q in heard for q in link.quotes)
    assert "录音转写" in (f.summary or "")
