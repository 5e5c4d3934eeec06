"""The lists a document prints from the case's records: the chronology of contacts, the 证据目录 (one row per
original file, numbered as the evidence package), and the 12321 report's messages, calls and third-party contacts
with where each record came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from weiquan.act.facts import MAX_CHRONOLOGY, CaseFacts, text_source
from weiquan.act.held import HeldItem, held_items, holders_zh
from weiquan.act.quotes import ALSO_CHARS, call_status_zh, counterpart_zh, excerpt_spans, quote_note, recipient_label
from weiquan.zh.format import date_zh, datetime_zh, file_name, period_zh, phone_zh
from weiquan.zh.labels import CHANNEL_ZH, ORIGIN_SOURCE_ZH, RECIPIENT_ZH, TEXT_SOURCE_ZH

MAX_CHRONOLOGY_ROWS = MAX_CHRONOLOGY


def chronology(facts: CaseFacts, pack: Any, limit: int = MAX_CHRONOLOGY_ROWS) -> tuple[list[dict[str, Any]], int]:
    """The first finding events in time order, with the categories they show and the quoted spans."""
    rows = []
    for e in facts.chronology_events[:limit]:
        qs = facts.chronology_quotes.get(e.id, [])
        content: Markup | str
        if qs and e.text:
            content = excerpt_spans(e.text, [(q.start, q.end) for q in qs]) + quote_note(e)
        elif e.text and e.text.strip():
            # an event behind a finding without a quoted span (a call to the borrower's mother the borrower
            # recorded): its words, so the row is never empty
            words = e.text.strip()
            words = words[:ALSO_CHARS] + "……" if len(words) > ALSO_CHARS else words
            content = (f"{call_status_zh(e)}：" if e.channel == "call" else "") + f"“{words}”" + quote_note(e)
        elif e.channel == "call":
            content = call_status_zh(e)
        else:
            content = ""
        cats = [
            pack.violations[c].name_zh if c in pack.violations else c for c in facts.chronology_categories.get(e.id, [])
        ]
        rows.append(
            {
                "when": datetime_zh(e.local),
                "channel": e.channel_zh,
                "number": counterpart_zh(e),
                "recipient": recipient_label(e.recipient, e.recipient_name),
                "categories": "、".join(dict.fromkeys(cats)),
                "content": content,
            }
        )
    return rows, max(0, facts.counts()["events"] - len(rows))


def _span_zh(a: dt.date, b: dt.date) -> str:
    """ "2024年3月21日"; "2024年3月4日至3月19日" (the year once when both are in it)."""
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
    if origin == "manual" and main == "letter":
        # a letter received on paper: the paper is the 书证; the entry only describes it
        kind = "收到的信函（纸质原件由本人保存，提交时附复印件；本条为本人对信函的陈述）"
    elif origin == "manual":
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
    return {"screenshot": "1页", "image": "1页", "recording": "录音1段", "audio": "录音1段", "video": "录像1段"}.get(
        origin, ""
    )


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
            proves.append(
                f"{span}的联系（据本人陈述：{parts}）" if origin == "manual" else f"{span}的联系记录（{parts}）"
            )
            names = sorted({pack.violations[c].name_zh if c in pack.violations else c for c in st.categories})
            if names:
                proves.append("证明存在：" + "、".join(names))
        no = int(ev.label.lstrip("E"))
        name = file_name(ev.name)
        rows.append(
            {
                "no": no,
                "label": ev.label,
                "name": evidence_title(ev, origin, tz),
                "kind": (
                    ("书证（纸质原件）、当事人陈述" if list(st.channels) == ["letter"] else "当事人陈述")
                    if origin == "manual"
                    else _evidence_kind(ev.media_type, ev.name)
                ),
                "source": EVIDENCE_SOURCE_ZH[origin] + (f"（设备：{ev.source_device}）" if ev.source_device else ""),
                "origin": origin,
                "manual": origin == "manual",
                "pages": _pages(origin),
                "proves": "；".join(proves) if proves else None,
                # the original's own name only when it is a name the borrower gave it (not a tool's manual-entry record)
                "file": "" if origin == "manual" else f"{name}（{_size(ev.size)}）",
                "sha256": ev.sha256,
                "acquired": date_zh(ev.acquired_at.astimezone(tz)),
                "pending": False,
            }
        )
    return rows + _held_rows(facts, pack, len(rows))


# imported originals that already are an item of a held kind (a recording the borrower imported is its own row)
_HELD_ORIGINS = {"recording": {"recording", "audio"}, "video": {"video"}, "screenshot": {"screenshot", "image"}}


def case_held_items(facts: CaseFacts) -> list[tuple[HeldItem, Any]]:
    """Recordings, videos and screenshots the borrower's manual entries say exist and the case has not imported,
    each with the manual entry's file: the 证据目录 lists them as items of their own."""
    tz = ZoneInfo(facts.tz)
    imported: dict[str, set[dt.date]] = {}
    for ev in facts.evidence:
        o, st = evidence_origin(ev), ev.stats
        for kind, origins in _HELD_ORIGINS.items():
            if o in origins and st.first is not None and st.last is not None:
                a, b = st.first.astimezone(tz).date(), st.last.astimezone(tz).date()
                imported.setdefault(kind, set()).update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    out = []
    for ev in facts.evidence:
        for start, channel, text, note in ev.stats.statements:
            for item in held_items(start, channel, text, note):
                if start.astimezone(tz).date() not in imported.get(item.kind.id, set()):
                    out.append((item, ev))
    return out


def _held_rows(facts: CaseFacts, pack: Any, after: int) -> list[dict[str, Any]]:
    """证据目录 rows for material an entry says exists (numbered after the imported originals, which keep the
    evidence package's numbers): named for a person, with who holds it; no checksum, as it was not imported."""
    tz = ZoneInfo(facts.tz)
    rows = []
    for k, (item, ev) in enumerate(case_held_items(facts), start=after + 1):
        day = date_zh(item.start.astimezone(tz))
        chan = CHANNEL_ZH.get(item.channel, item.channel)
        names = sorted({pack.violations[c].name_zh if c in pack.violations else c for c in ev.stats.categories})
        proves = f"{day}的{chan}（据本人陈述）" + ("；证明存在：" + "、".join(names) if names else "")
        holder = holders_zh(item)
        rows.append(
            {
                "no": k,
                "label": "",
                "name": f"{day} {chan}{item.kind.name_zh}" + (f"（{item.duration_zh}）" if item.duration_zh else ""),
                "kind": item.kind.form_zh,
                "source": holder,
                "holder": holder,
                "origin": item.kind.id,
                "manual": False,
                "pending": True,
                "pages": item.kind.pages_zh,
                "proves": proves,
                "file": "",
                "sha256": "",
                "acquired": "",
            }
        )
    return rows


# The kinds of evidence a text may say the case holds, in the order it names them
_HELD_KIND_ZH = {"recording": "录音", "video": "录像", "screenshot": "截图"}


def evidence_kinds_zh(facts: CaseFacts) -> list[str]:
    """The kinds of evidence the case actually holds ("录音", "截图", "通话记录", "信函原件" …): imported originals
    and the material its manual entries say exists. A text that offers evidence names only these."""
    have: set[str] = {item.kind.id for item, _ in case_held_items(facts)}
    for ev in facts.evidence:
        o, chans = evidence_origin(ev), set(ev.stats.channels)
        if o in ("recording", "audio"):
            have.add("recording")
        elif o == "video":
            have.add("video")
        elif o in ("screenshot", "image"):
            have.add("screenshot")
        elif o == "export":
            have.update(f"export_{c}" for c in chans)
        elif o == "manual" and "letter" in chans:
            have.add("letter")
    names = {
        **_HELD_KIND_ZH,
        "export_call": "通话记录",
        "export_sms": "短信记录",
        "export_mms": "短信记录",
        "export_chat": "聊天记录",
        "letter": "信函原件",
    }
    return list(dict.fromkeys(names[k] for k in names if k in have))


# How the 证据目录 states where a file came from (``evidence_origin``)
EVIDENCE_SOURCE_ZH = {
    "manual": ORIGIN_SOURCE_ZH["manual"],
    "screenshot": ORIGIN_SOURCE_ZH["screenshot"],
    "image": "截图或照片",
    "recording": ORIGIN_SOURCE_ZH["recording"],
    "audio": "录音",
    "video": "录像",
    "export": ORIGIN_SOURCE_ZH["export"],
    "other": "当事人保存的电子文件",
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
    return [
        {
            "when": datetime_zh(g.times[0]),
            "number": phone_zh(g.number),
            "signature": g.signature,
            "recipient": RECIPIENT_ZH.get(g.recipient, g.recipient),
            "text": g.text,
            "times": [datetime_zh(t) for t in g.times],
            "count": g.count,
            "origins": dict(g.origins),
            "source": _origins_zh(g.origins, "条"),
        }
        for g in facts.sms_groups()
    ]


def call_reports(facts: CaseFacts) -> list[dict[str, Any]]:
    """Per number: calls to the borrower behind findings, first/last time, days with calls and the most in one day."""
    return [
        {
            "number": phone_zh(c.number),
            "count": c.count,
            "first": datetime_zh(c.first),
            "last": datetime_zh(c.last),
            "days": len(c.per_day),
            "max_per_day": max(c.per_day.values()),
            "origins": dict(c.origins),
            "source": _origins_zh(c.origins, "次"),
        }
        for c in facts.call_stats()
        if c.count
    ]


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
        out.append(
            {
                "when": datetime_zh(c.local),
                "channel": CHANNEL_ZH.get(c.channel, c.channel),
                "number": phone_zh(c.number),
                "recipient": recipient_label(c.recipient, c.recipient_name),
                # the source says how a screenshot's or recording's text was made; an exported record's text
                # made later from its recording is marked
                "text": c.text or "",
                "note": f"（{TEXT_SOURCE_ZH[src]}）" if src and c.origin == "export" and c.text else "",
                "origins": {c.origin: 1},
                "source": ORIGIN_SOURCE_ZH.get(c.origin, c.origin),
            }
        )
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
