"""Input readers on hand-written exports (not the corpus generator): headers, encodings, quoting, breakage."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weiquan.bulk import readers
from weiquan.bulk.columns import auto_map, parse_map
from weiquan.bulk.readers import (
    Record,
    Reject,
    _loads,
    _read_jsonl_arrow,
    _read_jsonl_lines,
    plan_inputs,
    read_batch,
    read_partition,
)
from weiquan.errors import InputError


def _read_all(paths: list[Path], rows: int = 2, mapping: dict[str, str] | None = None) -> list[Record | Reject]:
    _, parts = plan_inputs(paths, mapping or {}, rows)
    return [r for p in parts for r in read_partition(p)]


def test_chinese_headers_map_automatically() -> None:
    m = auto_map(["序号", "投诉对象", "投诉时间", "涉诉金额", "投诉内容", "投诉要求"])
    assert m == {"id": "序号", "company": "投诉对象", "date": "投诉时间", "amount": "涉诉金额", "text": "投诉内容"}


def test_english_headers_map_automatically() -> None:
    m = auto_map(["Complaint ID", "Company", "Date received", "Consumer complaint narrative", "Amount"])
    assert m == {
        "id": "Complaint ID",
        "company": "Company",
        "date": "Date received",
        "text": "Consumer complaint narrative",
        "amount": "Amount",
    }


def test_map_overrides_by_name_or_number() -> None:
    headers = ["a", "b", "c"]
    assert auto_map(headers, parse_map(["text=b", "company=3"])) == {"text": "b", "company": "c"}
    with pytest.raises(InputError, match="不存在"):
        auto_map(headers, {"text": "zz"})
    with pytest.raises(InputError, match="字段名未知"):
        parse_map(["body=a"])


def test_missing_text_column_is_a_chinese_error_naming_the_columns(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("编号,平台,日期\n1,某贷,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        plan_inputs([f], {}, 10)
    assert "找不到投诉内容" in e.value.zh and "编号、平台、日期" in e.value.zh and e.value.zh.step == "bulk_columns"


def test_gb18030_csv_with_quoted_newlines_and_breakage(tmp_path: Path) -> None:
    f = tmp_path / "导出.csv"
    body = (
        "投诉编号,投诉对象,投诉时间,投诉内容\r\n"
        '1,某某贷,2024年3月5日,"催收说:""再不还就爆你通讯录""\r\n第二段：还打给我妈"\r\n'
        "2,某某贷,2024/3/6\r\n"  # too few fields
        '3,,2024-03-07,""\r\n'  # empty text
        "4,招联,2024-03-08,正常提醒还款\r\n"
        '5,甲,2024-03-09,"未闭合的引号\r\n'
    )
    f.write_bytes(body.encode("gb18030"))
    out = _read_all([f], rows=2)
    assert [type(r).__name__ for r in out] == ["Record", "Reject", "Reject", "Record", "Reject"]
    first = out[0]
    assert isinstance(first, Record) and first.row == 1
    assert first.fields["text"] == '催收说:"再不还就爆你通讯录"\r\n第二段：还打给我妈'
    assert [(r.row, r.reason) for r in out if isinstance(r, Reject)] == [
        (2, "field_count"),
        (3, "empty_text"),
        (5, "unterminated_quote"),
    ]
    assert out[3].row == 4 and out[3].fields["company"] == "招联"


def test_utf8_bom_tsv(tmp_path: Path) -> None:
    f = tmp_path / "hotline.tsv"
    f.write_bytes("\ufeff来电时间\t来电内容\n2024-05-01 08:00\t对方冒充法院\n".encode("utf-8"))
    (rec,) = _read_all([f])
    assert isinstance(rec, Record) and rec.fields == {"date": "2024-05-01 08:00", "text": "对方冒充法院"}


def test_jsonl_rejects_each_broken_line_and_keeps_line_numbers(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"content": "骂我是老赖", "company": "某贷"}, ensure_ascii=False),
        "{broken",
        "",
        "[1]",
        json.dumps({"content": 5}),
        json.dumps({"content": "x" * 60_000}),
        json.dumps({"content": "第六条"}, ensure_ascii=False),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _read_all([f], rows=3)
    got = [(r.row, r.reason if isinstance(r, Reject) else "ok") for r in out]
    assert got == [(1, "ok"), (2, "bad_json"), (4, "not_object"), (5, "text_not_string"), (6, "too_long"), (7, "ok")]


def test_bad_bytes_reject_one_record_only(tmp_path: Path) -> None:
    f = tmp_path / "u.csv"
    f.write_bytes("内容\n第一条\n".encode() + b"\xff\xfe bad\n" + "第三条\n".encode())
    out = _read_all([f], rows=10)
    assert [(r.row, type(r).__name__) for r in out] == [(1, "Record"), (2, "Reject"), (3, "Record")]


def test_parquet_input_row_groups(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = tmp_path / "p.parquet"
    t = pa.table({"text": [f"第{i}条" for i in range(7)], "lender": ["某贷"] * 7})
    pq.write_table(t, f, row_group_size=3)
    _, parts = plan_inputs([f], {}, 2)
    assert [(p.start, p.end, p.first_row, p.rows) for p in parts] == [
        (0, 0, 1, 2),
        (0, 2, 3, 1),
        (1, 0, 4, 2),
        (1, 2, 6, 1),
        (2, 0, 7, 1),
    ]
    recs = [r for p in parts for r in read_partition(p)]
    assert [(r.row, r.fields["text"], r.fields["company"]) for r in recs] == [
        (i + 1, f"第{i}条", "某贷") for i in range(7)
    ]


def test_duplicate_names_and_unknown_formats_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for p in (tmp_path / "x.csv", tmp_path / "a" / "x.csv"):
        p.write_text("内容\n一\n", encoding="utf-8")
    with pytest.raises(InputError, match="重复"):
        plan_inputs([tmp_path / "x.csv", tmp_path / "a" / "x.csv"], {}, 5)
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="不支持"):
        plan_inputs([tmp_path / "x.xlsx"], {}, 5)


_cell = st.text(alphabet=st.sampled_from(list('催收骂你,"\n\r 爆通讯录ab1；')), min_size=1, max_size=12).filter(
    lambda s: s.strip()
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(_cell, _cell), min_size=1, max_size=25),
    rows=st.integers(1, 7),
    enc=st.sampled_from(["utf-8", "gb18030"]),
)
def test_csv_partitions_read_back_every_record_exactly_once(
    tmp_path: Path, cells: list[tuple[str, str]], rows: int, enc: str
) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["投诉对象", "投诉内容"])
    w.writerows(cells)
    f = tmp_path / f"h-{enc}.csv"
    f.write_bytes(buf.getvalue().encode(enc))
    out = _read_all([f], rows=rows)
    assert all(isinstance(r, Record) for r in out)
    assert [(r.fields["company"], r.fields["text"]) for r in out] == cells  # type: ignore[union-attr]  # the test asserts the value exists
    assert [r.row for r in out] == list(range(1, len(cells) + 1))


JSONISH = st.text(
    alphabet=st.sampled_from(list('{}[]",:0123456789.eE+-truefalsnul \t\r\\/u投诉\ufeff\x00')), max_size=40
)


@settings(max_examples=400, deadline=None)
@given(line=st.one_of(JSONISH, st.builds(lambda s: f'{{"content": "{s}"}}', JSONISH)))
def test_the_line_parser_accepts_and_refuses_exactly_what_json_loads_does(line: str) -> None:
    try:
        want: object = ("ok", json.loads(line))
    except ValueError:
        want = "error"
    try:
        got: object = ("ok", _loads(line)) if line else "error"  # the reader skips blank lines before parsing
    except ValueError:
        got = "error"
    if line:
        assert repr(got) == repr(want)  # repr: nan != nan


def test_jsonl_edge_lines_read_as_json_loads_reads_them(tmp_path: Path) -> None:
    f = tmp_path / "edge.jsonl"
    lines = [
        ' {"content": "前后有空白"}\t',
        '{"content": "重复键", "content": "后者为准"}',
        '\ufeff{"content": "行中的 BOM"}',
        '{"content": "甲"}{"content": "乙"}',
        '{"content": "\\u6211\\u8981\\u4f60\\u597d\\u770b"}',
        '{"content": "回车结尾"}\r',
        "[" * 100_000 + "]" * 100_000,  # deeper than the parser's stack: a rejected line, not a failed partition
        '{"content": "末行"}',
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _read_all([f], rows=3)
    got = [(r.row, r.reason if isinstance(r, Reject) else r.fields["text"]) for r in out]
    assert got == [
        (1, "前后有空白"),
        (2, "后者为准"),
        (3, "bad_json"),
        (4, "bad_json"),
        (5, "我要你好看"),
        (6, "回车结尾"),
        (7, "bad_json"),
        (8, "末行"),
    ]


def test_a_batch_holds_the_same_records_as_the_record_reader(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    rows = [
        {"content": "骂我是老赖", "company": "某贷", "date": "2024-03-05", "amount": 3000},
        {"content": "", "company": "空"},
        {"content": "只有内容"},
        {"content": "数字公司", "company": 12, "date": 1700000000},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    _, parts = plan_inputs([f], {}, 10)
    batch = read_batch(parts[0])
    records = [r for r in read_partition(parts[0]) if isinstance(r, Record)]
    assert batch.rows == [r.row for r in records] == [1, 3, 4]
    assert [r.row for r in batch.rejects] == [2]
    for field, values in batch.fields.items():
        assert values == [r.fields[field] for r in records]
    assert batch.fields["company"] == ["某贷", None, 12]


HOSTILE_LINES = [
    '{"content": "催收骂我", "company": "某贷", "date": "2024-03-05", "amount": "3000元"}',
    '{"content": "只有内容"}',
    '{"company": "没有内容"}',
    '{"content": ""}',
    '{"content": "   "}',
    '{"content": null, "company": "空"}',
    '{"content": 5}',
    '{"content": "数字金额", "amount": 3000}',
    '{"content": "数字公司", "company": 12}',
    '{"content": "列表公司", "company": [1, 2]}',
    '{"content": "重复键", "content": "后者"}',
    '{"content": "甲"}{"content": "乙"}',
    '{"content": "坏转义 \\x"}',
    '{"content": "孤代理项 \\ud800"}',
    '{"content": "别的列孤代理项", "x": "\\udc00"}',
    '{"content": "NaN 在别的列", "x": NaN}',
    '{"content": "深嵌套", "x": ' + "[" * 3000 + "]" * 3000 + "}",
    "[" * 3000 + "]" * 3000,
    '{"content": "x' + "长" * 50_001 + '"}',
    "{broken",
    "[1]",
    '"a string"',
    "7",
    "",
    "   ",
    '\ufeff{"content": "行中 BOM"}',
    '{"content": "回车"}\r',
    '{"content": "换页"}\x0c',
    ' {"content": "前导空白"}',
    '{"content": "\\u6211\\u8981"}',
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.one_of(st.integers(0, 1), st.integers(0, len(HOSTILE_LINES) - 1)), min_size=1, max_size=14),
    first_row=st.integers(1, 50),
    chunk=st.sampled_from([1 << 20, 1, 60, 200]),
)
def test_the_pyarrow_reader_reads_every_range_as_the_line_reader_does(
    picks: list[int], first_row: int, chunk: int
) -> None:
    lines = [HOSTILE_LINES[i] for i in picks]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    cols = {"text": "content", "company": "company", "amount": "amount"}
    want = _read_jsonl_lines(data, "utf-8", first_row, cols)
    with patch.object(readers, "ARROW_CHUNK_BYTES", chunk):  # pieces of one line up to the whole range
        got = _read_jsonl_arrow(data, first_row, sum(1 for x in lines if x.strip()), cols)
    if got is not None:
        assert repr(got) == repr(want)  # repr: the rejects' raw text too
    if all(HOSTILE_LINES.index(x) < 2 for x in lines):  # plain lines: pyarrow reads the range
        assert got is not None


def test_a_line_too_deep_for_json_is_read_by_both_readers_alike(tmp_path: Path) -> None:
    deep = '{"content": "深层嵌套的其他字段", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for name, extra in (("plain.jsonl", ""), ("blank.jsonl", "\n\n")):  # blank lines: the line reader reads the range
        f = tmp_path / name
        f.write_text(deep + "\n" + extra + '{"content": "下一行"}\n', encoding="utf-8")
        out = _read_all([f], rows=10)
        assert [(r.row, r.fields["text"]) for r in out if isinstance(r, Record)][0] == (1, "深层嵌套的其他字段")
