"""Heavy request work (an upload's import, a package check) off the event loop, in a bounded pool.

``await run_heavy(request, fn, ...)`` runs ``fn`` in a worker thread; at most ``WebConfig.heavy_workers``
run at once (``app.state.heavy``), later ones wait their turn without blocking other requests. The
event loop keeps answering logins and page views meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import Request

T = TypeVar("T")


async def run_heavy(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=request.app.state.heavy)
