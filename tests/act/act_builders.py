"""Build test cases for the action area directly in the store: case, evidence, events, findings.

Everything is generated here (no downloaded fixtures). Times are Asia/Shanghai wall-clock times.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from tests.fixtures.store_rows import add_event, add_finding
from weiquan.law.pack import load_pack
from weiquan.store.models import Case, EventSource
from weiquan.workspace import Workspace

TODAY = dt.date(2026, 3, 20)  # "today" for the action tests (inside the 2026 holiday data)

SH = ZoneInfo("Asia/Shanghai")

THREAT_SMS = "【速借】你再不还钱，我们明天就上门找你，弄死你全家。"
INSULT_SMS = "你这个老赖，不要脸的骗子，赶紧还钱！"
EXPOSURE_SMS = "今天不还款，就把你的欠款信息发给你通讯录里所有人和你单位。"
REMINDER_SMS = "【速借】尊敬的客户，您在速借的借款已逾期3天，应还金额1,280.00元，请及时还款。回复TD退订"
THIRD_PARTY_SMS = "你好，你的朋友张三在我司借款逾期，请转告他尽快还款。"


def cite(provision_id: str) -> str:
    """How the documents cite a provision of the bundled law pack."""
    return load_pack().provisions[provision_id].cite()


def flat(text: str) -> str:
    """``text`` without white space, as the assertions compare wrapped document text."""
    return re.sub(r"\s+", "", text)


def document_text(html: str) -> str:
    """A rendered document's words as the assertions search them: no styles, no tags, no white space."""
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return flat(re.sub(r"<[^>]+>", "", html))


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@dataclass
class Built:
    case_id: int
    events: dict[str, list[int]] = field(default_factory=dict)
    evidence_sha: list[str] = field(default_factory=list)


def _new_case(
    ws: Workspace, lender: str | None, entity: str | None, licence_type: str | None, borrower: str | None, extra: dict
) -> int:
    with ws.db.session() as s:
        case = Case(
            name="测试案件",
            lender_name=lender,
            lender_entity=entity,
            licence_type=licence_type,
            borrower_name=borrower,
            borrower_phones=["+8613800138000"],
            extra=extra,
        )
        s.add(case)
        s.flush()
        return case.id


def build_case(
    ws: Workspace,
    *,
    licence_type: str | None = "consumer_finance",
    lender: str | None = "速借",
    entity: str | None = "示例消费金融有限公司",
    threats: bool = True,
    borrower: str | None = "李四",
    extra: dict | None = None,
    start: dt.date = dt.date(2026, 3, 2),
    review: str = "confirmed",
) -> Built:
    """A harassment case; ``threats=False`` leaves out every threatening, insulting or exposing message."""
    case_id = _new_case(ws, lender, entity, licence_type, borrower, extra or {})

    # the "export" the events come from: a generated SMS/call log file
    y, m, d = start.year, start.month, start.day
    sms: list[tuple[dt.datetime, str, str, str]] = [  # (time, number, text, recipient)
        (at(y, m, d, 9, 5), "+8610690000001", REMINDER_SMS, "borrower"),
        (at(y, m, d + 1, 14, 20), "+8617000000002", THIRD_PARTY_SMS, "relative"),
        (at(y, m, d + 2, 23, 40), "+8610690000001", REMINDER_SMS, "borrower"),
    ]
    if threats:
        sms += [
            (at(y, m, d + 3, 21, 15), "+8617000000003", THREAT_SMS, "borrower"),
            (at(y, m, d + 4, 11, 0), "+8617000000003", INSULT_SMS, "borrower"),
            (at(y, m, d + 4, 11, 30), "+8617000000004", EXPOSURE_SMS, "borrower"),
        ]
    calls = [(at(y, m, d + 5, 8 + i // 2, (i * 7) % 60), "+8617100000009", "borrower") for i in range(14)]
    calls += [(at(y, m, d + 5, 12, 10), "+8617100000009", "colleague")]
    log = json.dumps(
        {
            "sms": [[t.isoformat(), n, x, r] for t, n, x, r in sms],
            "calls": [[t.isoformat(), n, r] for t, n, r in calls],
        },
        ensure_ascii=False,
    ).encode()
    added = ws.vault.add(log, case_id=case_id, original_name="手机导出记录.json")
    shot = ws.vault.add(b"\x89PNG\r\n\x1a\n" + bytes(range(64)) * 4, case_id=case_id, original_name="短信截图1.png")
    built = Built(case_id=case_id, evidence_sha=[added.evidence.sha256, shot.evidence.sha256])

    with ws.db.session() as s:

        def ev(kind: str, t: dt.datetime, number: str, text: str | None, recipient: str, loc: str, evid: int) -> int:
            return add_event(
                s,
                case_id,
                evidence_id=evid,
                locator=loc,
                channel=kind,
                direction="in",
                start=t,
                counterpart=number,
                text=text,
                recipient=recipient,
                recipient_name="王五" if recipient != "borrower" else None,
                duration_s=35.0 if kind == "call" else None,
                origin="export",
            )

        sms_ids = [ev("sms", t, n, x, r, f"sms[{i}]", added.evidence.id) for i, (t, n, x, r) in enumerate(sms)]
        call_ids = [ev("call", t, n, None, r, f"calls[{i}]", added.evidence.id) for i, (t, n, r) in enumerate(calls)]
        # the screenshot shows the threatening message (or the reminder when there is none)
        s.add(
            EventSource(event_id=sms_ids[3] if threats else sms_ids[0], evidence_id=shot.evidence.id, locator="image")
        )

        def finding(
            cat: str,
            sev: str,
            ids: list[int],
            spans: dict[int, list[list[int]]] | None = None,
            summary: str | None = None,
        ) -> None:
            add_finding(s, case_id, cat, ids, severity=sev, review=review, summary=summary, spans=spans)

        finding("third_party_contact", "high", [sms_ids[1], call_ids[-1]], {sms_ids[1]: [[0, len(THIRD_PARTY_SMS)]]})
        finding("night_contact", "medium", [sms_ids[2]])
        finding("harassment_volume", "medium", call_ids[:-1], summary="同一号码当天拨打14次")
        built.events = {"sms": sms_ids, "calls": call_ids}
        if threats:
            a = THREAT_SMS.index("弄死你全家")
            finding("threat_violence", "high", [sms_ids[3]], {sms_ids[3]: [[a, a + len("弄死你全家")]]})
            b = INSULT_SMS.index("老赖")
            finding("insult", "medium", [sms_ids[4]], {sms_ids[4]: [[b, b + 2]]})
            c = EXPOSURE_SMS.index("发给你通讯录里所有人")
            finding("threat_exposure", "high", [sms_ids[5]], {sms_ids[5]: [[c, c + len("发给你通讯录里所有人")]]})
    return built


CATEGORY_SMS = {  # one generated message per category, for cases built with ``build_findings_case``
    "night_contact": REMINDER_SMS,
    "illegal_debt": "【速借】请于今天另付逾期服务费和催收费共800元，转到本人个人账户。",
    "third_party_contact": THIRD_PARTY_SMS,
    "threat_exposure": EXPOSURE_SMS,
    "harassment_volume": "【速借】今天已给你打了二十次电话，接着打。",
    "threat_visit": "我们的人明天到你单位门口等你，你走到哪跟到哪。",
}


def build_findings_case(
    ws: Workspace,
    categories: list[str],
    *,
    licence_type: str | None = "consumer_finance",
    lender: str | None = "速借",
    entity: str | None = "示例消费金融有限公司",
    start: dt.date = dt.date(2026, 3, 2),
    days: list[dt.date] | None = None,
    review: str = "confirmed",
) -> Built:
    """A small case with exactly one finding per category (one SMS each, 23:40 for night contact), on consecutive
    days from ``start`` or on the given ``days``; ``review`` is the findings' review state."""
    case_id = _new_case(ws, lender, entity, licence_type, "李四", {})
    log = json.dumps({"sms": [[c, CATEGORY_SMS[c]] for c in categories]}, ensure_ascii=False).encode()
    added = ws.vault.add(log, case_id=case_id, original_name="手机导出记录.json")
    built = Built(case_id=case_id, evidence_sha=[added.evidence.sha256])
    with ws.db.session() as s:
        ids = []
        for i, cat in enumerate(categories):
            text = CATEGORY_SMS[cat]
            day = days[i] if days else start + dt.timedelta(days=i)
            when = at(day.year, day.month, day.day, 23 if cat == "night_contact" else 10, 40)
            recipient = "relative" if cat == "third_party_contact" else "borrower"
            eid = add_event(
                s,
                case_id,
                evidence_id=added.evidence.id,
                locator=f"sms[{i}]",
                channel="sms",
                direction="in",
                start=when,
                counterpart=f"+861700000010{i}",
                text=text,
                recipient=recipient,
                recipient_name="王五" if recipient != "borrower" else None,
                origin="export",
            )
            add_finding(s, case_id, cat, [eid], review=review, spans={eid: [[0, len(text)]]})
            ids.append(eid)
        built.events = {"sms": ids}
    return built


def loan_7_days() -> dict:
    """An unlicensed 7-day loan: 10,000 contracted, 2,000 deducted up front, 10,500 due (docs/loans.md example)."""
    return {
        "lender": "某714平台",
        "lender_type": "unlicensed",
        "contract_date": "2024-02-20",
        "principal": 10000,
        "disbursed": [{"date": "2024-02-20", "amount": 8000}],
        "repayments": [{"date": "2024-02-27", "amount": 10500}],
        "as_of": "2024-02-27",
    }
