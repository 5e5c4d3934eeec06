"""Finding spans map back to screenshot boxes and recording seconds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from weiquan.extract.regions import Region, regions_for_span

BOX_EXTRA = {
    "spans": [{"start": 0, "end": 10, "box": [100, 50, 600, 90]}, {"start": 10, "end": 15, "box": [100, 100, 350, 140]}]
}
TIME_EXTRA = {"spans": [{"start": 0, "end": 8, "t0": 0.0, "t1": 4.0}, {"start": 8, "end": 12, "t0": 5.0, "t1": 7.0}]}


def test_span_across_two_lines() -> None:
    assert regions_for_span(BOX_EXTRA, 8, 12) == [
        Region(8, 10, box=(500, 50, 600, 90)),
        Region(10, 12, box=(100, 100, 200, 140)),
    ]


def test_span_in_audio() -> None:
    assert regions_for_span(TIME_EXTRA, 2, 10) == [Region(2, 8, t0=1.0, t1=4.0), Region(8, 10, t0=5.0, t1=6.0)]


def test_no_spans() -> None:
    assert regions_for_span({}, 0, 5) == [] and regions_for_span(None, 0, 5) == []


@given(st.integers(0, 15), st.integers(0, 15))
def test_regions_cover_exactly_the_span(a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    regs = regions_for_span(BOX_EXTRA, lo, hi)
    assert sum(r.end - r.start for r in regs) == hi - lo
    for r in regs:
        assert r.box is not None and r.box[0] <= r.box[2]
