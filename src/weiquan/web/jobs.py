"""Web runtime: work that must not hold up a request.

- ``await run_heavy(request, fn, ...)`` runs ``fn`` (an upload's import, a package check) in a worker thread; at most
  ``WebConfig.heavy_workers`` run at once (``app.state.heavy``), later ones wait their turn without blocking other
  requests, and the event loop keeps answering logins and page views meanwhile.
- ``extract_then_analyze`` is the background thread's work after an upload: the case's pending extraction jobs,
  then the analysis again (services.extraction, services.analysis). Progress is ``services.extraction.job_progress``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import Request

from weiquan.errors import WeiquanError
from weiquan.services import analysis, extraction
from weiquan.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


async def run_heavy(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=request.app.state.heavy)


def extract_then_analyze(ws: Workspace, case_id: int) -> None:
    """Run the case's pending extraction jobs, then re-run analysis (for a background thread)."""
    try:
        extraction.run_jobs(ws, case_id=case_id, workers=1)
        analysis.analyze_case(ws, case_id)
    except WeiquanError as e:
        log.warning("background extraction/analysis for case %s stopped: %s", case_id, e.en)
    except Exception:  # noqa: BLE001 - a background thread must log, not die silently
        log.exception("background extraction/analysis for case %s crashed", case_id)
