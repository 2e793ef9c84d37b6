"""Two people using the app at once see only their own credits and results, and a token goes nowhere.

alice and bob have AppTest sessions of their own against one real local backend. Their runs are
interleaved (page load, upload, send, rerun, Credits), which is how a Streamlit server serves two
browsers: one process, one set of shared caches, a session state each. Then every place a token
could leak is searched for both tokens: everything both sessions rendered, their query strings,
session state reprs and exceptions, every Python log record at DEBUG, stdout and stderr, the
backend's own log, and every value held in st.cache_data / st.cache_resource (shared by all
sessions). A static check makes sure no cached function even takes a token.
"""

from __future__ import annotations

import ast
import logging
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import streamlit.runtime.caching.cache_data_api as cache_data_api
import streamlit.runtime.caching.cache_resource_api as cache_resource_api
from streamlit.testing.v1 import AppTest

from components import data, session_keys
from components.sends import Sends
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import (
    LocalBackend,
    cold_caches,
    home_app,
    messages,
    open_page,
    page_strings,
    running_backend,
    sign_in,
    upload,
)

ROOT = Path(__file__).resolve().parent.parent
TASK = "jets"
USERS = ("iso-alice", "iso-bob")
CACHE_DECORATORS = {"cache_data", "cache_resource"}
SECRET_WORDS = ("token", "bearer", "authorization", "secret", "password", "session_state")


@dataclass
class World:
    backend: LocalBackend
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[World]:
    with running_backend(tmp_path_factory.mktemp("isolation") / "colliderml.sqlite3", truth_dir) as backend:
        yield World(backend, {user: backend.token(user) for user in USERS})


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG for every logger, including those that do not propagate to the root (Streamlit's)."""
    caplog.set_level(logging.DEBUG)
    changed: list[tuple[logging.Logger, int]] = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            changed.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
    yield caplog
    for logger, level in changed:
        logger.setLevel(level)
        logger.removeHandler(caplog.handler)


def _backend_get(world: World, path: str, user: str) -> object:
    answer = httpx.get(
        f"{world.backend.url}{path}", headers={"Authorization": f"Bearer {world.tokens[user]}"}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def _rows_of(world: World, user: str) -> list[dict]:
    rows = httpx.get(f"{world.backend.url}/v1/leaderboard/{TASK}", params={"limit": 1000}, timeout=10).json()
    return [row for row in rows if row["hf_username"] == user]


def _session_texts(at: AppTest) -> list[str]:
    """Everything a session shows or keeps that a person, a log or a screenshot could see."""
    texts = [page_strings(at), str(at.main), str(at.sidebar), str(dict(at.query_params))]
    texts.extend(str(e.value) for e in at.exception)
    texts.extend(f"{key}={at.session_state[key]!r}" for key in at.session_state)
    return texts


def _cached_values() -> Iterator[tuple[str, bytes]]:
    """(holder, pickled value) of everything shared between sessions right now: what
    st.cache_data and st.cache_resource hold, and the leaderboards components.data keeps.

    Reads Streamlit's private cache registries: no public API lists cached values.
    """
    for key, board in list(data._boards.items()):
        yield f"data._boards[{key}]", pickle.dumps(board)
    # Streamlit's private cache internals, typed loosely: there is no public way to list cached values.
    data_caches: Any = cache_data_api._data_caches._function_caches
    for caches in data_caches.values():
        for cache in caches.values():
            storage = cache.storage
            for blob in list(storage._mem_cache.values()):
                yield storage.function_display_name, blob
    resource_caches: Any = cache_resource_api._resource_caches._function_caches
    for caches in resource_caches.values():
        for cache in caches.values():
            for result in list(cache._mem_cache.values()):
                yield cache.display_name, pickle.dumps(result.value)


def test_two_sessions_see_only_their_own_and_no_token_leaks(
    monkeypatch: pytest.MonkeyPatch, world: World, every_log: pytest.LogCaptureFixture, capsys
) -> None:
    monkeypatch.setenv("COLLIDERML_BACKEND", world.backend.url)
    cold_caches()
    sessions = {user: home_app() for user in USERS}
    seen: dict[str, list[str]] = {user: [] for user in USERS}

    def step(user: str, action) -> AppTest:
        at = action(sessions[user])
        assert not at.exception, at.exception
        seen[user].extend(_session_texts(at))
        return at

    files = {user: to_parquet_bytes(make_predictions(TASK, 0.5 + 0.2 * i, seed=20 + i)) for i, user in enumerate(USERS)}
    for user in USERS:
        sign_in(sessions[user], user, world.tokens[user])
        step(user, lambda at: open_page(at.run(), TASK))
    for user in USERS:
        step(user, lambda at, user=user: upload(at, f"{TASK}.submit.file", files[user]))
    for user in USERS:
        step(user, lambda at: at.button(key=f"{TASK}.submit.send").click().run())
    for user in USERS:
        step(user, lambda at: at.run())  # a rerun after the other session sent its file

    for user in USERS:
        record: Sends = sessions[user].session_state[session_keys.SENDS]
        ((result, _),) = record.answers.values()
        (own,) = _rows_of(world, user)
        assert result.submission_id == own["id"], f"{user}'s session shows {user}'s own submission"
        assert f"Submitted. Credits earned: {float(own['credits_earned']):,.0f}" in messages(sessions[user])

    for user in USERS:
        step(user, lambda at: open_page(at, "credits"))
    step(USERS[0], lambda at: at.run())  # alice again, after bob's session ran
    for user, other in (USERS, USERS[::-1]):
        at = sessions[user]
        me = _backend_get(world, "/v1/me", user)
        ledger = _backend_get(world, "/v1/me/transactions", user)
        assert isinstance(me, dict) and isinstance(ledger, list)
        assert next(m.value for m in at.metric if m.label == "Balance") == f"{me['credits']:,.0f}"
        table = next(df.value for df in at.dataframe if {"date", "what", "credits"} <= set(df.value.columns))
        assert table["credits"].tolist() == [entry["delta"] for entry in ledger]
        mine = next(df.value for df in at.dataframe if {"task", "rank", "score"} <= set(df.value.columns))
        assert mine["id"].tolist() == [own["id"] for own in _rows_of(world, user)]
        shown = page_strings(at)
        assert f"Signed in as {user}" in shown
        assert other not in shown.replace("\\", ""), f"nothing of {other} on {user}'s credits page"

    places = {
        **{f"{user}'s session": "\n".join(texts) for user, texts in seen.items()},
        "Python logs (DEBUG, every logger)": every_log.text,
        "stdout/stderr": "".join(capsys.readouterr()),
        "the backend's log": world.backend.log_path.read_text(errors="replace"),
    }
    cached = list(_cached_values())
    places.update({f"cached value of {name}": blob.decode("latin-1") for name, blob in cached})
    assert '"GET /v1/me HTTP/1.1"' in places["Python logs (DEBUG, every logger)"], "the log capture works"
    assert f"POST /v1/benchmark/{TASK}/submit" in places["the backend's log"]
    assert any(USERS[0].encode() in blob for _, blob in cached), "the cache scan sees the cached leaderboard"
    for user, token in world.tokens.items():
        leaks = [where for where, text in places.items() if token in text]
        assert not leaks, f"{user}'s token found in: {leaks}"
    assert session_keys.SESSION in sessions[USERS[0]].session_state, "the token itself stayed in its own session"
    cold_caches()


def _cached_functions() -> Iterator[tuple[Path, ast.FunctionDef]]:
    for path in [ROOT / "Home.py", *(ROOT / "components").rglob("*.py"), *(ROOT / "pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Attribute) and target.attr in CACHE_DECORATORS:
                        yield path, node  # type: ignore[misc]


def test_no_cached_function_takes_or_reads_a_token() -> None:
    """st.cache_data and st.cache_resource are shared by every session: a token must never be a
    cache key (a parameter) nor be read inside (session state, the auth module)."""
    found = list(_cached_functions())
    names = {node.name for _, node in found}
    assert {"_client", "_fetch_leaderboard", "_fetch_backend_tasks", "discover"} <= names, names
    for path, node in found:
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        params += [p for p in (node.args.vararg, node.args.kwarg) if p is not None]
        for param in params:
            words = f"{param.arg} {ast.unparse(param.annotation) if param.annotation else ''}".lower()
            assert not any(w in words for w in SECRET_WORDS), f"{path.name}:{node.lineno} {node.name}({param.arg})"
            assert "session" not in words, f"{path.name}:{node.lineno} {node.name} takes a session"
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        per_user = {name for name in used if name == "auth" or any(w in name.lower() for w in SECRET_WORDS)}
        assert not per_user, f"{path.name}:{node.lineno} {node.name} reads per-user state: {per_user}"
