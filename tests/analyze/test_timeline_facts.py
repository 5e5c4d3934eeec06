"""Facts on the timeline (issue #15): a recorded visit is a finding of its own with its provisions, and the
volume, night and attempts figures count collection contacts only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.analyze.analyze_builders import local

from weiquan.analyze.lawrules import default_conduct
from weiquan.analyze.patterns import visit_told
from weiquan.services.analysis import analyze_case, get_finding, list_findings, summarize
from weiquan.store.models import Finding
from weiquan.workspace import Workspace


def keys(ws: Workspace, case_id: int) -> dict[str, object]:
    return {f.key: f for f in list_findings(ws, case_id)}


def test_a_recorded_visit_is_a_conduct_finding_with_its_provisions(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    day = add_event(local(2026, 3, 2, 15), channel="visit", text="两名男子到家门口要钱", duration=None)
    night = add_event(local(2026, 3, 3, 23, 10), channel="visit", text=None, duration=None)
    analyze_case(ws, case_id)
    ks = keys(ws, case_id)
    f_day, f_night = ks[f"visit:{day}"], ks[f"visit:{night}"]
    # its own category (conduct), not 上门恐吓 (threat_visit: the words of a threat)
    assert f_day.category == f_night.category == "home_visit" and "行为，而非威胁" in (f_day.explanation or "")
    assert f_day.category_zh == "上门催收" and not [k for k in ks if k.startswith("text:threat_visit:")]
    ids = [p["id"] for p in get_finding(ws, f_day.id).provisions]
    assert ids[0] == "cba_guideline-conduct"  # the visit's own rule first, then the category's provisions
    night_ids = [p["id"] for p in get_finding(ws, f_night.id).provisions]
    assert "cba_guideline-night" in night_ids and "cba_guideline-night" not in ids
    assert "夜间" in (f_night.summary or "")
    # a night visit is also a night contact
    assert "night:2026-03-03" in ks


def test_a_visit_told_in_the_borrowers_note_is_found_and_a_threat_is_not(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    told = add_event(
        local(2026, 3, 2, 20),
        channel="other",
        direction="incoming",
        origin="manual",
        text="今天下午催收的两个人上门了，在门口坐了一个小时",
        duration=None,
    )
    threat = add_event(local(2026, 3, 2, 10), channel="sms", text="再不还就上门找你", duration=None)
    analyze_case(ws, case_id)
    ks = keys(ws, case_id)
    assert f"visit:{told}" in ks and f"visit:{threat}" not in ks
    assert ks[f"text:threat_visit:{threat}"].category == "threat_visit"  # the threat stays a text finding


def test_borrowers_outgoing_calls_and_messages_never_count(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    c = default_conduct()
    for i in range(c.max_connected_voice_per_day + 3):
        add_event(local(2026, 3, 2, 9 + i), direction="outgoing", duration=60)
    for i in range(c.max_attempts_per_number_per_day + 2):
        add_event(local(2026, 3, 3, 9 + i), direction="outgoing", duration=0)
    add_event(local(2026, 3, 4, 23, 30), direction="outgoing", channel="sms", text="我明天还款", duration=None)
    add_event(local(2026, 3, 4, 23, 40), direction="unknown", channel="sms", text="晚安", duration=None)
    analyze_case(ws, case_id)
    assert not [k for k in keys(ws, case_id) if k.startswith(("night:", "volume:"))]
    # the same numbers of incoming collection contacts do count
    add_event(
        local(2026, 3, 5, 23, 30), direction="unknown", channel="sms", text="你的欠款已逾期，今晚还", duration=None
    )
    for i in range(c.max_connected_voice_per_day + 1):
        add_event(local(2026, 3, 6, 9 + i), direction="incoming", duration=60)
    analyze_case(ws, case_id)
    ks = keys(ws, case_id)
    assert "night:2026-03-05" in ks and "volume:connected:2026-03-06" in ks


def test_lenders_routine_reminders_are_not_collection_contacts(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    for i in range(4):
        add_event(
            local(2026, 3, 2, 22, 10 + i),
            channel="sms",
            number=f"+86106900{i:05d}",
            signature="【某某银行】",
            text="【某某银行】您本期账单已出，本期应还2,300.00元，到期还款日3月8日，请按时还款",
            duration=None,
        )
    add_event(
        local(2026, 3, 2, 23, 0),
        channel="sms",
        number="+8610690099999",
        text="【某某银行】您尾号0921的信用卡已自动扣款成功",
        duration=None,
    )
    analyze_case(ws, case_id)
    assert not [k for k in keys(ws, case_id) if k.startswith(("night:", "volume:"))]
    # an overdue collection SMS at night counts, and so does a "reminder" that carries a threat
    add_event(local(2026, 3, 3, 23, 0), channel="sms", text="【某某银行】您的账单已逾期15天，请立即还款", duration=None)
    add_event(local(2026, 3, 4, 23, 0), channel="sms", text="还款提醒：今晚不还就爆你通讯录", duration=None)
    analyze_case(ws, case_id)
    ks = keys(ws, case_id)
    assert {"night:2026-03-03", "night:2026-03-04"} <= set(ks) and "night:2026-03-02" not in ks


def test_a_visit_added_by_hand_becomes_a_finding(ws: Workspace, case_id: int) -> None:
    """What `weiquan add-event --channel visit` records (services.timeline.add_manual_event)."""
    from weiquan.services.timeline import add_manual_event

    ev = add_manual_event(
        ws,
        case_id,
        channel="visit",
        time="2026-03-02 15:00",
        number=None,
        name="外访员",
        text="两个人到单位找我",
        direction="incoming",
        recipient="borrower",
        recipient_name=None,
        duration_s=None,
        tz=None,
        note=None,
    )
    analyze_case(ws, case_id)
    f = keys(ws, case_id)[f"visit:{ev.id}"]
    assert f.category == "home_visit" and f.detector == "pattern.visit"


@pytest.mark.parametrize(
    ("text", "visit"),
    [
        ("今天下午催收的两个人上门了，在门口坐了一个小时", True),
        ("昨天晚上有人上门要债", True),
        ("平台的人今天来我家了", True),
        ("催收公司的人找上门来，堵在门口不走", True),
        ("平台安排了两个人上门，在门口待了一小时", True),
        # the borrower's complaint to the lender, and strangers sent to the door
        ("你们的人昨天来我家了，把我爸妈吓坏了", True),
        ("你们派人到我老家找我父母要钱，太过分了", True),
        ("三个男的下午来我家门口要钱", True),
        ("一帮人堵在我家门口", True),
        ("你们的人下周会来我家吗", False),
        ("你们来我家试试", False),
        ("你们敢来我家我就报警", False),
        # announced, threatened, meant or denied: not a visit that happened
        ("我司催收人员近期将上门拜访，请提前做好准备", False),
        ("平台已安排外访人员明天上门核实情况", False),
        ("催收公司说下周会上门", False),
        ("再不还，我们催收人员就上门找你", False),
        ("不还钱的话催收的人就来你家", False),
        ("他们说要来我家", False),
        ("他们没有上门，只是打电话", False),
        ("外访人员拟于3月20日上门", False),
        ("如果今天不还款，催收专员将上门到你家", False),
    ],
)
def test_a_visit_that_happened_is_told_apart_from_one_announced(text: str, visit: bool) -> None:
    assert (visit_told(text) is not None) == visit


def test_a_parent_telling_of_the_collectors_stays_a_personal_contact(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """Collectors ring the family; the parent then writes to the borrower about it. Those words about the debt
    retell what collectors did: the parent's late calls are still not night collection (patterns.yaml
    personal_contacts.retold_re), while a saved contact that itself presses for the money still counts."""
    mum, li = "+8613900000001", "+8613900000004"
    add_event(
        local(2026, 3, 2, 21, 0),
        number=mum,
        counterpart_name="妈妈",
        channel="sms",
        text="刚才有催收的打电话给我，说你网贷逾期了，你赶紧处理一下",
        duration=None,
    )
    add_event(local(2026, 3, 2, 23, 30), number=mum, counterpart_name="妈妈", duration=300)
    add_event(  # the borrower's own words to the parent
        local(2026, 3, 2, 23, 50),
        number=mum,
        counterpart_name="妈妈",
        channel="sms",
        direction="outgoing",
        text="妈，我欠了网贷逾期了，能先借我点钱还款吗",
        duration=None,
    )
    add_event(
        local(2026, 3, 3, 23, 0),
        number=mum,
        counterpart_name="妈妈",
        channel="sms",
        text="他们说你欠了三万块钱，是真的吗",
        duration=None,
    )
    analyze_case(ws, case_id)
    assert not [k for k in keys(ws, case_id) if k.startswith(("night:", "volume:"))]
    add_event(
        local(2026, 3, 4, 23, 40),
        number=li,
        counterpart_name="小李",
        channel="sms",
        text="你的借款已逾期，今晚必须还款",
        duration=None,
    )
    add_event(  # telling of calls to the family, but as the collector: still collection
        local(2026, 3, 5, 23, 40),
        number="+8613900000005",
        counterpart_name="王哥",
        channel="sms",
        text="我们平台已经打电话给你家人了，你的借款逾期了",
        duration=None,
    )
    analyze_case(ws, case_id)
    assert {k for k in keys(ws, case_id) if k.startswith("night:")} == {"night:2026-03-04", "night:2026-03-05"}


def test_one_visit_told_several_times_is_one_finding(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """The borrower records a visit, then tells it again the next morning and to a friend: one visit, one finding,
    one event counted (the later tellings named on it). A visit told in words is dated by them ("昨天晚上"), and not
    called a night visit from the time the words were written."""
    visit = add_event(local(2026, 3, 2, 21, 0), channel="visit", text=None, duration=None)
    note = add_event(
        local(2026, 3, 3, 9, 0),
        channel="other",
        origin="manual",
        text="昨天晚上催收的两个人上门了，敲了半天门",
        duration=None,
    )
    told = add_event(
        local(2026, 3, 3, 9, 30),
        channel="sms",
        direction="outgoing",
        number="+8613900000009",
        text="昨晚催收的人找上门来了，吓死我了",
        duration=None,
    )
    late = add_event(  # another visit, told late in the evening of its day
        local(2026, 3, 5, 23, 10), channel="other", origin="manual", text="今天下午平台的人来我家了", duration=None
    )
    analyze_case(ws, case_id)
    fs = list_findings(ws, case_id)
    visits = {f.key: f for f in fs if f.key.startswith("visit:")}
    assert set(visits) == {f"visit:{visit}", f"visit:{late}"}
    assert [e.event_id for e in visits[f"visit:{visit}"].events] == [visit]
    with ws.db.session() as s:
        f = s.get(Finding, visits[f"visit:{visit}"].id)
        assert f is not None and f.extra["told_again"] == [note, told]
    visit_cat = next(c for c in summarize(ws, case_id) if c.category == "home_visit")
    assert visit_cat.name_zh == "上门催收"
    assert visit_cat.count == 2 and visit_cat.events == 2  # two visits
    assert not [f for f in fs if f.key.startswith("text:threat_visit:") and f.events[0].event_id in (note, told)]
    other = visits[f"visit:{late}"]
    assert (other.summary or "").startswith("2026-03-05") and "夜间" not in (other.summary or "")
    assert "cba_guideline-night" not in [p["id"] for p in other.provisions]


REMINDERS = [  # a lender's messages about repayment, in wordings the patterns were not written from
    "【某某借】您借的2000元还有2天就到期啦，记得按时还哦。",
    "【某某金融】亲爱的用户，您的账单将于本周五到期，应还金额3,120.50元。",
    "【某某银行】您尾号8899的个人贷款本期扣款日为3月20日，请存入足额资金。",
    "【某某贷】您本月需还款1500元，请于15号前完成还款，如已还请忽略。",
    "【某某贷】恭喜您，本期借款已全部还清，感谢信任。",
    "【某某分期】温馨提醒：明天是您的还款日，请保持银行卡余额充足。",
]
COLLECTION = [  # overdue, urgent or pressing: collection contacts however mild
    "您的借款超期未还，请今天内处理。",
    "您的账单已过期两天，请马上还款。",
    "您好，您的还款已经拖了一周了，请尽快结清。",
    "本期账单未按时还款，我们会持续跟进。",
    "最后一次提醒您还款，请重视。",
    "您的借款逾期了，今天请处理。",
]


@pytest.mark.parametrize(("text", "collection"), [(t, False) for t in REMINDERS] + [(t, True) for t in COLLECTION])
def test_a_lenders_reminder_at_night_is_not_a_night_collection_contact(
    ws: Workspace, case_id: int, add_event: Callable[..., int], text: str, collection: bool
) -> None:
    for day in (2, 3, 4):
        add_event(local(2026, 3, day, 22, 40), channel="sms", number=f"+8610690000{day}11", text=text, duration=None)
    analyze_case(ws, case_id)
    found = {k for k in keys(ws, case_id) if k.startswith(("night:", "rotation:"))}
    assert found == ({"night:2026-03-02", "night:2026-03-03", "night:2026-03-04"} if collection else set())


def test_a_recorded_visit_keeps_the_words_of_its_account(
    ws: Workspace, case_id: int, add_event: Callable[..., int]
) -> None:
    """Whatever the text detector makes of a visit's account, the finding quotes it: the words that tell the
    visit, or else the whole account; a visit recorded without words has none to quote."""
    told = "敲门敲了半小时，说是某某贷派来的"
    text = "下午三点左右，在门口待了二十分钟后离开"  # no detector reads a visit in these words
    other = add_event(local(2026, 3, 1, 15), channel="visit", text=told, duration=None)
    said = add_event(local(2026, 3, 2, 15), channel="visit", text=text, duration=None)
    bare = add_event(local(2026, 3, 4, 15), channel="visit", text=None, duration=None)
    analyze_case(ws, case_id)
    ks = keys(ws, case_id)
    (link,) = ks[f"visit:{said}"].events
    assert link.spans == [[0, len(text)]] and link.quotes == [text]
    (link,) = ks[f"visit:{other}"].events
    assert link.spans and link.quotes and all(q and q in told for q in link.quotes)
    assert ks[f"visit:{bare}"].events[0].spans == []
