"""LOCAL_BACKEND_PLUGINS: which modules it names, and a clear failure for one that cannot load.

Loading a real plugin would register its task in this process's colliderml, so that path is
covered over HTTP by `plugin_backend` (tests/conftest.py) and tests/test_pages.py instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local_backend import plugins

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_module_names_are_comma_separated_and_blanks_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert plugins.plugin_modules(" a.b , ,c ") == ["a.b", "c"]
    monkeypatch.setenv(plugins.ENV_VAR, "x")
    assert plugins.plugin_modules() == ["x"]
    monkeypatch.delenv(plugins.ENV_VAR)
    assert plugins.load_plugins() == []


def test_a_missing_plugin_stops_the_backend_with_its_name(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "local_backend", "serve", "--port", "1", "--db", str(tmp_path / "db.sqlite3")],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", plugins.ENV_VAR: "tests.plugins.no_such_task"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "LOCAL_BACKEND_PLUGINS: cannot import 'tests.plugins.no_such_task'" in done.stderr
