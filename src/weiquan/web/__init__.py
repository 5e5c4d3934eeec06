"""The web interface (FastAPI): pages in Simplified Chinese and the REST API under /api/v1."""

from __future__ import annotations

from weiquan.web.app import create_app

__all__ = ["create_app"]
