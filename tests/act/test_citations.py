"""Which provisions each document cites, under which heading, for which lender (audit items A–I)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.act.act_builders import TODAY, build_case, build_findings_case, cite, document_text
from weiquan.law.pack import load_pack
from weiquan.services.documents import document_html
from weiquan.services.plan import build_plan
from weiquan.workspace import Workspace

PRIVATE_LENDING = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
FIN_TRIAL = "最高人民法院关于进一步加强金融审判工作的若干意见"
UNVERIFIED = "〔未核实〕"


def _doc(ws: Workspace, case_id: int, doc: str) -> str:
    return document_text(document_html(ws, case_id, doc, today=TODAY))


def _between(text: str, start: str, end: str) -> str:
    a = text.index(start)
    return text[a : text.index(end, a)]


# ---------------------------------------------------------------- A: 民间借贷规定 only for private/unlicensed lenders


@pytest.mark.parametrize("licence", ["consumer_finance", "bank", "small_loan"])
def test_licensed_lender_documents_do_not_cite_private_lending_rules(ws: Workspace, licence: str) -> None:
    b = build_findings_case(ws, ["illegal_debt"], licence_type=licence)
    for doc in ("lender", "regulator", "lawsuit"):
        text = _doc(ws, b.case_id, doc)
        assert PRIVATE_LENDING not in text, (licence, doc)
    # what licensed lenders are held to instead (spc-finance-trial-2017), with its condition and 未核实 mark
    lender = _doc(ws, b.case_id, "lender")
    assert f"《{FIN_TRIAL}》" in lender and "年利率24%" in lender
    assert re.search(FIN_TRIAL + r"》[^《]*" + UNVERIFIED, lender)


@pytest.mark.parametrize("licence", ["private", "unlicensed"])
def test_private_and_unlicensed_lenders_get_the_private_lending_rules(ws: Workspace, licence: str) -> None:
    b = build_findings_case(ws, ["illegal_debt"], licence_type=licence, entity=None)
    text = _doc(ws, b.case_id, "regulator" if licence == "private" else "police")
    if licence == "private":
        assert cite("private_lending-25") in text and FIN_TRIAL not in text
    else:  # the police report cites criminal/administrative law only; the 非法放贷 opinion is in scope
        assert "关于办理非法放贷刑事案件若干问题的意见" in text


def test_unknown_licence_type_shows_the_scope_of_the_private_lending_rules(ws: Workspace) -> None:
    b = build_findings_case(ws, ["illegal_debt"], licence_type=None, lender="某某借款", entity=None)
    text = _doc(ws, b.case_id, "regulator")
    note = load_pack().statutes["private_lending"].binds.note_zh
    assert cite("private_lending-25") in text
    assert note in _between(text, cite("private_lending-25"), "；")


# ---------------------------------------------------------------- B: procedure and remedies are not "rules broken"


def test_police_report_lists_procedure_apart_from_the_rules_broken(ws: Workspace) -> None:
    b = build_findings_case(ws, ["harassment_volume"])
    text = _doc(ws, b.case_id, "police")
    broken = _between(text, "涉嫌违反下列规定", "六、请求事项")
    broken = broken[: broken.index("程序依据")]
    assert cite("psapl-50-1-5") in broken
    for pid in ("psapl-90", "psapl-118"):
        assert cite(pid) not in broken, pid
        assert cite(pid) in _between(text, "程序依据", "六、请求事项"), pid


def test_regulator_complaint_lists_art_13_as_procedure(ws: Workspace) -> None:
    b = build_findings_case(ws, ["night_contact"], licence_type="consumer_finance")
    text = _doc(ws, b.case_id, "regulator")
    broken = _between(text, "（四）涉嫌违反的规定", "程序依据")
    assert cite("complaint_measures-13") not in broken
    assert cite("complaint_measures-13") in _between(text, "程序依据", "（五）投诉请求")


def test_lawsuit_lists_civil_procedure_apart_from_the_bases_of_liability(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact"])
    text = _doc(ws, b.case_id, "lawsuit")
    liability = _between(text, "被告应当承担停止侵害", "原告对依法应当偿还的借款不持异议")
    assert cite("civil-1033-1") in liability and cite("civil-1183") in liability
    for pid in ("civil_procedure-29", "civil_procedure-122", "civil_procedure-124"):
        assert cite(pid) not in liability, pid
    assert cite("civil_procedure-29") in _between(text, "程序依据", "此致")


def test_lender_letter_does_not_say_the_injunction_article_was_broken(ws: Workspace) -> None:
    b = build_findings_case(ws, ["threat_exposure"])
    text = _doc(ws, b.case_id, "lender")
    broken = _between(text, "不符合下列规定", "二、投诉请求")
    broken = broken[: broken.index("救济依据")]
    assert cite("civil-1032") in broken and cite("civil-997") not in broken
    assert cite("civil-997") in _between(text, "救济依据", "二、投诉请求")


# ---------------------------------------------------------------- C: 禁止接触 only for pestering, following


def test_no_no_contact_request_for_night_messages_only(ws: Workspace) -> None:
    b = build_findings_case(ws, ["night_contact"])
    text = _doc(ws, b.case_id, "police")
    assert cite("psapl-50-1-5") in text  # "反复发生时": the provision is cited …
    assert "禁止接触" not in text  # … but the order covers only 滋扰、纠缠、跟踪 (psapl-2025 Art. 50(2))


@pytest.mark.parametrize("category", ["harassment_volume", "threat_visit"])
def test_no_contact_request_is_a_request_for_pestering_or_following(ws: Workspace, category: str) -> None:
    b = build_findings_case(ws, [category, category])  # repeated (多次), in 2026
    requests = _between(_doc(ws, b.case_id, "police"), "六、请求事项", "七、证据")
    assert "禁止接触" in requests and cite("psapl-50-2") in requests
    assert "可以责令" in requests and "由公安机关依法决定" in requests


# ---------------------------------------------------------------- D: the 〔未核实〕 mark everywhere


def test_unverified_provisions_are_marked_in_the_lender_letter_and_short_complaint(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact", "illegal_debt"], licence_type="consumer_finance")
    lender = _doc(ws, b.case_id, "lender")
    pipl = cite("pipl-23")
    assert pipl + UNVERIFIED in lender
    assert cite("fin_trial_opinion-24") + "；" in lender  # condition, then the mark
    # the short form-complaint text (plain text template) uses the same mark
    # (rendered in full here: the form text drops optional paragraphs to fit the form's length limit)
    from weiquan.act.context import build_context
    from weiquan.act.drafting import render_text
    from weiquan.act.plan import build
    from weiquan.services.case_facts import load_case_facts

    pack = load_pack()
    c = build_findings_case(ws, ["illegal_debt"], licence_type="consumer_finance")
    facts = load_case_facts(ws, c.case_id, today=TODAY)
    ctx = build_context(pack, facts, build(pack, facts), doc_key="regulator", channel_id=None)
    short = render_text("regulator_short.txt.j2", ctx)
    assert "上述行为不符合" in short and cite("fin_trial_opinion-24") + UNVERIFIED in short


# ---------------------------------------------------------------- G: GB/T 45251 cited by clause heading, connected calls only


def test_standard_cited_as_clause_heading_with_the_connected_call_condition(ws: Workspace) -> None:
    b = build_findings_case(ws, ["harassment_volume"])
    for doc in ("lender", "regulator"):
        text = _doc(ws, b.case_id, doc)
        assert "GB/T45251—2025）5.3业务管理" in text and "第5.3条" not in text, doc
        after = text[text.index("5.3业务管理") :]
        assert "已接通的有效通话" in after[:120] and "未接通的拨打不计入" in after[:120], doc
        # the CBA guideline binds CBA members only: not asserted while membership is unknown (issue 16 item 2) …
        assert "不宜超过6次" not in text and "金融机构个人消费类贷款催收工作指引" not in text, doc
        # … and the cover sheet says so
        from weiquan.services.documents import checklist_html

        assert "仅约束" not in text and "只约束该协会的会员机构" in document_text(
            checklist_html(ws, b.case_id, doc, today=TODAY)
        )


# ---------------------------------------------------------------- H: deadlines as the notes state them


def test_plan_deadlines_as_the_notes_state_them(ws: Workspace) -> None:
    b = build_case(ws, threats=True)
    plan = build_plan(ws, b.case_id, today=TODAY)
    lender = plan.step("lender")
    assert "可延长15日" not in lender.if_lapsed_zh
    assert "15日／30日／再延长30日（规定写的是“日”）" in lender.if_lapsed_zh
    assert "估算" in lender.deadline_zh and "按自然日计算" not in lender.deadline_zh
    assert lender.deadline.extensions == (15, 30)
    police = plan.step("police")
    assert "自立案" in police.if_lapsed_zh and police.deadline.extensions == (30, 30)
    text = _doc(ws, b.case_id, "plan")
    assert "最长60日" in text and "按自然日估算" in text


# ---------------------------------------------------------------- I: no summary presented as statutory text


def test_injunction_does_not_present_the_summary_as_a_quotation(ws: Workspace) -> None:
    b = build_findings_case(ws, ["threat_exposure"])
    text = _doc(ws, b.case_id, "injunction")
    assert cite("civil-997") + "规定：" not in text
    assert "不是条文原文" in text


# ---------------------------------------------------------------- the version in force when the conduct happened


def test_conduct_before_2026_is_cited_under_the_2012_numbers(ws: Workspace) -> None:
    """docs/sources.md#psapl-2025: the renumbered 治安管理处罚法 is in force from 2026-01-01; conduct before
    that falls under the 2012 text (old Art. 42), a provision new in 2025 (Art. 56) cannot have been broken,
    and neither can GB/T 45251 before 2025-02-28."""
    pack = load_pack()
    b = build_findings_case(ws, ["harassment_volume", "third_party_contact"], start=dt.date(2024, 3, 2))
    text = _doc(ws, b.case_id, "police")
    broken = _between(text, "涉嫌违反下列规定", "六、请求事项")
    assert (
        pack.provisions["psapl-50-1-5"].old_cite()
        == "《中华人民共和国治安管理处罚法》（2012年修正）第四十二条第（五）项"
    )
    assert pack.provisions["psapl-50-1-5"].old_cite() in broken
    assert cite("psapl-50-1-5") not in broken and cite("psapl-56") not in broken
    assert "GB/T45251" not in broken
    # the 2012 number with the 2012 words, never the 2025 滋扰、纠缠、跟踪 (issue 16 deliverable 1)
    assert "多次发送淫秽、侮辱、恐吓或者其他信息，干扰他人正常生活的" in broken
    assert "滋扰" not in broken and "纠缠" not in broken and "跟踪" not in broken


def test_conduct_after_2026_uses_the_current_numbers(ws: Workspace) -> None:
    b = build_findings_case(ws, ["harassment_volume"], start=dt.date(2026, 3, 2))
    broken = _between(_doc(ws, b.case_id, "police"), "涉嫌违反下列规定", "六、请求事项")
    assert cite("psapl-50-1-5") in broken and "2012年修正" not in broken


def test_cite_for_conduct_spanning_the_revision() -> None:
    p = load_pack().provisions
    cited, note = p["psapl-50-1-5"].cite_for_conduct(dt.date(2025, 12, 1), dt.date(2026, 2, 1))
    assert cited == cite("psapl-50-1-5") and note and "第四十二条第（五）项" in note
    assert (
        p["psapl-56"].cite_for_conduct(dt.date(2025, 12, 1), dt.date(2026, 2, 1))[1] == "仅适用于2026年1月1日起的行为"
    )
    assert p["psapl-56"].cite_for_conduct(dt.date(2024, 1, 1), dt.date(2024, 2, 1)) == (None, None)
    assert p["civil-1033-1"].cite_for_conduct(dt.date(2024, 1, 1), dt.date(2024, 2, 1)) == (cite("civil-1033-1"), None)


def test_rules_engaged_only_if_a_threat_is_carried_out_are_listed_apart(ws: Workspace) -> None:
    """A threat of violence does not break the rule against 殴打 (Art. 51) or 非法侵入住宅 (Art. 47): those are
    listed apart, as what the conduct would also engage if carried out (violations.yaml if_carried_out)."""
    b = build_case(ws, threats=True)
    text = _doc(ws, b.case_id, "police")
    section = _between(text, "涉嫌违反下列规定", "六、请求事项")
    broken, _, later = section.partition("如对方实际实施了所威胁的行为，还可能涉及")
    assert cite("psapl-51") not in broken
    assert cite("psapl-51") in later
    assert cite("psapl-50-1-5") in broken or cite("psapl-50-1-1") in broken


def test_no_contact_order_is_not_requested_for_conduct_before_it_existed(ws: Workspace) -> None:
    """The 禁止接触 order (治安 Art. 50(2)) is new in the 2025 revision (in force 2026-01-01): it is not asked
    for conduct that all happened before."""
    old = build_findings_case(ws, ["harassment_volume"], start=dt.date(2024, 3, 2))
    assert "禁止接触" not in _doc(ws, old.case_id, "police")
    new = build_findings_case(ws, ["harassment_volume"] * 2, start=dt.date(2026, 3, 2))
    assert "禁止接触" in _doc(ws, new.case_id, "police")


def test_each_rule_is_dated_by_the_conduct_it_is_cited_for(ws: Workspace) -> None:
    """Issue 16 items 1–2: the CBA guideline (2026-01-30) is not cited for night contacts of December 2025 even when
    other conduct of the case is later; the attempts rule it also contains is cited for the 2026 flood."""
    b = build_findings_case(
        ws, ["night_contact", "harassment_volume"], days=[dt.date(2025, 12, 20), dt.date(2026, 2, 10)]
    )
    text = _doc(ws, b.case_id, "lender")
    assert "22:00至次日8:00进行电话、外访" not in text  # cba_guideline-night, for 2025 conduct only
    cited = [c for c in load_pack().provisions.values() if c.statute_id == "cba_guideline"]
    assert any(c.id == "cba_guideline-attempts" for c in cited)
    # membership unknown: the guideline is not asserted at all (and never for the 2025 night contacts)
    assert "金融机构个人消费类贷款催收工作指引" not in text


@pytest.mark.parametrize(
    "days",
    [
        [dt.date(2026, 3, 2)],  # once: not 多次
        [dt.date(2025, 11, 2), dt.date(2025, 12, 2)],  # repeated, but under the 2012 text, which has no such order
        [dt.date(2025, 12, 30), dt.date(2026, 1, 2)],  # only one contact under the 2025 text
    ],
)
def test_no_contact_only_for_repeated_pestering_under_the_2025_text(ws: Workspace, days: list[dt.date]) -> None:
    b = build_findings_case(ws, ["harassment_volume"] * len(days), days=days)
    assert "禁止接触" not in _between(_doc(ws, b.case_id, "police"), "六、请求事项", "七、证据")


def test_no_contact_not_requested_once_the_six_months_have_passed(ws: Workspace) -> None:
    from weiquan.services.documents import document_html

    b = build_findings_case(ws, ["harassment_volume"] * 2, days=[dt.date(2026, 1, 5), dt.date(2026, 1, 6)])
    late = document_text(document_html(ws, b.case_id, "police", today=dt.date(2026, 9, 1)))
    assert "禁止接触" not in _between(late, "六、请求事项", "七、证据")


def test_cba_guideline_for_a_member_dated_by_its_conduct(ws: Workspace) -> None:
    """For a CBA member the guideline applies — but only to conduct from its release (2026-01-30): the night rule
    is not cited for December 2025 night contacts, the attempts rule is for the February 2026 flood."""
    from weiquan.act.citations import cited_provisions
    from weiquan.act.plan import LenderInfo
    from weiquan.services.case_facts import load_case_facts

    b = build_findings_case(
        ws, ["night_contact", "harassment_volume"], days=[dt.date(2025, 12, 20), dt.date(2026, 2, 10)]
    )
    facts = load_case_facts(ws, b.case_id, today=TODAY)
    member = LenderInfo(name="速借", entity=None, licence_type="consumer_finance", basis="case", cba_member=True)
    ids = {c.id for c in cited_provisions(load_pack(), facts, None, [], "consumer_finance", member)}
    assert "cba_guideline-attempts" in ids and "cba_guideline-night" not in ids
    outsider = LenderInfo(name="速借", entity=None, licence_type="consumer_finance", basis="case", cba_member=False)
    ids = {c.id for c in cited_provisions(load_pack(), facts, None, [], "consumer_finance", outsider)}
    assert not any(i.startswith("cba_guideline") for i in ids)
