"""Public data for every page: cached across sessions, with the last good copy kept for outages.

Only public reads live here (the catalogue and the leaderboards): sharing them between
sessions is right. Anything tied to a user's token goes through `components.auth` and
`st.session_state` instead.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import pandas as pd
import streamlit as st

from components import leaderboard as lb
from components.api import BackendClient, BackendError, error_message, leaderboard_frame
from components.config import settings
from components.tasks import FALLBACK_TASKS, TaskInfo, installed_tasks, merge_catalogue


@dataclass(frozen=True)
class Snapshot:
    """A leaderboard as last fetched, and whether the backend is failing right now."""

    rows: pd.DataFrame | None
    fetched_at: datetime | None
    error: str | None = None
    failing_since: datetime | None = None
    version: int | None = None  # see per_board


@dataclass(frozen=True)
class Catalogue:
    tasks: list[TaskInfo]
    error: str | None = None


T = TypeVar("T")
#: How long public answers are kept (read once, at import, like the cache decorators' own TTL).
TTL_S = settings().cache_ttl_s
_lock = threading.Lock()
_failing_since: dict[tuple[str, str, int], datetime] = {}


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


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _fetch_backend_tasks(base_url: str) -> list[TaskInfo]:
    return _client_of(base_url).tasks()


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _fetch_health(base_url: str) -> dict:
    return _client_of(base_url).health()


#: The catalogue and the demo flag as last read well, with until when (time.monotonic) they are
#: fresh: like the boards, reads within the TTL skip Streamlit's cache, which hashes its
#: arguments and unpickles its value on every hit, on every page view. Read through that cache,
#: they can be up to two TTLs old; the Refresh buttons read them anew.
_recent: dict[tuple[str, str], tuple[float, Any]] = {}


def _recently(name: str, read: Callable[[str], T], good: Callable[[T], bool] = lambda _: True) -> T:
    """`read(backend_url)`, shared as it is until the TTL passes when `good`; read again otherwise."""
    key = (settings().backend_url, name)
    with _lock:
        until, value = _recent.get(key, (0.0, None))
    if time.monotonic() < until:
        return cast(T, value)
    value = read(key[0])
    if good(value):
        with _lock:
            _recent[key] = (time.monotonic() + TTL_S, value)
    return value


def serves_demo_data() -> bool:
    """Whether the backend says its data is the local demo seed (the local backend's /healthz)."""
    try:
        return bool(_recently("health", _fetch_health).get("demo_data"))
    except BackendError:
        return False


def catalogue() -> Catalogue:
    """The backend's tasks (what it scores and pays for), fields it leaves out taken from the
    built-in table; when it does not answer, the installed colliderml's tasks; else the built-in six.
    Shared by every session (callers only read it); a backend that did not answer is asked again
    on the next read.

    colliderml is imported only when the backend gives no task: its import takes 0.3-3 s, which
    every cold start would otherwise pay before its first page."""
    return _recently("catalogue", _read_catalogue, lambda found: found.error is None)


def _read_catalogue(url: str) -> Catalogue:
    error = None
    try:
        remote = _fetch_backend_tasks(url)
    except BackendError as exc:
        remote, error = [], error_message(exc)
    if remote:
        served = {t.name for t in remote}
        tasks = [t for t in merge_catalogue(FALLBACK_TASKS, remote) if t.name in served]
    else:
        tasks = merge_catalogue(installed_tasks(), []) or list(FALLBACK_TASKS)
    return Catalogue(tasks, error)


#: A refresh asks for this many newest rows and merges them into the board already held ...
NEWEST_ROWS = 10
#: ... and fetches the whole board again when its last full fetch is older than this, so rows
#: an admin removed further down disappear too.
FULL_FETCH_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class _Board:
    rows: pd.DataFrame
    newest: list[Any]  # the newest rows as the backend last sent them
    version: int  # changes whenever `rows` does: what work done on the rows is kept under
    fetched_at: datetime
    fetched_in_full_at: datetime


#: The last good board per (backend, task, rows fetched): what a refresh merges into, what
#: every page reads, and what pages show while the backend fails.
_boards: dict[tuple[str, str, int], _Board] = {}
_versions = itertools.count(1)
#: Until when (time.monotonic) each board held is fresh: reads before then skip even the lookup
#: in Streamlit's cache, which costs more than the rest of a read.
_fresh_until: dict[tuple[str, str, int], float] = {}


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=64)
def _fetch_leaderboard(base_url: str, task: str, limit: int) -> None:
    """Bring the held board up to date, once per TTL for everyone.

    The rows go to `_boards`, not into this cache, which would pickle and unpickle them on
    every read."""
    client, now, key = _client_of(base_url), datetime.now(UTC), (base_url, task, limit)
    with _lock:
        held = _boards.get(key)
    board = None
    if held is not None and now - held.fetched_in_full_at < FULL_FETCH_EVERY:
        board = _with_newest(client, held, task, limit, now)
    if board is None:
        payload = client.leaderboard_payload(task, limit=limit)
        board = _Board(leaderboard_frame(payload), payload[:NEWEST_ROWS], next(_versions), now, now)
    with _lock:
        _boards[key] = board
        _fresh_until[key] = time.monotonic() + TTL_S


def _with_newest(client: BackendClient, held: _Board, task: str, limit: int, now: datetime) -> _Board | None:
    """The held board updated from the newest rows only (the backend returns newest first and
    cannot say what changed since), or None when they do not reach back to a known row."""
    newest = client.leaderboard_payload(task, limit=min(NEWEST_ROWS, limit))
    if newest == held.newest:
        return replace(held, fetched_at=now)  # nothing changed: the usual refresh, and the cheapest
    merged = lb.with_newest(held.rows, leaderboard_frame(newest), limit)
    if merged is None:
        return None
    version = held.version if merged is held.rows else next(_versions)
    return replace(held, rows=merged, newest=newest, version=version, fetched_at=now)


def leaderboard(task: str) -> Snapshot:
    """The task's submissions (refreshed once per TTL), or the last good copy while the backend
    fails. Every caller gets its own copy-on-write view of the shared rows."""
    cfg = settings()
    key = (cfg.backend_url, task, cfg.leaderboard_rows)
    with _lock:
        board = _boards.get(key)
        fresh = time.monotonic() < _fresh_until.get(key, 0.0)
    if board is not None and fresh:
        return Snapshot(board.rows.copy(deep=False), board.fetched_at, None, None, board.version)
    try:
        _fetch_leaderboard(*key)
        error = None
    except BackendError as exc:
        error = error_message(exc)
    with _lock:
        board = _boards.get(key)
        if error is None:
            _failing_since.pop(key, None)
            since = None
        else:
            since = _failing_since.setdefault(key, datetime.now(UTC))
    if board is None:
        return Snapshot(None, None, error, since)
    return Snapshot(board.rows.copy(deep=False), board.fetched_at, error, since, board.version)


@dataclass
class _Shared:
    """One result of `per_board`; its lock lets the first caller compute while others wait."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    value: Any = None
    done: bool = False


#: Rankings, tables, chart specs and cards of the boards held (about a dozen per task and view),
#: by the boards' versions and the call written out, least recently used first. A dict rather than
#: `st.cache_resource`, whose hashing and signature reading per call cost more than Home's
#: twenty-odd lookups should.
_results: OrderedDict[tuple[str, str], _Shared] = OrderedDict()
PER_BOARD_ENTRIES = 256


def _per_board(versions: str, call: str, compute: Callable[..., Any], rows: Any, args: tuple[Any, ...]) -> Any:
    with _lock:
        shared = _results.setdefault((versions, call), _Shared())
        _results.move_to_end((versions, call))
        while len(_results) > PER_BOARD_ENTRIES:
            _results.popitem(last=False)
    with shared.lock:  # a new board version seen by ten sessions at once is worked out once
        if not shared.done:
            shared.value, shared.done = compute(rows, *args), True
    return shared.value


def _call(compute: Callable[..., Any], args: tuple[Any, ...]) -> str:
    name = f"{compute.__module__}.{compute.__qualname__}"
    if "<" in name:  # "<lambda>", "<locals>": two of them could share a name, and so a result
        raise ValueError(f"per_board needs a module-level function, not {name}")
    return f"{name}{args!r}"


def _shared(result: T) -> T:
    return result.copy(deep=False) if isinstance(result, pd.DataFrame) else result


def per_board(snapshot: Snapshot, compute: Callable[..., T], *args: Any) -> T:
    """`compute(snapshot.rows, *args)` (a ranking, a chart spec, a card), worked out once per
    board version and shared by every session: a refresh that brings nothing new redoes nothing.
    `args` must be values whose repr says all they hold (str, numbers, dates, dataclasses).
    Public data only. A DataFrame comes back as each caller's own copy-on-write view; anything
    else (a chart spec, a summary, an Arrow table) is shared as it is, and callers only read it."""
    if snapshot.rows is None or snapshot.version is None:
        raise ValueError("per_board needs a snapshot that holds a board")
    return _shared(_per_board(str(snapshot.version), _call(compute, args), compute, snapshot.rows, args))


def per_boards(boards: list[tuple[TaskInfo, Snapshot]], compute: Callable[..., T], *args: Any) -> T:
    """`per_board` for work across several tasks' boards (Home's feed): `compute` gets a list of
    (task, rows) and runs once per combination of the boards' versions."""
    held = [(info, snap) for info, snap in boards if snap.rows is not None and snap.version is not None]
    versions = ",".join(f"{info.name}@{snap.version}" for info, snap in held)
    pairs = [(info, snap.rows) for info, snap in held]
    return _shared(_per_board(versions, _call(compute, (tuple(info for info, _ in held), *args)), compute, pairs, args))


def refresh(task: str) -> None:
    """Forget one task's cached leaderboard (the Refresh button): the next read asks the backend."""
    cfg = settings()
    key = (cfg.backend_url, task, cfg.leaderboard_rows)
    with _lock:
        _fresh_until.pop(key, None)
        _recent.clear()
    _fetch_leaderboard.clear(*key)
    _fetch_backend_tasks.clear()


def expire() -> None:
    """Let every board held go stale, as the TTL passing would: the next reads ask the backend
    and keep the boards they have if it fails (tests use it instead of waiting)."""
    _fetch_leaderboard.clear()
    with _lock:
        _fresh_until.clear()
        _recent.clear()


def backend_url() -> str:
    return settings().backend_url


def forget_last_good() -> None:
    """Drop the boards held, the work done on them and the failure times (tests start each case from a cold cache)."""
    _fetch_leaderboard.clear()
    with _lock:
        _failing_since.clear()
        _boards.clear()
        _fresh_until.clear()
        _recent.clear()
        _results.clear()
