"""Property tests for the parsers: adb dumps, Android databases, durations, vMessage bodies."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weiquan.ingest.adb import SMS_COLUMNS, AdbSmsDump, split_fields
from weiquan.ingest.android_db import AndroidSmsDb
from weiquan.ingest.base import ImportContext
from weiquan.ingest.oppo import OppoVmsg
from weiquan.ingest.tabular import parse_duration
from weiquan.ingest.textnorm import clean_text
from weiquan.testing import phone_exports as w

bodies = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\r\x00\x85\u2028\u2029\x1c\x1d\x1e\x0b\x0c"
    ),
    max_size=80,
).filter(lambda s: not s.startswith("Row: ") and "\nRow: " not in s)


@given(body=bodies)
def test_adb_body_with_commas_equals_and_newlines(body: str) -> None:
    line = f"_id=1, address=15400000001, date=1709515800000, type=1, body={body}"
    f = split_fields(line, SMS_COLUMNS)
    assert f["address"] == "15400000001" and f["type"] == "1"
    assert f["body"] == (None if body == "NULL" else body)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(bodies, min_size=1, max_size=5))
def test_adb_dump_round_trip(items: list[str]) -> None:
    t0 = dt.datetime(2024, 3, 4, 9, 30, tzinfo=dt.timezone.utc)
    msgs = [w.Msg("15400000001", t0 + dt.timedelta(minutes=i), b) for i, b in enumerate(items)]
    with tempfile.TemporaryDirectory() as d:
        p = w.adb_sms_dump(Path(d) / "dump.txt", msgs)
        got = list(AdbSmsDump().parse(ImportContext(path=p, original_name="dump.txt", sha256="0")))
    # control characters other than tab/newline cannot be stored and become U+FFFD
    assert [g.text for g in got] == [("" if b == "NULL" else clean_text(b)) for b in items]
    assert [g.start for g in got] == [m.when for m in msgs]


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(st.tuples(st.text(max_size=80), st.booleans(), st.integers(0, 10**9)), min_size=1, max_size=6),
    huawei=st.booleans(),
)
def test_android_sms_db_round_trip(items: list[tuple[str, bool, int]], huawei: bool) -> None:
    t0 = dt.datetime(2024, 3, 4, 9, 30, tzinfo=dt.timezone.utc)
    msgs = [w.Msg("15400000001", t0 + dt.timedelta(milliseconds=ms), body, incoming) for body, incoming, ms in items]
    with tempfile.TemporaryDirectory() as d:
        p = w.android_sms_db(Path(d) / "sms.db", msgs, huawei=huawei)
        got = list(AndroidSmsDb().parse(ImportContext(path=p, original_name="sms.db", sha256="0")))
    assert [g.text for g in got] == [clean_text(m.body) for m in msgs]  # any text, stored or scrubbed, never lost
    assert [g.start for g in got] == [m.when for m in msgs]  # epoch ms exactly
    assert [g.direction for g in got] == ["incoming" if m.incoming else "outgoing" for m in msgs]


@given(h=st.integers(0, 9), m=st.integers(0, 59), s=st.integers(0, 59))
def test_durations(h: int, m: int, s: int) -> None:
    total = h * 3600 + m * 60 + s
    assert parse_duration(f"{h:02d}:{m:02d}:{s:02d}") == total
    assert parse_duration(str(total)) == total
    assert parse_duration(f"{h}小时{m}分{s}秒") == total
    assert parse_duration(f"{m}分{s}秒") == m * 60 + s
    assert parse_duration(dt.timedelta(seconds=total)) == total


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.text(alphabet="您的借款已逾期请还款通讯录老赖ABCxyz0123 ,.=，。！【】", min_size=1, max_size=120),
    charset=st.sampled_from(["UTF-8", "GBK"]),
)
def test_vmsg_quoted_printable_round_trip(body: str, charset: str) -> None:
    msg = w.Msg("15400000001", dt.datetime(2024, 3, 4, 9, 30, tzinfo=dt.timezone.utc), body)
    with tempfile.TemporaryDirectory() as d:
        p = w.oppo_vmsg(Path(d) / "sms.vmsg", [msg, msg], charset=charset)
        got = list(OppoVmsg().parse(ImportContext(path=p, original_name="sms.vmsg", sha256="0")))
    assert [g.text for g in got] == [body, body]
