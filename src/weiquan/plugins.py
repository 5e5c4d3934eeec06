"""The plug-in manager: loads the ``weiquan`` entry-point group (built-ins included)."""

from __future__ import annotations

import importlib.metadata
import logging
from functools import cache
from typing import Any

import pluggy

from weiquan import hookspecs
from weiquan.config import load_settings

ENTRY_POINT_GROUP = "weiquan"
log = logging.getLogger(__name__)
_errors: dict[str, str] = {}


@cache
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("weiquan")
    pm.add_hookspecs(hookspecs)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as e:  # noqa: BLE001 - one broken plug-in must not take the program down
            _errors[ep.name] = f"{type(e).__name__}: {e}"
            log.warning("plug-in %s failed to load: %s", ep.name, _errors[ep.name])
    if load_settings().trace_plugins:
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


def collect(hook_name: str) -> list[Any]:
    """Flatten the lists returned by every implementation of a ``register_*`` hook."""
    hook = getattr(plugin_manager().hook, hook_name)
    items: list[Any] = []
    for result in hook():
        if result:
            items.extend(result)
    return items


def list_plugins() -> list[dict[str, str]]:
    pm = plugin_manager()
    out = []
    for name, plugin in pm.list_name_plugin():
        hooks = [h.name for h in pm.get_hookcallers(plugin) or []]
        out.append(
            {"name": name, "module": getattr(plugin, "__name__", repr(plugin)), "hooks": ",".join(sorted(hooks))}
        )
    return out


def plugin_errors() -> dict[str, str]:
    """Plug-ins that failed to load, with the reason (shown by ``weiquan plugins``)."""
    plugin_manager()
    return dict(_errors)
