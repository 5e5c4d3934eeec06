"""iPhone ``sms.db`` (chat.db) and ``CallHistory.storedata`` (docs/sources.md#format-ios), alone or from a backup.

Opened read-only and immutable (nothing is written next to the stored original). Apple times are
seconds or nanoseconds since 2001-01-01 UTC; tapbacks and system rows are not messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.textnorm import clean_text
from weiquan.ingest.timeutil import TimeOutOfRange, from_apple

SQLITE = "application/vnd.sqlite3"
_T = TypeVar("_T")
# a damaged file: SQLite errors, or names (not values: see connect_ro) that are not UTF-8
SQLITE_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)


def connect_ro(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    # text that is not UTF-8 (a damaged page, a foreign encoding) is read with U+FFFD, not an exception
    con.text_factory = lambda b: b.decode("utf-8", errors="replace")
    return con


def tables(path: Path) -> set[str]:
    try:
        with closing(connect_ro(path)) as con:
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except SQLITE_ERRORS:
        return set()


def columns(con: sqlite3.Connection, table: str) -> set[str]:
    """The table's column names; none when the schema cannot be read (a damaged file)."""
    try:
        return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    except SQLITE_ERRORS:
        return set()


def read_rows(ctx: ImportContext, cursor: Iterator[_T]) -> Iterator[_T]:
    """The rows of ``cursor``; a database damaged further on ends the file as partial (the rows before
    it are kept), like a truncated XML export, instead of failing it with an internal error."""
    got = 0
    while True:
        try:
            row = next(cursor)
        except StopIteration:
            return
        except SQLITE_ERRORS as e:
            raise ParseError(
                f"{ctx.original_name}：数据库已损坏，读到第 {got + 1} 条记录时出错；之前的 {got} 条记录已导入",
                f"{ctx.original_name}: the database is damaged at record {got + 1} ({e}); "
                f"the {got} records before it were imported",
                partial_ok=True,
            ) from None
        got += 1
        yield row


def as_int(v: object) -> int | None:
    """An integer column value as SQLite may hold it in any column (text, real, blob); None if it is none."""
    try:
        return int(v)  # type: ignore[call-overload, no-any-return]  # SQLite values are untyped; the type is checked just above
    except (TypeError, ValueError, OverflowError):
        return None


def as_float(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]  # SQLite values are untyped; the type is checked just above
    except (TypeError, ValueError, OverflowError):
        return None
    return f


def decode_attributed_body(blob: bytes | None) -> str | None:
    """The plain text inside an NSAttributedString typedstream (iOS 16+ ``attributedBody``)."""
    if not blob:
        return None
    i = blob.find(b"NSString")
    if i < 0:
        return None
    j = blob.find(b"\x01+", i)
    if j < 0:
        return None
    k = j + 2
    if k >= len(blob):
        return None
    n = blob[k]
    k += 1
    if n == 0x81:
        n = int.from_bytes(blob[k : k + 2], "little")
        k += 2
    elif n == 0x82:
        n = int.from_bytes(blob[k : k + 4], "little")
        k += 4
    return blob[k : k + n].decode("utf-8", errors="replace")


def _col(cols: set[str], name: str, alias: str | None = None) -> str:
    return f"m.{name}" if name in cols else f"NULL AS {alias or name}"


class IosSmsDb(Importer):
    name = "ios_sms_db"
    label_zh = "iPhone 短信数据库"
    description = "iPhone 短信数据库 sms.db / chat.db"

    def detect(self, probe: Probe) -> float:
        if probe.media_type != SQLITE:
            return 0.0
        t = tables(probe.path)
        return 0.95 if {"message", "handle"} <= t else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        try:
            con = connect_ro(ctx.path)
        except SQLITE_ERRORS as e:
            raise ParseError(
                f"{ctx.original_name}：数据库无法打开", f"{ctx.original_name}: cannot open the database ({e})"
            ) from None
        with closing(con):
            cols = columns(con, "message")
            t = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            chat_ident = (
                (
                    "(SELECT c.chat_identifier FROM chat_message_join j JOIN chat c ON c.ROWID = j.chat_id "
                    "WHERE j.message_id = m.ROWID LIMIT 1)"
                )
                if {"chat", "chat_message_join"} <= t
                else "NULL"
            )
            sql = (
                f"SELECT m.ROWID, {_col(cols, 'text')}, {_col(cols, 'attributedBody')}, {_col(cols, 'date')}, "
                f"{_col(cols, 'is_from_me')}, {_col(cols, 'service')}, h.id, {_col(cols, 'item_type')}, "
                f"{_col(cols, 'associated_message_type')}, {_col(cols, 'cache_has_attachments')}, {chat_ident} "
                "FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID"
            )
            try:
                cursor = con.execute(sql)
            except SQLITE_ERRORS as e:
                raise ParseError(
                    f"{ctx.original_name}：短信数据库结构无法识别",
                    f"{ctx.original_name}: unexpected sms.db schema ({e})",
                ) from None
            for rowid, text, body, date, from_me, service, handle, item_type, assoc, has_att, chat in read_rows(
                ctx, cursor
            ):
                locator = f"message:{rowid}"
                assoc = as_int(assoc)
                if item_type not in (None, 0) or (assoc is not None and 2000 <= assoc < 4000):
                    continue  # system rows and tapbacks are not messages
                try:
                    start, basis = from_apple(date)
                except TimeOutOfRange as e:
                    ctx.reject_time(locator, e.value)
                    continue
                if text is None:
                    text = decode_attributed_body(body if isinstance(body, bytes) else None)
                elif isinstance(text, bytes):
                    text = text.decode("utf-8", errors="replace")
                svc = str(service or "SMS").strip()
                handle = str(handle) if handle not in (None, "") else (str(chat) if chat not in (None, "") else None)
                channel = "chat" if svc.lower() == "imessage" else "sms"
                extra: dict[str, object] = {"service": svc}
                if has_att:
                    extra["has_attachments"] = True
                yield RawEvent(
                    channel=channel,
                    start=start,
                    locator=locator,
                    direction="outgoing" if from_me else "incoming",
                    source_tz=ctx.tz,
                    time_basis=basis,
                    counterpart_raw=handle,
                    text=clean_text(str(text) if text is not None else None) or "",
                    extra=extra,
                    raw={"date": str(date), "is_from_me": str(from_me), "handle": handle or ""},
                )


class IosCallHistory(Importer):
    name = "ios_call_history"
    label_zh = "iPhone 通话记录数据库"
    description = "iPhone 通话记录 CallHistory.storedata"

    def detect(self, probe: Probe) -> float:
        if probe.media_type != SQLITE:
            return 0.0
        return 0.95 if "ZCALLRECORD" in tables(probe.path) else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        with closing(connect_ro(ctx.path)) as con:
            try:
                cols = columns(con, "ZCALLRECORD")
                want = [
                    "Z_PK",
                    "ZADDRESS",
                    "ZDATE",
                    "ZDURATION",
                    "ZORIGINATED",
                    "ZANSWERED",
                    "ZNAME",
                    "ZSERVICE_PROVIDER",
                    "ZCALLTYPE",
                ]
                sel = ", ".join(c if c in cols else f"NULL AS {c}" for c in want)
                cursor = con.execute(f"SELECT {sel} FROM ZCALLRECORD ORDER BY Z_PK")
            except SQLITE_ERRORS as e:
                raise ParseError(
                    f"{ctx.original_name}：通话记录数据库无法读取",
                    f"{ctx.original_name}: cannot read the call history ({e})",
                ) from None
            for pk, addr, date, duration, orig, answered, name, provider, calltype in read_rows(ctx, cursor):
                locator = f"ZCALLRECORD:{pk}"
                try:
                    start, basis = from_apple(date)
                except TimeOutOfRange as e:
                    ctx.reject_time(locator, e.value)
                    continue
                if isinstance(addr, bytes):
                    addr = addr.decode("utf-8", errors="replace")
                direction = "outgoing" if orig else ("incoming" if answered else "missed")
                extra = {k: v for k, v in (("service_provider", provider), ("call_type", calltype)) if v is not None}
                yield RawEvent(
                    channel="call",
                    start=start,
                    locator=locator,
                    direction=direction,
                    source_tz=ctx.tz,
                    time_basis=basis,
                    duration_s=as_float(duration),
                    counterpart_raw=str(addr) if addr else None,
                    counterpart_name=str(name) if name else None,
                    extra=extra,
                    raw={"ZDATE": str(date), "ZORIGINATED": str(orig), "ZANSWERED": str(answered)},
                )
