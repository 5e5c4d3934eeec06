"""Charts: aggregation properties (hypothesis) and rendered output in PNG and SVG."""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from weiquan.report import charts
from weiquan.report.charts import ChartEvent, aggregate

UTC = dt.timezone.utc

events_strategy = st.lists(
    st.builds(
        ChartEvent,
        start=st.datetimes(
            min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 1, 1), timezones=st.just(UTC)
        ),
        channel=st.sampled_from(["call", "sms", "mms", "chat", "visit"]),
        recipient=st.sampled_from(["borrower", "relative", "colleague"]),
        counterpart=st.one_of(st.none(), st.sampled_from(["+8613800000001", "+8613800000002", "10690000"])),
        signature=st.one_of(st.none(), st.sampled_from(["【甲贷】", "【乙金融】"])),
    ),
    max_size=200,
)


@given(events_strategy)
@settings(max_examples=60, deadline=None)
def test_aggregate_conserves_counts(events: list[ChartEvent]) -> None:
    s = aggregate(events, "Asia/Shanghai")
    assert s.total == len(events)
    assert sum(sum(c.values()) for c in s.per_day.values()) == len(events)
    assert sum(map(sum, s.heat)) == len(events)
    assert sum(s.third_party_per_day.values()) == sum(1 for e in events if e.recipient != "borrower")
    assert sum(n.count for n in s.numbers.values()) == sum(1 for e in events if e.counterpart)
    for n in s.numbers.values():
        assert n.first <= n.last and sum(n.days.values()) == n.count


def test_local_day_and_hour_use_case_time_zone() -> None:
    # 16:30 UTC on Saturday 1 March 2025 is 00:30 on Sunday 2 March in Shanghai.
    e = ChartEvent(dt.datetime(2025, 3, 1, 16, 30, tzinfo=UTC), "call")
    s = aggregate([e], "Asia/Shanghai")
    assert list(s.per_day) == [dt.date(2025, 3, 2)]
    assert s.heat[6][0] == 1
    s_utc = aggregate([e], "UTC")
    assert list(s_utc.per_day) == [dt.date(2025, 3, 1)] and s_utc.heat[5][16] == 1


def test_number_group_prefers_signature_over_lender() -> None:
    t = dt.datetime(2025, 3, 1, 2, tzinfo=UTC)
    ev = [
        ChartEvent(t, "call", counterpart="+1"),
        ChartEvent(t, "sms", counterpart="+1", signature="【甲贷】"),
        ChartEvent(t, "call", counterpart="+2"),
    ]
    s = aggregate(ev, default_group="某某贷")
    assert s.numbers["+1"].group == "甲贷"
    assert s.numbers["+2"].group == "某某贷"
    assert aggregate(ev[2:]).numbers["+2"].group == charts.NO_GROUP


def _sample() -> charts.ContactStats:
    base = dt.datetime(2025, 3, 1, tzinfo=UTC)
    ev = [
        ChartEvent(
            base + dt.timedelta(hours=5 * i),
            "call" if i % 2 else "sms",
            "relative" if i % 9 == 0 else "borrower",
            f"+86170000{i % 7:04d}",
            "【甲贷】" if i % 3 else None,
        )
        for i in range(300)
    ]
    return aggregate(ev)


def _ink(png: bytes) -> float:
    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / (img.width * img.height)


def test_charts_render_png_and_svg() -> None:
    s = _sample()
    night = (dt.time(22), dt.time(8))
    for png in (charts.contacts_per_day(s), charts.hour_weekday_heatmap(s, night=night), charts.numbers_over_time(s)):
        assert png.startswith(b"\x89PNG")
        assert _ink(png) > 0.05  # real content, not a blank canvas
    for svg in (
        charts.contacts_per_day(s, fmt="svg"),
        charts.hour_weekday_heatmap(s, night=night, fmt="svg"),
        charts.numbers_over_time(s, fmt="svg"),
    ):
        assert b"<svg" in svg[:500]


def test_night_window_is_shaded() -> None:
    s = _sample()
    shaded = charts.hour_weekday_heatmap(s, night=(dt.time(22), dt.time(8)), fmt="svg")
    plain = charts.hour_weekday_heatmap(s, fmt="svg")
    assert b"<pattern" in shaded and b"<pattern" not in plain  # the hatch


def test_third_party_days_are_marked() -> None:
    s = _sample()
    marked = charts.contacts_per_day(s, fmt="svg")
    base = dt.datetime(2025, 3, 1, tzinfo=UTC)
    only_borrower = aggregate([ChartEvent(base + dt.timedelta(hours=5 * i), "call") for i in range(300)])
    assert b"#cc0000" in marked and b"#cc0000" not in charts.contacts_per_day(only_borrower, fmt="svg")


def test_empty_case_charts() -> None:
    s = aggregate([])
    for png in (charts.contacts_per_day(s), charts.hour_weekday_heatmap(s), charts.numbers_over_time(s)):
        assert png.startswith(b"\x89PNG")


def test_numbers_chart_caps_rows() -> None:
    base = dt.datetime(2025, 3, 1, tzinfo=UTC)
    s = aggregate([ChartEvent(base, "call", counterpart=f"+86{i:09d}") for i in range(200)])
    svg = charts.numbers_over_time(s, max_numbers=10, fmt="svg")
    assert svg.count(b"+86") <= 12  # ten row labels (plus nothing else carrying numbers)


def _svg_text(svg: bytes) -> str:
    import re

    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8")))


def test_charts_read_as_the_pages_do() -> None:
    """Issue 17 item 7: Chinese day labels (3月5日), 北京时间 (never an IANA id), whole-number colour scale,
    numbers written as on the pages (ingest.numbers.display_number, never +86…)."""
    import matplotlib

    s = _sample()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as <text>, so it can be read here
        per_day = _svg_text(charts.contacts_per_day(s, fmt="svg"))
        heat = _svg_text(charts.hour_weekday_heatmap(s, night=(dt.time(22), dt.time(8)), fmt="svg"))
        numbers = _svg_text(charts.numbers_over_time(s, fmt="svg"))
    for text in (per_day, heat, numbers):
        assert "Asia/" not in text and "2025-03" not in text
    assert "北京时间" in per_day and "北京时间" in heat and "2025年3月1日" in per_day and "3月" in per_day
    from weiquan.ingest.numbers import display_number

    assert display_number("+8617000000001") == "170 0000 0001"  # as the pages write a mobile number
    assert display_number("+861700000001") in numbers and "+86" not in numbers
    ticks = [t for t in heat.split() if t.replace(".", "", 1).isdigit()]
    assert ticks and all("." not in t for t in ticks), ticks  # 0, 1, 2 … never 0.5
    assert charts.zone_zh("Europe/Paris") == "当地时间"


def test_a_sample_case_is_marked_on_every_page(tmp_path) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    from weiquan.report.render import SAMPLE_LABEL_ZH, docx_text, html_to_docx, html_to_pdf, mark_sample, wrap_html

    body = "".join(f"<h2>第{i}节</h2>" + "<p>" + "内容" * 400 + "</p>" for i in range(6))
    html = mark_sample(wrap_html(body, title="示例文书"))
    pdf = html_to_pdf(html, tmp_path / "a.pdf")
    from pypdf import PdfReader

    pages = PdfReader(str(pdf)).pages
    assert len(pages) >= 3
    assert all(SAMPLE_LABEL_ZH in p.extract_text() for p in pages)
    from docx import Document

    doc = Document(str(html_to_docx(html, tmp_path / "a.docx")))
    assert all(SAMPLE_LABEL_ZH in sec.header.paragraphs[0].text for sec in doc.sections)
    assert "第0节" in docx_text(tmp_path / "a.docx")
    plain = html_to_pdf(wrap_html(body, title="真实文书"), tmp_path / "b.pdf")
    assert SAMPLE_LABEL_ZH not in PdfReader(str(plain)).pages[0].extract_text()
