"""Pattern detectors over a case timeline (docs/sources.md#violation-categories: harassment_volume, night_contact, third parties).

Each detector returns :class:`FindingDraft` objects keyed by a stable ``key`` (e.g. ``night:2024-05-01``)
so re-running analysis updates the same findings. Legal limits come from the law pack (see
``lawrules.ConductRules``); the detection heuristics (how many numbers make a rotation) from
``data/patterns.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from weiquan.analyze.base import CaseContext, EventLink, FindingDraft, TimelineEvent
from weiquan.analyze.lawrules import ConductRules

VERSION = "1.0"
INCOMING = {"in", "incoming", "missed", "rejected", "blocked", "voicemail", "answered_elsewhere", "unknown"}
CONNECTED = {"in", "incoming"}
NOT_ANSWERED = {"missed", "rejected", "blocked", "voicemail"}


@cache
def pattern_config() -> dict[str, Any]:
    return yaml.safe_load(resources.files("weiquan.analyze").joinpath("data/patterns.yaml").read_text(encoding="utf-8"))


@cache
def _debt_words() -> re.Pattern[str]:
    return re.compile(pattern_config()["disclosure"]["debt_re"])


def personal_numbers(events: list[TimelineEvent]) -> frozenset[str]:
    """Numbers saved in the borrower's contacts under a personal name that never wrote about the debt
    (``personal_contacts`` in data/patterns.yaml): their calls and messages are not collection contacts. Only
    what the number sent counts (the borrower's own message to a parent about the debt does not make the parent
    a collector), and words that retell what collectors did ("他们说你欠了三万") are not writing about it."""
    cfg = pattern_config()["personal_contacts"]
    looks_collector, retold, self_named = (
        re.compile(cfg[k]) for k in ("collector_name_re", "retold_re", "collector_self_re")
    )
    debt = _debt_words()
    named: set[str] = set()
    collection: set[str] = set()
    for ev in events:
        if not ev.counterpart:
            continue
        if ev.counterpart_name and ev.counterpart_name.strip():
            (collection if looks_collector.search(ev.counterpart_name) else named).add(ev.counterpart)
        if ev.direction in ("outgoing", "out", "draft") or not ev.text or not debt.search(ev.text):
            continue
        if not retold.search(ev.text) or self_named.search(ev.text):
            collection.add(ev.counterpart)
    return frozenset(named - collection)


@cache
def _routine_reminder() -> re.Pattern[str]:
    return re.compile(pattern_config()["collection_contacts"]["routine_reminder_re"])


def routine_reminder(ev: TimelineEvent, hits: list[Any] | None = None) -> bool:
    """A lender's own repayment reminder or service notice (a bill, a due date, a repayment receipt) with no
    unlawful content: not a collection contact by itself (``collection_contacts`` in data/patterns.yaml)."""
    return bool(
        ev.text
        and ev.channel in ("sms", "mms", "chat")
        and not hits
        and _routine_reminder().search(ev.text)
        and not _debt_pressure().search(ev.text)
    )


@cache
def _debt_pressure() -> re.Pattern[str]:
    return re.compile(pattern_config()["collection_contacts"]["collection_re"])


def collection_contacts(ctx: CaseContext) -> list[TimelineEvent]:
    """The events the volume, night and attempts figures count: contacts made TO the borrower's side (never
    the borrower's own outgoing calls or messages, nor events of unknown direction without debt wording), not
    from saved personal contacts, and not the lender's routine repayment reminders."""
    personal = personal_numbers(ctx.events)
    debt = _debt_words()
    out = []
    for ev in ctx.events:
        if ev.direction not in INCOMING or ev.counterpart in personal:
            continue
        if ev.direction == "unknown" and not (ev.text and debt.search(ev.text)):
            continue
        if routine_reminder(ev, ctx.text_hits.get(ev.id)):
            continue
        out.append(ev)
    return out


def local(ev: TimelineEvent, default_tz: str) -> dt.datetime:
    try:
        tz = ZoneInfo(ev.source_tz or default_tz)
    except Exception:  # noqa: BLE001 - an unknown zone name falls back to the case's zone
        tz = ZoneInfo(default_tz)
    return ev.start.astimezone(tz)


def _incoming(ev: TimelineEvent) -> bool:
    return ev.direction in INCOMING


def _unanswered(ev: TimelineEvent) -> bool:
    """An incoming call the borrower did not pick up: missed, rejected, blocked, to voicemail, or logged as
    incoming with a duration of 0 (a call whose duration is unknown is not counted)."""
    return ev.direction in NOT_ANSWERED or (
        ev.direction in CONNECTED and ev.duration_s is not None and ev.duration_s <= 0
    )


def _to_borrower(ev: TimelineEvent) -> bool:
    return ev.recipient in ("borrower", "", None)


def _fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


@dataclass
class VoiceVolumeDetector:
    """Connected voice calls to the borrower per local day above the law pack's limit."""

    rules: ConductRules
    id: str = "pattern.voice_per_day"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "每日通话次数统计"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        days: dict[dt.date, list[TimelineEvent]] = defaultdict(list)
        for ev in collection_contacts(ctx):
            if ev.channel == "call" and ev.direction in CONNECTED and _to_borrower(ev) and (ev.duration_s or 0) > 0:
                days[local(ev, ctx.timezone).date()].append(ev)
        limit = self.rules.max_connected_voice_per_day
        out = []
        for day, evs in sorted(days.items()):
            if len(evs) > limit:
                out.append(
                    FindingDraft(
                        key=f"volume:connected:{day.isoformat()}",
                        category="harassment_volume",
                        detector_id=self.id,
                        detector_version=self.version,
                        confidence=0.9,
                        summary=f"{day.isoformat()} 当天接通催收电话 {len(evs)} 次，超过每日 {limit} 次的上限",
                        explanation=f"当天与借款人接通的来电 {len(evs)} 次 > {limit} 次（{self.rules.voice_source}）",
                        events=[EventLink(e.id) for e in evs],
                        extra={"day": day.isoformat(), "count": len(evs), "limit": limit},
                    )
                )
        return out


@dataclass
class NumberAttemptsDetector:
    """Unanswered calls per local day from one number above the law pack's attempts limit. The rule
    (CBA guideline, docs/sources.md#cba-attempts) counts attempts after the debtor did not answer, not every call;
    grouping by the calling number is conservative (a rotation of numbers is the rotation detector's)."""

    rules: ConductRules
    id: str = "pattern.calls_per_number"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "同一号码未接通后反复拨打统计"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        groups: dict[tuple[str, dt.date], list[TimelineEvent]] = defaultdict(list)
        for ev in collection_contacts(ctx):
            if ev.channel == "call" and _unanswered(ev) and ev.counterpart:
                groups[(ev.counterpart, local(ev, ctx.timezone).date())].append(ev)
        limit = self.rules.max_attempts_per_number_per_day
        out = []
        for (num, day), evs in sorted(groups.items()):
            if len(evs) > limit:
                soft = "（该规则为“不宜”，属行业自律要求）" if self.rules.attempts_soft else ""
                out.append(
                    FindingDraft(
                        key=f"volume:number:{num}:{day.isoformat()}",
                        category="harassment_volume",
                        detector_id=self.id,
                        detector_version=self.version,
                        confidence=0.75 if self.rules.attempts_soft else 0.9,
                        summary=f"{day.isoformat()} 号码 {num} 未接通后仍来电 {len(evs)} 次，超过每日 {limit} 次",
                        explanation=f"同一号码当天未接通的来电 {len(evs)} 次 > {limit} 次{soft}（{self.rules.attempts_source}）",
                        events=[EventLink(e.id) for e in evs],
                        extra={"day": day.isoformat(), "number": num, "count": len(evs)},
                    )
                )
        return out


@dataclass
class NightContactDetector:
    """Contacts inside the law pack's night window, grouped per night."""

    rules: ConductRules
    id: str = "pattern.night"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "夜间联系统计"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        nights: dict[dt.date, list[tuple[TimelineEvent, dt.datetime]]] = defaultdict(list)
        for ev in collection_contacts(ctx):
            if ev.channel not in self.rules.night_channels:
                continue
            t = local(ev, ctx.timezone)
            if self.rules.in_night(t.time()):
                # a contact after midnight belongs to the night that began the evening before
                night = t.date() - dt.timedelta(days=1) if t.time() < self.rules.night_end else t.date()
                nights[night].append((ev, t))
        out = []
        for night, items in sorted(nights.items()):
            times = "、".join(t.strftime("%H:%M") for _, t in items[:6]) + ("…" if len(items) > 6 else "")
            out.append(
                FindingDraft(
                    key=f"night:{night.isoformat()}",
                    category="night_contact",
                    detector_id=self.id,
                    detector_version=self.version,
                    confidence=0.9,
                    summary=f"{night.isoformat()} 夜间（{self.rules.night_label}）催收联系 {len(items)} 次：{times}",
                    # which night rule binds depends on the lender and the date (a standard for licensed online
                    # lenders, an association's guideline for its members from its release): the documents, the report
                    # and the web cite it per case; the finding names none
                    explanation=f"联系时间在夜间时段 {self.rules.night_label} 内；适用的规定取决于放贷机构的类型和行为日期，"
                    "见法律依据；如借款人事先同意该时段联系，则不适用",
                    events=[EventLink(e.id) for e, _ in items],
                    extra={"night": night.isoformat(), "count": len(items)},
                )
            )
        return out


@dataclass
class NumberRotationDetector:
    """Many numbers for one sender: same 【signature】, same self-identification, or one number block (collection
    contacts only)."""

    id: str = "pattern.rotation"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "频繁更换号码识别"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        cfg = pattern_config()["rotation"]
        self_id = re.compile(cfg["self_id_re"])
        groups: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        # collection contacts only: a lender's routine reminders from several gateway numbers are not a rotation
        for ev in collection_contacts(ctx):
            if not ev.counterpart:
                continue
            if ev.signature:
                groups[("sig", ev.signature.strip("【】 "))][ev.counterpart].append(ev.id)
            if ev.text:
                m = self_id.search(ev.text)
                if m:
                    groups[("self", m.group(1))][ev.counterpart].append(ev.id)
            digits = re.sub(r"\D", "", ev.counterpart)
            national = digits[2:] if digits.startswith("86") and len(digits) > 11 else digits
            if len(national) >= 11:
                groups[("prefix", national[: int(cfg["prefix_digits"])])][ev.counterpart].append(ev.id)
        out = []
        for (kind, name), nums in sorted(groups.items()):
            need = int(cfg["prefix_min_numbers"] if kind == "prefix" else cfg["min_numbers"])
            if len(nums) < need:
                continue
            what = {"sig": f"短信签名【{name}】", "self": f"自称「{name}」", "prefix": f"以 {name} 开头的号段"}[kind]
            ids = sorted({i for v in nums.values() for i in v})
            out.append(
                FindingDraft(
                    key=f"rotation:{kind}:{name}",
                    category="harassment_volume",
                    detector_id=self.id,
                    detector_version=self.version,
                    confidence=0.8 if kind != "prefix" else 0.6,
                    summary=f"{what} 使用 {len(nums)} 个不同号码联系",
                    explanation=f"同一来源（{what}）轮换 {len(nums)} 个号码：{'、'.join(sorted(nums)[:12])}"
                    f"{'…' if len(nums) > 12 else ''}。换号轮番联系属于频繁骚扰的表现，投诉时可一并列出。",
                    events=[EventLink(i) for i in ids],
                    extra={"group": kind, "name": name, "numbers": sorted(nums)},
                )
            )
        return out


@dataclass
class ThirdPartyDetector:
    """Contacts to people other than the borrower (recipient field), and debt details told to them."""

    id: str = "pattern.third_party"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "联系第三人识别"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        groups: dict[tuple[str, str], list[TimelineEvent]] = defaultdict(list)
        for ev in ctx.events:
            if _incoming(ev) and not _to_borrower(ev) and ev.recipient not in ("guarantor",):
                who = ev.recipient
                groups[(who, ev.counterpart or "?")].append(ev)
        out = []
        by_recipient: dict[str, list[TimelineEvent]] = defaultdict(list)
        for (who, _num), evs in groups.items():
            by_recipient[who].extend(evs)
        for who, evs in sorted(by_recipient.items()):
            evs.sort(key=lambda e: e.start)
            out.append(
                FindingDraft(
                    key=f"third_party:{who}",
                    category="third_party_contact",
                    detector_id=self.id,
                    detector_version=self.version,
                    confidence=0.9,
                    summary=f"催收方联系了借款人以外的人（{who}）{len(evs)} 次",
                    explanation="只应向债务人本人催收；联系第三人仅限债务人失联时取得联系方式，且不得透露债务",  # provisions: law/cn conduct.third_party
                    events=[EventLink(e.id) for e in evs],
                    extra={"recipient": who, "count": len(evs)},
                )
            )
            debt = _debt_words()
            told = [e for e in evs if e.text and debt.search(e.text)]
            if told:
                out.append(
                    FindingDraft(
                        key=f"disclosure:{who}",
                        category="privacy_disclosure",
                        detector_id=self.id,
                        detector_version=self.version,
                        confidence=0.85,
                        summary=f"向第三人（{who}）透露欠款信息 {len(told)} 次",
                        explanation="发给第三人的信息提及借款/欠款/逾期，向第三人透露了债务信息",  # provisions: conduct.third_party no_debt_details
                        events=[EventLink(e.id, [m.span() for m in debt.finditer(e.text or "")][:5]) for e in told],
                        extra={"recipient": who, "count": len(told)},
                    )
                )
        return out


@dataclass
class AfterRequestDetector:
    """Collection contacts after a recorded complaint, or after a request to stop contacting family."""

    id: str = "pattern.after_request"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "要求停止后继续联系识别"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        out = []
        contacts = collection_contacts(ctx)  # never the borrower's own, a saved contact's or a routine reminder
        for req in sorted(ctx.requests, key=lambda r: r.at):
            after = [e for e in contacts if e.start > req.at]
            if req.kind == "stop_third_party":
                hits = [e for e in after if not _to_borrower(e)]
                cat, conf = "third_party_contact", 0.9
                what = "在借款人要求停止联系其家人/联系人之后，仍联系第三人"
            else:
                hits = [e for e in after if _to_borrower(e)] if req.kind == "stop_all" else after
                cat, conf = "harassment_volume", 0.6
                what = (
                    "在已记录的投诉之后仍继续联系" if req.kind == "complaint" else "在借款人要求停止联系之后仍继续联系"
                )
            if not hits:
                continue
            local_at = req.at.astimezone(ZoneInfo(ctx.timezone))
            out.append(
                FindingDraft(
                    key=f"after_request:{req.source}:{cat}",
                    category=cat,
                    detector_id=self.id,
                    detector_version=self.version,
                    confidence=conf,
                    summary=f"{what}：{_fmt(local_at)} 之后 {len(hits)} 次",
                    explanation=f"{req.description}（{_fmt(local_at)}）之后的联系记录 {len(hits)} 条",
                    events=[EventLink(e.id) for e in hits[:500]],
                    extra={"request": req.source, "count": len(hits)},
                )
            )
        return out


@dataclass
class VisitDetector:
    """A visit that happened (category ``home_visit``, 上门催收: conduct, not a threat): an event recorded with channel
    ``visit`` (``weiquan add-event --channel visit``), or a note, transcript or message saying collectors came to the
    door (``visit_told``: not one that announces, threatens or denies a visit, which stays the text's threat_visit).
    Each visit is one finding, with the law pack's home-visit rules (conduct.yaml ``home_visit``: consent, and the
    night window); words telling a visit of a day that already has one are named on it (``told_again``)."""

    rules: ConductRules
    id: str = "pattern.visit"
    version: str = VERSION
    kind: str = "case"
    label_zh: str = "上门催收识别"

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]:
        out: list[FindingDraft] = []
        by_day: dict[dt.date, FindingDraft] = {}
        for ev in ctx.events:  # recorded visits first: each is a finding of its own
            if ev.channel == "visit" and ev.direction not in ("outgoing", "out"):  # outgoing: the borrower went
                t = local(ev, ctx.timezone)
                text = ev.text or ""
                # its account's words: those that tell the visit, else the whole account
                spans = self._spans(ctx, ev, visit_told(text)) or ([(0, len(text))] if text.strip() else [])
                d = self._draft(ev, t.date(), t, spans, recorded=True)
                out.append(d)
                by_day.setdefault(t.date(), d)
        for ev in ctx.events:  # then visits told in words; the same visit told again is named on its finding
            told = None if ev.channel == "visit" or not ev.text else visit_told(ev.text)
            if told is None:
                continue
            t = local(ev, ctx.timezone)
            day = t.date() - dt.timedelta(days=_days_ago(ev.text or "", told))
            spans = self._spans(ctx, ev, told)
            same = by_day.get(day)
            if same is not None:  # named beside the visit's own event, not linked: the documents count events
                same.extra["told_again"].append(ev.id)
                continue
            d = self._draft(ev, day, t, spans, recorded=False)
            out.append(d)
            by_day[day] = d
        return out

    @staticmethod
    def _spans(ctx: CaseContext, ev: TimelineEvent, told: re.Match[str] | None) -> list[tuple[int, int]]:
        """The words that tell the visit: the matched ones, and what the text detector read as a visit in them
        (services.analysis keeps the visit finding in place of that text finding: one act, one finding)."""
        said = [tuple(sp) for h in ctx.text_hits.get(ev.id, []) if h.category == "threat_visit" for sp in h.spans]
        return sorted({*([told.span()] if told else []), *said})

    def _draft(
        self, ev: TimelineEvent, day: dt.date, t: dt.datetime, spans: list[tuple[int, int]], *, recorded: bool
    ) -> FindingDraft:
        # a recorded visit has its time; a visit told in words has only the day the words give ("昨天晚上…"), so
        # the night rule is cited for recorded visits alone
        at_night = recorded and self.rules.in_night(t.time())
        rules = [r for r in self.rules.home_visit if r.id != "visit_night" or at_night]
        cited = "；".join(f"{r.rule_zh}（{r.source}）" for r in rules if r.confidence != "unverified")
        who = "" if _to_borrower(ev) else f"（对象：{ev.recipient}）"
        when = _fmt(t) if recorded else f"{day.isoformat()}（据 {_fmt(t)} 的文字所述）"
        return FindingDraft(
            key=f"visit:{ev.id}",
            category="home_visit",
            detector_id=self.id,
            detector_version=self.version,
            confidence=0.9 if recorded else 0.7,
            summary=f"{when} 催收人员上门{who}" + ("（夜间）" if at_night else ""),
            explanation="已发生的上门催收（行为，而非威胁）。" + cited,
            events=[EventLink(ev.id, spans)],
            extra={
                "conduct": "visit",
                "day": day.isoformat(),
                "night": at_night,
                "recipient": ev.recipient,
                "provision_ids": list(dict.fromkeys(r.provision_id for r in rules if r.provision_id)),
                "told_again": [],  # later notes or messages telling the same visit
            },
        )


def _days_ago(text: str, told: re.Match[str]) -> int:
    """How many days before the words the visit they tell was ("昨天晚上催收的上门了": 1), from the clause that
    tells it and the one before (``visit.days_ago``); 0 when they name no earlier day."""
    ends = [c.end() for c in _CLAUSE_END.finditer(text, 0, told.start())]
    window = text[(ends[-2] if len(ends) > 1 else 0) : told.end()]
    return max((n for word, n in pattern_config()["visit"]["days_ago"].items() if word in window), default=0)


_CLAUSE_END = re.compile(r"[，,。！!？?；;\n]")


def visit_told(text: str) -> re.Match[str] | None:
    """The words of a text that say collectors came to the door (``visit.done_re``), unless their clause says the
    visit is yet to come, meant, dared or did not happen (``visit.not_done_re``) or sets a condition for it, or the
    clause before does (``visit.condition_re``): a threat, a dare or an announcement of a visit is not a visit."""
    cfg = pattern_config()["visit"]
    done, not_done, condition = (re.compile(cfg[k]) for k in ("done_re", "not_done_re", "condition_re"))
    for m in done.finditer(text):
        ends = [c.end() for c in _CLAUSE_END.finditer(text, 0, m.start())]
        start = ends[-1] if ends else 0
        before = ends[-2] if len(ends) > 1 else 0
        end = _CLAUSE_END.search(text, m.end())
        clause = text[start : end.start() if end else len(text)]
        if not_done.search(clause) or condition.search(clause) or condition.search(text, before, start):
            continue
        return m
    return None


def stop_request_kind(text: str) -> str | None:
    """Whether an outgoing text from the borrower asks to stop contact (family only, or altogether)."""
    cfg = pattern_config()["stop_request"]
    if re.search(cfg["third_party_re"], text):
        return "stop_third_party"
    if re.search(cfg["all_re"], text):
        return "stop_all"
    return None


def builtin_case_detectors(rules: ConductRules) -> list[Any]:
    return [
        VoiceVolumeDetector(rules),
        NumberAttemptsDetector(rules),
        NightContactDetector(rules),
        NumberRotationDetector(),
        ThirdPartyDetector(),
        AfterRequestDetector(),
        VisitDetector(rules),
    ]
