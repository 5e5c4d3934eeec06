"""Android message and call-log databases (docs/sources.md#format-android-db).

- ``mmssms.db`` (``com.android.providers.telephony``): SMS in ``sms``; MMS in ``pdu`` with their
  addresses in ``addr`` and text parts in ``part``.
- ``calllog.db`` / ``contacts2.db``: calls in ``calls``.
- A decrypted Huawei/Honor backup (KoBackup, HiSuite) keeps the same columns in tables with a
  ``_tb`` suffix: ``sms.db`` with ``sms_tb`` (primary key ``group_id``), ``pdu_tb``, ``addr_tb``,
  ``part_tb`` [src: P79N6A/pa_script android_sms.py]; its ``calllog.db`` is read the same way
  (``calls`` or ``calls_tb``; the name of the Huawei call table is unverified, so detection goes by
  the columns).

These come from a rooted phone, a forensic extraction or an unpacked/decrypted backup. Encrypted
backups are not decrypted here. Tables are detected from the file's content, opened read-only and
immutable; rows a MIUI-style ``deleted`` flag marks are imported and marked deleted (they are still
evidence). SMS ``date`` is epoch ms; MMS ``pdu.date`` is seconds. MMS attachments are files on the
phone (``part._data``), not inside the database: their count is reported, the text parts imported.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from weiquan.ingest.android_rows import call_event, sms_event
from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.ios import SQLITE, SQLITE_ERRORS, columns, connect_ro, read_rows
from weiquan.ingest.synctech import ADDR_FROM, MMS_BOX
from weiquan.ingest.textnorm import clean_text
from weiquan.ingest.timeutil import TimeOutOfRange, from_epoch

SMS_NEEDS = {"address", "date", "type", "body"}
_DatedRow = tuple[str, dict[str, Any], tuple[dt.datetime, str]]  # locator, row, (start, time basis)
CALL_NEEDS = {"number", "date", "duration", "type"}
ADDR_TO = "151"
TOKEN = "insert-address-token"  # the phone's own number in an MMS address row


def _table(con: sqlite3.Connection, names: tuple[str, ...], needs: set[str]) -> str | None:
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except SQLITE_ERRORS:
        return None
    for name in names:
        if name in have and needs <= columns(con, name):
            return name
    return None


def _detect(probe: Probe, names: tuple[str, ...], needs: set[str]) -> float:
    if probe.media_type != SQLITE:
        return 0.0
    try:
        with closing(connect_ro(probe.path)) as con:
            return 0.9 if _table(con, names, needs) else 0.0
    except SQLITE_ERRORS:
        return 0.0


def _open(ctx: ImportContext) -> sqlite3.Connection:
    try:
        con = connect_ro(ctx.path)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except SQLITE_ERRORS as e:
        raise ParseError(
            f"{ctx.original_name}：数据库无法打开", f"{ctx.original_name}: cannot open the database ({e})"
        ) from None
    con.row_factory = sqlite3.Row
    return con


def _key(con: sqlite3.Connection, table: str) -> str:
    cols = columns(con, table)
    return next((c for c in ("_id", "group_id") if c in cols), "ROWID")


def _rows(ctx: ImportContext, con: sqlite3.Connection, table: str, sql: str) -> Iterator[_DatedRow]:
    """(locator, row, (start, basis)) for each row whose ``date`` is plausible; others are reported."""
    try:
        cursor = con.execute(sql)
    except SQLITE_ERRORS as e:
        raise ParseError(
            f"{ctx.original_name}：{table} 表结构无法识别", f"{ctx.original_name}: unexpected {table} table ({e})"
        ) from None
    for r in read_rows(ctx, cursor):
        row = dict(r)
        locator = f"{table}:{row['pk']}"
        date = row.get("date")
        try:
            when = from_epoch(str(date) if isinstance(date, int) else date)
        except TimeOutOfRange as e:
            ctx.reject_time(locator, e.value)
            continue
        yield locator, row, when


def _main_table(
    ctx: ImportContext, con: sqlite3.Connection, names: tuple[str, ...], needs: set[str], what_zh: str, what_en: str
) -> tuple[str, Iterator[_DatedRow]]:
    """The first of ``names`` with the ``needs`` columns, and its dated rows in key order."""
    table = _table(con, names, needs)
    if table is None:
        raise ParseError(f"{ctx.original_name}：找不到{what_zh}表", f"{ctx.original_name}: no {what_en} table found")
    return table, _rows(ctx, con, table, f"SELECT {_key(con, table)} AS pk, * FROM {table} ORDER BY pk")


class AndroidSmsDb(Importer):
    name = "android_sms_db"
    label_zh = "安卓/华为短信数据库"
    description = "安卓短信数据库 mmssms.db / 华为备份 sms.db（已解密）"

    def detect(self, probe: Probe) -> float:
        return _detect(probe, ("sms", "sms_tb"), SMS_NEEDS)

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        with closing(_open(ctx)) as con:
            table, rows = _main_table(ctx, con, ("sms", "sms_tb"), SMS_NEEDS, "短信", "SMS")
            for locator, row, (start, basis) in rows:
                yield sms_event(row, start=start, basis=basis, locator=locator, tz=ctx.tz)
            yield from self._mms(ctx, con, table[3:])  # suffix "" or "_tb"

    @staticmethod
    def _mms(ctx: ImportContext, con: sqlite3.Connection, suffix: str) -> Iterator[RawEvent]:
        pdu, addr, part = f"pdu{suffix}", f"addr{suffix}", f"part{suffix}"
        if _table(con, (pdu,), {"date", "msg_box"}) is None:
            return
        has_addr = _table(con, (addr,), {"msg_id", "address", "type"}) is not None
        has_part = _table(con, (part,), {"mid", "ct", "text"}) is not None
        key = _key(con, pdu)
        addresses = (
            f"(SELECT group_concat(a.address || '|' || a.type, '~') FROM {addr} a WHERE a.msg_id = p.{key})"
            if has_addr
            else "NULL"
        )
        texts = (
            f"(SELECT group_concat(t.text, char(10)) FROM {part} t WHERE t.mid = p.{key} AND t.ct LIKE 'text/plain%')"
            if has_part
            else "NULL"
        )
        files = (
            f"(SELECT count(*) FROM {part} t WHERE t.mid = p.{key} AND t.ct NOT LIKE 'text/%' "
            "AND t.ct <> 'application/smil')"
            if has_part
            else "0"
        )
        sql = f"SELECT p.{key} AS pk, p.date AS date, p.msg_box AS msg_box, {addresses} AS addrs, {texts} AS texts, {files} AS files FROM {pdu} p ORDER BY pk"
        not_in_file = 0
        for locator, row, (start, basis) in _rows(ctx, con, pdu, sql):
            sender, recipients = None, []
            for item in (row["addrs"] or "").split("~"):
                number, _, kind = item.rpartition("|")
                number = number.replace(TOKEN, "").strip()
                if not number:
                    continue
                if kind == ADDR_FROM:
                    sender = number
                elif kind == ADDR_TO:
                    recipients.append(number)
            direction = MMS_BOX.get(str(row["msg_box"]), "unknown")
            counterpart = sender if direction == "incoming" and sender else (recipients[0] if recipients else sender)
            extra: dict[str, Any] = {}
            if len(recipients) > 1:
                extra["group"] = recipients
            if row["files"]:
                extra["attachments_not_in_file"] = row["files"]
                not_in_file += row["files"]
            yield RawEvent(
                channel="mms",
                start=start,
                locator=locator,
                direction=direction,
                source_tz=ctx.tz,
                time_basis=basis,
                counterpart_raw=counterpart,
                text=clean_text(row["texts"]) or "",
                extra=extra,
                raw={"date": str(row["date"]), "msg_box": str(row["msg_box"])},
            )
        if not_in_file:
            ctx.warn(
                f"{not_in_file} 个彩信附件保存在手机的文件里，不在数据库中，未导入；请另行导入图片 / "
                f"{not_in_file} MMS attachment(s) are files on the phone, not in the database: not imported"
            )


class AndroidCallLogDb(Importer):
    name = "android_calllog_db"
    label_zh = "安卓/华为通话记录数据库"
    description = "安卓通话记录数据库 calllog.db / contacts2.db / 华为备份 calllog.db（已解密）"

    def detect(self, probe: Probe) -> float:
        return _detect(probe, ("calls", "calls_tb"), CALL_NEEDS)

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        with closing(_open(ctx)) as con:
            _table_name, rows = _main_table(ctx, con, ("calls", "calls_tb"), CALL_NEEDS, "通话记录", "call-log")
            for locator, row, (start, basis) in rows:
                yield call_event(row, start=start, basis=basis, locator=locator, tz=ctx.tz)
