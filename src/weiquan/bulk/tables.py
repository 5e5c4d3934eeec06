"""Arrow schemas and Parquet files of a bulk run: per-text results and the aggregates.

``aggregates.parquet``: one row per (lender, label, month) with ``count`` (texts with that label),
``complaints`` (all texts of that lender and month), ``rate_per_1000`` (= count / complaints × 1000),
``lender_id`` and ``licence_type``. ``lender_months.parquet``: per (lender, month) the complaints, the
texts with at least one unlawful act (``unlawful``), ``unlawful_per_1000`` and the amounts given.
A missing month (no readable date) is null.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from weiquan.bulk.files import atomic_write


class HitLike(Protocol):
    category: str
    spans: tuple[tuple[int, int], ...]
    detector_id: str
    confidence: float
    rule_id: str | None


HIT = pa.struct(
    [
        ("category", pa.string()),
        ("spans", pa.list_(pa.list_(pa.int32()))),
        ("quotes", pa.list_(pa.string())),
        ("detector", pa.string()),
        ("rule", pa.string()),
        ("confidence", pa.float32()),
    ]
)
TEXTS = pa.schema(
    [
        ("source", pa.string()),
        ("row", pa.int64()),
        ("id", pa.string()),
        ("company", pa.string()),
        ("lender", pa.string()),
        ("lender_id", pa.string()),
        ("licence_type", pa.string()),
        ("claimed_licence", pa.string()),
        ("lender_match", pa.string()),
        ("date", pa.date32()),
        ("date_raw", pa.string()),
        ("month", pa.string()),
        ("amount", pa.float64()),
        ("text_chars", pa.int32()),
        ("labels", pa.list_(pa.string())),
        ("unlawful", pa.bool_()),
        ("hits", pa.list_(HIT)),
    ]
)
AGGREGATES = pa.schema(
    [
        ("lender", pa.string()),
        ("label", pa.string()),
        ("month", pa.string()),
        ("count", pa.int64()),
        ("complaints", pa.int64()),
        ("rate_per_1000", pa.float64()),
        ("lender_id", pa.string()),
        ("licence_type", pa.string()),
    ]
)
LENDER_MONTHS = pa.schema(
    [
        ("lender", pa.string()),
        ("month", pa.string()),
        ("complaints", pa.int64()),
        ("unlawful", pa.int64()),
        ("unlawful_per_1000", pa.float64()),
        ("amount_total", pa.float64()),
        ("amount_count", pa.int64()),
        ("lender_id", pa.string()),
        ("licence_type", pa.string()),
    ]
)


def texts_table(cols: dict[str, list[Any] | pa.Array]) -> pa.Table:
    """The per-text table from its columns: Python lists, or Arrow arrays already built (``hits_array``)."""
    return pa.table(
        {f.name: c if isinstance(c := cols[f.name], pa.Array) else pa.array(c, type=f.type) for f in TEXTS},
        schema=TEXTS,
    )


def hits_array(texts: Sequence[str], hits: Sequence[Sequence[HitLike]]) -> pa.Array:
    """The ``hits`` column (type ``list<HIT>``) built from flat child arrays in one pass over the hits.

    The same values as ``pa.array([[{"category": …, "spans": …, …} for h in hs] for hs in hits], list_(HIT))``
    without a dict per hit for pyarrow to take apart again: about half the cost per text of a partition's result
    columns (docs/bulk.md)."""
    per_text, per_hit = [0], [0]  # list offsets: hits of each text, spans (and quotes) of each hit
    category: list[str] = []
    detector: list[str] = []
    rule: list[str | None] = []
    confidence: list[float] = []
    bounds: list[int] = []  # start, end of every span, flat
    quotes: list[str] = []
    n_hits = n_spans = 0
    # bound methods: this loop runs once per hit of the corpus
    add_category, add_detector, add_rule = category.append, detector.append, rule.append
    add_confidence, add_bounds, add_quote, add_hit = confidence.append, bounds.extend, quotes.append, per_hit.append
    for text, hs in zip(texts, hits, strict=True):
        if hs:
            for h in hs:
                add_category(h.category)
                add_detector(h.detector_id)
                add_rule(h.rule_id)
                add_confidence(round(float(h.confidence), 4))
                spans = h.spans
                for a, b in spans:
                    add_bounds((a, b))
                    add_quote(text[a:b])
                n_spans += len(spans)
                add_hit(n_spans)
            n_hits += len(hs)
        per_text.append(n_hits)
    spans_at = pa.array(per_hit, pa.int32())
    pairs = pa.ListArray.from_arrays(pa.array(range(0, 2 * n_spans + 1, 2), pa.int32()), pa.array(bounds, pa.int32()))
    struct = pa.StructArray.from_arrays(
        [
            pa.array(category, pa.string()),
            pa.ListArray.from_arrays(spans_at, pairs),
            pa.ListArray.from_arrays(spans_at, pa.array(quotes, pa.string())),
            pa.array(detector, pa.string()),
            pa.array(rule, pa.string()),
            pa.array(confidence, pa.float32()),
        ],
        fields=list(HIT),
    )
    return pa.ListArray.from_arrays(pa.array(per_text, pa.int32()), struct, type=pa.list_(HIT))


def write_parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def merge_stats(manifests: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(aggregate rows, lender-month rows) from the partial aggregates of every partition manifest."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    labels: dict[tuple[Any, ...], int] = {}
    for m in manifests:
        for lender, lid, lic, month, n, unlawful, amount, n_amount in m["groups"]:
            acc = groups.setdefault((lender, lid, lic, month), [0, 0, 0.0, 0])
            acc[0] += n
            acc[1] += unlawful
            acc[2] += amount
            acc[3] += n_amount
        for lender, lid, lic, month, label, n in m["labels"]:
            k = (lender, lid, lic, month, label)
            labels[k] = labels.get(k, 0) + n
    agg = [
        {
            "lender": lender,
            "label": label,
            "month": month,
            "count": n,
            "complaints": groups[(lender, lid, lic, month)][0],
            "rate_per_1000": round(1000 * n / groups[(lender, lid, lic, month)][0], 3),
            "lender_id": lid,
            "licence_type": lic,
        }
        for (lender, lid, lic, month, label), n in labels.items()
    ]
    months = [
        {
            "lender": lender,
            "month": month,
            "complaints": n,
            "unlawful": u,
            "unlawful_per_1000": round(1000 * u / n, 3),
            "amount_total": round(a, 2),
            "amount_count": na,
            "lender_id": lid,
            "licence_type": lic,
        }
        for (lender, lid, lic, month), (n, u, a, na) in groups.items()
    ]
    key = lambda r: (r["lender"] or "", r["month"] or "", r.get("label") or "")  # noqa: E731 - one sort key, named so the two sorts read alike
    return sorted(agg, key=key), sorted(months, key=key)


def write_aggregates(out: Path, agg: list[dict[str, Any]], months: list[dict[str, Any]]) -> None:
    atomic_write(out / "aggregates.parquet", write_parquet_bytes(pa.Table.from_pylist(agg, schema=AGGREGATES)))
    atomic_write(out / "lender_months.parquet", write_parquet_bytes(pa.Table.from_pylist(months, schema=LENDER_MONTHS)))


def read_rows(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]  # pyarrow and the model loader are untyped
