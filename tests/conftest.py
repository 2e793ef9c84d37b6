"""Fixtures that run the real local backend in a subprocess, as `make run` does.

Every backend of a test session shares one synthetic-truth directory, so the
truth is generated once; each has its own SQLite file.

`plugin_backend` serves a task the installed colliderml does not ship
(tests/plugins/muon_id_task.py, loaded through LOCAL_BACKEND_PLUGINS). The test
process never imports that module, so its own colliderml registry stays as installed.

The AppTest helpers every page test shares come last: a new session of the app, cold shared
caches, opening a page by its URL path, signing in, uploading, and reading what a page shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from components import auth, data, paths, session_keys
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


# ---------------------------------------------------------------------------
# AppTest: what a page shows, and the steps a person takes
# ---------------------------------------------------------------------------


def element_protos(at: AppTest) -> Iterator[Message]:
    """The protobuf of every element and block the last run sent, main area and sidebar."""

    def walk(node: Any) -> Iterator[Message]:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            yield proto
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    yield from walk(at._tree)


def proto_fields(message: Message) -> Iterator[tuple[str, str, str]]:
    """(message type, field name, value) of every string field of a protobuf, however deeply
    nested (bytes such as Arrow tables excluded)."""
    for descriptor, value in message.ListFields():
        items = value if descriptor.is_repeated else [value]
        if hasattr(items, "values") and callable(items.values):  # a map field
            items = list(items.values())
        for item in items:
            if isinstance(item, Message):
                yield from proto_fields(item)
            elif isinstance(item, str):
                yield message.DESCRIPTOR.name, descriptor.name, item


def page_strings(at: AppTest) -> str:
    """All the text the last run sent to the browser: every element's strings and every table as CSV."""
    parts = [value for proto in element_protos(at) for _, _, value in proto_fields(proto)]
    parts.extend(df.value.to_csv() for df in at.dataframe)
    return "\n".join(parts)


def person_names(links: pd.Series) -> list[str]:
    """What a grid column of person links shows: the name `paths.PERSON_LINK_TEXT` captures, decoded
    as the grid decodes it (`+` and `%xx`); a link it does not match shows as it is."""
    shown = []
    for link in links:
        match = re.search(paths.PERSON_LINK_TEXT, link, re.S)
        shown.append(unquote_plus(match.group(1)) if match else link)
    return shown


def messages(at: AppTest) -> str:
    """The sentences a person reads (alerts, captions, Markdown, text, metrics), Markdown escapes removed."""
    parts: list[str] = []
    for kind in ("error", "warning", "info", "success", "caption", "markdown", "text"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(f"{m.label}: {m.value}" for m in at.metric)
    return " ".join(parts).replace("\\", "")


def sign_in(at: AppTest, user: str, token: str) -> None:
    at.session_state[session_keys.SESSION] = auth.Session(username=user, token=token, expires_at=None)


def upload(at: AppTest, key: str, payload: bytes) -> AppTest:
    uploader: Any = next(u for u in at.get("file_uploader") if u.key == key)  # AppTest has no FileUploader type
    uploader.set_value(("predictions.parquet", payload, "application/octet-stream"))
    return at.run()


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Open a navigation page by its url_path, as its URL would (AppTest.switch_page takes only page files)."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def open_get_started(at: AppTest, task: str) -> AppTest:
    """Open a task page's Get-started panel, as a click on it would (its content runs only while open)."""
    at.session_state[session_keys.TaskKeys(task).get_started] = True
    return at.run()


def cold_caches() -> None:
    """Forget every shared answer: a cached board from an earlier test must not hide the case under test."""
    st.cache_data.clear()
    data.forget_last_good()


@pytest.fixture
def cold() -> Iterator[None]:
    """A test that starts and ends with cold shared caches."""
    cold_caches()
    yield
    cold_caches()


def home_app(timeout: float = 60) -> AppTest:
    """A new session of the whole app (Home.py, as `streamlit run app.py` serves it)."""
    return AppTest.from_file(str(REPO_ROOT / "Home.py"), default_timeout=timeout)


def chart_frames(spec: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """A `charts.spec` dict's datasets read back from the Arrow bytes Streamlit will send."""
    return {name: pa.ipc.open_stream(data).read_pandas() for name, data in spec.get("datasets", {}).items()}
