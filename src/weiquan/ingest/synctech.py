"""SyncTech "SMS Backup & Restore" XML: ``<smses>`` (sms + mms) and ``<calls>`` (docs/sources.md#format-synctech)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from functools import lru_cache

from lxml import etree

from weiquan.ingest.base import Attachment, ImportContext, Importer, Probe, RawEvent
from weiquan.ingest.textnorm import clean_text, null_to_none
from weiquan.ingest.timeutil import TimeOutOfRange, from_epoch
from weiquan.ingest.xmlsafe import scan_prolog
from weiquan.ingest.xmlsafe import iter_attrs

SMS_TYPES = {"1": "incoming", "2": "outgoing", "3": "draft", "4": "outgoing", "5": "failed", "6": "outgoing"}
MMS_BOX = {"1": "incoming", "2": "outgoing", "3": "draft", "4": "outgoing"}
CALL_TYPES = {
    "1": "incoming",
    "2": "outgoing",
    "3": "missed",
    "4": "voicemail",
    "5": "rejected",
    "6": "blocked",
    "7": "answered_elsewhere",
}
ADDR_FROM = "137"
_SMS_RAW = (
    "date",
    "date_sent",
    "type",
    "address",
    "service_center",
    "sub_id",
    "readable_date",
    "status",
    "read",
    "locked",
)
_CALL_RAW = (
    "date",
    "type",
    "number",
    "duration",
    "presentation",
    "subscription_id",
    "readable_date",
    "post_dial_digits",
)


def root_of(probe: Probe) -> str | None:
    if not probe.media_type.startswith(("application/xml", "text/")):
        return None
    return scan_prolog(probe.head).root


@lru_cache(maxsize=4096)  # exports repeat the same few names ("(Unknown)", the collectors' entries)
def contact_name(value: str | None) -> str | None:
    v = null_to_none(value)
    if v is None or v.strip() in ("(Unknown)", "(未知)", "未知"):
        return None
    return v.strip()


def _raw(el: etree._Element | Mapping[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for k in keys:
        v = el.get(k)
        if v is not None and v != "null":
            out[k] = v
    return out


class SyncTechSms(Importer):
    name = "synctech_sms"
    label_zh = "短信备份（SMS Backup & Restore）"
    description = "SMS Backup & Restore 短信备份 (sms*.xml)"

    def detect(self, probe: Probe) -> float:
        return 0.95 if root_of(probe) == "smses" else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        tz = ctx.tz
        for rec in iter_attrs(ctx, ("sms", "mms"), trees=("mms",)):
            locator = f"/smses/{rec.tag}[{rec.index}]"
            try:
                if rec.element is None:
                    yield self._sms(rec.attrib, locator, tz)
                else:
                    yield self._mms(rec.element, locator, ctx)
            except TimeOutOfRange as e:
                ctx.reject_time(locator, e.value)

    @staticmethod
    def _sms(a: dict[str, str], locator: str, tz: str) -> RawEvent:
        get = a.get
        start, basis = from_epoch(get("date"))
        # raw original values; date_sent (SMSC time) is kept raw, it may be s or ms
        raw = {k: v for k in _SMS_RAW if (v := get(k)) is not None and v != "null"}
        body = get("body")
        text = (clean_text(null_to_none(body)) or "") if body else ""
        address = get("address")
        return RawEvent(
            channel="sms",
            start=start,
            locator=locator,
            direction=SMS_TYPES.get(get("type", ""), "unknown"),
            time_basis=basis,
            source_tz=tz,
            counterpart_raw=null_to_none(address) if address else None,
            counterpart_name=contact_name(get("contact_name")),
            text=text,
            raw=raw,
        )

    @staticmethod
    def _mms(el: etree._Element, locator: str, ctx: ImportContext) -> RawEvent:
        start, basis = from_epoch(el.get("date"))
        raw = _raw(el, ("date", "date_sent", "msg_box", "address", "m_id", "m_type", "ct_t", "sub_id", "readable_date"))
        texts: list[str] = []
        attachments: list[Attachment] = []
        for i, part in enumerate(el.iterfind("parts/part")):
            ct = (part.get("ct") or "").lower()
            if ct == "application/smil":
                continue
            txt = null_to_none(part.get("text"))
            if ct.startswith("text/plain") and txt:
                texts.append(clean_text(txt) or "")
                continue
            data = part.get("data")
            if data:
                try:
                    blob = base64.b64decode(data, validate=False)
                except (binascii.Error, ValueError):
                    ctx.warn(f"{locator} 附件 {i} 的 base64 数据损坏 / attachment {i}: invalid base64")
                    continue
                attachments.append(
                    Attachment(
                        blob, name=null_to_none(part.get("cl")) or null_to_none(part.get("name")), media_type=ct or None
                    )
                )
        addresses = [a for a in (null_to_none(el.get("address")) or "").split("~") if a]
        box = el.get("msg_box", "")
        direction = MMS_BOX.get(box, "unknown")
        counterpart = addresses[0] if addresses else None
        if direction == "incoming":
            for a in el.iterfind("addrs/addr"):
                if a.get("type") == ADDR_FROM and null_to_none(a.get("address")):
                    counterpart = a.get("address")
                    break
        extra: dict[str, object] = {}
        if len(addresses) > 1:
            extra["group"] = addresses
        mid = null_to_none(el.get("m_id"))
        if mid:
            extra["m_id"] = mid
        return RawEvent(
            channel="mms",
            start=start,
            locator=locator,
            direction=direction,
            time_basis=basis,
            source_tz=ctx.tz,
            counterpart_raw=counterpart,
            counterpart_name=contact_name(el.get("contact_name")),
            text="\n".join(texts),
            raw=raw,
            attachments=attachments,
            extra=extra,
        )


class SyncTechCalls(Importer):
    name = "synctech_calls"
    label_zh = "通话记录备份（SMS Backup & Restore）"
    description = "SMS Backup & Restore 通话记录备份 (calls*.xml)"

    def detect(self, probe: Probe) -> float:
        return 0.95 if root_of(probe) == "calls" else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        for rec in iter_attrs(ctx, ("call",)):
            el = rec.attrib
            locator = f"/calls/call[{rec.index}]"
            try:
                start, basis = from_epoch(el.get("date"))
            except TimeOutOfRange as e:
                ctx.reject_time(locator, e.value)
                continue
            t = el.get("type", "")
            number = null_to_none(el.get("number"))
            if el.get("presentation") in ("2", "3"):
                number = None
            try:
                duration = float(el.get("duration") or 0)
            except ValueError:
                duration = None
            yield RawEvent(
                channel="call",
                start=start,
                locator=locator,
                direction=CALL_TYPES.get(t, "unknown"),
                time_basis=basis,
                source_tz=ctx.tz,
                duration_s=duration,
                counterpart_raw=number,
                counterpart_name=contact_name(el.get("contact_name")),
                raw=_raw(el, _CALL_RAW),
            )
