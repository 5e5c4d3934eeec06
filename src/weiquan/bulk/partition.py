"""One partition on one worker: read, classify, identify the lender, normalise, write atomically.

A partition writes three things under the run directory, each through a temporary file renamed into
place: ``rejects/KEY.jsonl`` (only when there are rejects), ``texts/KEY.parquet`` (one row per text) and,
last, ``_parts/KEY.json`` — the manifest with counts and the partition's partial aggregates. A partition
is done when its manifest exists and names the same input slice and detector version; a re-run skips it.
A crash at any point leaves at most temporary files, removed by the next run.
"""

from __future__ import annotations

import json
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
    return m  # type: ignore[no-any-return]


def process_partition(spec: PartitionSpec, cfg: RunConfig) -> dict[str, Any]:
    """Run one partition (or return its manifest when it is already done); returns the manifest."""
    out = Path(cfg.out)
    detector = cfg.detector_factory()
    done = done_manifest(out, spec, detector.version)
    if done is not None:
        return {**done, "skipped": True}
    t0 = time.perf_counter()
    resolver = resolver_for(cfg.registry)
    records: list[Record] = []
    rejects: list[Reject] = []
    for r in read_partition(spec):
        (records if isinstance(r, Record) else rejects).append(r)
    hits: list[list[HitLike]] = []
    texts = [r.fields["text"] for r in records]
    for i in range(0, len(texts), BATCH):
        hits.extend(detector.detect_many(texts[i:i + BATCH]))
    rows = _rows(spec, records, hits, resolver, cfg.timezone)
    stats = _stats(rows)
    if rejects:
        atomic_write(out / "rejects" / f"{spec.key}.jsonl",
                     "".join(json.dumps(r.to_dict(spec.input.name), ensure_ascii=False) + "\n" for r in rejects).encode())
    atomic_write(out / "texts" / f"{spec.key}.parquet", write_parquet_bytes(texts_table(rows)))
    manifest = {
        "key": spec.key,
        "fingerprint": spec.fingerprint(),
        "detector_version": detector.version,
        "source": spec.input.name,
        "texts": len(records),
        "rejects": len(rejects),
        "reject_reasons": dict(Counter(r.reason for r in rejects)),
        "seconds": round(time.perf_counter() - t0, 3),
        **stats,
    }
    atomic_write(manifest_path(out, spec.key), json.dumps(manifest, ensure_ascii=False).encode())
    return {**manifest, "skipped": False}


def _rows(spec: PartitionSpec, records: list[Record], hits: list[list[HitLike]], resolver: LenderResolver,
          tz: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    source = spec.input.name
    for rec, hs in zip(records, hits, strict=True):
        f = rec.fields
        text: str = f["text"]
        ref = resolver.resolve(f.get("company"), text)
        d = parse_date(f.get("date"), tz)
        labels = sorted({h.category for h in hs}) or [LAWFUL]
        rows.append({
            "source": source,
            "row": rec.row,
            "id": None if f.get("id") is None else str(f["id"]),
            "company": None if f.get("company") is None else str(f["company"]),
            "lender": ref.lender,
            "lender_id": ref.lender_id,
            "licence_type": ref.licence_type,
            "claimed_licence": ref.claimed_licence,
            "lender_match": ref.match,
            "date": d,
            "date_raw": None if f.get("date") is None or d is not None else str(f["date"])[:64],
            "month": None if d is None else f"{d.year:04d}-{d.month:02d}",
            "amount": parse_amount(f.get("amount")),
            "text_chars": len(text),
            "labels": labels,
            "unlawful": labels != [LAWFUL],
            "hits": [
                {"category": h.category, "spans": [list(s) for s in h.spans], "quotes": [text[a:b] for a, b in h.spans],
                 "detector": h.detector_id, "rule": h.rule_id, "confidence": round(float(h.confidence), 4)}
                for h in hs
            ],
        })
    return rows


def _stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Partial aggregates: per (lender, id, licence, month) totals and per label counts; merged by the driver."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    labels: Counter[tuple[Any, ...]] = Counter()
    no_date = 0
    for r in rows:
        g = (r["lender"], r["lender_id"], r["licence_type"], r["month"])
        acc = groups.get(g)
        if acc is None:
            acc = groups[g] = [0, 0, 0.0, 0]
        acc[0] += 1
        acc[1] += r["unlawful"]
        if r["amount"] is not None:
            acc[2] += r["amount"]
            acc[3] += 1
        for lab in r["labels"]:
            labels[(*g, lab)] += 1
        no_date += r["month"] is None
    return {
        "groups": [[*g, *acc] for g, acc in groups.items()],
        "labels": [[*k, v] for k, v in labels.items()],
        "undated": no_date,
        "amounts": sum(acc[3] for acc in groups.values()),
        "unmatched_lender": sum(1 for r in rows if r["lender_id"] is None),
        "unparsed_dates": sum(1 for r in rows if r["date_raw"] is not None),
    }
