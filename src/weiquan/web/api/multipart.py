"""The OpenAPI description of an upload: the handlers read the multipart form themselves (to bound its size),
so FastAPI cannot infer the request body and each upload route states it with ``multipart_body``."""

from __future__ import annotations

from typing import Any


def multipart_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """``openapi_extra`` for a route whose required request body is a multipart form with these fields."""
    return {
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": properties, "required": required},
                }
            },
            "required": True,
        }
    }
