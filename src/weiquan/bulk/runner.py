"""Running a bulk job on Dask distributed: plan, submit partitions, follow progress, aggregate.

A ``LocalCluster`` of ``workers`` single-threaded worker processes is started by default; with
``scheduler`` the job runs on an existing cluster (its workers need weiquan installed and the same paths
to the inputs and the output directory, e.g. a shared file system). Each partition is one task; the
driver only plans, follows progress and merges the small per-partition aggregates, so its memory does
not grow with the corpus. A worker that dies mid-task is replaced by its nanny and the task re-run
elsewhere; a run that stops is resumed by running it again (finished partitions are skipped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
import datetime as dt
import gc
import hashlib
import json
import logging
import os
from pathlib import Path
import resource
import time
from typing import Any

from weiquan.bulk.files import atomic_write, remove_temporaries
from weiquan.bulk.normalize import parse_amount, parse_date
from weiquan.bulk.partition import RunConfig, manifest_path, process_partition
from weiquan.bulk.partition import resolver_for
from weiquan.bulk.readers import InputFile, PartitionSpec, open_inputs, partition_input
from weiquan.bulk.tables import merge_stats, write_aggregates
from weiquan.errors import InputError, ProblemFound
from weiquan.zh.steps import Note

log = logging.getLogger("weiquan.bulk")
RUN_FILE = "run.json"
DEFAULT_PARTITION_ROWS = 20_000
# Worker settings measured on these partitions (docs/bulk.md, "Worker settings"); nothing here reads what they turn off.
WORKER_CONFIG = {
    # the statistical profiler samples the task thread's stack every 10 ms under the GIL: ~20 % of a worker's CPU
    "distributed.worker.profile.enabled": False,
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536: glibc then hands freed memory back after every batch and
    # faults it in again (5x the page faults, +20-25 % CPU per text); None unsets it (glibc's own adaptive threshold)
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the event-loop health check wakes the worker's loop thread every 20 ms, taking the GIL from the task each time
    "distributed.admin.tick.interval": "500ms",
    # the system monitor (psutil CPU, memory, network, disk counters every 500 ms) and the memory monitor (every
    # 100 ms): an idle worker used 0.86 % of a core with Dask's intervals, 0.31 % with these (memory limits still apply)
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "500ms",
}
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Progress:
    done: int  # partitions finished (including skipped)
    total: int
    skipped: int
    texts: int  # texts classified in this invocation
    elapsed: float  # seconds since the first task was submitted

    @property
    def texts_per_second(self) -> float:
        return self.texts / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class RunSummary:
    out: str
    inputs: list[dict[str, Any]]
    partitions: int
    skipped: int
    texts: int
    rejects: int
    reject_reasons: dict[str, int]
    unlawful: int
    label_counts: dict[str, int]
    lenders: int
    unmatched_lender: int
    undated: int
    detector_version: str
    workers: int
    scheduler: str
    seconds: float
    classify_seconds: float  # summed wall time of the partitions processed now (worker side)
    classify_cpu_seconds: float  # summed worker CPU time of those partitions
    classify_cpu_phases: dict[str, float]  # of which: read, detect, normalise, results, write (summed)
    driver_cpu_seconds: float  # CPU of this process (planning, scheduler, aggregation) during the run
    texts_per_second: float
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    started_at: str = ""
    finished_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_id(inputs: Sequence[InputFile], rows_per_partition: int) -> str:
    """Identifies the work: the inputs (path, size, mtime, format, encoding, mapping) and the partition size."""
    key = "\n".join(f"{i.path}|{i.size}|{i.mtime_ns}|{i.format}|{i.encoding}|{sorted(i.mapping)}" for i in inputs)
    return hashlib.sha256(f"{key}\n{rows_per_partition}".encode()).hexdigest()[:16]


def _check_out_dir(out: Path, pid: str) -> dict[str, Any] | None:
    run_file = out / RUN_FILE
    if not run_file.exists():
        if out.exists() and any(out.iterdir()):
            raise InputError(
                f"输出目录 {out} 不是空目录，也不是批量分析的结果目录；请换一个输出目录。",
                f"{out} is neither empty nor a bulk run directory; choose another output directory.",
            )
        return None
    try:
        prev: dict[str, Any] = json.loads(run_file.read_text(encoding="utf-8"))
    except ValueError:
        raise ProblemFound(
            f"{run_file} 已损坏，无法续跑；请换一个输出目录。",
            f"{run_file} is corrupt; cannot resume. Choose another output directory.",
        ) from None
    if prev.get("plan_id") != pid:
        raise InputError(
            f"输出目录 {out} 里是另一批输入（或输入文件已改动、列映射或分区大小不同）的结果，不能续跑；请换一个输出目录。",
            f"{out} holds results of different inputs (or changed files, mapping or partition size); use another output directory.",
        )
    return prev


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_bulk(
    paths: Sequence[Path],
    out: Path,
    cfg_factory: Callable[[str], RunConfig],
    *,
    mapping: dict[str, str] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    rows_per_partition: int = DEFAULT_PARTITION_ROWS,
    progress: Callable[[Progress], None] | None = None,
    on_worker_pids: Callable[[list[int]], None] | None = None,
) -> RunSummary:
    """Classify every text of ``paths`` into ``out``; see the module docstring. Raises before any work when
    an input is unreadable or has no text column."""
    if not paths:
        raise InputError("没有输入文件。", "no input files given.")
    if rows_per_partition < 1:
        raise InputError("分区大小必须是正整数。", "the partition size must be a positive integer.")
    t0, cpu0 = time.perf_counter(), time.process_time()
    opened = open_inputs([Path(p) for p in paths], dict(mapping or {}))
    inputs = [inp for inp, _ in opened]
    out = Path(out).resolve()
    pid = plan_id(inputs, rows_per_partition)
    prev = _check_out_dir(out, pid)
    for sub in ("texts", "_parts", "rejects"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    removed = remove_temporaries(out)
    if removed:
        log.info("removed %d temporary files of an interrupted run", removed)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    _write_run(
        out,
        {
            "plan_id": pid,
            "status": "running",
            "started_at": (prev or {}).get("started_at", started),
            "inputs": [_input_info(i) for i in inputs],
        },
    )
    cfg = cfg_factory(str(out))

    def plan() -> list[PartitionSpec]:  # runs while the workers load the detector
        return [s for inp, start in opened for s in partition_input(inp, start, rows_per_partition)]

    parts, manifests, n_workers, address, rss, classify_s = _execute(
        plan, cfg, scheduler, workers, progress, on_worker_pids
    )
    # a worker killed in the middle of a write leaves its temporary file (its partition was redone elsewhere)
    left = remove_temporaries(out)
    if left:
        log.info("removed %d temporary files of writes cut short during the run", left)
    return finish_run(
        out,
        parts,
        manifests,
        inputs=inputs,
        pid=pid,
        started=started,
        workers=n_workers,
        scheduler=address,
        seconds=time.perf_counter() - t0,
        classify_seconds=classify_s,
        rss=rss,
        driver_cpu0=cpu0,
    )


def _warm(cfg: RunConfig) -> str:
    """Load the detector (and the lender resolver) in a worker before its first partition."""

    resolver_for(cfg.registry).resolve(None, "预热")
    parse_amount("三千元")
    parse_date("2024-01-01T00:00:00+08:00", cfg.timezone)
    detector = cfg.detector_factory()
    detector.detect_many(["预热"])
    gc.collect()
    gc.freeze()  # the worker's own long-lived objects (dask, the detector) leave the collector's scans
    return detector.version


def _execute(
    plan: Callable[[], list[PartitionSpec]],
    cfg: RunConfig,
    scheduler: str | None,
    workers: int | None,
    progress: Callable[[Progress], None] | None,
    on_worker_pids: Callable[[list[int]], None] | None,
) -> tuple[list[PartitionSpec], dict[str, dict[str, Any]], int, str, list[float], float]:
    from distributed import Client, LocalCluster, as_completed

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the scheduler's INFO chatter is not the user's business
    try:
        return _execute_on(plan, cfg, scheduler, workers, progress, on_worker_pids, Client, LocalCluster, as_completed)
    finally:
        quiet.setLevel(level)


def _execute_on(
    plan: Callable[[], list[PartitionSpec]],
    cfg: RunConfig,
    scheduler: str | None,
    workers: int | None,
    progress: Callable[[Progress], None] | None,
    on_worker_pids: Callable[[list[int]], None] | None,
    Client: Any,
    LocalCluster: Any,
    as_completed: Any,  # noqa: N803 - the distributed classes, imported late
) -> tuple[list[PartitionSpec], dict[str, dict[str, Any]], int, str, list[float], float]:
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise InputError(
                f"无法连接调度器 {scheduler}：{type(e).__name__}。请确认 dask scheduler 已启动且地址正确。",
                f"cannot reach the scheduler at {scheduler}: {e}",
            ) from None
    else:
        n = workers or max(1, os.cpu_count() or 1)
        import dask

        with dask.config.set(WORKER_CONFIG):  # the nannies hand this configuration to their workers
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
                env=THREAD_ENV,
            )
        client = Client(cluster)
    try:
        try:
            client.wait_for_workers(1, timeout=120)
        except TimeoutError:
            raise ProblemFound(
                "集群中没有可用的 worker（等待 120 秒）。", "no workers joined the cluster within 120 s."
            ) from None
        info = client.scheduler_info(n_workers=-1)
        n_workers = len(info.get("workers", {}))
        if on_worker_pids is not None:
            on_worker_pids(sorted(client.run(os.getpid).values()))
        manifests: dict[str, dict[str, Any]] = {}
        skipped = texts = 0
        classify_s = 0.0
        cfg_future = client.scatter(cfg, broadcast=True, hash=False)
        token = os.urandom(4).hex()
        warm = [
            client.submit(
                _warm,
                cfg_future,
                key=f"weiquan-bulk-{token}-warm-{k}",
                workers=[w],
                allow_other_workers=False,
                pure=False,
            )
            for k, w in enumerate(info.get("workers", {}))
        ]
        parts = plan()
        t0 = time.perf_counter()
        futures = [
            client.submit(process_partition, p, cfg_future, key=f"weiquan-bulk-{token}-{p.key}", retries=1)
            for p in parts
        ]
        try:
            for fut in as_completed(futures):
                try:
                    m = fut.result()
                except Exception as e:  # noqa: BLE001 - reported with the partition, finished ones are kept
                    key = fut.key.rsplit("-", 3)
                    raise ProblemFound(
                        f"分区 {'-'.join(key[-3:])} 处理失败（{type(e).__name__}）。已完成的分区已保存，修正后重新运行同一命令即可续跑。",
                        f"partition {'-'.join(key[-3:])} failed: {type(e).__name__}: {e}. Finished partitions are kept; re-run to resume.",
                    ) from e
                manifests[m["key"]] = m
                fut.release()  # the worker may forget the result now: its memory stays flat
                if m["skipped"]:
                    skipped += 1
                else:
                    texts += m["texts"] + m["rejects"]
                    classify_s += m["seconds"]
                if progress is not None:
                    progress(Progress(len(manifests), len(parts), skipped, texts, time.perf_counter() - t0))
        except BaseException:
            client.cancel(futures)
            raise
        client.cancel(warm)
        # a worker that died after its last partition (or is being restarted by its nanny) must not fail a finished run:
        # the peak memory is read from the workers that answer
        rss = sorted(client.run(_peak_rss_mb, on_error="ignore").values())
        return parts, manifests, n_workers, str(client.scheduler.address), rss, classify_s
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def finish_run(
    out: Path,
    parts: list[PartitionSpec],
    manifests: dict[str, dict[str, Any]],
    *,
    inputs: list[InputFile],
    pid: str,
    started: str,
    workers: int,
    scheduler: str,
    seconds: float,
    classify_seconds: float,
    rss: list[float],
    driver_cpu0: float | None = None,
) -> RunSummary:
    """Merge the partition manifests into the aggregates, the rejects file and ``run.json``."""
    ordered = [manifests.get(p.key) or json.loads(manifest_path(out, p.key).read_text(encoding="utf-8")) for p in parts]
    versions = {m["detector_version"] for m in ordered}
    if len(versions) > 1:  # cannot happen through run_bulk (tasks redo stale partitions); guard hand-made dirs
        raise ProblemFound(
            "各分区使用的检测器版本不一致，请换一个输出目录重新运行。",
            f"partitions were classified by different detector versions: {sorted(versions)}",
        )
    agg, months = merge_stats(ordered)
    write_aggregates(out, agg, months)
    _merge_rejects(out, parts)
    labels: Counter[str] = Counter()
    for r in agg:
        labels[r["label"]] += r["count"]
    reasons: Counter[str] = Counter()
    for m in ordered:
        reasons.update(m["reject_reasons"])
    n_texts = sum(m["texts"] for m in ordered)
    classified_now = sum(m["texts"] + m["rejects"] for m in manifests.values() if not m.get("skipped"))
    summary = RunSummary(
        out=str(out),
        inputs=[_input_info(i) for i in inputs],
        partitions=len(parts),
        skipped=sum(1 for m in manifests.values() if m.get("skipped")),
        texts=n_texts,
        rejects=sum(m["rejects"] for m in ordered),
        reject_reasons=dict(reasons),
        unlawful=sum(r["unlawful"] for r in months),
        label_counts=dict(labels.most_common()),
        lenders=len({r["lender"] for r in months if r["lender"]}),
        unmatched_lender=sum(m["unmatched_lender"] for m in ordered),
        undated=sum(m["undated"] for m in ordered),
        detector_version=next(iter(versions), ""),
        workers=workers,
        scheduler=scheduler,
        seconds=round(seconds, 2),
        classify_seconds=round(classify_seconds, 2),
        classify_cpu_seconds=round(
            sum(m.get("cpu_seconds", 0.0) for m in manifests.values() if not m.get("skipped")), 2
        ),
        classify_cpu_phases=_summed_phases(m for m in manifests.values() if not m.get("skipped")),
        driver_cpu_seconds=round(time.process_time() - driver_cpu0, 2) if driver_cpu0 is not None else 0.0,
        texts_per_second=round(classified_now / seconds, 1) if seconds > 0 else 0.0,
        worker_peak_rss_mb=rss,
        started_at=started,
        finished_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )
    _write_run(out, {"plan_id": pid, "status": "done", **summary.to_dict()})
    return summary


def _summed_phases(manifests: Iterable[dict[str, Any]]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for m in manifests:
        total.update(m.get("cpu_phases", {}))
    return {k: round(v, 2) for k, v in total.items()}


def _merge_rejects(out: Path, parts: list[PartitionSpec]) -> None:
    chunks = []
    for p in parts:
        f = out / "rejects" / f"{p.key}.jsonl"
        if f.exists():
            chunks.append(f.read_bytes())
    atomic_write(out / "rejects.jsonl", b"".join(chunks))


def _input_info(i: InputFile) -> dict[str, Any]:
    return {
        "name": i.name,
        "path": i.path,
        "format": i.format,
        "encoding": i.encoding,
        "size": i.size,
        "mapping": dict(i.mapping),
    }


def _write_run(out: Path, data: dict[str, Any]) -> None:
    atomic_write(out / RUN_FILE, json.dumps(data, ensure_ascii=False, indent=2).encode())


def read_run(out: Path) -> dict[str, Any]:
    """``run.json`` of a bulk output directory; a clear error when it is not one or not finished."""
    f = Path(out) / RUN_FILE
    if not f.exists():
        raise InputError(
            f"{out} 不是批量分析的结果目录（没有 {RUN_FILE}）。",
            f"{out} is not a bulk run directory (no {RUN_FILE}).",
        )
    data: dict[str, Any] = json.loads(f.read_text(encoding="utf-8"))
    if data.get("status") != "done":
        raise ProblemFound(
            Note(f"{out} 的批量分析尚未完成；请用同样的输入和输出目录再运行一次，从中断处续跑。", step="bulk_resume"),
            f"the bulk run in {out} has not finished; run it again with the same inputs and output directory to resume.",
        )
    return data
