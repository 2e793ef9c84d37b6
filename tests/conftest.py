"""Fixtures that run the real local backend in a subprocess, as `make run` does.

Every backend of a test session shares one synthetic-truth directory, so the
truth is generated once; each has its own SQLite file.

`plugin_backend` serves a task the installed colliderml does not ship
(tests/plugins/muon_id_task.py, loaded through LOCAL_BACKEND_PLUGINS). The test
process never imports that module, so its own colliderml registry stays as installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from local_backend import db, tokens
from local_backend.predictions import to_parquet_bytes
from tests.plugins import muon_id_data
from tests.servers import ServerProcess, free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The plugin module `plugin_backend` loads (it registers muon_id_data.TASK_NAME).
PLUGIN_MODULE = "tests.plugins.muon_id_task"


@dataclass
class LocalBackend:
    """A `python -m local_backend serve` process on a fixed port and database."""

    db_path: Path
    data_dir: Path
    port: int = field(default_factory=free_port)
    #: Environment on top of the test process's (e.g. LOCAL_BACKEND_PLUGINS).
    extra_env: dict[str, str] = field(default_factory=dict)
    server: ServerProcess = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.server = ServerProcess(
            name="The local backend",
            command=[sys.executable, "-m", "local_backend", "serve", "--host", "127.0.0.1",
                     "--port", str(self.port), "--db", str(self.db_path)],
            health_url=f"{self.url}/healthz",
            cwd=REPO_ROOT,
            env=self.env(),
            log_path=self.log_path,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.db_path.with_suffix(".log")

    def env(self) -> dict[str, str]:
        return {**os.environ, "LOCAL_BACKEND_DATA": str(self.data_dir), **self.extra_env}

    def cli(self, *args: str) -> str:
        """Run a `python -m local_backend` command against this backend's database; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "local_backend", *args, "--db", str(self.db_path)],
            cwd=REPO_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"`python -m local_backend {' '.join(args)}` failed:\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        """Start serving (again, on the same port after `stop`) and wait until healthy."""
        self.server.start()

    def stop(self) -> None:
        """Stop serving (an outage); `start` brings it back with the same data."""
        self.server.stop()

    def submit(self, task: str, username: str, predictions: bytes) -> str:
        """Submit `predictions` as `username` over HTTP, as colliderml's client does; the new id."""
        answer = httpx.post(
            f"{self.url}/v1/benchmark/{task}/submit",
            files={"predictions": ("predictions.parquet", predictions, "application/octet-stream")},
            headers={"Authorization": f"Bearer {self.token(username)}"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        submission_id: str = answer.json()["submission_id"]
        return submission_id

    def token(self, username: str, expires_in: int = 3600) -> str:
        """A bearer token for `username`, issued as the sign-in stand-in issues them."""
        conn = db.connect(self.db_path)
        try:
            return tokens.issue_token(conn, username, expires_in)
        finally:
            conn.close()


@pytest.fixture(scope="session")
def truth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic truth shared by every backend of the session (generated on first use)."""
    return tmp_path_factory.mktemp("truth")


@contextmanager
def running_backend(db_path: Path, data_dir: Path, *, seeded: bool = False) -> Iterator[LocalBackend]:
    """A local backend serving `db_path` (seeded first if asked) until the block ends."""
    backend = LocalBackend(db_path=db_path, data_dir=data_dir)
    if seeded:
        backend.cli("seed")
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[LocalBackend]:
    """An empty backend shared by the whole session: use your own user names."""
    with running_backend(tmp_path_factory.mktemp("backend") / "colliderml.sqlite3", truth_dir) as backend:
        yield backend


@pytest.fixture(scope="session")
def seeded_backend(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[LocalBackend]:
    """A backend holding the demo data (`python -m local_backend seed`)."""
    with running_backend(tmp_path_factory.mktemp("seeded") / "colliderml.sqlite3", truth_dir, seeded=True) as backend:
        yield backend


@pytest.fixture
def fresh_backend(tmp_path: Path, truth_dir: Path) -> Iterator[LocalBackend]:
    """An empty backend of the test's own, for tests that need to know every row."""
    with running_backend(tmp_path / "colliderml.sqlite3", truth_dir) as backend:
        yield backend


@pytest.fixture(scope="session")
def plugin_backend(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[LocalBackend]:
    """A backend that also serves `muon_id`, a task only it knows, with three submissions by
    two users (muon-maria twice, muon-max once) scored for real over HTTP."""
    pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    extra_env = {"LOCAL_BACKEND_PLUGINS": PLUGIN_MODULE, "PYTHONPATH": pythonpath}
    db_path = tmp_path_factory.mktemp("plugin") / "colliderml.sqlite3"
    backend = LocalBackend(db_path=db_path, data_dir=truth_dir, extra_env=extra_env)
    backend.start()
    try:
        for user, quality, seed in (("muon-maria", 0.4, 1), ("muon-max", 0.6, 2), ("muon-maria", 0.8, 3)):
            predictions = to_parquet_bytes(muon_id_data.make_predictions(quality, seed))
            backend.submit(muon_id_data.TASK_NAME, user, predictions)
        yield backend
    finally:
        backend.stop()
