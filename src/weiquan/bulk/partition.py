"""One partition on one worker: read, classify, identify the lender, normalise, write atomically.

A partition writes three things under the run directory, each through a temporary file renamed into
place: ``rejects/KEY.jsonl`` (only when there are rejects), ``texts/KEY.parquet`` (one row per text) and,
last, ``_parts/KEY.json`` — the manifest with counts and the partition's partial aggregates. A partition
is done when its manifest exists and names the same input slice and detector version; a re-run skips it.
A crash at any point leaves at most temporary files, removed by the next run.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from weiquan.bulk.files import atomic_write
from weiquan.bulk.lenders import LenderResolver
from weiquan.bulk.normalize import parse_amount, parse_date
from weiquan.bulk.readers import PartitionSpec, Record, Reject, read_partition
from weiquan.bulk.tables import texts_table, write_parquet_bytes
from weiquan.law.schema import LenderRegistry

LAWFUL = "lawful"
BATCH = 2000  # texts per detect_many call


class HitLike(Protocol):
    category: str
    spans: tuple[tuple[int, int], ...]
    detector_id: str
    confidence: float
    rule_id: str | None


class BatchDetector(Protocol):
    version: str

    def detect_many(self, texts: Sequence[str]) -> list[list[HitLike]]: ...


@dataclass(frozen=True)
class RunConfig:
    """What every partition task needs; sent to each worker once."""

    out: str
    registry: LenderRegistry
    detector_factory: Callable[[], BatchDetector]  # a module-level function, pickled by reference
    timezone: str = "Asia/Shanghai"


@lru_cache(maxsize=4)
def _resolver(registry_json: str) -> LenderResolver:
    return LenderResolver(LenderRegistry.model_validate_json(registry_json))


def resolver_for(registry: LenderRegistry) -> LenderResolver:
    return _resolver(registry.model_dump_json())


def manifest_path(out: Path, key: str) -> Path:
    return out / "_parts" / f"{key}.json"


def done_manifest(out: Path, spec: PartitionSpec, detector_version: str | None) -> dict[str, Any] | None:
    """The manifest of a finished partition for this exact slice (and detector version, when given)."""
    p = manifest_path(out, spec.key)
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if m.get("fingerprint") != spec.fingerprint() or not (out / "texts" / f"{spec.key}.parquet").exists():
        return None
    if detector_version is not None and m.get("detector_version") != detector_version:
        return None
    return m  # type: ignore[no-any-return]  # pyarrow and the model loader are untyped


def process_partition(spec: PartitionSpec, cfg: RunConfig) -> dict[str, Any]:
    """Run one partition (or return its manifest when it is already done); returns the manifest."""
    out = Path(cfg.out)
    detector = cfg.detector_factory()
    done = done_manifest(out, spec, detector.version)
    if done is not None:
        return {**done, "skipped": True}
    gc_was_on = gc.isenabled()
    gc.disable()  # a partition makes no reference cycles worth chasing; collecting once at the end saves ~10 % CPU
    try:
        return _process(spec, cfg, out, detector)
    finally:
        if gc_was_on:
            gc.enable()
        gc.collect(1)


def _process(spec: PartitionSpec, cfg: RunConfig, out: Path, detector: BatchDetector) -> dict[str, Any]:
    t0, cpu0 = time.perf_counter(), time.process_time()
    resolver = resolver_for(cfg.registry)
    records: list[Record] = []
    rejects: list[Reject] = []
    for r in read_partition(spec):
        (records if isinstance(r, Record) else rejects).append(r)
    hits: list[list[HitLike]] = []
    texts = [r.fields["text"] for r in records]
    for i in range(0, len(texts), BATCH):
        hits.extend(detector.detect_many(texts[i : i + BATCH]))
    cols = _columns(spec, records, hits, resolver, cfg.timezone)
    stats = _stats(cols)
    if rejects:
        atomic_write(
            out / "rejects" / f"{spec.key}.jsonl",
            "".join(json.dumps(r.to_dict(spec.input.name), ensure_ascii=False) + "\n" for r in rejects).encode(),
        )
    atomic_write(out / "texts" / f"{spec.key}.parquet", write_parquet_bytes(texts_table(cols)))
    manifest = {
        "key": spec.key,
        "fingerprint": spec.fingerprint(),
        "detector_version": detector.version,
        "source": spec.input.name,
        "texts": len(records),
        "rejects": len(rejects),
        "reject_reasons": dict(Counter(r.reason for r in rejects)),
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(time.process_time() - cpu0, 3),  # the worker process's CPU: contention-free cost
        "rss_mb": _rss_mb(),  # the worker's resident memory after this partition (flat over a run = bounded)
        **stats,
    }
    atomic_write(manifest_path(out, spec.key), json.dumps(manifest, ensure_ascii=False).encode())
    return {**manifest, "skipped": False}


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


def _columns(
    spec: PartitionSpec, records: list[Record], hits: list[list[HitLike]], resolver: LenderResolver, tz: str
) -> dict[str, list[Any]]:
    """The per-text result columns (column lists, not row dicts: this runs once per text of the corpus)."""
    fields = [r.fields for r in records]
    texts: list[str] = [f["text"] for f in fields]
    companies = [f.get("company") for f in fields]
    refs = _per_distinct(
        resolver.resolve_name,
        [c.strip() if type(c) is str else c for c in companies],
        lambda i, c: resolver.resolve(c, texts[i]),
    )
    raw_dates = [f.get("date") for f in fields]
    dates = _per_distinct(lambda v: parse_date(v, tz), raw_dates)
    labels = [sorted({h.category for h in hs}) if hs else [LAWFUL] for hs in hits]
    return {
        "source": [spec.input.name] * len(records),
        "row": [r.row for r in records],
        "id": [None if (v := f.get("id")) is None else str(v) for f in fields],
        "company": [None if c is None else str(c) for c in companies],
        "lender": [r.lender for r in refs],
        "lender_id": [r.lender_id for r in refs],
        "licence_type": [r.licence_type for r in refs],
        "claimed_licence": [r.claimed_licence for r in refs],
        "lender_match": [r.match for r in refs],
        "date": dates,
        "date_raw": [
            None if v is None or d is not None else str(v)[:64] for v, d in zip(raw_dates, dates, strict=True)
        ],
        "month": _per_distinct(lambda d: f"{d.year:04d}-{d.month:02d}", dates, lambda _, d: None),
        "amount": _per_distinct(parse_amount, [f.get("amount") for f in fields]),
        "text_chars": [len(t) for t in texts],
        "labels": labels,
        "unlawful": [bool(hs) for hs in hits],
        "hits": [
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
            if hs
            else []
            for t, hs in zip(texts, hits, strict=True)
        ],
    }


def _per_distinct(
    fn: Callable[[Any], Any], values: list[Any], other: Callable[[int, Any], Any] | None = None
) -> list[Any]:
    """``fn`` of each non-empty string (or date) in ``values``, computed once per distinct value: a partition repeats
    its companies, dates and amounts. Other values (None, numbers, JSON lists) go to ``other(index, value)``, by
    default ``fn`` itself; numbers are not memoised because 1, 1.0 and True are one dict key."""
    seen: dict[Any, Any] = {}
    out: list[Any] = []
    for i, v in enumerate(values):
        if (type(v) is str and v) or type(v) is dt.date:
            r = seen.get(v, seen)
            if r is seen:
                r = seen[v] = fn(v)
        else:
            r = fn(v) if other is None else other(i, v)
        out.append(r)
    return out


def _stats(cols: dict[str, list[Any]]) -> dict[str, Any]:
    """Partial aggregates: per (lender, id, licence, month) totals and per label counts; merged by the driver."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    labels: Counter[tuple[Any, ...]] = Counter()
    for g, unlawful, amount, labs in zip(
        zip(cols["lender"], cols["lender_id"], cols["licence_type"], cols["month"]),
        cols["unlawful"],
        cols["amount"],
        cols["labels"],
    ):
        acc = groups.get(g)
        if acc is None:
            acc = groups[g] = [0, 0, 0.0, 0]
        acc[0] += 1
        acc[1] += unlawful
        if amount is not None:
            acc[2] += amount
            acc[3] += 1
        for lab in labs:
            labels[(*g, lab)] += 1
    return {
        "groups": [[*g, *acc] for g, acc in groups.items()],
        "labels": [[*k, v] for k, v in labels.items()],
        "undated": sum(1 for m in cols["month"] if m is None),
        "amounts": sum(acc[3] for acc in groups.values()),
        "unmatched_lender": sum(1 for x in cols["lender_id"] if x is None),
        "unparsed_dates": sum(1 for x in cols["date_raw"] if x is not None),
    }
