"""Shared helpers for benchmarks: peak RSS, timing, the final JSON line."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def finish(figures: dict[str, Any]) -> None:
    """Print the figures as the last line, one JSON object."""
    sys.stdout.flush()
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
