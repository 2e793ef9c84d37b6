"""Public data for every page: cached across sessions, with the last good copy kept for outages.

Only public reads live here (the catalogue and the leaderboards): sharing them between
sessions is right. Anything tied to a user's token goes through `components.auth` and
`st.session_state` instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from components import leaderboard as lb
from components.api import BackendClient, BackendError, error_message
from components.config import settings
from components.tasks import FALLBACK_TASKS, TaskInfo, installed_tasks, merge_catalogue


@dataclass(frozen=True)
class Snapshot:
    """A leaderboard as last fetched, and whether the backend is failing right now."""

    rows: pd.DataFrame | None
    fetched_at: datetime | None
    error: str | None = None
    failing_since: datetime | None = None


@dataclass(frozen=True)
class Catalogue:
    tasks: list[TaskInfo]
    error: str | None = None


_lock = threading.Lock()
_failing_since: dict[tuple[str, str], datetime] = {}


@st.cache_resource
def _client(base_url: str, read_timeout_s: int, submit_timeout_s: int) -> BackendClient:
    """One HTTP client per backend and timeouts: it holds no token, so sessions can share it."""
    return BackendClient(base_url, read_timeout=read_timeout_s, submit_timeout=submit_timeout_s)


def _client_of(base_url: str) -> BackendClient:
    cfg = settings()
    return _client(base_url, cfg.read_timeout_s, cfg.submit_timeout_s)


def backend() -> BackendClient:
    """The client of the configured backend (public reads here; pages pass the user's token per call)."""
    return _client_of(settings().backend_url)


@st.cache_data(ttl=settings().cache_ttl_s, show_spinner=False)
def _fetch_backend_tasks(base_url: str) -> list[TaskInfo]:
    return _client_of(base_url).tasks()


@st.cache_data(ttl=settings().cache_ttl_s, show_spinner=False)
def _fetch_health(base_url: str) -> dict:
    return _client_of(base_url).health()


def serves_demo_data() -> bool:
    """Whether the backend says its data is the local demo seed (the local backend's /healthz)."""
    try:
        return bool(_fetch_health(settings().backend_url).get("demo_data"))
    except BackendError:
        return False


def catalogue() -> Catalogue:
    """Installed colliderml tasks merged with the backend's; the built-in six if both fail."""
    url = settings().backend_url
    error = None
    try:
        remote = _fetch_backend_tasks(url)
    except BackendError as exc:
        remote, error = [], error_message(exc)
    tasks = merge_catalogue(installed_tasks(), remote) or list(FALLBACK_TASKS)
    return Catalogue(tasks, error)


#: A refresh asks for this many newest rows and merges them into the board already held ...
NEWEST_ROWS = 10
#: ... and fetches the whole board again when its last full fetch is older than this, so rows
#: an admin removed further down disappear too.
FULL_FETCH_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class _Board:
    rows: pd.DataFrame
    limit: int
    fetched_at: datetime
    fetched_in_full_at: datetime


#: The last good board per (backend, task): what a refresh merges into, and what pages show
#: while the backend fails.
_boards: dict[tuple[str, str], _Board] = {}


@st.cache_data(ttl=settings().cache_ttl_s, show_spinner=False, max_entries=64)
def _fetch_leaderboard(base_url: str, task: str, limit: int) -> tuple[pd.DataFrame, datetime]:
    """The board, refreshed cheaply: the newest rows merged into the board held since the last
    full fetch (the backend returns newest first and cannot say what changed since)."""
    client, now = _client_of(base_url), datetime.now(UTC)
    with _lock:
        held = _boards.get((base_url, task))
    if held is not None and held.limit == limit and now - held.fetched_in_full_at < FULL_FETCH_EVERY:
        merged = lb.with_newest(held.rows, client.leaderboard(task, limit=min(NEWEST_ROWS, limit)), limit)
        if merged is not None:
            with _lock:
                _boards[(base_url, task)] = replace(held, rows=merged, fetched_at=now)
            return merged, now
    rows = client.leaderboard(task, limit=limit)
    with _lock:
        _boards[(base_url, task)] = _Board(rows, limit, now, now)
    return rows, now


def leaderboard(task: str) -> Snapshot:
    """The task's submissions (cached for the TTL), or the last good copy while the backend fails."""
    cfg = settings()
    key = (cfg.backend_url, task)
    try:
        rows, fetched_at = _fetch_leaderboard(cfg.backend_url, task, cfg.leaderboard_rows)
    except BackendError as exc:
        with _lock:
            since = _failing_since.setdefault(key, datetime.now(UTC))
            last = _boards.get(key)
        if last is None:
            return Snapshot(None, None, error_message(exc), since)
        return Snapshot(last.rows, last.fetched_at, error_message(exc), since)
    with _lock:
        _failing_since.pop(key, None)
    return Snapshot(rows, fetched_at)


def refresh(task: str) -> None:
    """Forget one task's cached leaderboard (the Refresh button)."""
    cfg = settings()
    _fetch_leaderboard.clear(cfg.backend_url, task, cfg.leaderboard_rows)
    _fetch_backend_tasks.clear()


def backend_url() -> str:
    return settings().backend_url


def forget_last_good() -> None:
    """Drop the boards held and the failure times (tests start each case from a cold cache)."""
    with _lock:
        _failing_since.clear()
        _boards.clear()
