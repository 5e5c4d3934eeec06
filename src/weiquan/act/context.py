"""The template context: the case's facts and the law pack, shaped for the document templates.

Every fact a document prints comes from here (dates, counts, quotes, numbers, evidence hashes);
every citation comes from the law pack (``Provision.cite()``). Nothing legal is written by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from weiquan.act.case_stats import GroupStats
from weiquan.act.facts import CHANNEL_ZH, RECIPIENT_ZH, MAX_CHRONOLOGY, CaseFacts, EventFact, FindingFact, Quote
from weiquan.act.plan import Plan
from weiquan.act.policy import causes, plan_policy

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
MAX_QUOTES_PER_CATEGORY = 6
MAX_CHRONOLOGY_ROWS = MAX_CHRONOLOGY
EXCERPT_CHARS = 60


def date_zh(d: dt.date | dt.datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def datetime_zh(d: dt.datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"


def money_zh(amount: float | int | None) -> str:
    """Amount in figures and 人民币大写: 人民币12,860.50元（大写：壹万贰仟捌佰陆拾元伍角）."""
    if amount is None:
        return ""
    import cn2an

    a = round(float(amount), 2)
    return f"人民币{a:,.2f}元（大写：{cn2an.an2cn(a, 'rmb')}）"


@dataclass
class CitedProvision:
    id: str
    cite: str
    short: str
    kind: str
    confidence: str
    confidence_zh: str
    role: str = "conduct"  # conduct | procedure | remedy (law pack): only conduct is a rule the collector broke
    conditions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # names of the case's conducts it is cited for
    scope_zh: str | None = None  # which lenders it governs, when the case's lender licence type is unknown


@dataclass
class QuoteView:
    when: str
    date: str
    number: str
    channel: str
    recipient: str
    excerpt: Markup  # the text with the quoted span in <strong>, escaped
    span: str  # the exact quoted span


@dataclass
class CategoryView:
    id: str
    name_zh: str
    description_zh: str
    severity: str
    count: int
    first: str
    last: str
    confirmed: bool
    summaries: list[str]
    quotes: list[QuoteView]
    moments: list[str]  # "time number channel" of events without a quote (patterns: floods, night calls)
    provisions: list[CitedProvision]
    third_party: int
    numbers: int


def _excerpt(q: Quote) -> Markup:
    text = q.event.text or ""
    a, b = q.start, q.end
    lo = 0 if len(text) <= 2 * EXCERPT_CHARS + (b - a) else max(0, a - EXCERPT_CHARS)
    hi = len(text) if len(text) <= 2 * EXCERPT_CHARS + (b - a) else min(len(text), b + EXCERPT_CHARS)
    pre = ("……" if lo > 0 else "") + text[lo:a]
    post = text[b:hi] + ("……" if hi < len(text) else "")
    return Markup(f"{escape(pre)}<strong>{escape(text[a:b])}</strong>{escape(post)}")


def phone_zh(number: str | None) -> str:
    """Mainland numbers without the +86 prefix (as people write them); others unchanged."""
    if not number:
        return "号码未知"
    return number[3:] if number.startswith("+86") and len(number) > 6 else number


def _number(e: EventFact) -> str:
    n = phone_zh(e.counterpart)
    if e.counterpart_name:
        n += f"（{e.counterpart_name}）"
    return n


def _quote_view(q: Quote) -> QuoteView:
    e = q.event
    return QuoteView(when=datetime_zh(e.local), date=date_zh(e.local), number=_number(e), channel=e.channel_zh,
                     recipient=e.recipient_zh + (f"（{e.recipient_name}）" if e.recipient_name and e.third_party else ""),
                     excerpt=_excerpt(q), span=q.text)


def cited_provisions(pack: Any, facts: CaseFacts, kinds: list[str] | None, extra_ids: list[str],
                     licence: str | None = None) -> list[CitedProvision]:
    """Provisions the findings engage (filtered by provision kind) plus a document's own, in citation order.

    A provision whose statute governs only some lender licence types (``Provision.licence_types``, e.g. the
    民间借贷 rules) is left out for other lenders; when the lender's licence type is unknown it is kept with
    its scope (``scope_zh``) so the reader sees the condition.
    """
    out: dict[str, CitedProvision] = {}

    def add(pid: str, kind_hint: str | None, cond: str | None, cat_name: str | None) -> None:
        p = pack.provisions.get(pid)
        if p is None:
            return
        kind = kind_hint or p.kind
        if kinds is not None and kind not in kinds and p.kind not in kinds:
            return
        applies = p.applies_to(licence)
        if applies is False:
            return
        cp = out.get(pid)
        if cp is None:
            cp = out[pid] = CitedProvision(id=pid, cite=p.cite(), short=p.short_cite(), kind=p.kind,
                                           confidence=p.confidence, confidence_zh=p.confidence_zh, role=p.role,
                                           scope_zh=p.licence_note_zh if applies is None else None)
        if cond and cond not in cp.conditions:
            cp.conditions.append(cond)
        if cat_name and cat_name not in cp.categories:
            cp.categories.append(cat_name)

    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        v = pack.violations.get(cat)
        if v is None:
            continue
        for ref in v.provisions:
            add(ref.provision_id, ref.kind, ref.note_zh, v.name_zh)
        for f in facts.by_category(cat):
            for pid in f.provisions:
                add(pid, None, None, v.name_zh)
    for pid in extra_ids:
        add(pid, None, None, None)
    order = {"civil": 0, "administrative": 1, "criminal": 2, "standard": 3, "self_regulatory": 4}
    return sorted(out.values(), key=lambda c: (order.get(c.kind, 9), pack.provisions[c.id].statute_id,
                                               pack.provisions[c.id].article or 0, c.id))


def _cat_sort(pack: Any, cat: str) -> tuple[int, int, str]:
    """Most severe first; within a severity, in the order the law pack lists the categories."""
    v = pack.violations.get(cat)
    order = list(pack.violations)
    return (SEVERITY_RANK.get(v.severity if v else "low", 3), order.index(cat) if cat in order else len(order), cat)


def remedies_open(pack: Any, facts: CaseFacts, licence: str | None = None) -> list[str]:
    """Remedy provision ids the case's conduct makes available (``ProvisionRef.remedies`` in violations.yaml)."""
    out: list[str] = []
    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        v = pack.violations.get(cat)
        for ref in (v.provisions if v else []):
            p = pack.provisions.get(ref.provision_id)
            if p is None or p.applies_to(licence) is False:
                continue
            out += [r for r in ref.remedies if r in pack.provisions and r not in out]
    return out


def category_views(pack: Any, facts: CaseFacts, kinds: list[str] | None, licence: str | None = None) -> list[CategoryView]:
    tz = ZoneInfo(facts.tz)
    views: list[CategoryView] = []
    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        fs: list[FindingFact] = facts.by_category(cat)
        v = pack.violations.get(cat)
        st = facts.category_stats.get(cat, GroupStats())
        examples = sorted({e.id: e for f in fs for e in f.events}.values(), key=lambda e: (e.start, e.id))
        quotes = sorted((q for f in fs for q in f.quotes), key=lambda q: (q.event.start, q.start))
        seen: set[tuple[int, int, int]] = set()
        qv: list[QuoteView] = []
        for q in quotes:
            k = (q.event.id, q.start, q.end)
            if k in seen:
                continue
            seen.add(k)
            qv.append(_quote_view(q))
        sub = CaseFacts(**{**facts.__dict__, "findings": fs, "categories": {cat}})
        views.append(CategoryView(
            id=cat, name_zh=v.name_zh if v else cat, description_zh=v.description_zh if v else "",
            severity=fs[0].severity if fs else (v.severity if v else "medium"),
            count=st.count or len(fs), first=date_zh(st.first.astimezone(tz)) if st.first else "",
            last=date_zh(st.last.astimezone(tz)) if st.last else "",
            confirmed=all(f.confirmed for f in fs),
            summaries=[f.summary for f in fs if f.summary][:3],
            quotes=qv[:MAX_QUOTES_PER_CATEGORY],
            moments=[f"{datetime_zh(e.local)} {_number(e)}（{e.channel_zh}）"
                     for e in examples if not e.text or not qv][:MAX_QUOTES_PER_CATEGORY],
            provisions=cited_provisions(pack, sub, kinds, [], licence),
            third_party=st.third_party, numbers=st.numbers,
        ))
    return views


def chronology(facts: CaseFacts, pack: Any, limit: int = MAX_CHRONOLOGY_ROWS) -> tuple[list[dict[str, Any]], int]:
    """The first finding events in time order, with the categories they show and the quoted spans."""
    rows = []
    for e in facts.chronology_events[:limit]:
        qs = facts.chronology_quotes.get(e.id, [])
        content: Markup | str
        if qs:
            content = _excerpt(sorted(qs, key=lambda q: q.start)[0])
        elif e.channel == "call":
            content = f"通话 {int(e.duration_s)} 秒" if e.duration_s else "来电"
        else:
            content = ""
        cats = [pack.violations[c].name_zh if c in pack.violations else c for c in facts.chronology_categories.get(e.id, [])]
        rows.append({"when": datetime_zh(e.local), "channel": e.channel_zh, "number": _number(e),
                     "recipient": e.recipient_zh + (f"（{e.recipient_name}）" if e.recipient_name and e.third_party else ""),
                     "categories": "、".join(dict.fromkeys(cats)), "content": content})
    return rows, max(0, facts.counts()["events"] - len(rows))


def catalogue_rows(facts: CaseFacts, pack: Any) -> list[dict[str, Any]]:
    """证据目录 rows: one per original evidence file, numbered and ordered as the evidence package (E001…)."""
    tz = ZoneInfo(facts.tz)
    rows = []
    for ev in facts.evidence:
        st = ev.stats
        proves: list[str] = []
        if st.first is not None and st.last is not None:
            a, b = st.first.astimezone(tz), st.last.astimezone(tz)
            span = date_zh(a) if a.date() == b.date() else f"{date_zh(a)}至{date_zh(b)}"
            parts = "、".join(f"{CHANNEL_ZH.get(k, k)}{v}条" for k, v in st.channels.most_common())
            proves.append(f"{span}期间的联系记录（{parts}）")
            names = sorted({pack.violations[c].name_zh if c in pack.violations else c for c in st.categories})
            if names:
                proves.append("证明存在：" + "、".join(names))
        no = int(ev.label.lstrip("E"))
        rows.append({
            "no": no, "label": ev.label, "name": ev.name or f"证据{no}", "kind": _evidence_kind(ev.media_type, ev.name),
            "source": "当事人手机导出/保存的电子数据" + (f"（设备：{ev.source_device}）" if ev.source_device else ""),
            "proves": "；".join(proves) if proves else None,
            "file": f"{ev.name or ''}（{_size(ev.size)}）", "sha256": ev.sha256,
            "acquired": date_zh(ev.acquired_at.astimezone(tz)),
        })
    return rows


def _evidence_kind(media_type: str | None, name: str | None) -> str:
    mt = (media_type or "").lower()
    if mt.startswith("audio/"):
        return "视听资料（录音）"
    if mt.startswith("video/"):
        return "视听资料（录像）"
    if mt.startswith("image/"):
        return "电子数据（截图）"
    return "电子数据"


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} 字节"


def sms_reports(facts: CaseFacts) -> list[dict[str, Any]]:
    """Messages behind findings, original text unaltered (for 12321); identical texts from one number grouped.

    ``times`` holds the first few times of a group; ``count`` is the exact number of messages.
    """
    return [{"when": datetime_zh(g.times[0]), "number": phone_zh(g.number), "signature": g.signature,
             "recipient": RECIPIENT_ZH.get(g.recipient, g.recipient), "text": g.text,
             "times": [datetime_zh(t) for t in g.times], "count": g.count}
            for g in facts.sms_groups()]


def call_reports(facts: CaseFacts) -> list[dict[str, Any]]:
    """Per number: calls behind findings, first/last time, days with calls and the most in one day."""
    return [{"number": phone_zh(c.number), "count": c.count, "first": datetime_zh(c.first), "last": datetime_zh(c.last),
             "days": len(c.per_day), "max_per_day": max(c.per_day.values())}
            for c in facts.call_stats() if c.count]


class Lazy(Sequence[Any]):
    """A list computed on first use, so a document pays only for the lists its template reads."""

    def __init__(self, fn: Callable[[], list[Any]]) -> None:
        self._fn = fn
        self._items: list[Any] | None = None

    def _get(self) -> list[Any]:
        if self._items is None:
            self._items = self._fn()
        return self._items

    def __getitem__(self, i: Any) -> Any:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())


def loan_views(facts: CaseFacts) -> list[dict[str, Any]]:
    """The loan-check results (``weiquan.loans.check_loan`` keys) in figures and 人民币大写."""
    out = []
    for l in facts.loans:
        r = l.result or {}

        def amount(key: str) -> str:
            v = r.get(key)
            return money_zh(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else ""

        upfront = r.get("upfront_deduction")
        excess = r.get("excess_paid")
        exceeded = [c for c in (r.get("caps") or []) if isinstance(c, dict) and c.get("exceeded")]
        out.append({
            "lender": l.lender, "entity": l.legal_entity, "contract_date": date_zh(l.contract_date),
            "principal": money_zh(l.principal) if l.principal else "", "received": amount("received"),
            "upfront": amount("upfront_deduction") if isinstance(upfront, (int, float)) and upfront > 0.005 else "",
            "term_days": r.get("term_days"), "apr": l.apr if l.apr is not None else r.get("apr"),
            "simple_rate": r.get("simple_annual_rate"), "verdict": l.verdict or r.get("verdict"),
            "verdict_zh": r.get("verdict_zh"), "licence_zh": r.get("lender_type_zh"),
            "lawful_owed": amount("lawful_amount_owed"), "lawful_label": r.get("lawful_label_zh") or "按法律保护的利率估算应还",
            "excess_label": r.get("excess_label_zh") or "估算多付",
            "excess_paid": amount("excess_paid") if isinstance(excess, (int, float)) and excess > 0.005 else "",
            "paid": amount("paid_to_date"),
            "caps_exceeded": [{"name": c.get("name"), "rate": c.get("rate")} for c in exceeded],
            "short_term": "short_term_upfront" in (r.get("flags") or []),
            "provisions": [str(p) for p in (r.get("provisions") or [])],
        })
    return out


def build_context(pack: Any, facts: CaseFacts, plan: Plan, *, doc_key: str, channel_id: str | None) -> dict[str, Any]:
    policy = plan_policy()
    kinds = policy.document_kinds.get(doc_key)
    extra_ids = policy.document_provisions.get(doc_key, [])
    licence = plan.lender.licence_type
    views = category_views(pack, facts, kinds, licence)
    provisions = cited_provisions(pack, facts, kinds, extra_ids, licence)
    rows, more = chronology(facts, pack)
    counts = facts.counts()
    period = facts.period
    ch = pack.channels.get(channel_id) if channel_id else None
    step = plan.step(channel_id) if channel_id else None
    loans = loan_views(facts)
    def cite(pid: str) -> str:
        p = pack.provisions.get(pid)
        if p is None:
            from weiquan.errors import ProblemFound

            raise ProblemFound(f"法规库缺少条文 {pid}", f"law pack has no provision {pid!r}")
        return p.cite()

    def summary(pid: str) -> str:
        p = pack.provisions.get(pid)
        return p.summary_zh if p is not None else ""

    night = pack.conduct.night
    escalate = [s.name_zh for s in plan.steps if s.kind in ("regulator", "self_regulatory", "police")]
    claims = facts.extra.get("claims") if isinstance(facts.extra.get("claims"), dict) else {}
    mental = claims.get("mental_damages") if isinstance(claims.get("mental_damages"), (int, float)) else None
    return {
        "facts": facts, "plan": plan, "pack": pack, "lender": plan.lender,
        "borrower_name": facts.borrower_name, "borrower_phones": [phone_zh(p) for p in facts.borrower_phones],
        "lender_name": facts.lender_name or plan.lender.name, "lender_entity": plan.lender.entity,
        "today": date_zh(facts.today), "categories": views, "category_ids": sorted(facts.categories),
        "chronology": rows, "chronology_more": more, "counts": counts,
        "period_from": date_zh(period[0]) if period else "", "period_to": date_zh(period[1]) if period else "",
        # every cited provision; and split by role, so that only rules of conduct are listed as "违反的规定"
        "provisions": provisions,
        "violated": [p for p in provisions if p.role == "conduct"],
        "remedies": [p for p in provisions if p.role == "remedy"],
        "procedures": [p for p in provisions if p.role == "procedure"],
        "remedies_open": remedies_open(pack, facts, licence),
        "extra_provisions": {pid: pack.provisions[pid] for pid in extra_ids if pid in pack.provisions},
        "catalogue": Lazy(lambda: catalogue_rows(facts, pack)), "sms": Lazy(lambda: sms_reports(facts)),
        "calls": Lazy(lambda: call_reports(facts)),
        "numbers": [(phone_zh(n), c) for n, c in facts.numbers()], "channel": ch, "step": step, "loans": loans,
        "mental_damages": money_zh(mental) if mental else "",
        "cause_zh": causes().choose(set(facts.categories)), "cause_confidence": causes().confidence,
        "safety": plan.safety_threat, "ongoing": plan.ongoing,
        "third_party_views": [v for v in views if v.third_party],
        "has_findings": bool(facts.findings), "auto_count": facts.auto_count,
        "has_threat": any(c.startswith("threat_") for c in facts.categories),
        "night_start": night.start.strftime("%H:%M"), "night_end": night.end.strftime("%H:%M"),
        "escalate_to": escalate, "cite": cite, "summary": summary,
        "last_contact": datetime_zh(max((f.last for f in facts.findings if f.last), default=None)),
        "lender_action": _lender_action(facts, pack),
    }


def _lender_action(facts: CaseFacts, pack: Any) -> dict[str, Any] | None:
    """The latest complaint to the lender that was sent, for "已向机构投诉" sections."""
    from weiquan.services.actions import STATUS_ZH

    sent = [a for a in facts.actions if a.body == "lender" and a.submitted_at is not None]
    if not sent:
        return None
    a = sent[-1]
    return {"submitted": date_zh(a.submitted_at.astimezone(ZoneInfo(facts.tz))), "reference_no": a.reference_no,
            "status_zh": STATUS_ZH.get(a.status, a.status), "response": a.response}
