"""Android ``Telephony.Sms`` and ``CallLog.Calls`` rows → events (docs/sources.md#format-android-columns).

The same columns reach us as ``adb shell content query`` text (every value a string) and as rows of
the SQLite databases behind those providers (integers and strings), so both importers map a row
here. Values are compared as strings; ``date`` is epoch milliseconds, ``duration`` seconds,
``type`` uses the codes of the SyncTech export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from weiquan.ingest.base import RawEvent
from weiquan.ingest.synctech import CALL_TYPES, SMS_TYPES
from weiquan.ingest.textnorm import clean_text

SMS_RAW = ("_id", "group_id", "date", "date_sent", "type", "address", "sub_id", "sim_id")
CALL_RAW = ("_id", "date", "type", "number", "duration", "presentation")
CALL_EXTRA = ("geocoded_location", "block_reason", "countryiso")
WITHHELD_PRESENTATION = ("2", "3")  # restricted, unknown: the number shown is not the caller's


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _raw(row: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: str(v) for k in keys if (v := row.get(k)) is not None and v != ""}


def _deleted(row: Mapping[str, Any]) -> dict[str, Any]:
    # MIUI and others keep deleted messages/calls with a flag: still evidence, shown as such
    return {"deleted": True} if _s(row.get("deleted")) not in (None, "", "0") else {}


def sms_event(row: Mapping[str, Any], *, start: dt.datetime, basis: str, locator: str, tz: str) -> RawEvent:
    return RawEvent(
        channel="sms",
        start=start,
        locator=locator,
        direction=SMS_TYPES.get(_s(row.get("type")) or "", "unknown"),
        source_tz=tz,
        time_basis=basis,
        counterpart_raw=_s(row.get("address")) or None,
        text=clean_text(_s(row.get("body"))) or "",
        extra=_deleted(row),
        raw=_raw(row, SMS_RAW),
    )


def call_event(row: Mapping[str, Any], *, start: dt.datetime, basis: str, locator: str, tz: str) -> RawEvent:
    number = _s(row.get("number")) or None
    if _s(row.get("presentation")) in WITHHELD_PRESENTATION:
        number = None
    try:
        duration: float | None = float(row.get("duration") or 0)
    except (TypeError, ValueError):
        duration = None
    extra = {k: v for k in CALL_EXTRA if (v := row.get(k)) not in (None, "", 0)} | _deleted(row)
    return RawEvent(
        channel="call",
        start=start,
        locator=locator,
        direction=CALL_TYPES.get(_s(row.get("type")) or "", "unknown"),
        source_tz=tz,
        time_basis=basis,
        duration_s=duration,
        counterpart_raw=number,
        counterpart_name=(_s(row.get("name")) or "").strip() or None,
        extra=extra,
        raw=_raw(row, CALL_RAW),
    )
