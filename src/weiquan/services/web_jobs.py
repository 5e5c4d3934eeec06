"""Background work after a web import: extraction progress, and running extraction then analysis."""

from __future__ import annotations

import importlib.util
import logging
from collections import defaultdict

from pydantic import BaseModel
from sqlalchemy import func, select

from weiquan.errors import WeiquanError
from weiquan.store.models import Acquisition, Job
from weiquan.workspace import Workspace
from weiquan.services import analysis, extraction

log = logging.getLogger(__name__)


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
        names = dict(s.execute(select(Acquisition.evidence_id, func.min(Acquisition.original_name))
                               .where(Acquisition.case_id == case_id).group_by(Acquisition.evidence_id)).all())
        files = [FileJob(job_id=j.id, name=names.get(j.evidence_id), kind=j.kind, status=j.status,
                         error=(j.error or "").split(" / ")[0] or None)
                 for j in s.scalars(select(Job).where(Job.case_id == case_id).order_by(Job.id))]
        files.sort(key=lambda f: (_ORDER.get(f.status, 5), f.job_id))
        rows = s.execute(select(Job.kind, Job.status, func.count()).where(Job.case_id == case_id).group_by(Job.kind, Job.status))
        by: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, status, n in rows:
            by[kind][status] = int(n)
        queued = s.scalar(select(func.count()).select_from(Acquisition).where(
            Acquisition.case_id == case_id, Acquisition.parse_status == "queued")) or 0
    counts: dict[str, int] = defaultdict(int)
    for st in by.values():
        for status, n in st.items():
            counts[status] += n
    return JobProgress(
        case_id=case_id, by_kind=dict(by), total=sum(counts.values()), done=counts["done"], failed=counts["failed"],
        pending=counts["pending"] + counts["running"], asr_installed=importlib.util.find_spec("faster_whisper") is not None,
        queued_files=int(queued), paused=counts["paused"], files=files[:FILES_SHOWN],
    )


def analyze(ws: Workspace, case_id: int) -> object:
    """Run the case analysis (every registered detector)."""
    return analysis.analyze_case(ws, case_id)


def extract_then_analyze(ws: Workspace, case_id: int) -> None:
    """Run the case's pending extraction jobs, then re-run analysis (for a background thread)."""
    try:
        extraction.run_jobs(ws, case_id=case_id, workers=1)
        analyze(ws, case_id)
    except WeiquanError as e:
        log.warning("background extraction/analysis for case %s stopped: %s", case_id, e.en)
    except Exception:  # noqa: BLE001 - a background thread must log, not die silently
        log.exception("background extraction/analysis for case %s crashed", case_id)
