"""Builds a small harassment case in code for the report/export tests."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from weiquan.services.cases import create_case
from weiquan.store.models import Event, EventSource, Finding, FindingEvent
from weiquan.workspace import Workspace

UTC = dt.timezone.utc


@dataclass
class BuiltCase:
    case_id: int
    originals: dict[str, str] = field(default_factory=dict)  # original name -> sha256
    derived: list[str] = field(default_factory=list)
    events: int = 0


THREATS = [
    "再不还钱就爆你通讯录，让你全家都知道你是老赖",
    "明天我们的人上门到你单位找你领导",
    "你已涉嫌诈骗，法院传票已经发出，等着坐牢吧",
    "您好，您的借款今日到期，请按时还款。",
]


def build_case(ws: Workspace, *, n_events: int = 120, seed: int = 7, findings: bool = True) -> BuiltCase:
    """A case with three originals (SMS XML, call log, a screenshot), one OCR text, events and findings."""
    rnd = random.Random(seed)
    case = create_case(ws, "测试案件：某某贷催收", lender="某某贷", borrower_name="张三")
    built = BuiltCase(case.id)
    sms = "<smses>" + "".join(f'<sms body="{THREATS[i % 4]}" date="{i}"/>' for i in range(40)) + "</smses>"
    files = {
        "sms-20250101.xml": sms.encode("utf-8"),
        "calls.csv": ("number,time\n" + "\n".join(f"+86138{i:08d},{i}" for i in range(50))).encode(),
        "Screenshot_催收短信.png": b"\x89PNG\r\n\x1a\n" + bytes(rnd.getrandbits(8) for _ in range(3000)),
    }
    evidence_ids: dict[str, int] = {}
    for name, data in files.items():
        r = ws.vault.add(data, case_id=case.id, original_name=name)
        built.originals[name] = r.evidence.sha256
        evidence_ids[name] = r.evidence.id
    ocr = ws.vault.add_derived(
        "催收短信截图的识别文字：再不还钱就爆你通讯录".encode(),
        source_sha256=built.originals["Screenshot_催收短信.png"],
        derivation="ocr",
        case_id=case.id,
        media_type="text/plain",
        name="ocr.txt",
    )
    built.derived.append(ocr.sha256)
    start = dt.datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    numbers = [f"+861700000{i:04d}" for i in range(12)]
    with ws.db.session() as s:
        ev_rows = []
        for i in range(n_events):
            t = start + dt.timedelta(hours=rnd.randrange(0, 24 * 30), minutes=rnd.randrange(60))
            channel = "call" if i % 3 else "sms"
            e = Event(
                case_id=case.id,
                channel=channel,
                direction="in",
                start=t,
                source_tz="Asia/Shanghai",
                duration_s=rnd.randrange(0, 120) if channel == "call" else None,
                counterpart=rnd.choice(numbers),
                signature="【某某贷】" if channel == "sms" and i % 2 else None,
                text=THREATS[i % 4] if channel == "sms" else None,
                recipient="borrower" if i % 7 else "relative",
            )
            src = "sms-20250101.xml" if channel == "sms" else "calls.csv"
            e.sources.append(EventSource(evidence_id=evidence_ids[src], locator=f"row {i}", source_format="test"))
            s.add(e)
            ev_rows.append(e)
        s.flush()
        built.events = len(ev_rows)
        if findings:
            threat = [e for e in ev_rows if e.text and "通讯录" in e.text][:3]
            f = Finding(
                case_id=case.id,
                category="threat_exposure",
                severity="high",
                detector_id="test.lexicon",
                detector_version="1",
                confidence=0.92,
                provisions=["civil-1024"],
                summary="威胁向通讯录联系人曝光债务",
                explanation="短信中出现「爆你通讯录」",
                key="t1",
            )
            for e in threat:
                f.events.append(FindingEvent(event_id=e.id, spans=[[6, 11]]))
            s.add(f)
            night = [e for e in ev_rows if e.channel == "call"][:2]
            g = Finding(
                case_id=case.id,
                category="night_contact",
                severity="medium",
                detector_id="test.pattern",
                detector_version="1",
                confidence=1.0,
                provisions=[],
                summary="夜间催收 2 次",
                key="t2",
                review_state="confirmed",
                reviewed_by="tester",
            )
            for e in night:
                g.events.append(FindingEvent(event_id=e.id, spans=[]))
            s.add(g)
            s.add(
                Finding(
                    case_id=case.id,
                    category="insult",
                    severity="low",
                    detector_id="test",
                    detector_version="1",
                    summary="被驳回的识别",
                    key="t3",
                    review_state="rejected",
                )
            )
    return built
