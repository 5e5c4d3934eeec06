"""Issue 19 item 2: numbers that are not numbers (NaN, inf, 1e400, negative) in every epoch-based importer.

A bad date skips that record with a warning naming it; a bad duration is dropped from its record with
a warning; the rest of the file is imported, and the case's timeline, documents and package still work.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from tests.fixtures import ingest_formats as fx
from weiquan.cli import app
from weiquan.ingest.timeutil import TimeOutOfRange, from_apple, from_epoch
from weiquan.services import imports
from weiquan.store.models import Event
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace

BAD = ("nan", "inf", "-Infinity", "1e400", "-50")


def _sub_first(path: Path, pattern: str, value: str) -> Path:
    text = path.read_text("utf-8")
    path.write_text(re.sub(pattern, lambda m: m.group(1) + value, text, count=1), encoding="utf-8")
    return path


def _sql(path: Path, statement: str, value: str) -> Path:
    con = sqlite3.connect(path)
    # SQLite keeps a text value as given in an INTEGER column; a float('inf') is stored as a REAL
    v: object = float(value) if value in ("inf", "-inf") else value
    con.execute(statement, (v,))
    con.commit()
    con.close()
    return path


DATE_CASES: dict[str, Callable[[Path, str], Path]] = {
    "synctech_sms": lambda d, v: _sub_first(
        w.synctech_sms_xml(d / "sms.xml", fx.messages()), r'(<sms [^>]*?date=")\d+', v
    ),
    "synctech_calls": lambda d, v: _sub_first(
        w.synctech_calls_xml(d / "calls.xml", fx.calls()), r'(<call [^>]*?date=")\d+', v
    ),
    "adb_sms": lambda d, v: _sub_first(w.adb_sms_dump(d / "sms.txt", fx.messages()), r"(, date=)\d+", v),
    "adb_calls": lambda d, v: _sub_first(w.adb_calls_dump(d / "calls.txt", fx.calls()), r"(, date=)\d+", v),
    "android_sms_db": lambda d, v: _sql(
        w.android_sms_db(d / "mmssms.db", fx.messages()), "UPDATE sms SET date=? WHERE _id=1", v
    ),
    "android_calllog_db": lambda d, v: _sql(
        w.android_calllog_db(d / "calllog.db", fx.calls()), "UPDATE calls SET date=? WHERE _id=1", v
    ),
    "ios_sms": lambda d, v: _sql(
        w.ios_sms_db(d / "sms.db", fx.messages()), "UPDATE message SET date=? WHERE ROWID=1", v
    ),
    "ios_calls": lambda d, v: _sql(
        w.ios_call_history(d / "CallHistory.storedata", fx.calls()), "UPDATE ZCALLRECORD SET ZDATE=? WHERE Z_PK=1", v
    ),
}

DURATION_CASES: dict[str, Callable[[Path, str], Path]] = {
    "synctech_calls": lambda d, v: _sub_first(
        w.synctech_calls_xml(d / "calls.xml", fx.calls()), r'(<call [^>]*?duration=")\d+', v
    ),
    "adb_calls": lambda d, v: _sub_first(w.adb_calls_dump(d / "calls.txt", fx.calls()), r"(, duration=)\d+", v),
    "android_calllog_db": lambda d, v: _sql(
        w.android_calllog_db(d / "calllog.db", fx.calls()), "UPDATE calls SET duration=? WHERE _id=1", v
    ),
    "ios_calls": lambda d, v: _sql(
        w.ios_call_history(d / "CallHistory.storedata", fx.calls()),
        "UPDATE ZCALLRECORD SET ZDURATION=? WHERE Z_PK=1",
        v,
    ),
}


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("fmt", sorted(DATE_CASES))
def test_bad_date_skips_only_that_record(ws: Workspace, case_id: int, files: Path, fmt: str, value: str) -> None:
    path = DATE_CASES[fmt](files, value)
    total = len(fx.calls()) if "call" in fmt else len(fx.messages())
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "parsed", (r.status, r.error)
    assert r.rejected == 1 and r.records == total - 1, r
    assert any("超出合理范围" in x for x in r.warnings)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("fmt", sorted(DURATION_CASES))
def test_bad_duration_is_dropped_with_a_warning(ws: Workspace, case_id: int, files: Path, fmt: str, value: str) -> None:
    path = DURATION_CASES[fmt](files, value)
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "parsed" and r.records == len(fx.calls()), r
    assert any("通话时长无效" in x for x in r.warnings), r.warnings
    with ws.db.read_session() as s:
        durations = s.execute(select(Event.duration_s).where(Event.case_id == case_id)).scalars().all()
    assert all(d is None or (math.isfinite(d) and 0 <= d <= 86_400) for d in durations), durations


@pytest.mark.parametrize("value", ["inf", "-50"])
def test_case_commands_work_after_bad_durations(tmp_path: Path, value: str) -> None:
    """The reproduction: after an import with duration="inf", timeline/draft/export failed with OverflowError."""
    home = tmp_path / "home"
    runner = CliRunner()

    def run(*args: str) -> str:
        res = runner.invoke(app, ["--home", str(home), *args], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res.output

    run("init")
    run("case", "new", "--name", "时长")
    calls = _sub_first(w.synctech_calls_xml(tmp_path / "calls.xml", fx.calls()), r'(<call [^>]*?duration=")\d+', value)
    run("import", "-c", "1", str(calls))
    out = run("timeline", "--case", "1", "--json")
    assert "Infinity" not in out and "NaN" not in out
    json.loads(out)
    run("draft", "--case", "1", "--doc", "police", "--format", "docx", "--out", str(tmp_path / "docs"))
    run("export", "--case", "1", "--out", str(tmp_path / "pkg.zip"))


@settings(max_examples=300, deadline=None)
@given(
    v=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**30), max_value=10**400),
        st.text(alphabet="0123456789.eE+-naifNIty", max_size=12),
    )
)
def test_epoch_readers_only_raise_out_of_range(v: object) -> None:
    for reader in (from_epoch, from_apple):
        try:
            when, _ = reader(v)  # type: ignore[arg-type]  # a test double passes through loosely typed arguments
        except TimeOutOfRange:
            continue
        assert when.year >= 2000


# -- found by bench/fuzz_importers.py: SQLite keeps any value in any column ---------------------------


def test_ios_text_in_integer_columns(ws: Workspace, case_id: int, files: Path) -> None:
    sms = _sql(
        w.ios_sms_db(files / "sms.db", fx.messages()),
        "UPDATE message SET associated_message_type=? WHERE ROWID=1",
        "abc",
    )
    calls = _sql(
        w.ios_call_history(files / "CallHistory.storedata", fx.calls()),
        "UPDATE ZCALLRECORD SET ZDURATION=? WHERE Z_PK=1",
        "abc",
    )
    r1, r2 = imports.import_paths(ws, case_id, [sms, calls])
    assert (r1.status, r1.records) == ("parsed", len(fx.messages())), r1
    assert (r2.status, r2.records) == ("parsed", len(fx.calls())), r2


def test_infinite_value_in_a_kept_column_is_stored_as_text(ws: Workspace, case_id: int, files: Path) -> None:
    db = _sql(
        w.android_calllog_db(files / "calllog.db", fx.calls()),
        "UPDATE calls SET geocoded_location=? WHERE _id=1",
        "inf",
    )
    [r] = imports.import_paths(ws, case_id, [db])
    assert (r.status, r.records) == ("parsed", len(fx.calls())), r
