"""OPPO/OnePlus/realme backups: ``.vmsg`` (vMessage) SMS and the ``<CallLog>`` call-log XML (docs/sources.md#format-vendor-backups)."""

from __future__ import annotations

from collections.abc import Iterator
import quopri
import re

from weiquan.ingest.base import ImportContext, Importer, Probe, RawEvent
from weiquan.ingest.synctech import CALL_TYPES
from weiquan.ingest.tabular import sniff_encoding
from weiquan.ingest.textnorm import clean_text, null_to_none
from weiquan.ingest.timeutil import TimeOutOfRange, from_epoch, from_wallclock
from weiquan.ingest.xmlsafe import scan_prolog
from weiquan.ingest.xmlsafe import iter_records

BOXES = {
    "INBOX": "incoming",
    "SENDBOX": "outgoing",
    "SENTBOX": "outgoing",
    "SENT": "outgoing",
    "OUTBOX": "outgoing",
    "DRAFT": "draft",
    "DRAFTBOX": "draft",
    "FAILBOX": "failed",
    "FAILED": "failed",
}
_SUBJECT = re.compile(r"^Subject;?(?P<params>[^:]*):(?P<value>.*)$", re.S)


def _decode_subject(params: str, value: str) -> str:
    p = params.upper()
    if "QUOTED-PRINTABLE" in p:
        m = re.search(r"CHARSET=([\w-]+)", p)
        charset = (m.group(1) if m else "UTF-8").lower()
        data = quopri.decodestring(value.encode("ascii", errors="replace"))
        try:
            return data.decode(charset if charset not in ("gbk", "gb2312") else "gb18030", errors="replace")
        except LookupError:
            return data.decode("utf-8", errors="replace")
    return value


class OppoVmsg(Importer):
    name = "oppo_vmsg"
    label_zh = "短信备份（vmsg）"
    description = "OPPO/一加/真我 短信备份 .vmsg"

    def detect(self, probe: Probe) -> float:
        return 0.95 if probe.head.lstrip(b"\xef\xbb\xbf \r\n").startswith(b"BEGIN:VMSG") else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        with open(ctx.path, "rb") as f:
            head = f.read(65536)
        enc = sniff_encoding(head)
        n = 0
        with open(ctx.path, encoding=enc, errors="replace", newline="") as fh:
            props: dict[str, str] = {}
            subject: list[str] | None = None
            subject_params = ""
            for line in fh:
                line = line.rstrip("\r\n")
                if subject is not None:
                    # quoted-printable soft line break: previous line ended with "="
                    subject.append(line)
                    if not line.endswith("="):
                        props["Subject"] = _decode_subject(subject_params, "\n".join(subject).replace("=\n", ""))
                        subject = None
                    continue
                if line == "BEGIN:VMSG":
                    props = {}
                elif line in ("BEGIN:VBODY", "END:VBODY"):
                    continue  # structure markers, not properties
                elif line == "END:VMSG":
                    n += 1
                    ev = self._event(ctx, props, n)
                    if ev is not None:
                        yield ev
                elif line.startswith("Subject"):
                    m = _SUBJECT.match(line) or re.match(r"^Subject(?P<params>ENCODING=[^:]*):(?P<value>.*)$", line)
                    if m:
                        if "QUOTED-PRINTABLE" in m.group("params").upper() and line.endswith("="):
                            subject, subject_params = [m.group("value")], m.group("params")
                        else:
                            props["Subject"] = _decode_subject(m.group("params"), m.group("value"))
                elif ":" in line:
                    k, _, v = line.partition(":")
                    key = k.split(";")[0].strip()
                    if key == "TEL" and "TEL" in props:
                        continue
                    props[key] = v

    @staticmethod
    def _event(ctx: ImportContext, p: dict[str, str], n: int) -> RawEvent | None:
        locator = f"vmsg[{n}]"
        wall = p.get("Date")
        try:
            if p.get("DateOrigin", "").strip().isdigit():
                start, basis = from_epoch(p["DateOrigin"].strip())
            elif wall:
                start, basis = from_wallclock(wall, ctx.tz), "local_wallclock"
            else:
                ctx.reject(locator, "没有时间", "no date")
                return None
        except (TimeOutOfRange, ValueError) as e:
            ctx.reject(
                locator, f"时间无效（{getattr(e, 'value', wall)}）", f"invalid time ({getattr(e, 'value', wall)})"
            )
            return None
        box = (p.get("X-BOX") or "").strip().upper()
        extra: dict[str, object] = {}
        if p.get("BlockType", "0").strip() not in ("", "0"):
            extra["block_type"] = p["BlockType"].strip()
        return RawEvent(
            channel="sms" if p.get("X-TYPE", "SMS").upper() != "MMS" else "mms",
            start=start,
            locator=locator,
            direction=BOXES.get(box, "unknown"),
            source_tz=ctx.tz,
            time_basis=basis,
            wallclock_text=wall,
            counterpart_raw=null_to_none(p.get("TEL")),
            text=clean_text(p.get("Subject")) or "",
            extra=extra,
            raw={k: p[k] for k in ("X-BOX", "Date", "DateOrigin", "BlockType", "X-SIMID") if k in p},
        )


class OppoCallLog(Importer):
    name = "oppo_calllog"
    label_zh = "通话记录备份（OPPO）"
    description = "OPPO/一加/真我 通话记录备份 XML (<CallLog>)"

    def detect(self, probe: Probe) -> float:
        if not probe.media_type.startswith(("application/xml", "text/")):
            return 0.0
        return 0.9 if scan_prolog(probe.head).root == "CallLog" else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        for _tag, idx, el in iter_records(ctx, ("CALL_RECORDS",)):
            locator = f"/CallLog/CALL_RECORDS[{idx}]"
            try:
                start, basis = from_epoch(el.get("date"))
            except TimeOutOfRange as e:
                ctx.reject_time(locator, e.value)
                continue
            try:
                duration: float | None = float(el.get("duration") or 0)
            except ValueError:
                duration = None
            extra = {"ring_time_s": el.get("ring_time")} if el.get("ring_time") not in (None, "") else {}
            yield RawEvent(
                channel="call",
                start=start,
                locator=locator,
                direction=CALL_TYPES.get(el.get("type", ""), "unknown"),
                source_tz=ctx.tz,
                time_basis=basis,
                duration_s=duration,
                counterpart_raw=null_to_none(el.get("number")),
                counterpart_name=(el.get("name") or "").strip() or None,
                extra=extra,
                raw={k: el.get(k) for k in ("date", "type", "number", "duration", "ring_time") if el.get(k)},
            )
