"""Code that runs inside an extraction worker process (kept light: imported by every spawned worker)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from weiquan.errors import WeiquanError
from weiquan.extract.base import Extractor

_EXTRACTORS: dict[str, Extractor] = {}  # this worker's extractors, one loaded model per kind


def init(extractors: dict[str, Extractor], threads: int) -> None:
    """Pool initializer: remember the extractors; each loads its model on first use."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    _EXTRACTORS.update(extractors)


def compute(kind: str, path: str, threads: int) -> tuple[bool, Any]:
    """(True, result) or (False, (zh, en)). Never raises: errors must cross the process boundary."""
    ex = _EXTRACTORS[kind]
    try:
        ex.prepare(threads)
        return True, ex.compute(Path(path))
    except WeiquanError as e:
        return False, (e.zh, e.en)
    except Exception as e:  # noqa: BLE001 - reported per item
        first = (str(e).splitlines() or [""])[0][:300]
        return False, (f"提取失败：{type(e).__name__}", f"extraction failed: {type(e).__name__}: {first}")
