"""The template context: the case's facts and the law pack, shaped for the document templates.

Every fact a document prints comes from here (dates, counts, quotes, numbers, evidence hashes);
every citation comes from the law pack (``Provision.cite()``). Nothing legal is written by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from weiquan.act.case_stats import GroupStats
from weiquan.act.facts import (CHANNEL_ZH, DIRECTION_ZH, ORIGIN_SOURCE_ZH, RECIPIENT_ZH, MAX_CHRONOLOGY, TEXT_SOURCE_ZH,
                                CaseFacts, EventFact, FindingFact, Quote, text_source)
from weiquan.act.plan import Plan, last_collection_contact
from weiquan.act.policy import causes, plan_policy
from weiquan.law.numerals import date_cn, phone_zh

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
MAX_QUOTES_PER_CATEGORY = 6
MAX_CHRONOLOGY_ROWS = MAX_CHRONOLOGY
EXCERPT_CHARS = 60


def date_zh(d: dt.date | dt.datetime | str | None) -> str:
    """2024年3月7日; an ISO date string ("2024-03-07", e.g. a loan check's ``as_of``) is read first."""
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if d is None:
        return ""
    return date_cn(d)


def datetime_zh(d: dt.datetime | None) -> str:
    if d is None:
        return ""
    return f"{date_cn(d)} {d:%H:%M}"


def money_zh(amount: float | int | None) -> str:
    """Amount in figures and 人民币大写: 人民币12,860.50元（大写：壹万贰仟捌佰陆拾元伍角）."""
    if amount is None:
        return ""
    import cn2an

    a = round(float(amount), 2)
    return f"人民币{a:,.2f}元（大写：{cn2an.an2cn(a, 'rmb')}）"


# The page of the app that does what a CLI command does (the plan's notes name commands; the web links the page,
# the documents name it in words: "（weiquan review）" → "（在本软件“审核违规”页）").
APP_PAGES_ZH = {
    "weiquan analyze": "导入证据", "weiquan review": "审核违规", "weiquan loan": "借款计算",
    "weiquan documents": "文书与投诉", "weiquan draft": "文书与投诉", "weiquan export": "证据包",
    "weiquan import": "导入证据", "weiquan lender": "首页新建案件时的平台名称提示",
}
CLI_RE = re.compile(r"[（(]\s*(weiquan [a-z-]+)[^）)]*[）)]|`(weiquan [a-z-]+)[^`]*`")
_ISO_DATETIME = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2})?)?(?![\d-])")
_MAINLAND_NUMBER = re.compile(r"\+86\d{5,}")
_RECIPIENT_CODE = re.compile("（(" + "|".join(map(re.escape, RECIPIENT_ZH)) + ")）")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_TIME = re.compile(r"\d{1,2}:\d{2}")


def _cli_zh(m: re.Match[str]) -> str:
    page = APP_PAGES_ZH.get(m.group(1) or m.group(2))
    if m.group(1):
        return f"（在本软件“{page}”页）" if page else "（在本软件中操作）"
    return f"本软件“{page}”" if page else "本软件"


def _iso_zh(m: re.Match[str]) -> str:
    try:
        if m.group(4) is None:
            return date_zh(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        return datetime_zh(dt.datetime(*(int(m.group(i)) for i in range(1, 6))))
    except ValueError:
        return m.group(0)


def _cjk_spacing(text: str) -> str:
    """No spaces between Chinese and figures ("联系 2 次" → "联系2次"), as the documents write; the space of
    ``datetime_zh`` between the day and the time stays."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"[ \t]+", text):
        a, b = m.start(), m.end()
        left, right = text[a - 1] if a else "", text[b] if b < len(text) else ""
        keep = not left or not right or not (_CJK.match(left) or _CJK.match(right)) \
            or (left == "日" and _TIME.match(text, b) is not None)
        out += [text[pos:a], m.group(0) if keep else ""]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def zh_text(text: str | None) -> str:
    """Text written elsewhere (finding summaries, plan notes and reasons, the law pack's contact notes) in the
    documents' style: ISO dates as ``date_zh``/``datetime_zh``, mainland numbers as ``phone_zh``, recipient ids as
    ``RECIPIENT_ZH`` labels, CLI commands as the page of the app, no spaces between Chinese and figures."""
    if not text:
        return ""
    s = CLI_RE.sub(_cli_zh, str(text))
    s = _RECIPIENT_CODE.sub(lambda m: f"（{RECIPIENT_ZH[m.group(1)]}）", s)
    s = _MAINLAND_NUMBER.sub(lambda m: phone_zh(m.group(0)), s)
    s = _cjk_spacing(s)
    return _ISO_DATETIME.sub(_iso_zh, s)


CONTACT_LABELS_ZH = (("hotline", "电话"), ("portal", "网站"), ("app", "App"), ("wechat", "微信"),
                     ("address_zh", "其他途径"))


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
    if_carried_out: bool = False  # engaged only if a threatened act is carried out (ProvisionRef.if_carried_out)
    # the provision's own words in the version(s) in force when the conduct happened: (citation, words, penalty)
    words: list[tuple[str, str, str | None]] = field(default_factory=list)
    note_zh: str | None = None  # carried by every citation (e.g. 刑法第二百四十六条：告诉的才处理)


@dataclass
class QuoteView:
    when: str
    date: str
    number: str
    channel: str
    recipient: str
    excerpt: Markup  # the text with the quoted span in <strong>, escaped
    span: str  # the exact quoted span
    note: str = ""  # printed after the quote: "（录音转写）", "（同一号码相同内容共3次）" …
    count: int = 1  # events the quote stands for (identical texts from one number are quoted once)
    phrase: str = ""  # the span within its whole clause (``quote_phrase``), for quoting it alone in running text


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
    unlisted: int = 0  # events of the category not stood for by a printed quote (only when quotes are printed)


def _excerpt(q: Quote) -> Markup:
    text = q.event.text or ""
    a, b = q.start, q.end
    lo = 0 if len(text) <= 2 * EXCERPT_CHARS + (b - a) else max(0, a - EXCERPT_CHARS)
    hi = len(text) if len(text) <= 2 * EXCERPT_CHARS + (b - a) else min(len(text), b + EXCERPT_CHARS)
    pre = ("……" if lo > 0 else "") + text[lo:a]
    post = text[b:hi] + ("……" if hi < len(text) else "")
    return Markup(f"{escape(pre)}<strong>{escape(text[a:b])}</strong>{escape(post)}")


def _number(e: EventFact) -> str:
    if not e.counterpart and e.channel in ("visit", "letter"):
        return ""  # a visit or a letter has no number: none is printed
    n = phone_zh(e.counterpart)
    if e.counterpart_name:
        n += f"（{e.counterpart_name}）"
    return n


def recipient_label(recipient: str | None, name: str | None = None) -> str:
    """Who was contacted: the ``RECIPIENT_ZH`` label, with the name of a person other than the borrower —
    once: "亲属（母亲）", but "同事刘某" rather than "同事（同事刘某）"."""
    label = RECIPIENT_ZH.get(recipient or "borrower", recipient or "")
    if not name or (recipient or "borrower") == "borrower":
        return label
    return name if label and label in name else f"{label}（{name}）"


def _contact_kind(e: EventFact) -> str:
    """"短信", "电话", "电话，未接来电" …: the channel, and for a call how it went unless it was a plain call."""
    status = call_status_zh(e) if e.channel == "call" else ""
    return e.channel_zh + (f"，{status}" if status and status != "来电" else "")


def call_status_zh(e: EventFact) -> str:
    """How a call went (``DIRECTION_ZH``): 未接来电, 拒接, 已拦截 — or, when connected, how long it lasted."""
    if e.direction not in ("missed", "rejected", "blocked") and e.duration_s:
        return f"通话{int(e.duration_s)}秒"
    return DIRECTION_ZH.get(e.direction, "") or "来电"


def _excerpt_spans(text: str, spans: list[tuple[int, int]]) -> Markup:
    """The text around the quoted spans of one event, every span in <strong> (overlapping spans merged)."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    a0, b1 = merged[0][0], merged[-1][1]
    short = len(text) <= 2 * EXCERPT_CHARS + (b1 - a0)
    lo = 0 if short else max(0, a0 - EXCERPT_CHARS)
    hi = len(text) if short else min(len(text), b1 + EXCERPT_CHARS)
    out = [escape("……" if lo > 0 else "")]
    pos = lo
    for a, b in merged:
        out += [escape(text[pos:a]), Markup("<strong>"), escape(text[a:b]), Markup("</strong>")]
        pos = b
    out += [escape(text[pos:hi]), escape("……" if hi < len(text) else "")]
    return Markup("").join(out)


def quote_note(e: EventFact, count: int = 1) -> str:
    """What a reader must know about a quote besides its words: repeated sends, and where the text came from
    (a machine transcript, OCR, the borrower's own account); "" for a single message exported from the phone."""
    parts = [f"同一号码相同内容共{count}次"] if count > 1 else []
    if e.text_note:
        parts.append(e.text_note)
    return f"（{'；'.join(parts)}）" if parts else ""


def _quote_view(q: Quote, spans: list[tuple[int, int]] | None = None, count: int = 1) -> QuoteView:
    e = q.event
    excerpt = _excerpt_spans(e.text or "", spans) if spans and e.text else _excerpt(q)
    return QuoteView(when=datetime_zh(e.local), date=date_zh(e.local), number=_number(e), channel=e.channel_zh,
                     recipient=recipient_label(e.recipient, e.recipient_name),
                     excerpt=excerpt, span=q.text, note=quote_note(e, count), count=count,
                     phrase=quote_phrase(e.text or q.text, q.start, q.end) if e.text else q.text)


CLAUSE_MARKS = "，。！？；：,!?;\n"
MAX_PHRASE_GROWTH = 24  # characters a quotation may grow on each side to reach the end of its clause


def quote_phrase(text: str, a: int, b: int) -> str:
    """The words ``text[a:b]`` quoted in running text: grown to the clause they stand in, so that a quotation never
    stops mid-clause ("……起诉你，还要" → "……起诉你，还要通知你单位"); "……" where the clause goes on for more than
    ``MAX_PHRASE_GROWTH`` characters."""
    lo, hi = a, b
    while lo > 0 and a - lo < MAX_PHRASE_GROWTH and text[lo - 1] not in CLAUSE_MARKS:
        lo -= 1
    while hi < len(text) and hi - b < MAX_PHRASE_GROWTH and text[hi] not in CLAUSE_MARKS:
        hi += 1
    head = "……" if lo > 0 and text[lo - 1] not in CLAUSE_MARKS else ""
    tail = "……" if hi < len(text) and text[hi] not in CLAUSE_MARKS else ""
    return head + text[lo:hi].strip(CLAUSE_MARKS + " ") + tail


def category_quotes(facts: CaseFacts, cat: str, fs: list[FindingFact]) -> list[QuoteView]:
    """A category's quotes: one per event with all its quoted spans in bold, and a text one number sent several
    times printed once with how many times it was sent (``CaseFacts.quote_repeats``, exact). In time order."""
    groups: dict[tuple[str | None, str], tuple[Quote, set[tuple[int, int]]]] = {}
    for q in sorted((q for f in fs for q in f.quotes), key=lambda q: (q.event.start, q.event.id, q.start)):
        g = groups.setdefault((q.event.counterpart, q.event.text or ""), (q, set()))
        g[1].add((q.start, q.end))
    repeats = facts.quote_repeats.get(cat, {})
    return [_quote_view(q, sorted(spans), max(1, repeats.get(key, 1))) for key, (q, spans) in groups.items()]


def night_summary(f: FindingFact, pack: Any, shown: int = 6) -> str | None:
    """A night-contact finding stated without ambiguity: a contact after midnight belongs to the night that began
    the evening before (``NightContactDetector``), so the night and the calendar days of the times are both named:
    "2024年3月12日夜间（22:00至次日08:00）催收联系2次：3月13日00:30、00:35"."""
    if f.night is None or not f.events:
        return None
    n = pack.conduct.night
    window = f"{n.start:%H:%M}至{'次日' if n.start > n.end else ''}{n.end:%H:%M}"
    times: list[str] = []
    day: dt.date | None = None
    for e in f.events[:shown]:
        d = e.local.date()
        times.append(("" if d == day else f"{d.month}月{d.day}日") + f"{e.local:%H:%M}")
        day = d
    count = max(f.event_count, len(f.events))
    return (f"{date_zh(f.night)}夜间（{window}）催收联系{count}次：{'、'.join(times)}"
            f"{'等' if count > len(times) else ''}")


SAME_CONDITION_CHARS = 6


def _condition_core(c: str) -> str:
    return c.strip().rstrip("。；时").removeprefix("仅当")


def add_condition(conditions: list[str], cond: str) -> None:
    """Add a condition of a provision unless it is already there in other words. The law pack words the condition
    per conduct ("仅当债务为非法债务且情节严重", "仅当催收的是高利放贷等非法债务且情节严重"); conditions that end
    in the same words (at least ``SAME_CONDITION_CHARS`` characters, "时" aside) state one condition, printed once
    in its most specific (longest) wording."""
    core = _condition_core(cond)
    for i, old in enumerate(conditions):
        o = _condition_core(old)
        n = 0
        while n < min(len(o), len(core)) and o[-1 - n] == core[-1 - n]:
            n += 1
        if o == core or n >= SAME_CONDITION_CHARS:
            if len(cond) > len(old):
                conditions[i] = cond
            return
    conditions.append(cond)


def _quotes_only(f: FindingFact) -> bool:
    """A text finding's summary is just its quoted words ("「上门」", cut at 80 characters): the quotes printed
    under the category show them whole, in bold inside their sentence."""
    s = (f.summary or "").strip()
    return bool(f.quotes) and s.startswith("「") and s.endswith("」")


def category_summaries(fs: list[FindingFact], pack: Any, limit: int = 3) -> list[str]:
    """What the category's pattern findings state (floods, night contacts, contacts after a request), in the
    documents' style (``zh_text``), each once; not the keyword lists of text findings (``_quotes_only``)."""
    out: list[str] = []
    for f in fs:
        s = "" if _quotes_only(f) else zh_text(night_summary(f, pack) or f.summary)
        if s and s not in out:
            out.append(s)
    return out[:limit]


def evidence_shows(facts: CaseFacts, lender: Any = None) -> set[str]:
    """Facts the evidence shows that some provisions require (``ProvisionRef.requires``): "illegal_debt" (a loan
    check puts the loan above the caps, or the lender has no licence, or a confirmed illegal-debt finding) and
    "image" (an event behind a finding says an image of the borrower was made or spread, not merely threatened)."""
    out: set[str] = set()
    if any(l.verdict not in (None, "", "lawful") for l in facts.loans) or "illegal_debt" in facts.categories \
            or (getattr(lender, "licence_type", None) == "unlicensed" and facts.loans):
        out.add("illegal_debt")
    pats = [re.compile(p) for p in plan_policy().image_made_patterns]
    if any(p.search(e.text or "") for f in facts.findings for e in f.events for p in pats):
        out.add("image")
    return out


def cited_provisions(pack: Any, facts: CaseFacts, kinds: list[str] | None, extra_ids: list[str],
                     licence: str | None = None, lender: Any = None,
                     shows: set[str] | None = None, extra_label: dict[str, str] | None = None) -> list[CitedProvision]:
    """Provisions the findings engage (filtered by provision kind) plus a document's own, in citation order.

    A provision is cited in the version in force on the days of the conduct it is cited for — the dates of the
    categories that engage it, not of the whole case — with that version's words and conditions
    (``Provision.cite_for_conduct``); a rule that did not exist on any of those days is left out. A provision
    that does not bind the lender (licence type, association membership) is left out; when that is unknown it is
    kept with its scope (``scope_zh``) so the reader sees the condition.
    """
    case_first, case_last = conduct_period(facts)
    entries: dict[str, dict[str, Any]] = {}
    shown = evidence_shows(facts, lender) if shows is None else shows
    extra_label = extra_label or {}

    def add(pid: str, kind_hint: str | None, cond: Any, cat_name: str | None, carried: bool | None,
            period: tuple[dt.date | None, dt.date | None]) -> None:
        p = pack.provisions.get(pid)
        if p is None:
            return
        kind = kind_hint or p.kind
        if kinds is not None and kind not in kinds and p.kind not in kinds:
            return
        applies = lender.bound_by(p) if lender is not None else p.applies_to(licence)
        if applies is False:
            return
        if applies is None and p.association is not None:
            # an association's rule binds its members only: not asserted against a lender whose membership is
            # unknown (the cover sheet says so)
            return
        e = entries.get(pid)
        if e is None:
            e = entries[pid] = {"first": period[0], "last": period[1], "conds": [], "cats": [],
                                "carried": bool(carried), "applies": applies}
        else:
            if period[0] is not None and (e["first"] is None or period[0] < e["first"]):
                e["first"] = period[0]
            if period[1] is not None and (e["last"] is None or period[1] > e["last"]):
                e["last"] = period[1]
            if carried is False:
                e["carried"] = False  # another conduct engages it as it stands
        if cond:
            e["conds"].append(cond)
        if cat_name and cat_name not in e["cats"]:
            e["cats"].append(cat_name)

    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        v = pack.violations.get(cat)
        if v is None:
            continue
        fs = facts.by_category(cat)
        days = [t.date() for f in fs for t in (f.first, f.last) if t is not None]
        period = (min(days), max(days)) if days else (case_first, case_last)
        for ref in v.provisions:
            if not set(ref.requires) <= shown:
                continue  # e.g. 民法典 1019 without an image, 刑法 293之一 without an illegal debt
            add(ref.provision_id, ref.kind, ref, v.name_zh, ref.if_carried_out, period)
        in_refs = {r.provision_id for r in v.provisions}
        for f in fs:
            for pid in f.provisions:
                if pid not in in_refs:  # the category's own refs are cited above, with their preconditions
                    add(pid, None, None, v.name_zh, None, period)
    for pid in extra_ids:
        add(pid, None, None, extra_label.get(pid), None, (case_first, case_last))

    out: list[CitedProvision] = []
    for pid, e in entries.items():
        p = pack.provisions[pid]
        first, last = e["first"], e["last"]
        cite, era = p.cite_for_conduct(first, last) if p.role == "conduct" else (p.cite(), None)
        if cite is None:
            continue  # not in force on any day of the conduct it would be cited for, and no earlier counterpart
        texts = (p.texts_for_conduct(first, last) if p.role == "conduct" else None) or \
            ([p.current_text] if p.current_text else [])
        cp = CitedProvision(id=pid, cite=cite, short=p.short_cite(), kind=p.kind, confidence=p.confidence,
                            confidence_zh=p.confidence_zh, role=p.role,
                            scope_zh=p.licence_note_zh if e["applies"] is None else None,
                            words=[(t.citation, t.text_zh, t.penalty) for t in texts], note_zh=p.note_zh,
                            if_carried_out=e["carried"], categories=list(e["cats"]))
        if era:
            cp.conditions.append(era)
        for c in e["conds"]:
            # a condition in the words of the version in force (the 2012 text's for 2024 conduct)
            if not isinstance(c, str):
                by_version = c.notes_by_version.get(texts[0].version) if len(texts) == 1 else None
                c = by_version or c.note_zh
            if c:
                add_condition(cp.conditions, c)
        out.append(cp)
    # two provisions that read as one in the version cited (the 2012 Art. 51 para. 1 covers both today's Art. 62
    # paras. 1 and 3) are printed once, for all their conduct
    merged: dict[tuple[str, bool, str], CitedProvision] = {}
    for cp in out:
        key = (cp.cite, cp.if_carried_out, cp.role)
        first_cp = merged.get(key)
        if first_cp is None:
            merged[key] = cp
            continue
        first_cp.categories += [c for c in cp.categories if c not in first_cp.categories]
        for c in cp.conditions:
            add_condition(first_cp.conditions, c)
    order = {"civil": 0, "administrative": 1, "criminal": 2, "standard": 3, "self_regulatory": 4}
    return sorted(merged.values(), key=lambda c: (order.get(c.kind, 9), pack.provisions[c.id].statute_id,
                                                  pack.provisions[c.id].article or 0, c.id))


def _cat_sort(pack: Any, cat: str) -> tuple[int, int, str]:
    """Most severe first; within a severity, in the order the law pack lists the categories."""
    v = pack.violations.get(cat)
    order = list(pack.violations)
    return (SEVERITY_RANK.get(v.severity if v else "low", 3), order.index(cat) if cat in order else len(order), cat)


def conduct_period(facts: CaseFacts) -> tuple[dt.date | None, dt.date | None]:
    """First and last local date of the events behind the case's findings (None, None without findings)."""
    days = [t.date() for f in facts.findings for t in (f.first, f.last) if t is not None]
    return (min(days), max(days)) if days else (None, None)


def remedies_open(pack: Any, facts: CaseFacts, licence: str | None = None, lender: Any = None) -> list[str]:
    """Remedy provision ids the case's conduct makes available (``ProvisionRef.remedies`` in violations.yaml).

    A remedy is open only for conduct in the version of the law that has it, repeated, and still punishable: the
    禁止接触 order (治安 Art. 50(2), new in the 2025 text) needs at least ``no_contact_min_events`` contacts of the
    滋扰、纠缠、跟踪 kind on or after 2026-01-01, the latest within the six-month limit (it is ordered 除依照前款规定
    给予处罚外); conduct of 2025 or older never opens it (issue 16 item 5)."""
    policy = plan_policy()
    out: list[str] = []
    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        v = pack.violations.get(cat)
        events = {e.id: e.local.date() for f in facts.by_category(cat) for e in f.events}
        for ref in (v.provisions if v else []):
            p = pack.provisions.get(ref.provision_id)
            if p is None or (lender.bound_by(p) if lender is not None else p.applies_to(licence)) is False:
                continue
            for r in ref.remedies:
                rp = pack.provisions.get(r)
                if rp is None or r in out:
                    continue
                days = sorted(d for d in events.values() if rp.in_force is None or d >= rp.in_force)
                barred = not days or _months_before(facts.today, policy.police_time_limit_months) > days[-1]
                if len(days) >= policy.no_contact_min_events and not barred:
                    out.append(r)
    return out


def _months_before(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    import calendar

    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def category_views(pack: Any, facts: CaseFacts, kinds: list[str] | None, licence: str | None = None,
                   lender: Any = None, shows: set[str] | None = None) -> list[CategoryView]:
    tz = ZoneInfo(facts.tz)
    views: list[CategoryView] = []
    for cat in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)):
        fs: list[FindingFact] = facts.by_category(cat)
        v = pack.violations.get(cat)
        st = facts.category_stats.get(cat, GroupStats())
        examples = sorted({e.id: e for f in fs for e in f.events}.values(), key=lambda e: (e.start, e.id))
        qv = category_quotes(facts, cat, fs)[:MAX_QUOTES_PER_CATEGORY]
        count = st.count or len(fs)
        sub = CaseFacts(**{**facts.__dict__, "findings": fs, "categories": {cat}})
        views.append(CategoryView(
            id=cat, name_zh=v.name_zh if v else cat, description_zh=v.description_zh if v else "",
            severity=fs[0].severity if fs else (v.severity if v else "medium"),
            count=count, first=date_zh(st.first.astimezone(tz)) if st.first else "",
            last=date_zh(st.last.astimezone(tz)) if st.last else "",
            confirmed=all(f.confirmed for f in fs),
            summaries=category_summaries(fs, pack),
            quotes=qv,
            moments=[_moment(e) for e in examples if not e.text or not qv][:MAX_QUOTES_PER_CATEGORY],
            provisions=cited_provisions(pack, sub, kinds, [], licence, lender, shows),
            third_party=st.third_party, numbers=st.numbers,
            unlisted=max(0, count - sum(q.count for q in qv)) if qv else 0,
        ))
    return views


def _moment(e: EventFact) -> str:
    """An event listed by its time: "2024年3月8日 23:10 15400000012（电话，未接来电）"; a visit or letter the borrower
    recorded with its account in the borrower's words: "2024年3月20日 19:00（上门）：“两名男子到我家门口……”（本人陈述）"."""
    head = " ".join(x for x in (datetime_zh(e.local), _number(e)) if x) + f"（{_contact_kind(e)}）"
    if e.text and e.channel in ("visit", "letter"):
        return f"{head}：“{e.text.strip()}”{quote_note(e)}"
    return head


def chronology(facts: CaseFacts, pack: Any, limit: int = MAX_CHRONOLOGY_ROWS) -> tuple[list[dict[str, Any]], int]:
    """The first finding events in time order, with the categories they show and the quoted spans."""
    rows = []
    for e in facts.chronology_events[:limit]:
        qs = facts.chronology_quotes.get(e.id, [])
        content: Markup | str
        if qs and e.text:
            content = _excerpt_spans(e.text, [(q.start, q.end) for q in qs]) + quote_note(e)
        elif e.channel == "call":
            content = call_status_zh(e)
        else:
            content = ""
        cats = [pack.violations[c].name_zh if c in pack.violations else c for c in facts.chronology_categories.get(e.id, [])]
        rows.append({"when": datetime_zh(e.local), "channel": e.channel_zh, "number": _number(e),
                     "recipient": recipient_label(e.recipient, e.recipient_name),
                     "categories": "、".join(dict.fromkeys(cats)), "content": content})
    return rows, max(0, facts.counts()["events"] - len(rows))


def period_zh(a: dt.date | None, b: dt.date | None) -> str:
    """"2024年3月1日至2024年3月21日期间"; a single day without 期间: "2024年3月11日"."""
    if a is None:
        return ""
    return date_zh(a) if b is None or date_zh(a) == date_zh(b) else f"{date_zh(a)}至{date_zh(b)}期间"


def file_name(name: str | None) -> str:
    """A file's name without the folders it was imported from ("samples/Screenshot_1.png" → "Screenshot_1.png")."""
    return re.split(r"[\\/]", name.strip())[-1] if name else ""


def _span_zh(a: dt.date, b: dt.date) -> str:
    """"2024年3月21日"; "2024年3月4日至3月19日" (the year once when both are in it)."""
    if a == b:
        return date_zh(a)
    return f"{date_zh(a)}至{b.month}月{b.day}日" if a.year == b.year else f"{date_zh(a)}至{date_zh(b)}"


EXPORT_KIND_ZH = {"sms": "短信记录", "call": "通话记录", "chat": "聊天记录"}
SHOT_KIND_ZH = {"sms": "短信截图", "call": "通话记录截图", "chat": "聊天记录截图"}


def evidence_title(ev: Any, origin: str, tz: ZoneInfo) -> str:
    """The item named for a person reading the 证据目录: "2024年3月21日 短信截图", "2024年3月4日至3月19日 通话记录
    （手机导出）", "2024年3月11日 通话录音", "本人陈述（2024年3月12日至3月20日）" — never an internal file name."""
    st = ev.stats
    chans = [c for c, _ in st.channels.most_common()]
    main = chans[0] if len(chans) == 1 else None
    if origin == "manual":
        kind = "本人陈述（手动录入）"
    elif origin == "screenshot":
        kind = SHOT_KIND_ZH.get(main or "", "截图")
    elif origin == "image":
        kind = "照片或图片"
    elif origin in ("recording", "audio"):
        kind = "通话录音" if main == "call" or origin == "recording" else "录音"
    elif origin == "video":
        kind = "录像"
    elif origin == "export":
        kind = EXPORT_KIND_ZH.get(main or "", "联系记录") + "（手机导出）"
    else:
        kind = "电子文件"
    if st.first is None or st.last is None:
        return kind
    return f"{_span_zh(st.first.astimezone(tz).date(), st.last.astimezone(tz).date())} {kind}"


def _pages(origin: str) -> str:
    """页数 of an item when it is printed: an image is one page, a recording one clip; others are filled in."""
    return {"screenshot": "1页", "image": "1页", "recording": "录音1段", "audio": "录音1段", "video": "录像1段"}.get(origin, "")


def catalogue_rows(facts: CaseFacts, pack: Any) -> list[dict[str, Any]]:
    """证据目录 rows: one per original evidence file, numbered and ordered as the evidence package (E001…), each named
    for a person (date and kind), with its page count and the file's SHA-256 in a narrow column."""
    tz = ZoneInfo(facts.tz)
    rows = []
    for ev in facts.evidence:
        st = ev.stats
        origin = evidence_origin(ev)
        proves: list[str] = []
        if st.first is not None and st.last is not None:
            a, b = st.first.astimezone(tz), st.last.astimezone(tz)
            span = period_zh(a, b)
            parts = "、".join(f"{CHANNEL_ZH.get(k, k)}{v}条" for k, v in st.channels.most_common())
            proves.append(f"{span}的联系（据本人陈述：{parts}）" if origin == "manual"
                          else f"{span}的联系记录（{parts}）")
            names = sorted({pack.violations[c].name_zh if c in pack.violations else c for c in st.categories})
            if names:
                proves.append("证明存在：" + "、".join(names))
        no = int(ev.label.lstrip("E"))
        name = file_name(ev.name)
        rows.append({
            "no": no, "label": ev.label, "name": evidence_title(ev, origin, tz),
            "kind": "当事人陈述" if origin == "manual" else _evidence_kind(ev.media_type, ev.name),
            "source": EVIDENCE_SOURCE_ZH[origin] + (f"（设备：{ev.source_device}）" if ev.source_device else ""),
            "origin": origin, "manual": origin == "manual", "pages": _pages(origin),
            "proves": "；".join(proves) if proves else None,
            # the original's own name only when it is a name the borrower gave it (not a tool's manual-entry record)
            "file": "" if origin == "manual" else f"{name}（{_size(ev.size)}）", "sha256": ev.sha256,
            "acquired": date_zh(ev.acquired_at.astimezone(tz)),
        })
    return rows


# How the 证据目录 states where a file came from (``evidence_origin``)
EVIDENCE_SOURCE_ZH = {
    "manual": ORIGIN_SOURCE_ZH["manual"], "screenshot": ORIGIN_SOURCE_ZH["screenshot"], "image": "截图或照片",
    "recording": ORIGIN_SOURCE_ZH["recording"], "audio": "录音", "video": "录像",
    "export": ORIGIN_SOURCE_ZH["export"], "other": "当事人保存的电子文件",
}
MANUAL_FORMATS = frozenset({"manual", "manual_json"})  # importers of what the borrower typed in


def evidence_origin(ev: Any) -> str:
    """Where an original came from, from its media type, its importer and the events read from it:
    manual | screenshot | image | recording | audio | video | export | other (keys of ``EVIDENCE_SOURCE_ZH``)."""
    st = ev.stats
    mt = (ev.media_type or "").lower()
    if set(st.formats) & MANUAL_FORMATS or (st.origins and set(st.origins) <= {"manual"}):
        return "manual"
    if mt.startswith("image/"):
        return "screenshot" if "ocr" in st.derivations or "screenshot" in st.origins else "image"
    if mt.startswith("audio/"):
        transcribed = st.derivations & {"asr", "transcript"} or {"recording", "transcript"} & set(st.origins)
        return "recording" if transcribed else "audio"
    if mt.startswith("video/"):
        return "video"
    if "export" in st.origins:
        return "export"
    return "other"


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
             "times": [datetime_zh(t) for t in g.times], "count": g.count,
             "origins": dict(g.origins), "source": _origins_zh(g.origins, "条")}
            for g in facts.sms_groups()]


def call_reports(facts: CaseFacts) -> list[dict[str, Any]]:
    """Per number: calls to the borrower behind findings, first/last time, days with calls and the most in one day."""
    return [{"number": phone_zh(c.number), "count": c.count, "first": datetime_zh(c.first), "last": datetime_zh(c.last),
             "days": len(c.per_day), "max_per_day": max(c.per_day.values()),
             "origins": dict(c.origins), "source": _origins_zh(c.origins, "次")}
            for c in facts.call_stats() if c.count]


def _origins_zh(origins: Any, unit: str) -> str:
    """Where listed records came from, "" when all were exported from the phone (the report's default)."""
    if not origins or set(origins) <= {"export"}:
        return ""
    if len(origins) == 1:
        return ORIGIN_SOURCE_ZH.get(next(iter(origins)), "")
    return "、".join(f"{ORIGIN_SOURCE_ZH.get(o, o)}{n}{unit}" for o, n in sorted(origins.items(), key=lambda x: -x[1]))


def third_party_reports(facts: CaseFacts) -> tuple[list[dict[str, Any]], int]:
    """Contacts behind findings to people other than the borrower (12321 lists them apart from the borrower's
    number), each with where the record came from; and how many there are in all."""
    rows, total = facts.third_party_contacts()
    out = []
    for c in rows:
        src = text_source(c.origin, c.text_from)
        out.append({"when": datetime_zh(c.local), "channel": CHANNEL_ZH.get(c.channel, c.channel),
                    "number": phone_zh(c.number),
                    "recipient": recipient_label(c.recipient, c.recipient_name),
                    # the source says how a screenshot's or recording's text was made; an exported record's text
                    # made later from its recording is marked
                    "text": c.text or "", "note": f"（{TEXT_SOURCE_ZH[src]}）" if src and c.origin == "export" and c.text else "",
                    "origins": {c.origin: 1}, "source": ORIGIN_SOURCE_ZH.get(c.origin, c.origin)})
    return out, total


def isc_sources_zh(*listed: Sequence[dict[str, Any]]) -> str:
    """The 12321 report's statement of where its records came from, true for what it lists."""
    origins = {o for rows in listed for r in rows for o in r["origins"]}
    if not origins:
        return ""
    if origins == {"export"}:
        return "以上号码、时间和短信内容均取自本人手机导出的原始记录，对应原始文件及SHA-256校验值见证据目录。"
    order = [*ORIGIN_SOURCE_ZH, *sorted(origins - set(ORIGIN_SOURCE_ZH))]
    labels = list(dict.fromkeys(ORIGIN_SOURCE_ZH.get(o, o) for o in order if o in origins))
    tail = "不是手机导出的记录已逐条注明来源" if "export" in origins else "每条记录的来源已逐条注明"
    return f"以上记录分别取自：{'、'.join(labels)}；{tail}。对应原始文件及SHA-256校验值见证据目录。"


def isc_report(facts: CaseFacts, calls: Sequence[dict[str, Any]], sms: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The 12321 report's third-party contacts and its statement of sources (computed for that document only)."""
    third, total = third_party_reports(facts)
    return {"third_parties": third, "third_party_total": total, "isc_sources": isc_sources_zh(calls, sms, third)}


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


def witnesses(facts: CaseFacts) -> list[dict[str, str]]:
    """People who can testify to the confirmed conduct (民事诉讼法 Art. 124: 证人姓名和住所): a person the
    borrower's note names ("邻居王某可作证"), and each named person the collectors contacted. In time order."""
    rx = re.compile(plan_policy().witness_note_re) if plan_policy().witness_note_re else None
    out: dict[str, dict[str, str]] = {}
    events = sorted({e.id: e for f in facts.findings for e in f.events}.values(), key=lambda e: (e.start, e.id))
    for e in events:
        about = f"{datetime_zh(e.local)}{e.channel_zh}"
        m = rx.search(e.note or "") if rx else None
        if m and m.group(1) not in out:
            out[m.group(1)] = {"name": m.group(1), "about": about, "how": "在场，了解当时情况"}
        if e.recipient in PERSON_RECIPIENTS and e.recipient_name:
            name = recipient_label(e.recipient, e.recipient_name)
            out.setdefault(name, {"name": name, "about": about, "how": "接到催收方的联系"})
    return list(out.values())


def stop_requests(facts: CaseFacts, pack: Any) -> list[str]:
    """What the court is asked to order stopped, one request per category of confirmed conduct (act/data/plan.yaml
    ``stop_requests_zh``), most severe first."""
    reqs = plan_policy().stop_requests_zh
    return [reqs[c] for c in sorted(facts.categories, key=lambda c: _cat_sort(pack, c)) if c in reqs]


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
            "paid": amount("paid_to_date"), "as_of": date_zh(r.get("as_of")) if r.get("as_of") else "",
            "caps_exceeded": [{"name": c.get("name"), "rate": c.get("rate"), "confidence": c.get("confidence")}
                              for c in exceeded],
            "short_term": "short_term_upfront" in (r.get("flags") or []),
            # unlicensed lender: possibly void (民间借贷规定 Art. 13(3)); owed: the money received (民法典 Art. 157)
            "void": (r.get("possibly_void") or {}) and {
                "received": money_zh(r["possibly_void"]["received"]),
                "outstanding": money_zh(r["possibly_void"]["principal_outstanding"]),
                "citations": r["possibly_void"]["citations"]},
            "provisions": [str(p) for p in (r.get("provisions") or [])],
        })
    return out


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
    counts = {"visits": 0, "letters": 0, "other": 0, "night": 0, **facts.counts(), **{k: v for k, v in (figures or {}).items() if isinstance(v, int)}}
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
        "period_zh": period_zh(*period) if period else "",  # "…至…期间", or the one day
        # every cited provision; and split by role, so that only rules of conduct are listed as "违反的规定"
        "provisions": provisions,
        "violated": [p for p in provisions if p.role == "conduct" and not p.if_carried_out],
        "if_carried_out": [p for p in provisions if p.role == "conduct" and p.if_carried_out],
        "remedies": [p for p in provisions if p.role == "remedy"],
        "procedures": [p for p in provisions if p.role == "procedure"],
        "remedies_open": remedies_open(pack, facts, licence, plan.lender),
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
        "last_contact": datetime_zh(last_collection_contact(facts, max((f.last for f in facts.findings if f.last),
                                                                        default=None))),
        "lender_action": _lender_action(facts, pack),
        "witnesses": witnesses(facts), "stop_requests": stop_requests(facts, pack),
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
