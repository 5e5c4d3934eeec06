"""Web runtime: a small LRU of a case's chart images, keyed by what the charts depend on
(``services.dashboard.chart_state``), so the overview page redraws a chart only after the case changed."""

from __future__ import annotations

import threading
from collections import OrderedDict

from weiquan.report.charts import Fmt
from weiquan.services import dashboard
from weiquan.workspace import Workspace


class ChartCache:
    """A small LRU of rendered charts keyed by the case's event state (count + newest id)."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            v = self._items.get(key)
            if v is not None:
                self._items.move_to_end(key)
            return v

    def put(self, key: tuple[object, ...], value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def cached_chart(cache: ChartCache, ws: Workspace, case_id: int, name: str, *, fmt: Fmt = "svg") -> bytes:
    """The chart from the cache while the case is unchanged, else drawn by the dashboard service and kept."""
    key = (case_id, name, fmt, *dashboard.chart_state(ws, case_id))
    hit = cache.get(key)
    if hit is None:
        hit = dashboard.case_chart(ws, case_id, name, fmt=fmt)
        cache.put(key, hit)
    return hit
