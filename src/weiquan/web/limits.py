"""ASGI middleware for request limits: the size of a request body (uploads), before anything is spooled
to disk, and ids in the path that no database column can hold (answered 404, never a 500)."""

from __future__ import annotations

import html
import json
from typing import Annotated

from fastapi import Query
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ID = 2**63 - 1  # the largest BIGINT: a larger number is no id of anything
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, send)
        except BaseExceptionGroup as group:
            # raised inside a task group (a streaming form parser, BaseHTTPMiddleware): the limit arrives wrapped
            too_large, rest = group.split(BodyTooLarge)
            if too_large is None or rest is not None:
                raise
            if not started:
                await self._reject(scope, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        mb = self.max_bytes // (1024 * 1024)
        await plain_error(
            scope,
            send,
            413,
            f"上传内容超过 {mb} MB 上限，未导入任何内容",
            f"request body over the {mb} MB limit; nothing imported",
        )


class IdRangeMiddleware:
    """404 for a path with a number no id can be (beyond 64 bits), before any route reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            len(seg) >= 19 and seg.isascii() and seg.isdigit() and int(seg) > MAX_ID
            for seg in str(scope.get("path", "")).split("/")
        ):
            await plain_error(scope, send, 404, "页面不存在", "not found")
            return
        await self.app(scope, receive, send)


async def plain_error(scope: Scope, send: Send, status: int, zh: str, en: str) -> None:
    """An error answered below the application: JSON under /api/, a minimal page elsewhere."""
    if str(scope.get("path", "")).startswith("/api/"):
        body = json.dumps({"error": {"status": status, "zh": zh, "en": en}}, ensure_ascii=False).encode("utf-8")
        ctype = b"application/json"
    else:
        body = f"<!doctype html><meta charset=utf-8><title>{status}</title><p>{html.escape(zh)}</p>".encode()
        ctype = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ctype),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
