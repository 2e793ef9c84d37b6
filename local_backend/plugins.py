"""Extra benchmark tasks for the local backend, imported from $LOCAL_BACKEND_PLUGINS.

A newer colliderml release adds tasks by registering them (``@colliderml.tasks.register``)
when its modules are imported. A plugin module does exactly that, so the local backend can
serve a task the installed colliderml does not ship, and the dashboard can be seen picking
it up from the backend alone. Plugins are imported before anything lists the tasks.
"""

from __future__ import annotations

import importlib
import os

ENV_VAR = "LOCAL_BACKEND_PLUGINS"


class PluginError(Exception):
    """A module named in $LOCAL_BACKEND_PLUGINS could not be imported."""


def plugin_modules(spec: str | None = None) -> list[str]:
    """The module names in `spec` (default: $LOCAL_BACKEND_PLUGINS), comma-separated, blanks skipped."""
    text = os.environ.get(ENV_VAR, "") if spec is None else spec
    return [name.strip() for name in text.split(",") if name.strip()]


def load_plugins(spec: str | None = None) -> list[str]:
    """Import every plugin module (importing twice is harmless); the names imported.

    Fails loudly: a backend silently missing a task would answer 404 for it.
    """
    names = plugin_modules(spec)
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            raise PluginError(f"{ENV_VAR}: cannot import {name!r}: {exc}") from exc
    return names
