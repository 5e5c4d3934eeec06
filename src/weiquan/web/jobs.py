"""Web runtime: the background thread's work after an upload — run the case's pending extraction jobs, then re-run
the analysis (services.extraction, services.analysis). Progress is ``services.extraction.job_progress``."""

from __future__ import annotations

import logging

from weiquan.errors import WeiquanError
from weiquan.services import analysis, extraction
from weiquan.workspace import Workspace

log = logging.getLogger(__name__)


def extract_then_analyze(ws: Workspace, case_id: int) -> None:
    """Run the case's pending extraction jobs, then re-run analysis (for a background thread)."""
    try:
        extraction.run_jobs(ws, case_id=case_id, workers=1)
        analysis.analyze_case(ws, case_id)
    except WeiquanError as e:
        log.warning("background extraction/analysis for case %s stopped: %s", case_id, e.en)
    except Exception:  # noqa: BLE001 - a background thread must log, not die silently
        log.exception("background extraction/analysis for case %s crashed", case_id)
