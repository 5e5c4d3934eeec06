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
from typing import Any, NamedTuple, Protocol

from weiquan.bulk.files import atomic_write
from weiquan.bulk.lenders import LenderRef, LenderResolver
from weiquan.bulk.normalize import parse_amount, parse_date
from weiquan.bulk.readers import Batch, PartitionSpec, read_batch
from weiquan.bulk.tables import HitLike, hits_array, texts_table, write_parquet_bytes
from weiquan.law.schema import LenderRegistry

LAWFUL = "lawful"
BATCH = 2000  # texts per detect_many call


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
    clock = _PhaseClock()
    t0 = time.perf_counter()
    resolver = resolver_for(cfg.registry)
    batch = read_batch(spec)
    clock.lap("read")
    texts: list[str] = batch.fields["text"]
    hits: list[list[HitLike]] = []
    for i in range(0, len(texts), BATCH):
        hits.extend(detector.detect_many(texts[i : i + BATCH]))
    clock.lap("detect")
    norm = _normalised(batch.fields, resolver, cfg.timezone)
    clock.lap("normalise")
    cols = _columns(spec, batch, hits, norm)
    stats = _stats(cols)
    table = texts_table(cols)
    clock.lap("results")
    rejects = batch.rejects
    if rejects:
        atomic_write(
            out / "rejects" / f"{spec.key}.jsonl",
            "".join(json.dumps(r.to_dict(spec.input.name), ensure_ascii=False) + "\n" for r in rejects).encode(),
        )
    atomic_write(out / "texts" / f"{spec.key}.parquet", write_parquet_bytes(table))
    clock.lap("write")
    manifest = {
        "key": spec.key,
        "fingerprint": spec.fingerprint(),
        "detector_version": detector.version,
        "source": spec.input.name,
        "texts": len(texts),
        "rejects": len(rejects),
        "reject_reasons": dict(Counter(r.reason for r in rejects)),
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(clock.total(), 3),  # the worker process's CPU: contention-free cost
        "cpu_phases": clock.phases(),  # of which: read, detect, normalise (lender, date, amount), results, write
        "rss_mb": _rss_mb(),  # the worker's resident memory after this partition (flat over a run = bounded)
        **stats,
    }
    atomic_write(manifest_path(out, spec.key), json.dumps(manifest, ensure_ascii=False).encode())
    return {**manifest, "skipped": False}


class _PhaseClock:
    """CPU time of this process (all its threads: in a Dask worker, its event loop too) per phase of a partition."""

    def __init__(self) -> None:
        self._start = self._last = time.process_time()
        self._laps: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.process_time()
        self._laps[phase] = self._laps.get(phase, 0.0) + now - self._last
        self._last = now

    def total(self) -> float:
        return time.process_time() - self._start

    def phases(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self._laps.items()}


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


class _Normalised(NamedTuple):
    refs: list[LenderRef]
    dates: list[dt.date | None]
    months: list[str | None]
    amounts: list[float | None]


def _normalised(fields: dict[str, list[Any]], resolver: LenderResolver, tz: str) -> _Normalised:
    """The work a bulk run does per text besides detection: lender, date, month and amount (once per distinct value)."""
    texts: list[str] = fields["text"]
    none = [None] * len(texts)
    refs = _per_distinct(
        resolver.resolve_name,
        [c.strip() if type(c) is str else c for c in fields.get("company", none)],
        lambda i, c: resolver.resolve(c, texts[i]),
    )
    dates = _per_distinct(lambda v: parse_date(v, tz), fields.get("date", none))
    months = _per_distinct(lambda d: f"{d.year:04d}-{d.month:02d}", dates, lambda _, d: None)
    return _Normalised(refs, dates, months, _per_distinct(parse_amount, fields.get("amount", none)))


def _columns(spec: PartitionSpec, batch: Batch, hits: list[list[HitLike]], norm: _Normalised) -> dict[str, Any]:
    """The per-text result columns (column lists or Arrow arrays, not row dicts: this runs once per text of the corpus)."""
    fields = batch.fields
    texts: list[str] = fields["text"]
    none = [None] * len(texts)
    refs = norm.refs
    return {
        "source": [spec.input.name] * len(texts),
        "row": batch.rows,
        "id": [None if v is None else str(v) for v in fields.get("id", none)],
        "company": [None if c is None else str(c) for c in fields.get("company", none)],
        "lender": [r.lender for r in refs],
        "lender_id": [r.lender_id for r in refs],
        "licence_type": [r.licence_type for r in refs],
        "claimed_licence": [r.claimed_licence for r in refs],
        "lender_match": [r.match for r in refs],
        "date": norm.dates,
        "date_raw": [
            None if v is None or d is not None else str(v)[:64]
            for v, d in zip(fields.get("date", none), norm.dates, strict=True)
        ],
        "month": norm.months,
        "amount": norm.amounts,
        "text_chars": [len(t) for t in texts],
        "labels": [sorted({h.category for h in hs}) if hs else [LAWFUL] for hs in hits],
        "unlawful": [bool(hs) for hs in hits],
        "hits": hits_array(texts, hits),
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


def _stats(cols: dict[str, Any]) -> dict[str, Any]:
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
