"""``adb shell content query`` dumps of ``content://sms`` and ``content://call_log/calls`` (docs/sources.md#format-adb).

Lines look like ``Row: 0 _id=5, address=…, body=Hello, World``. Nothing is quoted: a body may
contain ``, `` and ``=`` and continue on the next line. Fields are split only before a known
column name, each column at most once per row; lines not starting with ``Row:`` continue the
previous row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache

from weiquan.ingest.android_rows import call_event, sms_event
from weiquan.ingest.base import ImportContext, Importer, Probe, RawEvent
from weiquan.ingest.tabular import sniff_encoding
from weiquan.ingest.timeutil import TimeOutOfRange, from_epoch

SMS_COLUMNS = (
    "_id",
    "thread_id",
    "address",
    "person",
    "date",
    "date_sent",
    "protocol",
    "read",
    "status",
    "type",
    "reply_path_present",
    "subject",
    "body",
    "service_center",
    "locked",
    "sub_id",
    "error_code",
    "creator",
    "seen",
    "priority",
    "phone_id",
    "sim_id",
    "deletable",
    "sim_imsi",
    "sub_id",
    "app_id",
    "msg_id",
)
CALL_COLUMNS = (
    "_id",
    "number",
    "date",
    "duration",
    "type",
    "new",
    "name",
    "numbertype",
    "numberlabel",
    "countryiso",
    "geocoded_location",
    "presentation",
    "subscription_id",
    "subscription_component_name",
    "features",
    "via_number",
    "post_dial_digits",
    "block_reason",
    "data_usage",
    "is_read",
    "voicemail_uri",
    "normalized_number",
    "formatted_number",
    "lookup_uri",
    "matched_number",
    "photo_id",
    "last_modified",
    "transcription",
    "phone_account_address",
    "ring_times",
    "ring_time",
    "mark_type",
    "mark_content",
)
_ROW = re.compile(r"^Row: (\d+) ")


def _head_text(head: bytes) -> str:
    return head.decode(sniff_encoding(head).replace("-sig", ""), errors="replace").lstrip("\ufeff \r\n")


def _dump_head(probe: Probe) -> str:
    """The start of an ``adb content query`` dump ("Row: 0 …"), or "" for a file that is not plain text."""
    t = _head_text(probe.head) if probe.media_type.startswith("text/plain") else ""
    return t if t.startswith("Row: ") else ""


def _rows(ctx: ImportContext) -> Iterator[tuple[int, str]]:
    with open(ctx.path, "rb") as f:
        head = f.read(65536)
    enc = sniff_encoding(head)
    with open(ctx.path, encoding=enc, errors="replace", newline="") as fh:
        num: int | None = None
        buf: list[str] = []
        for line in fh:
            line = line.rstrip("\r\n")
            m = _ROW.match(line)
            if m:
                if num is not None:
                    yield num, "\n".join(buf)
                num, buf = int(m.group(1)), [line[m.end() :]]
            elif num is not None:
                buf.append(line)
        if num is not None:
            yield num, "\n".join(buf)


@cache
def _splitter(columns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?:^|, )(" + "|".join(re.escape(c) for c in sorted(set(columns), key=len, reverse=True)) + r")="
    )


def split_fields(body: str, columns: tuple[str, ...]) -> dict[str, str | None]:
    """Split ``k=v, k=v`` on known column names only, each column at most once."""
    rx = _splitter(columns)
    out: dict[str, str | None] = {}
    marks: list[tuple[str, int, int]] = []
    for m in rx.finditer(body):
        col = m.group(1)
        if any(c == col for c, _, _ in marks):
            continue
        marks.append((col, m.start(), m.end()))
    for i, (col, _s, e) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(body)
        v = body[e:end]
        out[col] = None if v == "NULL" else v
    return out


def _dated_rows(
    ctx: ImportContext, columns: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, str | None], dt.datetime, str]]:
    """Rows split into fields with their epoch ``date`` read; rows dated out of range are rejected (and reported)."""
    for num, body in _rows(ctx):
        f = split_fields(body, columns)
        locator = f"row[{num}]"
        try:
            start, basis = from_epoch(f.get("date"))
        except TimeOutOfRange as e:
            ctx.reject_time(locator, e.value)
            continue
        yield locator, f, start, basis


class AdbSmsDump(Importer):
    name = "adb_sms"
    label_zh = "短信（安卓导出）"
    description = "adb content query --uri content://sms 输出"

    def detect(self, probe: Probe) -> float:
        t = _dump_head(probe)
        return 0.9 if " address=" in t and ("body=" in t or " date=" in t) else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        for locator, f, start, basis in _dated_rows(ctx, SMS_COLUMNS):
            yield sms_event(f, start=start, basis=basis, locator=locator, tz=ctx.tz)


class AdbCallsDump(Importer):
    name = "adb_calls"
    label_zh = "通话记录（安卓导出）"
    description = "adb content query --uri content://call_log/calls 输出"

    def detect(self, probe: Probe) -> float:
        t = _dump_head(probe)
        return 0.9 if " number=" in t and " duration=" in t else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        for locator, f, start, basis in _dated_rows(ctx, CALL_COLUMNS):
            yield call_event(f, start=start, basis=basis, locator=locator, tz=ctx.tz)
