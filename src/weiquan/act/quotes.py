"""The case's conduct as the documents show it: per category, the quoted words (in bold inside their sentence),
the pattern findings' statements, the moments of contacts without words, and the provisions each engages.

Also the per-event wording every list of contacts shares: the number with its saved name, who was contacted, how a
call went and where a quoted text came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from weiquan.act.case_stats import GroupStats
from weiquan.act.citations import CitedProvision, category_sort_key, cited_provisions
from weiquan.act.facts import CaseFacts, EventFact, FindingFact, Quote
from weiquan.zh.format import date_zh, datetime_zh, phone_zh, zh_text
from weiquan.zh.labels import DIRECTION_ZH, RECIPIENT_ZH

MAX_QUOTES_PER_CATEGORY = 6
MAX_ALSO_PER_CATEGORY = 10  # a category's events listed beside its quotes before "另有N次未逐条摘录"
ALSO_CHARS = 120
EXCERPT_CHARS = 60


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
    event_id: int = 0
    at: dt.datetime | None = None  # when (UTC), for listing quotes and other events together in time order


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
    unlisted: int = (
        0  # events of the category not stood for by a printed quote or moment (only when quotes are printed)
    )
    # the category's other events, beside its quotes, each listed by time with its words (a confirmed call to the
    # borrower's mother is never collapsed into "另有N次未逐条摘录")
    also: list[QuoteView] = field(default_factory=list)


def _excerpt(q: Quote) -> Markup:
    text = q.event.text or ""
    a, b = q.start, q.end
    lo = 0 if len(text) <= 2 * EXCERPT_CHARS + (b - a) else max(0, a - EXCERPT_CHARS)
    hi = len(text) if len(text) <= 2 * EXCERPT_CHARS + (b - a) else min(len(text), b + EXCERPT_CHARS)
    pre = ("……" if lo > 0 else "") + text[lo:a]
    post = text[b:hi] + ("……" if hi < len(text) else "")
    return Markup(f"{escape(pre)}<strong>{escape(text[a:b])}</strong>{escape(post)}")


def counterpart_zh(e: EventFact) -> str:
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


def contact_kind(e: EventFact) -> str:
    """ "短信", "电话", "电话，未接来电" …: the channel, and for a call how it went unless it was a plain call."""
    status = call_status_zh(e) if e.channel == "call" else ""
    return e.channel_zh + (f"，{status}" if status and status != "来电" else "")


def call_status_zh(e: EventFact) -> str:
    """How a call went (``DIRECTION_ZH``): 未接来电, 拒接, 已拦截 — or, when connected, how long it lasted."""
    if e.direction not in ("missed", "rejected", "blocked") and e.duration_s:
        return f"通话{int(e.duration_s)}秒"
    return DIRECTION_ZH.get(e.direction, "") or "来电"


def excerpt_spans(text: str, spans: list[tuple[int, int]]) -> Markup:
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
    excerpt = excerpt_spans(e.text or "", spans) if spans and e.text else _excerpt(q)
    return QuoteView(
        when=datetime_zh(e.local),
        date=date_zh(e.local),
        number=counterpart_zh(e),
        channel=e.channel_zh,
        recipient=recipient_label(e.recipient, e.recipient_name),
        excerpt=excerpt,
        span=q.text,
        note=quote_note(e, count),
        count=count,
        phrase=quote_phrase(e.text or q.text, q.start, q.end) if e.text else q.text,
        event_id=e.id,
        at=e.start,
    )


def _event_view(e: EventFact) -> QuoteView:
    """An event of a category no quoted span stands for, listed like a quote with its words (cut at ``ALSO_CHARS``)
    and none in bold: a call to the borrower's mother the borrower recorded in her own words."""
    text = (e.text or "").strip()
    words = text[:ALSO_CHARS] + "……" if len(text) > ALSO_CHARS else text
    channel = contact_kind(e)
    return QuoteView(
        when=datetime_zh(e.local),
        date=date_zh(e.local),
        number=counterpart_zh(e),
        channel=channel,
        recipient=recipient_label(e.recipient, e.recipient_name),
        excerpt=Markup(escape(words)),
        span="",
        note=quote_note(e),
        event_id=e.id,
        at=e.start,
    )


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
    return (
        f"{date_zh(f.night)}夜间（{window}）催收联系{count}次：{'、'.join(times)}{'等' if count > len(times) else ''}"
    )


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


def category_views(
    pack: Any,
    facts: CaseFacts,
    kinds: list[str] | None,
    licence: str | None = None,
    lender: Any = None,
    shows: set[str] | None = None,
) -> list[CategoryView]:
    tz = ZoneInfo(facts.tz)
    views: list[CategoryView] = []
    for cat in sorted(facts.categories, key=lambda c: category_sort_key(pack, c)):
        fs: list[FindingFact] = facts.by_category(cat)
        v = pack.violations.get(cat)
        st = facts.category_stats.get(cat, GroupStats())
        examples = sorted({e.id: e for f in fs for e in f.events}.values(), key=lambda e: (e.start, e.id))
        qv = category_quotes(facts, cat, fs)[:MAX_QUOTES_PER_CATEGORY]
        count = st.count or len(fs)
        quoted = {(e.counterpart, e.text or "") for e in examples if e.id in {q.event_id for q in qv}}
        also = (
            [_event_view(e) for e in examples if (e.counterpart, e.text or "") not in quoted][:MAX_ALSO_PER_CATEGORY]
            if qv
            else []
        )
        sub = CaseFacts(**{**facts.__dict__, "findings": fs, "categories": {cat}})
        views.append(
            CategoryView(
                id=cat,
                name_zh=v.name_zh if v else cat,
                description_zh=v.description_zh if v else "",
                severity=fs[0].severity if fs else (v.severity if v else "medium"),
                count=count,
                first=date_zh(st.first.astimezone(tz)) if st.first else "",
                last=date_zh(st.last.astimezone(tz)) if st.last else "",
                confirmed=all(f.confirmed for f in fs),
                summaries=category_summaries(fs, pack),
                quotes=qv,
                moments=[_moment(e) for e in examples if not e.text or not qv][:MAX_QUOTES_PER_CATEGORY],
                provisions=cited_provisions(pack, sub, kinds, [], licence, lender, shows),
                third_party=st.third_party,
                numbers=st.numbers,
                unlisted=max(0, count - sum(q.count for q in qv) - len(also)) if qv else 0,
                also=also,
            )
        )
    return views


def _moment(e: EventFact) -> str:
    """An event listed by its time: "2024年3月8日 23:10 15400000012（电话，未接来电）", with whom it reached when not the
    borrower; a visit, a letter or any contact the borrower recorded by hand with its account in her words:
    "2024年3月20日 19:00（上门）：“两名男子到我家门口……”（本人陈述）"."""
    head = " ".join(x for x in (datetime_zh(e.local), counterpart_zh(e)) if x) + f"（{contact_kind(e)}）"
    if e.recipient not in (None, "", "borrower"):
        head += f"，对象：{recipient_label(e.recipient, e.recipient_name)}"
    if e.text and (e.channel in ("visit", "letter") or e.text_source == "manual"):
        # the borrower's own account is the only record of what was said: printed with the moment
        text = e.text.strip()
        text = text[:ALSO_CHARS] + "……" if len(text) > ALSO_CHARS else text
        return f"{head}：“{text}”{quote_note(e)}"
    return head
