"""The fast write path (DB-API executemany, values pre-converted) stores exactly what the generic
SQLAlchemy path stores: same events, same provenance, same dedupe decisions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.fixtures import ingest_formats as fx
from weiquan.config import load_settings
from weiquan.ingest.base import ImportContext, ParseError, Probe
from weiquan.ingest.timeutil import TimeOutOfRange, _from_epoch_general, from_epoch
from weiquan.ingest.writer import EventWriter, _json_text, _sqlite_datetime
from weiquan.services import cases, imports
from weiquan.store.models import Event, EventSource
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace

SAMPLES = Path(imports.__file__).resolve().parents[1] / "samples"


def _corpus(d: Path) -> list[Path]:
    """Files in import order: overlapping exports, in-file duplicates, MMS with an attachment,
    a call log plus a recording of one of its calls, manual entries, and a re-import."""
    msgs = fx.messages()
    shifted = [w.Msg(m.number, m.when + dt.timedelta(seconds=1), m.body, m.incoming, m.name) for m in msgs]
    mms = w.Msg(
        "15400000001",
        msgs[0].when + dt.timedelta(hours=1),
        "看看这张图",
        True,
        attachments=[("image/png", b"\x89PNG\r\n\x1a\n-fixture-")],
    )
    xml = w.synctech_sms_xml(d / "sms.xml", [*msgs[:3], msgs[0], mms])
    samples = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    return [
        *samples,
        xml,
        w.adb_sms_dump(d / "dump.txt", shifted),
        w.synctech_calls_xml(d / "calls.xml", fx.calls()),
        xml,
    ]


def _write_all(
    home: Path, paths: list[Path], *, fast: bool
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]:
    ws = Workspace(load_settings(home))
    try:
        case_id = cases.create_case(ws, "对照").id
        importers = imports.importers()
        counts: list[int] = []
        for path in paths:
            add = ws.vault.add(path, case_id=case_id, original_name=path.name)
            stored = ws.vault.path(add.evidence.sha256)
            probe = Probe(
                path=stored,
                head=stored.read_bytes()[:65536],
                media_type=add.evidence.media_type or "",
                name=path.name,
                options={"mapping": {}, "source_mtime": None},
            )
            imp = imports.detect_format(probe, importers)
            assert imp is not None, path
            ctx = ImportContext(
                path=stored,
                original_name=path.name,
                sha256=add.evidence.sha256,
                tz="Asia/Shanghai",
                options=probe.options,
            )
            with ws.db.session() as s:
                writer = EventWriter(
                    s,
                    ws.vault.blobs,
                    case_id=case_id,
                    evidence_id=add.evidence.id,
                    evidence_sha256=add.evidence.sha256,
                    source_format=imp.name,
                    fast=fast,
                )
                assert writer.fast is fast
                try:
                    for raw in imp.parse(ctx):
                        writer.add(raw)
                except ParseError:
                    pass
                writer.flush()
                counts += [writer.stats.added, writer.stats.merged, writer.stats.unchanged, writer.stats.attachments]
        with ws.db.read_session() as s:
            cols = [c for c in Event.__table__.c if c.name != "created_at"]
            events = [tuple(r) for r in s.execute(select(*cols).order_by(Event.id))]
            sources = [tuple(r) for r in s.execute(select(*EventSource.__table__.c).order_by(EventSource.id))]
        return events, sources, counts
    finally:
        ws.close()


def test_fast_and_generic_paths_store_the_same(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    paths = _corpus(d)
    fast = _write_all(tmp_path / "fast", paths, fast=True)
    generic = _write_all(tmp_path / "generic", paths, fast=False)
    assert fast == generic
    events, sources, counts = fast
    # the corpus really exercises merging, re-import, attachments and the recording match
    assert sum(counts[1::4]) >= 5 and sum(counts[2::4]) >= 4 and sum(counts[3::4]) == 1
    assert len(events) > 20
    by_event: dict[int, set[str]] = {}
    for src in sources:
        by_event.setdefault(src[1], set()).add(src[4])
    assert any({"synctech_sms", "adb_sms"} <= fmts for fmts in by_event.values())
    assert any("mms_attachment" in fmts for fmts in by_event.values())
    assert any("call_recording" in fmts and "synctech_calls" in fmts for fmts in by_event.values())
    shutil.rmtree(d)


@given(st.integers(min_value=946_684_800_000, max_value=1_790_000_000_000))
def test_epoch_ms_fast_path_matches_general(ms: int) -> None:
    assert from_epoch(str(ms)) == _from_epoch_general(str(ms))


@given(st.sampled_from(["0", "1", "99999999999", "4102444800000", "946684799999", "100000000000000", "1e12", " 17"]))
def test_epoch_edge_values_agree(raw: str) -> None:
    def run(f: Any) -> Any:
        try:
            return f(raw)
        except TimeOutOfRange as e:
            return ("out of range", e.value)

    assert run(from_epoch) == run(_from_epoch_general)


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))]),
    )
)
def test_sqlite_datetime_is_sqlalchemys_text_form(v: dt.datetime) -> None:
    u = v if v.tzinfo is None else v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    expected = f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}"
    assert _sqlite_datetime(v) == expected


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.text(max_size=20), st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=5), max_size=3)
        ),
        max_size=6,
    )
)
def test_json_text_is_compact_utf8_json(v: dict[str, Any]) -> None:
    import json

    out = _json_text(v)
    assert json.loads(out) == v
    assert out == (json.dumps(v, ensure_ascii=False, separators=(",", ":")) if v else "{}")


def _many(n: int) -> list[w.Msg]:
    base = fx.messages()
    t0 = dt.datetime(2024, 1, 1, 9, tzinfo=w.SHANGHAI)
    return [
        w.Msg(base[i % len(base)].number, t0 + dt.timedelta(seconds=7 * i), f"{base[i % len(base)].body}#{i}")
        for i in range(n)
    ]


def test_attribute_records_match_element_records(tmp_path: Path) -> None:
    """iter_attrs (parser target) sees the same records, indexes and attributes as iter_records."""
    from weiquan.ingest.xmlsafe import iter_attrs, iter_records

    mms = w.Msg(
        "15400000001",
        dt.datetime(2024, 3, 4, 10, tzinfo=w.SHANGHAI),
        "看看这张图",
        True,
        attachments=[("image/png", b"\x89PNG\r\n\x1a\n-fixture-")],
    )
    msgs = _many(3000)
    path = w.synctech_sms_xml(tmp_path / "sms.xml", [*msgs[:1500], mms, *msgs[1500:]])
    ctx = ImportContext(path=path, original_name="sms.xml", sha256="0" * 64)
    slow = [
        (tag, idx, dict(el.items()), [dict(p.items()) for p in el.iter("part")])
        for tag, idx, el in iter_records(ctx, ("sms", "mms"))
    ]
    fast = [
        (r.tag, r.index, r.attrib, [dict(p.items()) for p in r.element.iter("part")] if r.element is not None else [])
        for r in iter_attrs(ctx, ("sms", "mms"), trees=("mms",), chunk=4096)
    ]
    assert fast == slow and len(fast) == 3001 and fast[1500][0] == "mms" and fast[1500][3]


def test_truncation_across_many_chunks(ws: Workspace, case_id: int, files: Path) -> None:
    """A large file cut mid-record: every complete record before the cut is imported, the line is named."""
    full = w.synctech_sms_xml(files / "full.xml", _many(3000))
    data = full.read_bytes()
    cut_at = data.index(b"<sms ", len(data) * 2 // 3) + 40  # inside a record
    complete = data[:cut_at].count(b"/>")
    cut = files / "sms-cut.xml"
    cut.write_bytes(data[:cut_at])
    [r] = imports.import_paths(ws, case_id, [cut])
    assert r.status == "partial" and r.added == complete and 1000 < complete < 3000
    assert r.error_line == data[:cut_at].count(b"\n") + 1 and "截断" in (r.error or "")


def test_broken_in_the_middle_keeps_records_before(ws: Workspace, case_id: int, files: Path) -> None:
    data = w.synctech_sms_xml(files / "full.xml", _many(2000)).read_bytes()
    at = data.index(b"<sms ", len(data) // 2)
    broken = files / "sms-broken.xml"
    broken.write_bytes(data[:at] + b"<sms <<< broken\n" + data[at:])
    [r] = imports.import_paths(ws, case_id, [broken])
    assert r.status == "partial" and r.added == data[:at].count(b"/>")
    assert r.error_line == data[:at].count(b"\n") + 1 and "XML 格式错误" in (r.error or "")
