"""CSV / XLSX exports with Chinese or English headers (docs/sources.md#format-tables).

Headers are recognised from ``data/columns.yaml`` (the header row may follow a few title rows);
``--map 列名=字段`` overrides or completes them. CSV is decoded as UTF-8 (with or without BOM),
else GB18030 (a superset of GBK). Times are naive local wall-clock text (kept as given) in the
import time zone, or Excel date cells, or Unix epochs.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any, NoReturn

import yaml

from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.csvsafe import CsvRows
from weiquan.ingest.csvsafe import Damage as CsvDamage
from weiquan.ingest.timeutil import TimeOutOfRange, from_epoch, localize, parse_wallclock
from weiquan.vault.sniff import decodes_as
from weiquan.zh.steps import Note

FIELDS = ("time", "number", "name", "text", "type", "duration", "channel")
HEADER_SCAN_ROWS = 10
_NORM = re.compile(r"[\s_\-()（）\[\]【】:：/]|\(s\)|（秒）|秒$")


@cache
def _vocab() -> dict[str, Any]:
    return yaml.safe_load(resources.files("weiquan.ingest").joinpath("data/columns.yaml").read_text("utf-8"))


def _norm(h: object) -> str:
    return _NORM.sub("", str(h or "")).lower()


def map_header(cells: Sequence[object], manual: dict[str, str] | None = None) -> dict[str, int]:
    """field → column index for one candidate header row."""
    manual_n = {_norm(k): v for k, v in (manual or {}).items()}
    syn = {f: [_norm(x) for x in xs] for f, xs in _vocab()["fields"].items()}
    out: dict[str, int] = {}
    normed = [_norm(c) for c in cells]
    for i, h in enumerate(normed):
        if h and h in manual_n:
            out[manual_n[h]] = i
    for exact in (True, False):
        for i, h in enumerate(normed):
            if not h or i in out.values():
                continue
            for f, words in syn.items():
                if f in out:
                    continue
                if (exact and h in words) or (not exact and any(w and len(w) >= 2 and w in h for w in words)):
                    out[f] = i
                    break
    return out


def usable(m: dict[str, int]) -> bool:
    return "time" in m and ("number" in m or "text" in m)


def find_header(rows: Sequence[Sequence[object]], manual: dict[str, str] | None) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        m = map_header(row, manual)
        if usable(m):
            return i, m
    return None


def sniff_encoding(head: bytes) -> str:
    """UTF-8 (BOM or not) when the sample is a valid UTF-8 prefix (a character cut at its end is fine), else GB18030."""
    return "utf-8-sig" if decodes_as(head, "utf-8") else "gb18030"


def _head_rows(head: bytes) -> list[list[str]]:
    enc = sniff_encoding(head)
    text = codecs.getincrementaldecoder(enc)(errors="replace").decode(head)
    lines = text.splitlines()[: HEADER_SCAN_ROWS + 1]
    if not lines:
        return []
    return list(csv.reader(lines, excel_with_delimiter("\n".join(lines[:5]))))


SNIFF_CHARS = 2048  # Sniffer time grows with the square of the sample: 2,048 characters take milliseconds


def excel_with_delimiter(sample: str) -> type[csv.Dialect]:
    """Excel's CSV conventions (``""`` escapes a quote) with the delimiter the sample uses.

    Only the delimiter is sniffed: on a header row without quotes the sniffer also guesses
    ``doublequote=False``, which would read ``"a""b"`` as ``a"b"``.
    """
    # csv.Sniffer's quote regex backtracks quadratically (a damaged 64 KB header line took minutes; found by
    # bench/fuzz_importers.py, seed 29): the delimiter of a header and a few rows shows in their first characters.
    try:
        delimiter = csv.Sniffer().sniff(sample[:SNIFF_CHARS] or ",", delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    return type("SniffedExcel", (csv.excel,), {"delimiter": delimiter})


def parse_duration(v: object) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    s = str(v).strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})", s)
    if m:
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    m = re.fullmatch(r"(?:(\d+)\s*(?:小时|时|h))?\s*(?:(\d+)\s*(?:分钟|分|m|min))?\s*(?:(\d+)\s*(?:秒|s|sec))?", s)
    if m and any(m.groups()):
        return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + int(m.group(3) or 0)
    return None


@cache
def _lookup(section: str) -> dict[str, str]:
    return {str(w).lower(): k for k, words in _vocab()[section].items() for w in words}


def classify(value: object, section: str) -> str | None:
    if value is None:
        return None
    s = str(value).strip().lower()
    table = _lookup(section)
    if s in table:
        return table[s]
    for w, k in sorted(table.items(), key=lambda kv: -len(kv[0])):
        if len(w) >= 2 and w in s:
            return k
    return None


def parse_time(v: object, tz: str) -> tuple[dt.datetime, str, str | None]:
    """(UTC instant, time basis, wall-clock text as given)."""
    if isinstance(v, dt.datetime):
        return localize(v.replace(tzinfo=None), tz) if v.tzinfo is None else v, "local_wallclock", v.isoformat(sep=" ")
    if isinstance(v, (int, float)) and v > 1e8:
        when, basis = from_epoch(v)
        return when, basis, None
    s = str(v or "").strip()
    if re.fullmatch(r"\d{10}|\d{13}", s):
        when, basis = from_epoch(s)
        return when, basis, None
    return localize(parse_wallclock(s), tz), "local_wallclock", s


class TabularImporter(Importer):
    name = "table"
    label_zh = "表格（CSV/Excel）"
    description = "CSV / XLSX 表格导出（中英文表头，可指定列）"

    def detect(self, probe: Probe) -> float:
        manual = probe.options.get("mapping") or {}
        if probe.media_type == "application/zip":
            if b"xl/" not in probe.head:
                return 0.0
            try:
                rows = list(_xlsx_rows(probe.path, limit=HEADER_SCAN_ROWS))
            except Exception:  # noqa: BLE001 - not a readable workbook
                return 0.0
        elif probe.media_type.startswith("text/plain"):
            rows = _head_rows(probe.head)
        else:
            return 0.0
        found = find_header(rows, manual)
        if found is None:
            return 0.0
        return 0.9 if manual else 0.7

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        manual = ctx.options.get("mapping") or {}
        with open(ctx.path, "rb") as f:
            head = f.read(64 * 1024)
        if head.startswith(b"PK"):
            yield from self._records(ctx, _xlsx_rows(ctx.path), manual, "xlsx")
            return
        enc = sniff_encoding(head)
        if enc == "gb18030":
            ctx.warn("按 GB18030/GBK 编码读取 / decoded as GB18030 (GBK)")
        try:
            with open(ctx.path, encoding=enc, newline="", errors="strict") as fh:
                sample = fh.read(8192)
                fh.seek(0)
                dialect = excel_with_delimiter(sample.split("\n", 5)[0])
                rows = CsvRows(fh, dialect)
                yield from self._records(ctx, rows, manual, "csv")
        except UnicodeDecodeError as e:
            raise ParseError(
                f"{ctx.original_name}：文本编码无法识别（既不是 UTF-8 也不是 GBK）",
                f"{ctx.original_name}: text encoding is neither UTF-8 nor GB18030 ({e.reason})",
            ) from None

    def _records(
        self, ctx: ImportContext, rows: Iterator[Sequence[object]], manual: dict[str, str], kind: str
    ) -> Iterator[RawEvent]:
        # the header is looked for row by row, so that no data row is read before it is known
        # (a CSV reader then tells a new row from a line inside an unclosed quote)
        buffered: list[Sequence[object]] = []
        found: tuple[int, dict[str, int]] | None = None
        for row in rows:
            buffered.append(row)
            found = find_header(buffered[-1:], manual)
            if found is not None:
                found = (len(buffered) - 1, found[1])
                break
            if len(buffered) >= HEADER_SCAN_ROWS:
                break
        if found is None:
            raise ParseError(
                Note(
                    f"{ctx.original_name}：找不到表头（需要“时间”列以及“号码”或“内容”列）；可以指明哪一列是时间、号码、内容",
                    step="column_map",
                ),
                f"{ctx.original_name}: no header row found (need a time column and a number or text column); name the columns",
            )
        hdr_idx, cols = found
        missing_manual = [k for k in manual if _norm(k) not in {_norm(c) for c in buffered[hdr_idx]}]
        if missing_manual:
            ctx.warn(f"指定的列在表头中不存在：{', '.join(missing_manual)} / named columns not found in the header")

        if isinstance(rows, CsvRows):
            rows.looks_like_start = _row_start_check(cols, len(buffered[hdr_idx]))

        def all_rows() -> Iterator[Sequence[object]]:
            yield from buffered[hdr_idx + 1 :]
            yield from rows

        for n, row in enumerate(all_rows(), start=hdr_idx + 2):
            if not any(c not in (None, "") for c in row):
                continue
            yield from self._row(ctx, row, cols, f"{kind}:row[{n}]")
        if isinstance(rows, CsvRows) and rows.damage:
            _report_damage(ctx, rows.damage)

    @staticmethod
    def _row(ctx: ImportContext, row: Sequence[object], cols: dict[str, int], locator: str) -> Iterator[RawEvent]:
        def get(f: str) -> object:
            i = cols.get(f)
            return row[i] if i is not None and i < len(row) else None

        try:
            start, basis, wall = parse_time(get("time"), ctx.tz)
        except TimeOutOfRange as e:
            ctx.reject_time(locator, e.value)
            return
        except ValueError:
            ctx.reject(
                locator, f"无法识别的时间（{str(get('time'))[:40]}）", f"unrecognised time ({str(get('time'))[:40]})"
            )
            return
        text = get("text")
        duration = parse_duration(get("duration"))
        type_value = get("type")
        channel = classify(get("channel"), "channels") if get("channel") not in (None, "") else None
        if channel is None:
            tv = str(type_value or "")
            call_words = ("呼", "来电", "去电", "未接", "拒接", "通话", "call", "missed")
            channel = "call" if duration is not None or any(w in tv.lower() for w in call_words) else "sms"
            if text not in (None, "") and "duration" not in cols:
                channel = "sms"
        direction = classify(type_value, "directions") or "unknown"
        number = get("number")
        yield RawEvent(
            channel=channel,
            start=start,
            locator=locator,
            direction=direction,
            source_tz=ctx.tz,
            time_basis=basis,
            wallclock_text=wall,
            duration_s=duration if channel == "call" else None,
            counterpart_raw=str(number).strip() if number not in (None, "") else None,
            counterpart_name=str(get("name")).strip() or None if get("name") not in (None, "") else None,
            text=str(text) if text not in (None, "") else ("" if channel != "call" else None),
            raw={k: str(get(k))[:200] for k in ("time", "type", "duration") if get(k) not in (None, "")},
        )


def _row_start_check(cols: dict[str, int], width: int) -> Callable[[list[str]], bool]:
    """Whether a line's cells look like the start of a row: a time where the time column is."""
    i = cols["time"]

    def check(cells: list[str]) -> bool:
        if len(cells) <= i or len(cells) < min(width, max(cols.values()) + 1) - 1:
            return False
        try:
            parse_time(cells[i], "UTC")
        except TimeOutOfRange:
            return True
        except ValueError:
            return False
        return True

    return check


def _report_damage(ctx: ImportContext, damage: list[CsvDamage]) -> NoReturn:
    """Every damaged place as a warning with its line; the import ends as partial, naming the first."""
    for d in damage:
        if d.kind == "unclosed_quote":
            ctx.warn(
                f"{ctx.original_name} 第 {d.line} 行：引号不成对（{d.detail}），该行按原样读取，其后各行照常导入 / "
                f"line {d.line}: unclosed quote ({d.detail}); that line read as is, the lines after it imported"
            )
        else:
            ctx.reject(
                f"csv:line[{d.line}]",
                f"第 {d.line} 行无法读取（字段过长或含空字符）",
                f"line {d.line} unreadable ({d.detail})",
            )
    first = damage[0].line
    raise ParseError(
        f"{ctx.original_name}：CSV 有 {len(damage)} 处损坏，第一处在第 {first} 行；损坏处以外的记录已导入",
        f"{ctx.original_name}: {len(damage)} damaged place(s) in the CSV, the first at line {first}; every record outside them was imported",
        line=first,
        partial_ok=True,
    )


def _xlsx_rows(path: Any, limit: int | None = None) -> Iterator[Sequence[object]]:
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses paths without an .xlsx extension (vault blobs have none).
    with open(path, "rb") as fh:
        wb = load_workbook(fh, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                if limit is not None and i >= limit:
                    break
                yield row
        finally:
            wb.close()
