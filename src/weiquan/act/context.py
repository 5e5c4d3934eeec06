"""The template context: the case's facts and the law pack, shaped for the document templates.

Every fact a document prints comes from the case's facts (dates, counts, quotes, numbers, evidence hashes), shaped
by ``quotes`` (conduct by category), ``catalogue`` (chronology, 证据目录, 12321 lists) and ``loan_views``; every
citation comes from the law pack through ``citations``. Nothing legal is written by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from weiquan.act.catalogue import call_reports, catalogue_rows, chronology, evidence_kinds_zh, sms_reports
from weiquan.act.citations import category_sort_key, cited_provisions, evidence_shows, remedies_open
from weiquan.act.facts import CaseFacts
from weiquan.act.loan_views import loan_views
from weiquan.act.plan import Plan, last_collection_contact
from weiquan.act.policy import causes, plan_policy
from weiquan.act.quotes import category_views, recipient_label
from weiquan.errors import ProblemFound
from weiquan.zh.format import date_zh, datetime_zh, money_zh, period_zh, phone_zh, zh_text
from weiquan.zh.labels import ACTION_STATUS_ZH, RECIPIENT_ZH

CONTACT_LABELS_ZH = (
    ("hotline", "电话"),
    ("portal", "网站"),
    ("app", "App"),
    ("wechat", "微信"),
    ("address_zh", "其他途径"),
)


def contact_zh(ch: Any) -> list[tuple[str, str]]:
    """How to reach a body (the law pack's ``contact``) as (label, text) pairs for "如何提交": a hotline's note in
    brackets without its full stop; a note without a number still printed under 电话 (the carrier's "拨打所用运营商的
    客服电话"); ``address_zh`` — a letter or visit, forwarding a message, the competent court — as 其他途径."""
    c = getattr(ch, "contact", None)
    out: list[tuple[str, str]] = []
    for attr, label in CONTACT_LABELS_ZH if c is not None else ():
        value = getattr(c, attr, None)
        note = zh_text(getattr(c, "hotline_note_zh", None)).rstrip("。") if attr == "hotline" else ""
        text = (f"{value}（{note}）" if note else str(value)) if value else note
        if text:
            out.append((label, zh_text(text).rstrip("。")))
    return out


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


PERSON_RECIPIENTS = ("relative", "friend", "colleague", "other")


def split_witness(label: str) -> tuple[str, str]:
    """(relation, name) of a witness described as "邻居张秀兰", "朋友刘洋", "母亲" (``witness_relations``); the name
    is "" when the words name no person ("母亲", "邻居王某")."""
    rest, relation = label.strip(), ""
    for rel in sorted(plan_policy().witness_relations, key=len, reverse=True):
        if rest.startswith(rel):
            relation, rest = rel, rest[len(rel) :]
            break
    rest = rest.strip("（）() ：:")
    if rest in plan_policy().witness_relations:
        relation, rest = relation or rest, ""
    return relation, "" if (not rest or "某" in rest) else rest


def witnesses(facts: CaseFacts) -> list[dict[str, str]]:
    """People who can testify to the confirmed conduct (民事诉讼法 Art. 124: 证人姓名和住所): a person the
    borrower's note names ("邻居王某可作证"), and each named person the collectors contacted. In time order.
    ``label`` describes the person ("邻居张秀兰"), ``relation`` and ``name`` ("" when not known) fill the form."""
    rx = re.compile(plan_policy().witness_note_re) if plan_policy().witness_note_re else None
    out: dict[str, dict[str, str]] = {}
    events = sorted({e.id: e for f in facts.findings for e in f.events}.values(), key=lambda e: (e.start, e.id))
    for e in events:
        about = f"{datetime_zh(e.local)}{e.channel_zh}"
        m = rx.search(e.note or "") if rx else None
        typed = [w.strip() for w in re.split(r"[、，,；;\s]+", e.witnesses or "") if w.strip()]
        for label in [*typed, *([m.group(1)] if m else [])]:
            if label not in out:
                rel, name = split_witness(label)
                out[label] = {
                    "label": label,
                    "relation": rel,
                    "name": name,
                    "about": about,
                    "how": "在场，了解当时情况",
                }
        if e.recipient in PERSON_RECIPIENTS and e.recipient_name:
            label = recipient_label(e.recipient, e.recipient_name)
            rel, name = split_witness(e.recipient_name)
            out.setdefault(
                label,
                {
                    "label": label,
                    "relation": rel or RECIPIENT_ZH.get(e.recipient, ""),
                    "name": name,
                    "about": about,
                    "how": "接到催收方的联系",
                },
            )
    return list(out.values())


def stop_requests(facts: CaseFacts, pack: Any) -> list[str]:
    """What the court is asked to order stopped, one request per category of confirmed conduct (act/data/plan.yaml
    ``stop_requests_zh``), most severe first."""
    reqs = plan_policy().stop_requests_zh
    return [reqs[c] for c in sorted(facts.categories, key=lambda c: category_sort_key(pack, c)) if c in reqs]


def build_context(pack: Any, facts: CaseFacts, plan: Plan, *, doc_key: str, channel_id: str | None) -> dict[str, Any]:
    policy = plan_policy()
    kinds = policy.document_kinds.get(doc_key)
    extra_ids = policy.document_provisions.get(doc_key, [])
    licence = plan.lender.licence_type
    shows = evidence_shows(facts, plan.lender)
    if doc_key == "police" and "illegal_debt" in shows and licence == "unlicensed" and facts.loans:
        # lending without a licence: 刑法 Art. 225 with the 2019 非法放贷 opinion (issue 16 item 3)
        extra_ids = [*extra_ids, *policy.unlicensed_police_provisions]
    labels = {pid: "无放贷资格放贷（见借款情况）" for pid in policy.unlicensed_police_provisions}
    views = category_views(pack, facts, kinds, licence, plan.lender, shows)
    provisions = cited_provisions(pack, facts, kinds, extra_ids, licence, plan.lender, shows, labels)
    if not plan.ongoing and doc_key != "injunction":
        # the injunction needs ongoing conduct (民法典 Art. 997): not named as a remedy when it is not available
        provisions = [p for p in provisions if p.id != policy.injunction_provision]
        for v in views:
            v.provisions = [p for p in v.provisions if p.id != policy.injunction_provision]
    rows, more = chronology(facts, pack)
    # one count (issue 16 item 8): the collection-contact figures computed at analysis, as on the dashboard
    figures = facts.extra.get("contact_figures") if isinstance(facts.extra.get("contact_figures"), dict) else None
    counts = {
        "visits": 0,
        "letters": 0,
        "other": 0,
        "night": 0,
        **facts.counts(),
        **{k: v for k, v in (figures or {}).items() if isinstance(v, int)},
    }
    # the period the figures are counted over: a sentence "…至…期间…共9次" must hold all nine (issue 16 item 8)
    period = _figures_period(figures, facts.tz) or facts.period
    ch = pack.channels.get(channel_id) if channel_id else None
    step = plan.step(channel_id) if channel_id else None
    loans = loan_views(facts)

    def cite(pid: str) -> str:
        p = pack.provisions.get(pid)
        if p is None:
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
        "facts": facts,
        "plan": plan,
        "pack": pack,
        "lender": plan.lender,
        "borrower_name": facts.borrower_name,
        "borrower_phones": [phone_zh(p) for p in facts.borrower_phones],
        "lender_name": facts.lender_name or plan.lender.name,
        "lender_entity": plan.lender.entity,
        "today": date_zh(facts.today),
        "categories": views,
        "category_ids": sorted(facts.categories),
        "chronology": rows,
        "chronology_more": more,
        "counts": counts,
        "period_from": date_zh(period[0]) if period else "",
        "period_to": date_zh(period[1]) if period else "",
        "period_zh": period_zh(*period) if period else "",  # "…至…期间", or the one day
        # every cited provision; and split by role, so that only rules of conduct are listed as "违反的规定"
        "provisions": provisions,
        "violated": [p for p in provisions if p.role == "conduct" and not p.if_carried_out],
        "if_carried_out": [p for p in provisions if p.role == "conduct" and p.if_carried_out],
        "remedies": [p for p in provisions if p.role == "remedy"],
        "procedures": [p for p in provisions if p.role == "procedure"],
        "remedies_open": remedies_open(pack, facts, licence, plan.lender),
        "extra_provisions": {pid: pack.provisions[pid] for pid in extra_ids if pid in pack.provisions},
        "catalogue": Lazy(lambda: catalogue_rows(facts, pack)),
        "evidence_kinds": Lazy(lambda: evidence_kinds_zh(facts)),  # what an offer of evidence may name
        "sms": Lazy(lambda: sms_reports(facts)),
        "calls": Lazy(lambda: call_reports(facts)),
        # the numbers the figures count (every collection contact's), not only those behind a finding
        "numbers": [(phone_zh(n), c) for n, c in _figures_numbers(figures) or facts.numbers()],
        "channel": ch,
        "step": step,
        "loans": loans,
        "unlicensed": licence == "unlicensed",
        "mental_damages": money_zh(mental) if mental else "",
        "cause_zh": causes().choose(set(facts.categories)),
        "cause_confidence": causes().confidence,
        "safety": plan.safety_threat,
        "ongoing": plan.ongoing,
        "third_party_views": [v for v in views if v.third_party],
        "has_findings": bool(facts.findings),
        "auto_count": facts.auto_count,
        "has_threat": any(c.startswith("threat_") for c in facts.categories),
        "night_start": night.start.strftime("%H:%M"),
        "night_end": night.end.strftime("%H:%M"),
        "escalate_to": escalate,
        "cite": cite,
        "summary": summary,
        "last_contact": datetime_zh(
            last_collection_contact(facts, max((f.last for f in facts.findings if f.last), default=None))
        ),
        "lender_action": _lender_action(facts, pack),
        "witnesses": witnesses(facts),
        "stop_requests": stop_requests(facts, pack),
    }


def _figures_period(figures: dict[str, Any] | None, tz: str) -> tuple[dt.datetime, dt.datetime] | None:
    """First and last collection contact of the case's figures, in the case's time zone."""
    try:
        a, b = (dt.datetime.fromisoformat(str((figures or {})[k])) for k in ("first", "last"))
    except (KeyError, TypeError, ValueError):
        return None
    z = ZoneInfo(tz)
    return a.astimezone(z), b.astimezone(z)


def _figures_numbers(figures: dict[str, Any] | None) -> list[tuple[str, int]]:
    rows = (figures or {}).get("number_list")
    return (
        [(str(r[0]), int(r[1])) for r in rows if isinstance(r, list) and len(r) == 2] if isinstance(rows, list) else []
    )


def _lender_action(facts: CaseFacts, pack: Any) -> dict[str, Any] | None:
    """The latest complaint to the lender that was sent, for "已向机构投诉" sections."""
    sent = [a for a in facts.actions if a.body == "lender" and a.submitted_at is not None]
    if not sent:
        return None
    a = sent[-1]
    return {
        "submitted": date_zh(a.submitted_at.astimezone(ZoneInfo(facts.tz))),
        "reference_no": a.reference_no,
        "status_zh": ACTION_STATUS_ZH.get(a.status, a.status),
        "response": a.response,
    }
