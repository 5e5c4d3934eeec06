"""Extraction jobs: OCR of screenshots and speech-to-text of recordings, run in the background.

- ``queue_for_evidence`` records a job (kind, evidence, case); the import service calls it for
  every screenshot ("ocr") and recording ("asr"). ``queue_case`` queues every image/audio file of a
  case that has no job yet.
- ``run_jobs`` runs pending work in parallel across cores (a process pool; one model per worker).
  The slow step is **cached by content**: its result is stored once as derived evidence
  (``ws.vault.add_derived``, derivation "ocr"/"asr", ``extra.engine``) and reused for the same
  bytes in any case. Each job's events, its status and its acquisitions' status are written in
  **one transaction**, so an interrupted run (Ctrl-C, crash, kill) leaves either all of a job's
  events or none, and a rerun produces exactly the events of an uninterrupted run.
- A failing item is reported (bilingual, no message bodies) and the rest continue; it is retried on
  the next run up to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib.util
import json
import logging
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weiquan.errors import InputError, NotFoundError, WeiquanError
from weiquan.extract import worker
from weiquan.extract.base import KINDS, ExtractContext, Extractor
from weiquan.ingest.base import RawEvent
from weiquan.ingest.writer import EventWriter
from weiquan.plugins import collect
from weiquan.services.cases import get_case_row
from weiquan.services.extraction_write import attach_to_recording, insert_unmerged
from weiquan.store.provenance import case_acquisitions, case_names
from weiquan.store.models import Acquisition, Case, Evidence, Job
from weiquan.store.types import utcnow
from weiquan.workspace import Workspace
from weiquan.zh.steps import Note

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
IN_PROCESS_MAX = 3
WORKER_MEMORY_BYTES = 1 << 30  # budget per worker process (model + image buffers)
KIND_FOR_MEDIA = {"image/": "ocr", "audio/": "asr", "video/": "asr"}


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    evidence_id: int
    case_id: int
    status: str
    attempts: int
    error: str | None = None
    result_evidence_id: int | None = None


class JobError(BaseModel):
    job_id: int
    evidence_id: int
    name: str | None = None
    error: str


class RunSummary(BaseModel):
    total: int = 0
    done: int = 0
    cached: int = 0  # jobs whose slow step was reused from an earlier run or another case
    failed: int = 0
    events_added: int = 0
    events_merged: int = 0
    events_updated: int = 0  # existing call events that received a transcript
    elapsed_s: float = 0.0
    interrupted: bool = False
    paused: int = 0  # jobs paused by the user while this run was going (resumable)
    errors: list[JobError] = []

    @property
    def note_zh(self) -> Note:
        """The summary in words; with paused jobs, a note asking for the resume step (each front end names it)."""
        s = (
            f"提取任务 {self.total} 个：完成 {self.done}（复用缓存 {self.cached}），失败 {self.failed}；"
            f"新增事件 {self.events_added}，合并 {self.events_merged}，补充转写 {self.events_updated}；用时 {self.elapsed_s:.1f} 秒"
        )
        if self.paused:
            s += f"；已暂停 {self.paused} 个，可继续识别"
        s += "（已中断，可重新运行继续）" if self.interrupted else ""
        return Note(s + "。", step="extract_resume" if self.paused else None)

    def __str__(self) -> str:
        return str(self.note_zh)


@dataclass(frozen=True)
class ProgressEvent:
    done: int  # jobs finished (ok or failed) so far
    total: int
    job_id: int
    name: str | None
    status: str  # done|failed
    error: str | None = None


ProgressFn = Callable[[ProgressEvent], None]


# -- queueing ---------------------------------------------------------------------------------


def extractors() -> list[Extractor]:
    return [e for e in collect("register_extractors") if isinstance(e, Extractor)]


def extractor_for(kind: str, media_type: str | None) -> Extractor | None:
    return next((e for e in extractors() if e.kind == kind and e.accepts(media_type)), None)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"未知的提取类型：{kind}（可选 ocr、asr）", f"unknown extraction kind: {kind} (ocr or asr)")


def queue_for_evidence(ws: Workspace, case_id: int, evidence_id: int, kind: str) -> JobOut:
    """Queue one extraction job; idempotent (an existing job is returned unchanged)."""
    _check_kind(kind)
    with ws.db.session() as s:
        get_case_row(s, case_id)
        if s.get(Evidence, evidence_id) is None:
            raise NotFoundError(f"证据 {evidence_id} 不存在", f"evidence {evidence_id} does not exist")
        job = s.execute(
            select(Job).where(Job.kind == kind, Job.evidence_id == evidence_id, Job.case_id == case_id)
        ).scalar_one_or_none()
        if job is None:
            job = Job(kind=kind, evidence_id=evidence_id, case_id=case_id, status="pending")
            s.add(job)
            s.flush()
        return JobOut.model_validate(job)


def queue_case(ws: Workspace, case_id: int, *, only: str | None = None) -> int:
    """Queue every image (ocr) and audio (asr) original of a case that has no job yet; returns how many."""
    if only:
        _check_kind(only)
    with ws.db.read_session() as s:
        get_case_row(s, case_id)
        rows = s.execute(
            select(Evidence.id, Evidence.media_type)
            .join(Acquisition, Acquisition.evidence_id == Evidence.id)
            .where(Acquisition.case_id == case_id, Evidence.kind == "original")
            .distinct()
        ).all()
        have = {(k, e) for k, e in s.execute(select(Job.kind, Job.evidence_id).where(Job.case_id == case_id))}
    n = 0
    for eid, media_type in rows:
        kind = next((k for p, k in KIND_FOR_MEDIA.items() if (media_type or "").startswith(p)), None)
        if kind is None or (only and kind != only) or (kind, eid) in have:
            continue
        queue_for_evidence(ws, case_id, eid, kind)
        n += 1
    return n


def list_jobs(ws: Workspace, *, case_id: int | None = None, status: str | None = None) -> list[JobOut]:
    with ws.db.read_session() as s:
        q = select(Job).order_by(Job.id)
        if case_id is not None:
            q = q.where(Job.case_id == case_id)
        if status is not None:
            q = q.where(Job.status == status)
        return [JobOut.model_validate(j) for j in s.execute(q).scalars()]


# -- the runner ---------------------------------------------------------------------------------


@dataclass
class _Item:
    """One unit of slow work: a source blob for one extractor, shared by all its jobs."""

    kind: str
    extractor: Extractor
    evidence_id: int
    sha256: str
    media_type: str | None
    jobs: list[tuple[int, int]]  # (job id, case id)
    cached: dict[str, Any] | None = None
    cached_id: int | None = None


def _find_cached(s: Session, evidence_id: int, kind: str, engine_id: str) -> Evidence | None:
    q = (
        select(Evidence)
        .where(Evidence.derived_from_id == evidence_id, Evidence.derivation == kind)
        .order_by(Evidence.id)
    )
    return next((d for d in s.execute(q).scalars() if (d.extra or {}).get("engine") == engine_id), None)


def _claim(
    ws: Workspace, *, case_id: int | None, only: str | None, retry_failed: bool
) -> tuple[list[_Item], list[JobError]]:
    """Pending (and crashed 'running') jobs, grouped by content; marks them running."""
    errors: list[JobError] = []
    items: dict[tuple[str, int], _Item] = {}
    with ws.db.session() as s:
        states = ["pending", "running", "failed"]
        q = (
            select(Job, Evidence)
            .join(Evidence, Evidence.id == Job.evidence_id)
            .where(Job.status.in_(states))
            .order_by(Job.id)
        )
        if case_id is not None:
            q = q.where(Job.case_id == case_id)
        if only is not None:
            q = q.where(Job.kind == only)
        for job, ev in s.execute(q).all():
            if job.status == "failed" and job.attempts >= MAX_ATTEMPTS and not retry_failed:
                continue
            ex = extractor_for(job.kind, ev.media_type)
            if ex is None:
                job.status, job.error = "failed", _missing_message(job.kind, ev.media_type)
                errors.append(
                    JobError(
                        job_id=job.id,
                        evidence_id=ev.id,
                        name=case_names(s, job.case_id, [ev.id])[ev.id],
                        error=job.error,
                    )
                )
                continue
            item = items.get((job.kind, ev.id))
            if item is None:
                item = items[(job.kind, ev.id)] = _Item(job.kind, ex, ev.id, ev.sha256, ev.media_type, [])
                cached = _find_cached(s, ev.id, job.kind, ex.engine_id)
                if cached is not None:
                    item.cached_id = cached.id
            item.jobs.append((job.id, job.case_id))
            job.status = "running"
            job.attempts += 1
    for item in items.values():
        if item.cached_id is not None:
            with ws.db.read_session() as s:
                d = s.get(Evidence, item.cached_id)
                sha = d.sha256 if d else None
            if sha:
                try:
                    item.cached = json.loads(ws.vault.read(sha))
                except (OSError, ValueError):
                    item.cached, item.cached_id = None, None  # unreadable cache: compute again
    return list(items.values()), errors


def pause_jobs(ws: Workspace, case_id: int) -> int:
    """Pause the case's waiting and running jobs. A run in progress finishes the file it is on and
    stops before the next one; nothing is lost, and :func:`resume_jobs` continues where it stopped."""
    with ws.db.session() as s:
        get_case_row(s, case_id)
        jobs = (
            s.execute(select(Job).where(Job.case_id == case_id, Job.status.in_(("pending", "running")))).scalars().all()
        )
        for job in jobs:
            job.status = "paused"
        return len(jobs)


def resume_jobs(ws: Workspace, case_id: int) -> int:
    """Paused jobs of the case become pending again (run them with :func:`run_jobs`)."""
    with ws.db.session() as s:
        get_case_row(s, case_id)
        jobs = s.execute(select(Job).where(Job.case_id == case_id, Job.status == "paused")).scalars().all()
        for job in jobs:
            job.status = "pending"
        return len(jobs)


def _paused_ids(ws: Workspace, case_ids: set[int]) -> set[int]:
    """Jobs of these cases that the user paused (normally none: one cheap query per file)."""
    with ws.db.read_session() as s:
        return set(s.scalars(select(Job.id).where(Job.case_id.in_(case_ids), Job.status == "paused")))


def _missing_message(kind: str, media_type: str | None) -> str:
    if kind == "asr":
        return (
            "语音转写组件未安装或不支持该格式：请安装 pip install 'weiquan[asr]' / "
            f"speech-to-text is not installed or cannot read {media_type}: pip install 'weiquan[asr]'"
        )
    return f"没有可处理该文件的文字识别组件（{media_type}） / no OCR extractor accepts {media_type}"


def run_jobs(
    ws: Workspace,
    *,
    case_id: int | None = None,
    only: str | None = None,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    retry_failed: bool = False,
) -> RunSummary:
    """Run pending extraction jobs; see the module docstring for the guarantees."""
    if only is not None:
        _check_kind(only)
    if case_id is not None:
        with ws.db.read_session() as s:
            get_case_row(s, case_id)
    t0 = time.monotonic()
    summary = RunSummary()
    items, errors = _claim(ws, case_id=case_id, only=only, retry_failed=retry_failed)
    for it in items:
        it.extractor.cache_dir = ws.settings.cache_dir
    summary.errors.extend(errors)
    summary.failed += len(errors)
    summary.total = sum(len(i.jobs) for i in items) + len(errors)
    counter = {"done": len(errors)}

    def finish(item: _Item, ok: bool, payload: Any) -> None:
        for job_id, job_case in item.jobs:
            if ok:
                err = _complete(ws, item, job_id, job_case, payload, summary)
            else:
                err = f"{payload[0]} / {payload[1]}"
            if err is not None:
                _fail(ws, job_id, err)
                summary.failed += 1
                summary.errors.append(
                    JobError(
                        job_id=job_id,
                        evidence_id=item.evidence_id,
                        name=_name(ws, item.evidence_id, job_case),
                        error=err,
                    )
                )
            else:
                summary.done += 1
            counter["done"] += 1
            if progress:
                progress(
                    ProgressEvent(
                        counter["done"],
                        summary.total,
                        job_id,
                        _name(ws, item.evidence_id, job_case),
                        "failed" if err else "done",
                        err,
                    )
                )

    todo: list[_Item] = []
    for item in items:
        if item.cached is not None:
            summary.cached += len(item.jobs)
            finish(item, True, item.cached)
        else:
            todo.append(item)
    case_ids = {c for it in todo for _, c in it.jobs}

    def wanted(item: _Item, paused: set[int] | None = None) -> bool:
        """Before a file is computed: drop the jobs the user paused meanwhile (they stay paused)."""
        paused = _paused_ids(ws, case_ids) if paused is None else paused
        keep = [(j, c) for j, c in item.jobs if j not in paused]
        summary.paused += len(item.jobs) - len(keep)
        summary.total -= len(item.jobs) - len(keep)
        item.jobs = keep
        return bool(keep)

    try:
        _compute_all(ws, todo, workers or ws.settings.workers, finish, wanted)
    except KeyboardInterrupt:
        summary.interrupted = True
        _release(ws, [j for i in todo for j, _ in i.jobs])
        raise
    finally:
        summary.elapsed_s = round(time.monotonic() - t0, 2)
    return summary


def _compute_all(
    ws: Workspace,
    todo: list[_Item],
    workers: int,
    finish: Callable[[_Item, bool, Any], None],
    wanted: Callable[..., bool],
) -> None:
    if not todo:
        return
    # A worker process costs a start-up and a model load (~2-3 s); below this many items one
    # in-process engine finishes sooner.
    n = max(1, min(workers, len(todo), _workers_memory_allows())) if len(todo) > IN_PROCESS_MAX else 1
    threads = max(1, (os.cpu_count() or 1) // n)
    if n == 1:
        prepared: set[int] = set()
        for item in todo:
            if not wanted(item):
                continue
            if id(item.extractor) not in prepared:
                try:
                    item.extractor.prepare(threads)
                except WeiquanError as e:
                    finish(item, False, (e.zh, e.en))
                    continue
                prepared.add(id(item.extractor))
            try:
                finish(item, True, item.extractor.compute(ws.vault.path(item.sha256)))
            except WeiquanError as e:
                finish(item, False, (e.zh, e.en))
            except Exception as e:  # noqa: BLE001 - per-item error, the rest continue
                log.warning("extraction of evidence %s failed: %s", item.evidence_id, type(e).__name__)
                finish(item, False, (f"提取失败：{type(e).__name__}", f"extraction failed: {safe_error(e)}"))
        return
    exs = {i.kind: i.extractor for i in todo}
    ctx = multiprocessing.get_context("spawn")  # safe from threads (web) and with onnxruntime
    with cf.ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=worker.init, initargs=(exs, threads)
    ) as pool:
        futures = {pool.submit(worker.compute, i.kind, str(ws.vault.path(i.sha256)), threads): i for i in todo}
        try:
            left = set(futures)
            for fut in cf.as_completed(futures):
                item = futures[fut]
                left.discard(fut)
                try:
                    ok, payload = fut.result()
                except cf.CancelledError:
                    continue
                except Exception as e:  # noqa: BLE001 - a worker died (out of memory …)
                    ok, payload = (
                        False,
                        (f"工作进程异常退出：{type(e).__name__}", f"worker process failed: {type(e).__name__}"),
                    )
                finish(item, ok, payload)  # a file already being computed is finished, paused or not
                paused = _paused_ids(ws, {c for f in left for _, c in futures[f].jobs})
                if paused:  # files whose every job was paused are not computed if they have not started
                    for other in list(left):
                        if not wanted(futures[other], paused) and other.cancel():
                            left.discard(other)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _workers_memory_allows() -> int:
    """Each worker holds a model (OCR ≈ 650 MB resident): never start more than the RAM can hold."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: trust the setting
        return 1 << 16
    return max(1, int(total // WORKER_MEMORY_BYTES))


def _store_result(ws: Workspace, item: _Item, result: dict[str, Any], case_id: int) -> int:
    if item.cached_id is not None:
        return item.cached_id
    data = json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    ev = ws.vault.add_derived(
        data,
        source_sha256=item.sha256,
        derivation=item.kind,
        case_id=case_id,
        metadata={"engine": item.extractor.engine_id, "extractor": item.extractor.name},
        name=f"{item.sha256[:12]}.{item.kind}.json",
    )
    item.cached_id = ev.id
    return ev.id


def _context(s: Session, item: _Item, case_id: int, ws: Workspace) -> ExtractContext:
    case = s.get(Case, case_id)
    acqs = case_acquisitions(s, case_id, item.evidence_id)
    names = [a.original_name for a in acqs if a.original_name]
    imported = min((a.acquired_at for a in acqs), default=utcnow())
    return ExtractContext(
        sha256=item.sha256,
        names=names,
        path=ws.vault.path(item.sha256),
        imported_at=imported,
        tz=(case.timezone if case else None) or ws.settings.timezone,
        media_type=item.media_type,
    )


def _complete(
    ws: Workspace, item: _Item, job_id: int, case_id: int, result: dict[str, Any], summary: RunSummary
) -> str | None:
    """Store the derived result, then write the job's events + status in one transaction."""
    try:
        derived_id = _store_result(ws, item, result, case_id)
        with ws.db.session() as s:
            job = s.get(Job, job_id, with_for_update=True)  # two runners (CLI + web) never write a job twice
            if job is None or job.status == "done":
                return None  # deleted meanwhile, or finished by another runner
            ctx = _context(s, item, case_id, ws)
            raws = item.extractor.events(result, ctx)
            added, merged, updated = _write_events(s, ws, item, case_id, derived_id, raws)
            job.status, job.error, job.result_evidence_id = "done", None, derived_id
            for acq in case_acquisitions(s, case_id, item.evidence_id):
                if acq.parse_status in ("queued", "pending"):
                    acq.parse_status = "parsed"
                acq.meta = {
                    **(acq.meta or {}),
                    item.kind: {
                        "events": len(raws),
                        "engine": item.extractor.engine_id,
                        "derived_evidence_id": derived_id,
                    },
                }
        summary.events_added += added
        summary.events_merged += merged
        summary.events_updated += updated
        return None
    except WeiquanError as e:
        return f"{e.zh} / {e.en}"
    except Exception as e:  # noqa: BLE001 - one item must not stop the rest
        log.warning("writing extraction of evidence %s failed: %s", item.evidence_id, type(e).__name__)
        return f"写入提取结果失败：{type(e).__name__} / writing the extraction result failed: {safe_error(e)}"


def _write_events(
    s: Session, ws: Workspace, item: _Item, case_id: int, derived_id: int, raws: list[RawEvent]
) -> tuple[int, int, int]:
    mergeable = [r for r in raws if not r.extra.get("attach_to_source") and not r.extra.get("time_is_latest_of_group")]
    grouped = [r for r in raws if r.extra.get("time_is_latest_of_group") and not r.extra.get("attach_to_source")]
    attach = [r for r in raws if r.extra.get("attach_to_source")]
    fmt = f"{item.extractor.name}_{item.kind}"
    added = merged = updated = 0
    for r in attach:
        n, leftover = attach_to_recording(
            s, case_id=case_id, evidence_id=item.evidence_id, derived_id=derived_id, raw=r
        )
        updated += n
        if leftover is not None:
            mergeable.append(leftover)
    if mergeable:
        writer = EventWriter(
            s,
            ws.vault.blobs,
            case_id=case_id,
            evidence_id=item.evidence_id,
            evidence_sha256=item.sha256,
            source_format=fmt,
        )
        for r in mergeable:
            writer.add(r)
        writer.flush()
        added += writer.stats.added
        merged += writer.stats.merged
    # Calls expanded from a "(7)" count share one time; they must not be merged into each other.
    added += insert_unmerged(s, case_id=case_id, evidence_id=item.evidence_id, source_format=fmt, raws=grouped)
    return added, merged, updated


def safe_error(e: BaseException) -> str:
    """Type and first line of an error, never SQL parameters (they may hold message bodies)."""
    first = (str(e).splitlines() or [""])[0].split("[SQL:")[0].split("[parameters:")[0].strip()
    return f"{type(e).__name__}: {first[:300]}" if first else type(e).__name__


def _fail(ws: Workspace, job_id: int, error: str) -> None:
    with ws.db.session() as s:
        job = s.get(Job, job_id)
        if job is not None:
            job.status, job.error = "failed", error[:2000]


def _release(ws: Workspace, job_ids: list[int]) -> None:
    """After Ctrl-C: unfinished jobs go back to pending (a crash leaves them 'running', also resumed)."""
    try:
        with ws.db.session() as s:
            for jid in job_ids:
                job = s.get(Job, jid)
                if job is not None and job.status == "running":
                    job.status = "pending"
    except Exception:  # noqa: BLE001 - best effort while interrupted
        log.warning("could not release interrupted jobs")


def _name(ws: Workspace, evidence_id: int, case_id: int) -> str | None:
    """The file's name as the case knows it (never another case's name for the same bytes)."""
    with ws.db.read_session() as s:
        return case_names(s, case_id, [evidence_id])[evidence_id]


# -- progress of a case's extraction jobs (the import page polls it)


class FileJob(BaseModel):
    """One file's extraction in a case: its name in this case, the kind, the state, the error."""

    job_id: int
    name: str | None
    kind: str  # ocr|asr
    status: str  # pending|running|done|failed|paused
    error: str | None = None


class JobProgress(BaseModel):
    case_id: int
    by_kind: dict[str, dict[str, int]]  # kind -> status -> count
    total: int
    done: int
    failed: int
    pending: int  # pending + running
    asr_installed: bool  # speech-to-text is an optional extra
    queued_files: int  # acquisitions marked queued (awaiting extraction)
    paused: int = 0  # paused by the user; resumable
    files: list[FileJob] = []  # per file, unfinished and failed first (at most FILES_SHOWN)

    @property
    def finished(self) -> bool:
        return self.pending == 0


FILES_SHOWN = 200
_ORDER = {"running": 0, "failed": 1, "paused": 2, "pending": 3, "done": 4}


def job_progress(ws: Workspace, case_id: int) -> JobProgress:
    with ws.db.read_session() as s:
        names = dict(
            s.execute(
                select(Acquisition.evidence_id, func.min(Acquisition.original_name))
                .where(Acquisition.case_id == case_id)
                .group_by(Acquisition.evidence_id)
            ).all()
        )
        files = [
            FileJob(
                job_id=j.id,
                name=names.get(j.evidence_id),
                kind=j.kind,
                status=j.status,
                error=(j.error or "").split(" / ")[0] or None,
            )
            for j in s.scalars(select(Job).where(Job.case_id == case_id).order_by(Job.id))
        ]
        files.sort(key=lambda f: (_ORDER.get(f.status, 5), f.job_id))
        rows = s.execute(
            select(Job.kind, Job.status, func.count()).where(Job.case_id == case_id).group_by(Job.kind, Job.status)
        )
        by: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, status, n in rows:
            by[kind][status] = int(n)
        queued = (
            s.scalar(
                select(func.count())
                .select_from(Acquisition)
                .where(Acquisition.case_id == case_id, Acquisition.parse_status == "queued")
            )
            or 0
        )
    counts: dict[str, int] = defaultdict(int)
    for st in by.values():
        for status, n in st.items():
            counts[status] += n
    return JobProgress(
        case_id=case_id,
        by_kind=dict(by),
        total=sum(counts.values()),
        done=counts["done"],
        failed=counts["failed"],
        pending=counts["pending"] + counts["running"],
        asr_installed=importlib.util.find_spec("faster_whisper") is not None,
        queued_files=int(queued),
        paused=counts["paused"],
        files=files[:FILES_SHOWN],
    )
