"""Plug-in hooks (pluggy). Built-ins implement them exactly as third-party plug-ins do.

A plug-in is a module or object with ``@hookimpl``-decorated functions, announced
through the ``weiquan`` entry-point group in its package metadata::

    [project.entry-points.weiquan]
    my_plugin = "my_package.weiquan_plugin"

Each ``register_*`` hook returns a list of plug-in objects; weiquan collects
the lists from every plug-in. The contracts of the objects are documented on the
base classes in ``weiquan.ingest.base``, ``weiquan.analyze.base``,
``weiquan.extract.base`` and ``weiquan.act.base``.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("weiquan")
hookimpl = pluggy.HookimplMarker("weiquan")


@hookspec
def register_importers() -> list[Any]:  # type: ignore[empty-body]  # a hookspec declares the signature; plug-ins supply the body
    """Return importer objects (see ``weiquan.ingest.base.Importer``)."""


@hookspec
def register_detectors() -> list[Any]:  # type: ignore[empty-body]  # a hookspec declares the signature; plug-ins supply the body
    """Return detector objects (see ``weiquan.analyze.base``)."""


@hookspec
def register_extractors() -> list[Any]:  # type: ignore[empty-body]  # a hookspec declares the signature; plug-ins supply the body
    """Return extractor objects (see ``weiquan.extract.base``)."""


@hookspec
def register_documents() -> list[Any]:  # type: ignore[empty-body]  # a hookspec declares the signature; plug-ins supply the body
    """Return document template objects (see ``weiquan.act.base``)."""


@hookspec
def register_commands(app: Any) -> None:
    """Add Typer commands or groups to the ``weiquan`` CLI app."""
