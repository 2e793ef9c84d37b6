"""`make run`'s script (scripts/run_local.sh) on free ports: the dashboard outlives the backend, as it
would in production, where it then shows the outage; Ctrl-C still stops everything."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT, LocalBackend
from tests.servers import free_port

DEADLINE_S = 60.0


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"not within {DEADLINE_S:.0f} s: {what}"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _child(parent: int, *words: str) -> int:
    """The pid of `parent`'s child process whose command line holds every one of `words`."""
    for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if all(word.encode() in command for word in words):
            return int(pid)
    raise AssertionError(f"no child of {parent} runs {' '.join(words)}")


def test_the_dashboard_stays_up_when_the_backend_dies_and_ctrl_c_stops_it(
    seeded_backend: LocalBackend, tmp_path: Path
) -> None:
    db_path = tmp_path / "colliderml.sqlite3"  # a copy of the demo data: the script's seed step has nothing to do
    with closing(sqlite3.connect(seeded_backend.db_path)) as source, closing(sqlite3.connect(db_path)) as target:
        source.backup(target)
    backend_port = free_port()
    app_port = next(port for port in iter(free_port, None) if port != backend_port)
    env = {
        **os.environ,
        "BACKEND_PORT": str(backend_port),
        "APP_PORT": str(app_port),
        "LOCAL_BACKEND_DB": str(db_path),
        "LOCAL_BACKEND_DATA": str(seeded_backend.data_dir),
    }
    log_path = tmp_path / "run_local.log"
    app_health = f"http://localhost:{app_port}/_stcore/health"
    with log_path.open("wb") as log:
        # A session of its own, as a terminal gives the command it runs: Ctrl-C signals that whole group.
        script = subprocess.Popen(
            ["bash", "scripts/run_local.sh"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _eventually(lambda: _answers(app_health), "the dashboard answers its health check")
        os.kill(_child(script.pid, "local_backend", "serve"), signal.SIGKILL)
        _eventually(lambda: "The local backend exited" in log_path.read_text(), "the script reports the backend's exit")
        time.sleep(1)
        assert script.poll() is None, log_path.read_text()
        assert _answers(app_health), "the dashboard went down with the backend"

        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C
        script.wait(timeout=DEADLINE_S)
        assert not _answers(app_health), "Ctrl-C left the dashboard running"
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()
