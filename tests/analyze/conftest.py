"""Timeline builders for the detection tests: Event rows inserted directly into a workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from tests.analyze.analyze_builders import SH, local  # noqa: F401 - re-exported for fixtures

from weiquan.services.cases import create_case
from weiquan.store.models import Event
from weiquan.workspace import Workspace


@pytest.fixture
def case_id(ws: Workspace) -> int:
    return create_case(ws, "测试案件", lender="某某贷").id


@pytest.fixture
def add_event(ws: Workspace, case_id: int) -> Callable[..., int]:
    def add(
        start: dt.datetime,
        *,
        channel: str = "call",
        direction: str = "incoming",
        number: str = "+8613800000001",
        text: str | None = None,
        recipient: str = "borrower",
        duration: float | None = 30.0,
        signature: str | None = None,
        **kw: Any,
    ) -> int:
        with ws.db.session() as s:
            e = Event(
                case_id=case_id,
                channel=channel,
                direction=direction,
                start=start,
                source_tz="Asia/Shanghai",
                counterpart=number,
                text=text,
                recipient=recipient,
                duration_s=duration,
                signature=signature,
                **kw,
            )
            s.add(e)
            s.flush()
            return e.id

    return add
