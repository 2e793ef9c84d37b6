"""The cached public reads (components.data) against the local backend: a refresh fetches only
the newest rows and merges them, and the board it builds equals a full fetch."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import streamlit as st

from bench.fixtures import HISTORY, bulk_leaderboard
from components import data
from components.api import BackendClient, leaderboard_frame
from components.config import settings
from tests.conftest import LocalBackend
from tests.faults import Fault, FaultProxy

TASK = "jets"


@pytest.fixture
def proxy(fresh_backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """A recording proxy in front of an empty backend, holding 300 jets rows up to yesterday."""
    bulk_leaderboard(fresh_backend.db_path, TASK, 300, end=datetime.now(UTC) - timedelta(days=1), seed=1)
    recording = FaultProxy(fresh_backend.url)
    monkeypatch.setenv("COLLIDERML_BACKEND", recording.url)
    st.cache_data.clear()
    data.forget_last_good()
    yield recording
    recording.close()
    st.cache_data.clear()
    data.forget_last_good()


def _limits(proxy: FaultProxy) -> list[str]:
    """The `limit` of every leaderboard request so far, in order."""
    return [r.path.split("limit=")[1] for r in proxy.received("GET", rf"^/v1/leaderboard/{TASK}\b")]


def _refreshed(proxy: FaultProxy) -> pd.DataFrame:
    data.refresh(TASK)
    rows = data.leaderboard(TASK).rows
    assert rows is not None
    return rows


def _full_fetch(proxy: FaultProxy) -> pd.DataFrame:
    client = BackendClient(proxy.upstream.geturl())
    return leaderboard_frame(client.leaderboard_payload(TASK, limit=settings().leaderboard_rows))


def _add_newer_rows(backend: LocalBackend, n: int, seed: int) -> None:
    """`n` rows all newer than every row so far (the bulk helper spreads rows over ten weeks)."""
    bulk_leaderboard(backend.db_path, TASK, n, end=datetime.now(UTC) + HISTORY * (seed + 1), seed=seed)


def test_a_refresh_merges_the_newest_rows_into_the_board_held(fresh_backend: LocalBackend, proxy: FaultProxy) -> None:
    first = data.leaderboard(TASK).rows
    assert first is not None and len(first) == 300
    _add_newer_rows(fresh_backend, 5, seed=2)
    merged = _refreshed(proxy)
    assert _limits(proxy) == [str(settings().leaderboard_rows), str(data.NEWEST_ROWS)]
    assert len(merged) == 305
    pd.testing.assert_frame_equal(merged, _full_fetch(proxy))


def test_a_removed_row_among_the_newest_disappears_on_refresh(fresh_backend: LocalBackend, proxy: FaultProxy) -> None:
    first = data.leaderboard(TASK).rows
    assert first is not None
    gone = first["id"].iloc[3]
    with sqlite3.connect(fresh_backend.db_path) as conn:  # what an admin removing a row does
        conn.execute("DELETE FROM benchmark_submissions WHERE id = ?", (gone,))
    merged = _refreshed(proxy)
    assert gone not in set(merged["id"]) and len(merged) == 299
    pd.testing.assert_frame_equal(merged, _full_fetch(proxy))


def test_more_new_rows_than_one_fetch_brings_fall_back_to_a_full_fetch(
    fresh_backend: LocalBackend, proxy: FaultProxy
) -> None:
    data.leaderboard(TASK)
    _add_newer_rows(fresh_backend, data.NEWEST_ROWS + 50, seed=3)
    merged = _refreshed(proxy)
    limit = str(settings().leaderboard_rows)
    assert _limits(proxy) == [limit, str(data.NEWEST_ROWS), limit]
    pd.testing.assert_frame_equal(merged, _full_fetch(proxy))


def test_the_whole_board_is_fetched_again_once_the_last_full_fetch_is_old(
    fresh_backend: LocalBackend, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.leaderboard(TASK)
    monkeypatch.setattr(data, "FULL_FETCH_EVERY", timedelta(0))
    _refreshed(proxy)
    limit = str(settings().leaderboard_rows)
    assert _limits(proxy) == [limit, limit]


#: The board sizes `_newest` was called with.
_calls: list[int] = []


def _newest(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    _calls.append(len(rows))
    return rows.nlargest(n, "submitted_at")


def test_work_on_a_board_is_done_once_per_version_and_again_after_a_change(
    fresh_backend: LocalBackend, proxy: FaultProxy
) -> None:
    _calls.clear()
    first = data.leaderboard(TASK)
    assert first.rows is not None
    assert data.per_board(first, _newest, 3)["id"].tolist() == first.rows["id"].head(3).tolist()
    assert len(data.per_board(first, _newest, 5)) == 5, "other arguments, other work"
    unchanged = _snapshot_after_refresh()
    assert unchanged.version == first.version, "a refresh that brings nothing new keeps the version"
    assert unchanged.rows is not None
    pd.testing.assert_frame_equal(unchanged.rows, first.rows)
    data.per_board(unchanged, _newest, 3)
    assert _calls == [300, 300], "nothing new: the work is not done again"

    _add_newer_rows(fresh_backend, 1, seed=4)
    changed = _snapshot_after_refresh()
    assert changed.version != first.version and changed.rows is not None
    top = data.per_board(changed, _newest, 3)
    assert _calls == [300, 300, 301]
    assert top["id"].iloc[0] == changed.rows["id"].iloc[0] and top["id"].iloc[0] not in set(first.rows["id"])


def _snapshot_after_refresh() -> data.Snapshot:
    data.refresh(TASK)
    snapshot = data.leaderboard(TASK)
    assert snapshot.rows is not None
    return snapshot


def test_no_caller_can_change_the_board_or_the_work_another_caller_reads(proxy: FaultProxy) -> None:
    """The board and the work on it are shared without copying: each caller gets a
    copy-on-write view, so writing to it (a page that forgets it is shared) changes only that view."""
    mine = data.leaderboard(TASK)
    assert mine.rows is not None
    best = data.per_board(mine, _newest, 5)
    original, original_best = mine.rows.copy(), best.copy()
    mine.rows.loc[0, "hf_username"] = "<b>mallory</b>"
    mine.rows["score.btag_auc"] = 0.0
    mine.rows.insert(0, "extra", 1)
    del mine.rows["id"]
    best.loc[best.index[0], "credits_earned"] = 1e9
    best["extra"] = 1

    theirs = data.leaderboard(TASK)
    assert theirs.rows is not None
    pd.testing.assert_frame_equal(theirs.rows, original)
    pd.testing.assert_frame_equal(data.per_board(theirs, _newest, 5), original_best)


def test_work_must_be_a_named_function(proxy: FaultProxy) -> None:
    """Two lambdas in one place share a name, so they would share a result."""
    with pytest.raises(ValueError, match="module-level function"):
        data.per_board(data.leaderboard(TASK), lambda rows: rows.head(1))


def _slow_newest(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    _calls.append(len(rows))
    time.sleep(0.2)  # long enough for every thread to ask while the first computes
    return rows.nlargest(n, "submitted_at")


def test_sessions_asking_at_once_for_new_work_wait_for_one_computation(proxy: FaultProxy) -> None:
    """A new board version seen by a crowd: ten sessions ask for its ranking at the same time, one
    works it out and the others get that result."""
    _calls.clear()
    snapshot = data.leaderboard(TASK)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: data.per_board(snapshot, _slow_newest, 3), range(10)))
    assert _calls == [300]
    assert all(result["id"].tolist() == results[0]["id"].tolist() for result in results)


def test_the_catalogue_is_shared_within_the_ttl_but_a_failed_read_is_asked_again(proxy: FaultProxy) -> None:
    tasks = r"^/v1/benchmark/tasks\b"
    proxy.fail("GET", tasks, Fault(status=500))
    assert data.catalogue().error, "the backend's 500 is reported"
    proxy.clear()
    answered = data.catalogue()
    assert answered.error is None and TASK in {t.name for t in answered.tasks}, "a failed read is not kept"
    asked = proxy.count("GET", tasks)
    assert all(data.catalogue() is answered for _ in range(5)), "one catalogue for every page view"
    assert proxy.count("GET", tasks) == asked
    demo = data.serves_demo_data()
    health = proxy.count("GET", r"^/healthz\b")
    assert health >= 1 and all(data.serves_demo_data() == demo for _ in range(5))
    assert proxy.count("GET", r"^/healthz\b") == health, "the demo flag too is read once per TTL"
    data.refresh(TASK)
    assert data.catalogue() is not answered and proxy.count("GET", tasks) == asked + 1, "Refresh reads it anew"


def test_reads_within_the_ttl_ask_the_backend_once_and_expire_asks_again(proxy: FaultProxy) -> None:
    for _ in range(5):
        assert data.leaderboard(TASK).rows is not None
    assert len(_limits(proxy)) == 1
    data.expire()
    assert data.leaderboard(TASK).error is None
    assert len(_limits(proxy)) == 2, "stale: one request, for the newest rows"
