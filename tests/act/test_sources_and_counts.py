"""What the documents say about where a record came from, and how often something happened, is true.

- the 证据目录 names each file's real origin (manual entry, OCR'd screenshot, transcribed recording, phone export);
- a quote whose words came from speech recognition, OCR or the borrower's own account says so;
- the 12321 report lists only calls and messages that reached the borrower's number as such, and its
  statement of sources is derived from what it lists;
- counts are of distinct events, a text sent many times is quoted once with how often it was sent;
- a night contact after midnight is stated with both its night and its calendar day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from tests.act.act_builders import at, build_case, flat
from tests.fixtures.store_rows import add_event, add_finding
from weiquan.store.models import Acquisition, Case, EventSource
from weiquan.workspace import Workspace

TODAY = dt.date(2024, 4, 1)
REPEATED = "今天不还款，就把你欠钱的事发给你通讯录里所有人。"
LEGAL = "法务部通知：您已被立案起诉，律师函已寄出，三日内移交公安机关上门抓捕。"
ASR_TEXT = "如果今天还不还钱，我们就联系你的家人和单位领导。"
OCR_TEXT = "再不还钱就把你欠钱的事发到你公司群里。"
MANUAL_TEXT = "对方打电话给我母亲，说我欠钱不还，要去家里闹。"


@dataclass
class Mixed:
    case_id: int
    ids: dict[str, list[int]]


def _mixed_case(ws: Workspace) -> Mixed:
    """A case whose records come from a phone export, a manual entry, a transcribed recording and an OCR'd
    screenshot; one text sent three times; two overlapping flooding findings; a night contact after midnight."""
    with ws.db.session() as s:
        case = Case(
            name="来源测试",
            lender_name="速借",
            lender_entity="示例消费金融有限公司",
            licence_type="consumer_finance",
            borrower_name="李四",
            borrower_phones=["+8613800138000"],
        )
        s.add(case)
        s.flush()
        case_id = case.id
    export = ws.vault.add(
        json.dumps({"sms": "export"}).encode(), case_id=case_id, original_name="sms-export.xml"
    ).evidence
    manual = ws.vault.add(
        json.dumps({"type": "manual_event", "text": MANUAL_TEXT}, ensure_ascii=False).encode(),
        case_id=case_id,
        original_name="manual-entry-20240315T100000000000.json",
    ).evidence
    audio = ws.vault.add(b"OggS" + bytes(range(200)), case_id=case_id, original_name="录音 13900000001.ogg").evidence
    shot = ws.vault.add(b"\x89PNG\r\n\x1a\n" + bytes(range(90)), case_id=case_id, original_name="截图.png").evidence
    asr = ws.vault.add_derived(b'{"text": "asr"}', source_sha256=audio.sha256, derivation="asr", case_id=case_id)
    ws.vault.add_derived(b'{"text": "ocr"}', source_sha256=shot.sha256, derivation="ocr", case_id=case_id)
    ids: dict[str, list[int]] = {}
    with ws.db.session() as s:
        acq = s.query(Acquisition).filter_by(evidence_id=manual.id).one()
        acq.parse_status, acq.parse_format = "parsed", "manual"

        def ev(
            key: str,
            when: dt.datetime,
            channel: str,
            number: str,
            text: str | None,
            *,
            origin: str = "export",
            evidence: int = export.id,
            fmt: str = "synctech_sms",
            recipient: str = "borrower",
            recipient_name: str | None = None,
            extra: dict | None = None,
        ) -> int:
            eid = add_event(
                s,
                case_id,
                evidence_id=evidence,
                locator=f"{key}[{len(ids.get(key, []))}]",
                source_format=fmt,
                channel=channel,
                direction="incoming",
                start=when,
                counterpart=number,
                text=text,
                recipient=recipient,
                recipient_name=recipient_name,
                origin=origin,
                extra=extra or {},
            )
            ids.setdefault(key, []).append(eid)
            return eid

        for day in (1, 2, 3):  # the same text, three times, from the same number
            ev("repeated", at(2024, 3, day, 10), "sms", "+8617000000001", REPEATED)
        ev("legal", at(2024, 3, 4, 10), "sms", "+8617000000002", LEGAL)
        call = ev(
            "asr",
            at(2024, 3, 5, 10),
            "call",
            "+8613900000001",
            ASR_TEXT,
            fmt="synctech_calls",
            extra={"text_from": "asr", "transcript_evidence_id": asr.id},
        )
        s.add(EventSource(event_id=call, evidence_id=audio.id, locator="whole", source_format="call_recording"))
        s.add(EventSource(event_id=call, evidence_id=asr.id, locator="transcript", source_format="asr"))
        ev(
            "ocr",
            at(2024, 3, 6, 10),
            "sms",
            "+8617000000003",
            OCR_TEXT,
            origin="screenshot",
            evidence=shot.id,
            fmt="screenshot_ocr",
        )
        ev(
            "mother",
            at(2024, 3, 12, 20, 30),
            "call",
            "+8617000000004",
            MANUAL_TEXT,
            origin="manual",
            evidence=manual.id,
            fmt="manual",
            recipient="relative",
            recipient_name="母亲",
        )
        for h in range(6):  # calls to the borrower from the number that also called the mother
            ev("calls", at(2024, 3, 14, 9 + h), "call", "+8617000000004", None, fmt="synctech_calls")
        ev("night", at(2024, 3, 13, 0, 30), "call", "+8617000000004", None, fmt="synctech_calls")

        def finding(
            cat: str,
            eids: list[int],
            spans: dict[int, list[list[int]]] | None = None,
            extra: dict | None = None,
            key: str | None = None,
            summary: str | None = None,
        ) -> None:
            add_finding(s, case_id, cat, eids, severity="high", key=key, summary=summary, spans=spans, extra=extra)

        def span(text: str, word: str) -> list[int]:
            a = text.index(word)
            return [a, a + len(word)]

        for i in ids["repeated"]:  # a text rule: one finding per message
            finding("threat_exposure", [i], {i: [span(REPEATED, "发给你通讯录里所有人")]})
        finding("threat_exposure", ids["asr"], {ids["asr"][0]: [span(ASR_TEXT, "联系你的家人")]})
        finding("threat_exposure", ids["ocr"], {ids["ocr"][0]: [span(OCR_TEXT, "发到你公司群里")]})
        finding("threat_exposure", ids["mother"], {ids["mother"][0]: [span(MANUAL_TEXT, "要去家里闹")]})
        legal = ids["legal"][0]
        finding(
            "threat_legal_false",
            [legal],
            {legal: [span(LEGAL, "律师函"), span(LEGAL, "移交公安"), span(LEGAL, "抓捕")]},
        )
        finding("third_party_contact", ids["mother"])
        # two flooding findings sharing events (a per-number flood inside a number-rotation finding)
        finding("harassment_volume", ids["calls"][:4], key="flood")
        finding("harassment_volume", ids["calls"] + ids["repeated"], key="rotation")
        # as the night detector writes it: the night is the evening before the 00:30 call
        finding(
            "night_contact",
            ids["night"],
            extra={"night": "2024-03-12", "count": 1},
            summary="2024-03-12 夜间（22:00—08:00）催收联系 1 次：00:30",
        )
    return Mixed(case_id, ids)


def _facts(ws: Workspace, case_id: int):  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    from weiquan.services.case_facts import load_case_facts

    return load_case_facts(ws, case_id, today=TODAY)


def _views(ws: Workspace, case_id: int) -> dict:
    from weiquan.act.quotes import category_views
    from weiquan.law.pack import load_pack

    return {v.id: v for v in category_views(load_pack(), _facts(ws, case_id), None)}


def test_catalogue_names_each_files_real_origin(ws: Workspace) -> None:
    from weiquan.act.catalogue import catalogue_rows
    from weiquan.law.pack import load_pack
    from weiquan.services.documents import document_html

    m = _mixed_case(ws)
    # items are named for a person — date and kind — never by an internal file name (issue 16 item 7)
    rows = {r["file"].split("（")[0] or r["name"]: r for r in catalogue_rows(_facts(ws, m.case_id), load_pack())}
    manual = next(r for r in rows.values() if r["manual"])
    assert "本人陈述（手动录入）" in manual["name"] and "manual-entry" not in manual["name"] + manual["file"]
    assert all(re.match(r"\d{4}年\d{1,2}月\d{1,2}日", r["name"]) for r in rows.values() if r["proves"])
    assert manual["kind"] == "当事人陈述" and manual["source"].startswith("本人陈述（手动录入）")
    assert "据本人陈述" in manual["proves"]
    assert rows["截图.png"]["source"].startswith("截图（文字经OCR识别")
    assert rows["录音 13900000001.ogg"]["source"].startswith("通话录音（文字为语音转写，以录音为准）")
    assert rows["sms-export.xml"]["source"].startswith("手机导出的原始记录")
    assert not any("当事人手机导出/保存" in r["source"] for r in rows.values())

    text = flat(document_html(ws, m.case_id, "catalogue", today=TODAY))
    assert f"第{manual['no']}项是提交人在“催收维权助手”中手动录入的本人陈述，不是手机导出的原始记录" in text
    assert "以上均为电子数据" not in text


def test_quotes_say_where_their_words_came_from(ws: Workspace) -> None:
    m = _mixed_case(ws)
    quotes = {q.span: q for q in _views(ws, m.case_id)["threat_exposure"].quotes}
    assert quotes["联系你的家人"].note == "（录音转写）"
    assert quotes["发到你公司群里"].note == "（截图识别）"
    assert quotes["要去家里闹"].note == "（本人陈述）"
    assert "录音转写" not in quotes["发给你通讯录里所有人"].note  # an exported SMS is the phone's own record

    from weiquan.services.documents import document_html

    text = flat(document_html(ws, m.case_id, "lender", today=TODAY))
    assert "联系你的家人</strong>和单位领导。”（录音转写）" in text
    assert "发到你公司群里</strong>。”（截图识别）" in text


def test_a_repeated_text_is_quoted_once_and_counts_agree(ws: Workspace) -> None:
    m = _mixed_case(ws)
    views = _views(ws, m.case_id)
    threat = views["threat_exposure"]
    assert threat.count == 6  # distinct events: three sends of one text, the transcript, the screenshot, the entry
    repeated = [q for q in threat.quotes if q.span == "发给你通讯录里所有人"]
    assert len(repeated) == 1 and repeated[0].count == 3 and "同一号码相同内容共3次" in repeated[0].note
    assert sum(q.count for q in threat.quotes) + threat.unlisted == threat.count

    legal = views["threat_legal_false"]  # one message with three quoted spans: one quote, every span in bold
    assert legal.count == 1 and len(legal.quotes) == 1
    assert str(legal.quotes[0].excerpt).count("<strong>") == 3

    flood = views["harassment_volume"]  # two findings sharing four calls: counted once
    assert flood.count == len(m.ids["calls"]) + len(m.ids["repeated"]) == 9


def test_the_plan_counts_distinct_events(ws: Workspace) -> None:
    from weiquan.services.documents import document_html
    from weiquan.services.plan import build_plan

    m = _mixed_case(ws)
    plan = build_plan(ws, m.case_id, today=TODAY)
    reasons = {r.category: r.count for s in plan.steps for r in s.reasons}
    assert reasons["harassment_volume"] == 9  # not 4 + 9 = 13
    assert reasons["threat_exposure"] == 6
    assert all("13 次" not in w for s in plan.steps for w in s.why_zh)
    text = flat(document_html(ws, m.case_id, "plan", today=TODAY))
    assert "：9次" in text and "：13次" not in text


def test_12321_lists_only_the_borrowers_calls_as_theirs(ws: Workspace) -> None:
    from weiquan.act.catalogue import call_reports, isc_report, sms_reports
    from weiquan.services.documents import document_html

    m = _mixed_case(ws)
    facts = _facts(ws, m.case_id)
    calls = {c["number"]: c for c in call_reports(facts)}
    # the number called the borrower 7 times (6 in the day, 1 at night) and the mother once
    assert calls["17000000004"]["count"] == 7
    assert calls["17000000004"]["first"] == "2024年3月13日 00:30"
    sms = sms_reports(facts)
    report = isc_report(facts, call_reports(facts), sms)
    assert [t["recipient"] for t in report["third_parties"]] == ["亲属（母亲）"] and report["third_party_total"] == 1
    assert report["third_parties"][0]["source"] == "本人陈述（手动录入）"
    assert next(s for s in sms if s["text"] == OCR_TEXT)["source"].startswith("截图（文字经OCR识别")

    text = flat(document_html(ws, m.case_id, "12321", today=TODAY))
    assert "均取自本人手机导出的原始记录" not in text
    assert "以上记录分别取自：手机导出的原始记录、截图（文字经OCR识别，以截图原件为准）、本人陈述（手动录入）" in text
    assert "联系本人以外第三人的记录" in text and "联系对象：亲属（母亲）" in text


def test_12321_of_an_all_export_case_keeps_its_statement(ws: Workspace) -> None:
    from weiquan.act.catalogue import call_reports
    from weiquan.services.documents import document_html

    built = build_case(ws, threats=True)  # 14 calls to the borrower and one to a colleague from one number
    facts = _facts(ws, built.case_id)
    assert {c["number"]: c["count"] for c in call_reports(facts)}["17100000009"] == 14
    text = flat(document_html(ws, built.case_id, "12321", today=TODAY))
    assert "以上号码、时间和短信内容均取自本人手机导出的原始记录" in text
    assert "联系对象：同事（王五）" in text


def test_a_contact_after_midnight_names_its_night_and_its_day(ws: Workspace) -> None:
    from weiquan.services.documents import document_html

    m = _mixed_case(ws)
    summary = _views(ws, m.case_id)["night_contact"].summaries
    assert summary == ["2024年3月12日夜间（22:00至次日08:00）催收联系1次：3月13日00:30"]
    text = flat(document_html(ws, m.case_id, "lender", today=TODAY))
    assert "2024年3月12日夜间（22:00至次日08:00）催收联系1次：3月13日00:30" in text
    assert "2024-03-12夜间" not in text
