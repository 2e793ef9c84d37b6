"""How many leaderboard requests reach the backend when many people open one page, and what a
refresh costs compared with the upstream Space.

1. Seeds a local backend (`python -m local_backend seed`, about 20 s) and adds 5,000 jets rows
   (bench.fixtures.bulk_leaderboard). Puts tests/faults.py's FaultProxy, a real forwarding
   proxy that records every request, in front of it, and opens the jets page in 20 AppTest
   sessions one after another, within one cache TTL. Target: 1 request to /v1/leaderboard/jets.
   Then, from a cold cache, 20 threads ask components.data for that leaderboard at the same
   instant (20 sessions arriving together; AppTest itself cannot run in parallel): still 1.
2. Issue 6, side by side on the same backend (no proxy): a refresh the way this dashboard does
   it (components.data: the newest rows (data.NEWEST_ROWS) merged into the 5,000 held, then rank and
   best-so-far; and, for reference, the full fetch it falls back to) against the upstream
   Space's (requests.get of the default newest 100 rows, pd.DataFrame).

    .venv/bin/python -m bench.requests_per_view [--sessions 20] [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import requests
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from bench import fixtures
from components import data
from components import leaderboard as lb
from components.api import BackendClient
from components.config import settings
from tests.faults import FaultProxy

TASK = "jets"
PRIMARY = "btag_auc"
EXTRA_ROWS = 5_000
OUR_ROWS = 5_000


def open_task_page(url: str) -> None:
    """A new session opening the task page."""
    at = AppTest.from_file(str(fixtures.ROOT / "Home.py"), default_timeout=120)
    at._page_hash = calc_hash(TASK)
    at.run()
    if at.exception or not at.dataframe:
        raise RuntimeError(f"the {TASK} page did not render: {at.exception}")


def requests_per_view(url: str, sessions: int) -> None:
    proxy = FaultProxy(url)
    try:
        os.environ["COLLIDERML_BACKEND"] = proxy.url
        st.cache_data.clear()
        data.forget_last_good()
        ttl = settings().cache_ttl_s
        start = time.monotonic()
        for _ in range(sessions):
            open_task_page(proxy.url)
        elapsed = time.monotonic() - start
        task_requests = proxy.count("GET", rf"^/v1/leaderboard/{TASK}\b")
        all_boards = proxy.count("GET", r"^/v1/leaderboard/")
        catalogue = proxy.count("GET", r"^/v1/benchmark/tasks")
    finally:
        proxy.close()
    print(f"{sessions} sessions opened /{TASK} in {elapsed:.1f} s (cache TTL {ttl} s)")
    within = "within one TTL" if elapsed < ttl else "LONGER than one TTL: counts include refetches"
    print(f"  requests that reached the backend ({within}):")
    print(f"    GET /v1/leaderboard/{TASK}: {task_requests}   (target 1: {'met' if task_requests == 1 else 'NOT met'})")
    print(f"    GET /v1/leaderboard/* (all tasks): {all_boards}")
    print(f"    GET /v1/benchmark/tasks: {catalogue}")


def concurrent_first_views(url: str, sessions: int) -> None:
    proxy = FaultProxy(url)
    try:
        os.environ["COLLIDERML_BACKEND"] = proxy.url
        st.cache_data.clear()
        data.forget_last_good()
        barrier = threading.Barrier(sessions)

        def view() -> None:
            barrier.wait()
            if data.leaderboard(TASK).rows is None:
                raise RuntimeError("no leaderboard")

        threads = [threading.Thread(target=view) for _ in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        task_requests = proxy.count("GET", rf"^/v1/leaderboard/{TASK}\b")
    finally:
        proxy.close()
    verdict = "met" if task_requests == 1 else "NOT met"
    print(f"{sessions} simultaneous cold-cache reads: GET /v1/leaderboard/{TASK}: {task_requests}", end="")
    print(f" (target 1: {verdict})")


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    action()  # connection set up, imports, first-call costs
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return fixtures.percentile(samples, 50)


def refresh_comparison(url: str, repeats: int) -> None:
    os.environ["COLLIDERML_BACKEND"] = url
    st.cache_data.clear()
    data.forget_last_good()
    client = BackendClient(url)

    def board() -> pd.DataFrame:
        rows = data.leaderboard(TASK).rows
        if rows is None:
            raise RuntimeError("no leaderboard")
        return rows

    def ours() -> pd.DataFrame:
        data.refresh(TASK)  # what the TTL's expiry or the Refresh button does
        rows = board()
        lb.best_so_far(rows, PRIMARY, True)
        return lb.rank(rows, PRIMARY, True)

    def ours_full_fetch() -> pd.DataFrame:
        rows = client.leaderboard(TASK, limit=OUR_ROWS)
        lb.best_so_far(rows, PRIMARY, True)
        return lb.rank(rows, PRIMARY, True)

    def upstream() -> pd.DataFrame:
        answer = requests.get(f"{url}/v1/leaderboard/{TASK}", timeout=30)
        answer.raise_for_status()
        return pd.DataFrame(answer.json())

    ours_rows = len(board())  # the first, full fetch
    upstream_rows = len(upstream())
    ours_ms = _median_ms(ours, repeats)
    full_ms = _median_ms(ours_full_fetch, repeats)
    upstream_ms = _median_ms(upstream, repeats)
    print(f"\nRefresh of /{TASK}, median of {repeats} (issue 6):")
    merged = f"newest {data.NEWEST_ROWS} merged"
    print(f"  ours:     {ours_ms:7.1f} ms  {ours_rows:,} rows: cache refresh ({merged}) + rank + best_so_far")
    print(f"            {full_ms:7.1f} ms  the same from a full fetch (done every {data.FULL_FETCH_EVERY} or on a gap)")
    print(f"  upstream: {upstream_ms:7.1f} ms  {upstream_rows:,} rows: requests.get (newest 100) + pd.DataFrame")
    verdict = "met" if ours_ms <= upstream_ms else "NOT met"
    print(f"  ratio ours/upstream: {ours_ms / upstream_ms:.2f}x (target <= 1.0x: {verdict})", end="")
    print(f"; with a full fetch {full_ms / upstream_ms:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-requests-") as tmp:
        db_path, truth = Path(tmp) / "seeded.sqlite3", Path(tmp) / "truth"
        print("Seeding the local backend (real scoring, about 20 s)...", flush=True)
        fixtures.seed(db_path, truth)
        fixtures.bulk_leaderboard(db_path, TASK, EXTRA_ROWS)
        with fixtures.serving(db_path, truth) as backend:
            requests_per_view(backend.url, args.sessions)
            concurrent_first_views(backend.url, args.sessions)
            refresh_comparison(backend.url, args.repeats)


if __name__ == "__main__":
    main()
