"""Issue 19 item 3: CSV damage loses only the damaged part and names its line; rows never merge silently."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from tests.fixtures import ingest_formats as fx
from weiquan.ingest.base import ImportContext, ParseError
from weiquan.ingest.csvsafe import ends_inside_quotes
from weiquan.ingest.tabular import TabularImporter
from weiquan.ingest.textnorm import clean_text
from weiquan.services import imports
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace

T0 = dt.datetime(2024, 3, 4, 9, 30, tzinfo=w.SHANGHAI)
bodies = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), st.sampled_from(list('，。,"“”\n 0123456789abc'))
    ),
    min_size=1,
    max_size=60,
)


def _msgs(texts: list[str]) -> list[w.Msg]:
    return [w.Msg(f"154000{i:05d}", T0 + dt.timedelta(minutes=i), t) for i, t in enumerate(texts)]


def _csv_bytes(msgs: list[w.Msg]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(w.table_rows(msgs))
    return buf.getvalue().encode("utf-8")


def _parse(data: bytes) -> tuple[list[tuple[str | None, str]], ParseError | None, ImportContext]:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "export.csv"
        p.write_bytes(data)
        ctx = ImportContext(path=p, original_name="export.csv", sha256="0")
        got: list[tuple[str | None, str]] = []
        err = None
        try:
            for e in TabularImporter().parse(ctx):
                got.append((e.counterpart_raw, e.text or ""))
        except ParseError as e:
            assert e.partial_ok, e.zh
            err = e
        return got, err, ctx


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def _body(t: str) -> str:
    return clean_text(t) or ""


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(bodies, min_size=2, max_size=12))
def test_well_formed_csv_round_trips(texts: list[str]) -> None:
    """Quotes, commas and newlines inside fields, written by the csv module: read back exactly, no damage."""
    msgs = _msgs(texts)
    got, err, _ = _parse(_csv_bytes(msgs))
    assert err is None
    assert got == [(m.number, _body(m.body)) for m in msgs]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(bodies.filter(lambda t: not set(t) & set('",\n')), min_size=3, max_size=12), data=st.data())
def test_stray_quote_loses_nothing_and_merges_nothing(texts: list[str], data: st.DataObject) -> None:
    """An unclosed quote at the start of one row's last field: every other row is read exactly, the damaged
    row keeps its text (with the quote), and the error names its line."""
    msgs = _msgs(texts)
    k = data.draw(st.integers(0, len(msgs) - 1))
    placeholder = "STRAYQUOTEHERE"
    marked = [*msgs[:k], w.Msg(msgs[k].number, msgs[k].when, placeholder), *msgs[k + 1 :]]
    damaged = _csv_bytes(marked).replace(placeholder.encode(), b'"' + msgs[k].body.encode())
    got, err, ctx = _parse(damaged)
    assert err is not None and err.line == k + 2, (err, k)
    assert len(got) == len(msgs)  # no row merged into the damaged one
    for i, (m, (number, text)) in enumerate(zip(msgs, got, strict=True)):
        assert number == m.number
        if i != k:
            assert text == _body(m.body)
        else:
            assert (
                text.lstrip('"').strip() == _body(m.body).strip()
            )  # a body of only spaces is read back as those spaces after the quote
    assert any(f"第 {k + 2} 行" in x for x in ctx.warnings)


def test_oversized_field_loses_only_its_row(ws: Workspace, case_id: int, files: Path) -> None:
    msgs = _msgs(["第一条", "x" * (140 * 1024), "第三条", "第四条"])
    path = files / "big.csv"
    data = _csv_bytes(msgs)
    path.write_bytes(data)
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "partial" and r.added == 3, r
    assert r.error_line == 3 and "第 3 行" in (r.error or "")
    assert any("第 3 行无法读取" in x for x in r.warnings)


def test_stray_quote_in_a_small_file_reports_the_line(ws: Workspace, case_id: int, files: Path) -> None:
    """The reproduction: a small file silently merged every row after a stray quote into one message."""
    path = files / "stray.csv"
    path.write_text(
        '时间,号码,内容\n2024-03-01 10:00:00,15400000001,"今天还钱\n'
        '2024-03-01 10:01:00,15400000002,第二条\n2024-03-01 10:02:00,15400000003,"多行\n内容"\n',
        encoding="utf-8",
    )
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "partial" and r.added == 3 and r.error_line == 2, r
    with ws.db.read_session() as s:
        from sqlalchemy import select

        from weiquan.store.models import Event

        texts = sorted(s.execute(select(Event.text).where(Event.case_id == case_id)).scalars())
    assert texts == sorted(['"今天还钱', "第二条", "多行\n内容"])


def test_unclosed_quote_at_end_of_file(tmp_path: Path) -> None:
    data = (
        '时间,号码,内容\n2024-03-01 10:00:00,15400000001,ok\n2024-03-01 10:01:00,15400000002,"开头\n续行\n'
    ).encode()
    got, err, ctx = _parse(data)
    assert err is not None and err.line == 3
    assert got == [("15400000001", "ok"), ("15400000002", '"开头')]
    assert ctx.rejected == 1  # the orphan line, named
    assert any("续行" in x for x in ctx.warnings)


@given(fields=st.lists(st.text(alphabet='ab,"\n', max_size=8), min_size=1, max_size=5))
def test_quote_state_matches_the_csv_module(fields: list[str]) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerow(fields)
    text = buf.getvalue()
    assert not ends_inside_quotes(text, ",", '"', False)
    cut = text.rfind('"')
    if cut > 0 and text[:cut].count('"') % 2 == 1:
        assert ends_inside_quotes(text[:cut], ",", '"', False)


def test_fixture_csv_still_imports(ws: Workspace, case_id: int, files: Path) -> None:
    path = w.csv_file(files / "短信.csv", w.table_rows(fx.messages(), fx.calls()))
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "parsed" and r.error is None and r.records == len(fx.messages()) + len(fx.calls())


def test_delimiter_sniffing_reads_a_bounded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """csv.Sniffer's quote regex backtracks quadratically: a damaged 64 KB header line hung an import for minutes
    (bench/fuzz_importers.py, seed 29). The sniffer sees at most SNIFF_CHARS characters, whatever the header."""
    from weiquan.ingest import tabular

    seen: list[int] = []
    real = csv.Sniffer.sniff

    def spy(self: csv.Sniffer, sample: str, delimiters: str | None = None) -> type[csv.Dialect]:
        seen.append(len(sample))
        return real(self, sample, delimiters)

    monkeypatch.setattr(csv.Sniffer, "sniff", spy)
    assert tabular.excel_with_delimiter(', "' * 70_000).delimiter in ",\t;|"
    assert seen == [tabular.SNIFF_CHARS]
