"""Input readers: plan byte-range / row-group partitions on the driver, read one partition on a worker.

Formats: JSON Lines (one object per line), CSV/TSV (UTF-8 with or without BOM, or GB18030; quoted fields
may span lines) and Parquet. Planning reads each file once, cheaply (lines and quote parity for text
files, metadata for Parquet), so every partition knows its byte range and its first row number; a worker
then reads only its own range. Neither ``"`` nor ``\\n`` can be a trail byte in UTF-8 or GB18030, so
record boundaries are found on raw bytes.

Malformed records (broken JSON, wrong field count, undecodable bytes, an empty or over-long text) are
returned as :class:`Reject` with a reason; they never stop the run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from weiquan.bulk.columns import auto_map
from weiquan.errors import InputError

MAX_TEXT_CHARS = 50_000  # longer "texts" are almost always a broken export (a whole file in one cell)
SAMPLE_BYTES = 1 << 20
FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
REASONS_ZH = {
    "bad_json": "JSON 解析失败",
    "not_object": "该行不是 JSON 对象",
    "bad_encoding": "无法按文件编码解码",
    "field_count": "列数与表头不一致",
    "unterminated_quote": "引号未闭合（记录一直延续到文件末尾）",
    "empty_text": "投诉内容为空",
    "text_not_string": "投诉内容不是文本",
    "too_long": f"投诉内容超过 {MAX_TEXT_CHARS} 字",
}


@dataclass(frozen=True)
class InputFile:
    """One input as planned: where, what format, how to decode, which column is which."""

    index: int
    path: str
    name: str
    format: str  # jsonl | csv | parquet
    encoding: str  # utf-8 | utf-8-sig | gb18030 ("" for parquet)
    delimiter: str
    headers: tuple[str, ...]
    mapping: tuple[tuple[str, str], ...]  # (field, column)
    size: int
    mtime_ns: int

    def column(self, field: str) -> str | None:
        return dict(self.mapping).get(field)


@dataclass(frozen=True)
class PartitionSpec:
    """One unit of work: a byte range (text formats) or a row-group slice (Parquet)."""

    key: str  # part-III-PPPPP
    input: InputFile
    start: int  # byte offset, or Parquet row group
    end: int  # byte offset (exclusive), or row offset inside the row group
    first_row: int  # 1-based record number of the first record in this partition
    rows: int  # records (text formats: physical records, blank lines excluded) or Parquet rows

    def fingerprint(self) -> str:
        i = self.input
        return f"{i.path}|{i.size}|{i.mtime_ns}|{i.format}|{i.encoding}|{sorted(i.mapping)}|{self.start}|{self.end}|{self.first_row}|{self.rows}"


class Record(NamedTuple):  # a named tuple, not a frozen dataclass: one is made per text of the corpus
    row: int
    fields: dict[str, Any]  # field name → raw value (str, number, None)


class Reject(NamedTuple):
    row: int
    reason: str  # a key of REASONS_ZH
    raw: str

    def to_dict(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "row": self.row,
            "reason": self.reason,
            "reason_zh": REASONS_ZH[self.reason],
            "raw": self.raw.rstrip("\r\n")[:1000],
        }


# ------------------------------------------------------------------------------------------ planning


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"不支持的输入格式：{path.name}（支持 .jsonl .csv .tsv .parquet）",
            f"unsupported input format: {path.name} (use .jsonl, .csv, .tsv or .parquet)",
        )
    return fmt


def detect_encoding(sample: bytes, name: str) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{name}：UTF-16 编码的文件请先另存为 UTF-8 或 GB18030。",
            f"{name}: UTF-16 files are not supported; save as UTF-8 or GB18030.",
        )
    errors = {}
    for enc in ("utf-8", "gb18030"):
        n = _decode_errors(sample, enc)
        if n == 0:
            return enc
        errors[enc] = n
    best = min(errors, key=lambda e: errors[e])
    if errors[best] <= max(3, len(sample) // 10_000):  # a few broken records: each is rejected when read
        return best
    raise InputError(
        f"{name}：无法识别文件编码（既不是 UTF-8 也不是 GB18030）。",
        f"{name}: cannot decode the file as UTF-8 or GB18030.",
    )


def _decode_errors(sample: bytes, enc: str) -> int:
    """Undecodable spots in ``sample`` (a character cut by the end of the sample counts as one)."""
    try:
        sample.decode(enc)
        return 0
    except UnicodeDecodeError:
        return sample.decode(enc, errors="replace").count("\ufffd") - sample.count("\ufffd".encode(enc))


def _records(f: io.BufferedReader, quoted: bool) -> Iterator[tuple[int, bytes]]:
    """(offset after the record, raw record bytes) for each physical record; quoted fields may span lines."""
    buf: list[bytes] = []
    quotes = 0
    for line in f:
        if quoted:
            quotes += line.count(b'"')
            if quotes % 2:
                buf.append(line)
                continue
        if buf:
            buf.append(line)
            line = b"".join(buf)
            buf = []
        quotes = 0
        yield f.tell(), line
    if buf:
        yield f.tell(), b"".join(buf)


def _sniff_delimiter(header: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_input(index: int, path: Path, overrides: dict[str, str]) -> tuple[InputFile, int]:
    """Check one input (format, encoding, columns); (the input, byte offset of its first data record).

    Raises :class:`InputError` (no text column, unknown format, undecodable) before any work starts."""
    if not path.is_file():
        raise InputError(f"输入文件不存在：{path}", f"input file not found: {path}")
    fmt = detect_format(path)
    st = path.stat()
    if fmt == "parquet":
        return _open_parquet(index, path, st, overrides), 0
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    enc = detect_encoding(sample, path.name)
    text_enc = "utf-8" if enc == "utf-8-sig" else enc
    bom = 3 if enc == "utf-8-sig" else 0
    with path.open("rb", buffering=1 << 20) as f:
        f.seek(bom)
        if fmt == "csv":
            header_end, header_raw = next(_records(f, True), (f.tell(), b""))
            header_text = header_raw.decode(text_enc, errors="replace").rstrip("\r\n")
            delim = _sniff_delimiter(header_text, path.suffix.lower())
            headers = tuple(h.strip() for h in next(csv.reader([header_text], delimiter=delim), []))
            if not any(headers):
                raise InputError(f"{path.name}：文件为空或没有表头。", f"{path.name}: empty file or no header row.")
            data_start = header_end
        else:
            delim = ""
            keys: dict[str, None] = {}
            seen = 0
            for line in f:
                s = line.strip()
                if not s:
                    continue
                try:
                    obj = json.loads(s.decode(text_enc))
                except (ValueError, UnicodeDecodeError, RecursionError):  # a line nested too deep is a reject later
                    continue
                if isinstance(obj, dict):
                    keys.update(dict.fromkeys(str(k) for k in obj))
                    seen += 1
                    if seen >= 200:
                        break
            headers = tuple(keys)
            data_start = bom
    mapping = auto_map(headers, overrides, source=path.name)
    inp = InputFile(
        index,
        str(path.resolve()),
        path.name,
        fmt,
        enc,
        delim,
        headers,
        tuple(sorted(mapping.items())),
        st.st_size,
        st.st_mtime_ns,
    )
    return inp, data_start


def partition_input(inp: InputFile, data_start: int, rows_per_partition: int) -> list[PartitionSpec]:
    """Cut one checked input into partitions of about ``rows_per_partition`` records."""
    if inp.format == "parquet":
        return _partition_parquet(inp, rows_per_partition)
    parts: list[PartitionSpec] = []
    with open(inp.path, "rb", buffering=1 << 20) as f:
        f.seek(data_start)
        start, first, n, row = data_start, 1, 0, 0
        for end, rec in _records(f, inp.format == "csv"):  # type: ignore[arg-type]  # a binary stream where the reader is typed for files
            row += 1
            if not rec.strip():
                if n == 0:  # leading blank lines belong to nobody
                    start, first = end, row + 1
                continue
            n += 1
            if n >= rows_per_partition:
                parts.append(PartitionSpec(f"part-{inp.index:03d}-{len(parts):05d}", inp, start, end, first, n))
                start, first, n = end, row + 1, 0
        if n:
            parts.append(PartitionSpec(f"part-{inp.index:03d}-{len(parts):05d}", inp, start, inp.size, first, n))
    return parts


def _open_parquet(index: int, path: Path, st: os.stat_result, overrides: dict[str, str]) -> InputFile:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as e:  # noqa: BLE001 - any pyarrow failure means the file is not readable Parquet
        raise InputError(
            f"{path.name}：不是有效的 Parquet 文件（{type(e).__name__}）。",
            f"{path.name}: not a valid Parquet file ({type(e).__name__}).",
        ) from None
    headers = tuple(schema.names)
    mapping = auto_map(headers, overrides, source=path.name)
    return InputFile(
        index,
        str(path.resolve()),
        path.name,
        "parquet",
        "",
        "",
        headers,
        tuple(sorted(mapping.items())),
        st.st_size,
        st.st_mtime_ns,
    )


def _partition_parquet(inp: InputFile, rows_per_partition: int) -> list[PartitionSpec]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(inp.path).metadata
    parts: list[PartitionSpec] = []
    row = 1
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        for off in range(0, n, rows_per_partition):
            k = min(rows_per_partition, n - off)
            parts.append(PartitionSpec(f"part-{inp.index:03d}-{len(parts):05d}", inp, g, off, row, k))
            row += k
    return parts


# ------------------------------------------------------------------------------------------ reading


class Batch(NamedTuple):
    """One partition read into columns: the records' row numbers, each mapped field's values (one per record, None
    when a record lacks it) and the rejects. Columns, not a record object per text: this runs once per text."""

    rows: list[int]
    fields: dict[str, list[Any]]
    rejects: list[Reject]


def read_batch(spec: PartitionSpec) -> Batch:
    """The records and rejects of one partition, as columns."""
    if spec.input.format == "jsonl":
        return _read_jsonl(spec)
    rows: list[int] = []
    records: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for r in _read_records(spec):
        if isinstance(r, Record):
            rows.append(r.row)
            records.append(r.fields)
        else:
            rejects.append(r)
    return Batch(rows, {f: [d.get(f) for d in records] for f in dict(spec.input.mapping)}, rejects)


def read_partition(spec: PartitionSpec) -> Iterator[Record | Reject]:
    """The records and rejects of one partition in row order (the same reading as :func:`read_batch`)."""
    if spec.input.format != "jsonl":
        yield from _read_records(spec)
        return
    b = _read_jsonl(spec)
    names = list(b.fields)
    records = [Record(row, dict(zip(names, values, strict=True))) for row, *values in zip(b.rows, *b.fields.values())]
    yield from sorted([*records, *b.rejects], key=lambda r: r.row)


def _read_range(spec: PartitionSpec) -> bytes:
    with open(spec.input.path, "rb") as f:
        f.seek(spec.start)
        return f.read(spec.end - spec.start)


def _read_jsonl(spec: PartitionSpec) -> Batch:
    data = _read_range(spec)
    enc = "utf-8" if spec.input.encoding == "utf-8-sig" else spec.input.encoding
    cols = dict(spec.input.mapping)
    if enc == "utf-8":
        fast = _read_jsonl_arrow(data, spec.first_row, spec.rows, cols)
        if fast is not None:
            return fast
    return _read_jsonl_lines(data, enc, spec.first_row, cols)


ARROW_CHUNK_BYTES = (
    1 << 20
)  # pyarrow reads a range in pieces of about this size: a malformed line costs one piece again
ARROW_RETRIES = 4  # malformed lines a piece may have and still be read by pyarrow around them


def _read_jsonl_arrow(data: bytes, first_row: int, n_rows: int, cols: dict[str, str]) -> Batch | None:
    """A UTF-8 range read by pyarrow's JSON reader, with the same result as :func:`_read_jsonl_lines`; None when the
    range is not plain enough for that to be certain (then the line reader reads it all).

    Plain: no blank line (so table row i is line i), no byte-order mark inside, and every mapped value a string or
    null (the columns are read as strings; a number, a list or a duplicate mapped key stops pyarrow). Where pyarrow
    stops at a line (broken JSON, a number in the text column), the rows before it are read by pyarrow, that line by
    the line reader, and pyarrow goes on after it — at most ``ARROW_RETRIES`` times per piece of about
    ``ARROW_CHUNK_BYTES``. The checks on the text (empty, too long) are the line reader's. About half the CPU of
    parsing each line with :mod:`json` (docs/bulk.md)."""
    if not data or b"\xef\xbb\xbf" in data or _lines(data) != n_rows:
        return None
    names = list(dict.fromkeys(cols.values()))
    pieces: list[Batch] = []
    start, row = 0, first_row
    while start < len(data):
        end = data.find(b"\n", start + ARROW_CHUNK_BYTES) + 1 or len(data)
        chunk = data[start:end]
        got = _arrow_pieces(chunk, row, cols, names)
        if got is None:
            return None
        pieces += got
        start, row = end, row + _lines(chunk)
    if len(pieces) == 1:
        return pieces[0]
    return Batch(
        [r for p in pieces for r in p.rows],
        {f: [v for p in pieces for v in p.fields[f]] for f in cols},
        sorted((r for p in pieces for r in p.rejects), key=lambda r: r.row),
    )


def _arrow_pieces(data: bytes, row: int, cols: dict[str, str], names: list[str]) -> list[Batch] | None:
    import pyarrow as pa

    pieces: list[Batch] = []
    rest, retries = data, 0
    while rest:
        try:
            table = _arrow_json(rest, names)
        except pa.ArrowInvalid as e:
            m = _ARROW_ROW.search(str(e))
            retries += 1
            bad = int(m[1]) if m else -1  # the line pyarrow stopped at (one block: table row = line of this range)
            if not 0 <= bad < _lines(rest) or retries > ARROW_RETRIES:
                pieces.append(_read_jsonl_lines(rest, "utf-8", row, cols))
                break
            start = 0
            for _ in range(bad):
                start = rest.index(b"\n", start) + 1
            end = rest.find(b"\n", start) + 1 or len(rest)
            if bad:
                before = _arrow_pieces(rest[:start], row, cols, names)
                pieces += before if before is not None else [_read_jsonl_lines(rest[:start], "utf-8", row, cols)]
            pieces.append(_read_jsonl_lines(rest[start:end], "utf-8", row + bad, cols))
            row, rest = row + bad + 1, rest[end:]
            continue
        if table.num_rows != _lines(rest):
            return None  # e.g. two objects on one line: only the line reader reads such a range as it should
        values = {c: table.column(c).to_pylist() for c in names}
        pieces.append(_checked_columns(rest, row, {f: values[c] for f, c in cols.items()}))
        break
    return pieces


_ARROW_ROW = re.compile(r"in row (\d+)$")


def _lines(data: bytes) -> int:
    return data.count(b"\n") + (not data.endswith(b"\n"))


def _deep_line(line: str, cols: dict[str, str]) -> dict[str, Any] | None:
    """The mapped values of one line nested too deep for :mod:`json`, read as the pyarrow reader reads a range (so
    both readers keep or reject it alike, whatever the depth of Python's stack); None when that reader refuses it."""
    import pyarrow as pa

    names = list(dict.fromkeys(cols.values()))
    try:
        table = _arrow_json(line.encode("utf-8"), names)
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    return {c: table.column(c)[0].as_py() for c in names} if table.num_rows == 1 else None


def _arrow_json(data: bytes, names: list[str]) -> Any:
    """``data`` (UTF-8 JSON Lines) as one pyarrow table of the ``names`` columns, all strings; other keys ignored."""
    import pyarrow as pa
    import pyarrow.json as pj

    return pj.read_json(
        io.BytesIO(data),
        read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),  # one block: row i is line i
        parse_options=pj.ParseOptions(
            explicit_schema=pa.schema([(c, pa.string()) for c in names]), unexpected_field_behavior="ignore"
        ),
    )


def _checked_columns(data: bytes, first_row: int, fields: dict[str, list[Any]]) -> Batch:
    """Columns read by pyarrow (strings or None, one per line of ``data``) with the line reader's text checks."""
    texts = fields["text"]
    bad = [i for i, t in enumerate(texts) if t is None or len(t) > MAX_TEXT_CHARS or not t.strip()]
    if not bad:
        return Batch(list(range(first_row, first_row + len(texts))), fields, [])
    lines = data.decode("utf-8").split("\n")
    rejects: list[Reject] = []
    for i in bad:
        r = _checked(first_row + i, {f: v[i] for f, v in fields.items()}, lines[i])
        assert isinstance(r, Reject)  # the same conditions
        rejects.append(r)
    dropped = set(bad)
    keep = [i for i in range(len(texts)) if i not in dropped]
    return Batch([first_row + i for i in keep], {f: [v[i] for i in keep] for f, v in fields.items()}, rejects)


def _read_jsonl_lines(data: bytes, enc: str, first_row: int, cols: dict[str, str]) -> Batch:
    """A range read line by line with :mod:`json`'s scanner: every line's own reject reason."""
    rejects: list[Reject] = []
    try:  # one decode for the whole range; per line only when some line has bad bytes
        lines = data.decode(enc).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        numbered: Iterable[tuple[int, str]] = enumerate(lines, first_row)
    except UnicodeDecodeError:
        numbered = _decoded_lines(data, enc, first_row, rejects)
    text_col = cols["text"]
    rows: list[int] = []
    objs: list[dict[str, Any]] = []
    for row, line in numbered:
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except ValueError:
            rejects.append(Reject(row, "bad_json", line))
            continue
        except RecursionError:  # nested deeper than Python's parser goes: pyarrow's (no such limit) reads the line
            obj = _deep_line(line, cols)
            if obj is None:
                rejects.append(Reject(row, "bad_json", line))
                continue
        if type(obj) is not dict:
            rejects.append(Reject(row, "not_object", line))
            continue
        text = obj.get(text_col)
        if type(text) is not str or len(text) > MAX_TEXT_CHARS or not text.strip():
            r = _checked(row, {f: obj.get(c) for f, c in cols.items()}, line)
            if isinstance(r, Reject):
                rejects.append(r)
                continue
        rows.append(row)
        objs.append(obj)
    if len(rejects) > 1:
        rejects.sort(key=lambda r: r.row)
    return Batch(rows, {f: [o.get(c) for o in objs] for f, c in cols.items()}, rejects)


def _decoded_lines(data: bytes, enc: str, first_row: int, rejects: list[Reject]) -> Iterator[tuple[int, str]]:
    """(row, line) of a range with undecodable bytes somewhere: such a line becomes a ``bad_encoding`` reject."""
    for row, raw in enumerate(data.split(b"\n")[: -1 if data.endswith(b"\n") else None], first_row):
        if not raw.strip():
            continue
        try:
            yield row, raw.decode(enc)
        except UnicodeDecodeError:
            rejects.append(Reject(row, "bad_encoding", raw.decode(enc, errors="replace")))


_scan = json.JSONDecoder().scan_once
_space = json.decoder.WHITESPACE.match  # type: ignore[attr-defined]  # the decoder's own pattern, not in the stubs
_JSON_SPACE = " \t\n\r"


def _loads(line: str) -> Any:
    """``json.loads(line)`` for a non-empty ``str``: the same scanner and checks (BOM, leading and trailing
    whitespace, extra data), with the whitespace pattern run only where a line has whitespace to skip."""
    if line.startswith("\ufeff"):
        raise ValueError("Unexpected UTF-8 BOM")
    try:
        obj, end = _scan(line, _space(line, 0).end() if line[0] in _JSON_SPACE else 0)
    except StopIteration:
        raise ValueError("Expecting value") from None
    if end != len(line) and _space(line, end).end() != len(line):
        raise ValueError("Extra data")
    return obj


def _read_records(spec: PartitionSpec) -> Iterator[Record | Reject]:
    """CSV and Parquet partitions, record by record."""
    inp = spec.input
    if inp.format == "parquet":
        yield from _read_parquet(spec)
        return
    data = _read_range(spec)
    enc = "utf-8" if inp.encoding == "utf-8-sig" else inp.encoding
    cols = dict(inp.mapping)
    row = spec.first_row - 1
    index = {h: i for i, h in enumerate(inp.headers)}
    pos = {field: index[col] for field, col in cols.items()}
    width = len(inp.headers)
    for _, raw in _records(io.BytesIO(data), True):  # type: ignore[arg-type]  # a binary stream where the reader is typed for files
        row += 1
        if not raw.strip():
            continue
        yield _csv_record(row, raw, enc, inp.delimiter, pos, width)


def _csv_record(row: int, raw: bytes, enc: str, delim: str, pos: dict[str, int], width: int) -> Record | Reject:
    try:
        line = raw.decode(enc)
    except UnicodeDecodeError:
        return Reject(row, "bad_encoding", raw.decode(enc, errors="replace"))
    if line.count('"') % 2:
        return Reject(row, "unterminated_quote", line)
    try:
        values = next(csv.reader([line], delimiter=delim, strict=True))
    except (csv.Error, StopIteration):
        return Reject(row, "field_count", line)
    if len(values) != width and not (len(values) > width and not any(v.strip() for v in values[width:])):
        return Reject(row, "field_count", line)
    return _checked(row, {f: values[i] for f, i in pos.items()}, line)


def _checked(row: int, fields: dict[str, Any], raw: str) -> Record | Reject:
    text = fields.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        return Reject(row, "empty_text", raw)
    if not isinstance(text, str):
        return Reject(row, "text_not_string", raw)
    if len(text) > MAX_TEXT_CHARS:
        return Reject(row, "too_long", raw[:1000])
    return Record(row, fields)


def _read_parquet(spec: PartitionSpec) -> Iterator[Record | Reject]:
    import pyarrow.parquet as pq

    inp = spec.input
    cols = dict(inp.mapping)
    table = pq.ParquetFile(inp.path).read_row_group(spec.start, columns=list(dict.fromkeys(cols.values())))
    table = table.slice(spec.end, spec.rows)
    data = {f: table.column(c).to_pylist() for f, c in cols.items()}
    for k in range(spec.rows):
        fields = {f: _scalar(v[k]) for f, v in data.items()}
        yield _checked(spec.first_row + k, fields, json.dumps(fields, ensure_ascii=False, default=str))


def _scalar(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def open_inputs(paths: Sequence[Path], overrides: dict[str, str]) -> list[tuple[InputFile, int]]:
    """Every input checked (format, encoding, a text column) before any is read through: (input, data start)."""
    names = [Path(p).name for p in paths]
    if len(set(names)) != len(names):
        raise InputError(
            "输入文件名有重复，请改名后再运行（结果按文件名标注来源）。",
            "duplicate input file names; rename them (results name their source file).",
        )
    return [open_input(i, Path(p), overrides) for i, p in enumerate(paths)]


def plan_inputs(
    paths: Sequence[Path], overrides: dict[str, str], rows_per_partition: int
) -> tuple[list[InputFile], list[PartitionSpec]]:
    """Open and partition every input."""
    opened = open_inputs(paths, overrides)
    parts = [s for inp, start in opened for s in partition_input(inp, start, rows_per_partition)]
    return [inp for inp, _ in opened], parts
