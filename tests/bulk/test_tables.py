"""The per-text table's ``hits`` column, built from flat child arrays, equals pyarrow's own conversion of the rows."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from weiquan.bulk.tables import HIT, hits_array


@dataclass(frozen=True)
class FakeHit:  # the attributes a detector hit has (analyze.text.Hit); built here to cover spans and rules freely
    category: str
    spans: tuple[tuple[int, int], ...]
    detector_id: str
    confidence: float
    rule_id: str | None


def _as_dicts(texts: list[str], hits: list[list[FakeHit]]) -> pa.Array:
    rows = [
        [
            {
                "category": h.category,
                "spans": [list(s) for s in h.spans],
                "quotes": [t[a:b] for a, b in h.spans],
                "detector": h.detector_id,
                "rule": h.rule_id,
                "confidence": round(float(h.confidence), 4),
            }
            for h in hs
        ]
        for t, hs in zip(texts, hits, strict=True)
    ]
    return pa.array(rows, type=pa.list_(HIT))


TEXT = st.text(alphabet="催收骂你欠钱不还abc", min_size=0, max_size=12)


@st.composite
def texts_and_hits(draw: st.DrawFn) -> tuple[list[str], list[list[FakeHit]]]:
    texts = draw(st.lists(TEXT, max_size=6))
    hits = []
    for t in texts:
        span = st.tuples(st.integers(0, len(t)), st.integers(0, len(t))).map(lambda p: (min(p), max(p)))
        hit = st.builds(
            FakeHit,
            category=st.sampled_from(["insult", "threat_visit", "third_party_contact"]),
            spans=st.lists(span, max_size=3).map(tuple),
            detector_id=st.sampled_from(["rules", "classifier"]),
            confidence=st.floats(0, 1, allow_nan=False),
            rule_id=st.one_of(st.none(), st.sampled_from(["I1", "V3"])),
        )
        hits.append(draw(st.lists(hit, max_size=3)))
    return texts, hits


@settings(max_examples=200, deadline=None)
@given(texts_and_hits())
def test_hits_column_equals_the_row_by_row_conversion(data: tuple[list[str], list[list[FakeHit]]]) -> None:
    texts, hits = data
    got = hits_array(texts, hits)
    assert got.type == pa.list_(HIT)
    assert got.equals(_as_dicts(texts, hits))
    assert got.to_pylist() == _as_dicts(texts, hits).to_pylist()
