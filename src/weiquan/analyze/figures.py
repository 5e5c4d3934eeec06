"""The case's contact figures — contacts, night contacts, distinct numbers — computed once, at analysis, from the
collection contacts (``patterns.collection_contacts``), so the dashboard, the report, the plan and every document
print the same figures (issue 16 item 8)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from weiquan.analyze.base import CaseContext
from weiquan.analyze.patterns import collection_contacts, local

FIGURES_KEY = "contact_figures"  # Case.extra key


def contact_figures(ctx: CaseContext, night: Any) -> dict[str, Any]:
    """Figures over the collection contacts: ``events`` (contacts), per channel, ``night`` (inside the law pack's
    night window, for the channels it covers), ``numbers`` (distinct counterparts), ``third_party`` (contacts with
    someone other than the borrower), first and last (UTC ISO), ``number_list`` ([number, contacts], most used first)."""
    evs = collection_contacts(ctx)
    by_channel = Counter(e.channel for e in evs)
    nights = 0
    for e in evs:
        t = local(e, ctx.timezone)
        if e.channel in night.covers and night.contains(t.time()):
            nights += 1
    starts = [e.start for e in evs]
    third = [e for e in evs if e.recipient not in ("borrower", "", None)]
    by_number = Counter(e.counterpart for e in evs if e.counterpart)
    return {
        "events": len(evs),
        "calls": by_channel.get("call", 0),
        "sms": by_channel.get("sms", 0) + by_channel.get("mms", 0),
        "chat": by_channel.get("chat", 0),
        "visits": by_channel.get("visit", 0),
        "letters": by_channel.get("letter", 0),
        "other": sum(n for ch, n in by_channel.items() if ch not in ("call", "sms", "mms", "chat", "visit", "letter")),
        "night": nights,
        "numbers": len(by_number),
        # every number with its contacts, most used first: the documents list the numbers they count
        "number_list": [[n, c] for n, c in sorted(by_number.items(), key=lambda kv: (-kv[1], kv[0]))],
        "third_party": len(third),
        "third_party_people": len({(e.recipient, e.counterpart) for e in third}),
        "first": min(starts).isoformat() if starts else None,
        "last": max(starts).isoformat() if starts else None,
        "computed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
