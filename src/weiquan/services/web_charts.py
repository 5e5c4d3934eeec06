"""Chart images of a case for the web UI, drawn by ``weiquan.report.charts`` and cached per case state."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Literal

from sqlalchemy import func, select

from weiquan.errors import NotFoundError
from weiquan.report import charts
from weiquan.services.cases import get_case_row
from weiquan.store.models import Event
from weiquan.workspace import Workspace

ChartName = Literal["per_day", "heatmap", "numbers"]
CHART_NAMES: tuple[str, ...] = ("per_day", "heatmap", "numbers")


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


def _night() -> tuple[dt.time, dt.time] | None:
    from weiquan.law.pack import load_pack

    n = load_pack().conduct.night
    return (n.start, n.end)


def case_chart(ws: Workspace, case_id: int, name: str, *, fmt: charts.Fmt = "svg", cache: ChartCache | None = None) -> bytes:
    if name not in CHART_NAMES:
        raise NotFoundError(f"没有这种图表：{name}", f"no such chart: {name}")
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz, lender = case.timezone, case.lender_name
        dated = (Event.case_id == case_id, Event.date_unconfirmed.is_(False))  # unconfirmed dates are not charted
        state = s.execute(select(func.count(), func.max(Event.id)).where(*dated)).one()
        key = (case_id, name, fmt, tz, lender, *state)
        if cache is not None and (hit := cache.get(key)) is not None:
            return hit
        rows = s.execute(select(Event.start, Event.channel, Event.recipient, Event.counterpart, Event.signature)
                         .where(*dated).execution_options(yield_per=5000))
        stats = charts.aggregate(charts.events_from_rows(rows), tz=tz, default_group=lender)
    if name == "per_day":
        data = charts.contacts_per_day(stats, fmt=fmt)
    elif name == "heatmap":
        data = charts.hour_weekday_heatmap(stats, night=_night(), fmt=fmt)
    else:
        data = charts.numbers_over_time(stats, fmt=fmt)
    if cache is not None:
        cache.put(key, data)
    return data
