"""Pattern detectors over built timelines, through the analysis service."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.analyze_builders import local

from weiquan.analyze.lawrules import default_conduct
from weiquan.services.analysis import analyze_case, list_findings
from weiquan.store.models import Action
from weiquan.workspace import Workspace


def by_key(ws: Workspace, case_id: int) -> dict[str, object]:
    return {f.key: f for f in list_findings(ws, case_id)}


def test_seven_calls_in_a_day_from_one_number(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    limit = default_conduct().max_attempts_per_number_per_day
    for i in range(limit + 1):
        add_event(local(2026, 3, 2, 9 + i), direction="missed", duration=0)
    add_event(local(2026, 3, 3, 10), direction="missed", duration=0)  # another day: not counted
    analyze_case(ws, case_id)
    f = by_key(ws, case_id)["volume:number:+8613800000001:2026-03-02"]
    assert f.category == "harassment_volume" and len(f.events) == limit + 1
    assert f.provisions and f.severity


def test_answered_calls_do_not_count_as_attempts(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    """The attempts rule (CBA guideline: "债务人电话未接通的 … 不宜超过6次", docs/sources.md#cba-attempts) counts calls
    the borrower did not answer; answered calls are the connected-calls rule's (GB/T 45251), not this one's."""
    limit = default_conduct().max_attempts_per_number_per_day
    for i in range(limit):
        add_event(local(2026, 3, 2, 8 + i), direction="rejected", duration=0)
    for i in range(3):
        add_event(local(2026, 3, 2, 16 + i), direction="incoming", duration=45)  # answered
    add_event(local(2026, 3, 2, 20), direction="incoming", duration=None)  # duration unknown: not counted
    analyze_case(ws, case_id)
    assert not [k for k in by_key(ws, case_id) if k.startswith("volume:number:")]
    add_event(local(2026, 3, 2, 21), direction="incoming", duration=0)  # rang out: one more unanswered
    analyze_case(ws, case_id)
    f = by_key(ws, case_id)["volume:number:+8613800000001:2026-03-02"]
    assert len(f.events) == limit + 1 and "未接通" in f.summary


def test_connected_calls_above_daily_limit(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    limit = default_conduct().max_connected_voice_per_day
    for i in range(limit + 1):
        add_event(local(2026, 3, 2, 9 + i), number=f"+861380000010{i}", duration=60)
    analyze_case(ws, case_id)
    assert "volume:connected:2026-03-02" in by_key(ws, case_id)
    # exactly at the limit: nothing
    ws2_case = case_id
    assert len([k for k in by_key(ws, ws2_case) if k.startswith("volume:connected")]) == 1


def test_call_at_23_30_is_night_contact(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    night = add_event(local(2026, 3, 2, 23, 30))
    add_event(local(2026, 3, 2, 14, 0))  # afternoon: lawful time
    early = add_event(local(2026, 3, 3, 6, 15), channel="sms", text="还钱", duration=None)
    analyze_case(ws, case_id)
    f = by_key(ws, case_id)["night:2026-03-02"]
    assert f.category == "night_contact"
    assert {e.event_id for e in f.events} == {night, early}  # 06:15 belongs to the same night
    assert "22:00" in (f.explanation or "") or "22:00" in (f.summary or "")


def test_twelve_numbers_same_signature_is_rotation(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    for i in range(12):
        add_event(
            local(2026, 3, 1 + i % 5, 10, i),
            channel="sms",
            number=f"+86139{i:08d}",
            signature="【速借宝】",
            text="【速借宝】你的借款已逾期，请尽快还款",
            duration=None,
        )
    analyze_case(ws, case_id)
    f = by_key(ws, case_id)["rotation:sig:速借宝"]
    assert f.category == "harassment_volume" and len(f.events) == 12
    assert "12" in (f.summary or "")


def test_third_party_contact_and_disclosure(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    add_event(
        local(2026, 3, 2, 10), recipient="relative", channel="sms", text="你儿子在我们平台的借款逾期了", duration=None
    )
    add_event(local(2026, 3, 2, 11), recipient="colleague")
    analyze_case(ws, case_id)
    keys = by_key(ws, case_id)
    assert keys["third_party:relative"].category == "third_party_contact"
    assert keys["third_party:colleague"].category == "third_party_contact"
    assert keys["disclosure:relative"].category == "privacy_disclosure"
    assert "disclosure:colleague" not in keys


def test_contact_after_stop_request_and_after_complaint(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    add_event(local(2026, 3, 1, 10), recipient="relative")  # before the request
    add_event(local(2026, 3, 2, 9), channel="sms", direction="outgoing", text="请不要再联系我的家人", duration=None)
    after = add_event(local(2026, 3, 3, 10), recipient="relative")
    with ws.db.session() as s:
        s.add(Action(case_id=case_id, body="nfra", status="sent", submitted_at=local(2026, 3, 4, 9)))
    later = add_event(local(2026, 3, 5, 10))
    analyze_case(ws, case_id)
    fs = list_findings(ws, case_id)
    stop = [f for f in fs if f.key.startswith("after_request:event:") and f.category == "third_party_contact"]
    assert stop and {e.event_id for e in stop[0].events} == {after}
    comp = [f for f in fs if f.key.startswith("after_request:action:")]
    assert comp and later in {e.event_id for e in comp[0].events}


def test_a_third_party_told_of_the_debt_in_other_words(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """ "欠招联的钱" tells the colleague about the debt as plainly as "欠钱" (debt words: data/patterns.yaml)."""
    add_event(
        local(2026, 3, 2, 10), recipient="colleague", text="对方打到我公司，跟我同事说我欠招联的钱不还，让同事转告我"
    )
    add_event(local(2026, 3, 3, 10), recipient="friend", text="他说欠你一个人情，改天请你吃饭")
    analyze_case(ws, case_id)
    keys = by_key(ws, case_id)
    assert keys["disclosure:colleague"].category == "privacy_disclosure"
    assert "disclosure:friend" not in keys and "third_party:friend" in keys


def test_saved_personal_contacts_are_not_collection(ws: Workspace, case_id: int, add_event: Callable[..., int]) -> None:
    """A phone export holds the borrower's whole life: a parent's late calls and a friend's many calls are not
    night collection or a call flood (data/patterns.yaml personal_contacts)."""
    mum, friend = "+8613900000001", "+8613900000002"
    add_event(local(2026, 3, 2, 23, 30), number=mum, counterpart_name="妈妈", duration=120)
    for i in range(default_conduct().max_connected_voice_per_day + 2):
        add_event(local(2026, 3, 3, 9 + i), number=friend, counterpart_name="老王", duration=60)
    for i in range(default_conduct().max_attempts_per_number_per_day + 1):
        add_event(local(2026, 3, 4, 9 + i), number=friend, counterpart_name="老王", direction="missed", duration=0)
    analyze_case(ws, case_id)
    assert not [k for k in by_key(ws, case_id) if k.startswith(("night:", "volume:"))]


def test_a_saved_number_still_counts_when_it_is_a_collectors(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """Saved as "速借催收", or writing about the debt under a personal-looking name: still collection."""
    add_event(local(2026, 3, 2, 23, 30), number="+8613900000003", counterpart_name="速借催收")
    add_event(
        local(2026, 3, 3, 23, 40),
        number="+8613900000004",
        counterpart_name="小李",
        channel="sms",
        text="你的借款已逾期，今晚必须还款",
        duration=None,
    )
    analyze_case(ws, case_id)
    assert {"night:2026-03-02", "night:2026-03-03"} <= set(by_key(ws, case_id))
