"""How many leaderboard requests reach the backend when many people open one page, and what a
refresh costs compared with the upstream Space.

1. Seeds a local backend (`python -m local_backend seed`, about 20 s) and adds 5,000 jets rows
   (bench.fixtures.bulk_leaderboard). Puts tests/faults.py's FaultProxy, a real forwarding
   proxy that records every request, in front of it, and opens the jets page in 20 AppTest
   sessions one after another, within one cache TTL. Target: 1 request to /v1/leaderboard/jets.
   Then, from a cold cache, 20 threads ask components.data for that leaderboard at the same
   instant (20 sessions arriving together; AppTest itself cannot run in parallel): still 1.
2. Live pages: the dashboard served by `streamlit run app.py` (cache TTL `--live-ttl`) behind
   the proxy, and 20 browserless sessions (bench.crowd.Session) on the jets page that stay open
   for six TTLs, each rerunning the page's self-updating parts on their timers as an open tab
   does. Target: 1 leaderboard request per TTL for them all.
3. The refresh, side by side on the same backend (no proxy), in turns: a refresh the way this
   dashboard does it (components.data: the newest rows (data.NEWEST_ROWS) compared with and
   merged into the 5,000 held, then the task page's default ranking and record line through
   data.per_board) against the upstream Space's (requests.get of the default newest 100 rows,
   pd.DataFrame). Twice: when nothing arrived since the last refresh, and when one submission
   did (added before each turn, untimed). For reference, the full fetch it falls back to.

    .venv/bin/python -m bench.requests_per_view [--sessions 20] [--repeats 20] [--live-ttl 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pandas as pd
import requests
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from bench import fixtures
from bench.crowd import Session
from components import board_view as bv
from components import data
from components.api import BackendClient, leaderboard_frame
from components.config import settings
from tests.e2e.support import running_app
from tests.faults import FaultProxy

TASK = "jets"
BOARD = rf"^/v1/leaderboard/{TASK}\?"
#: How long the live pages stay open, in cache TTLs.
LIVE_TTLS = 6
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


async def live_pages(url: str, proxy: FaultProxy, pages: int, seconds: float) -> tuple[list[int], int]:
    """`pages` sessions open the task page on the app at `url` and stay `seconds`, rerunning its
    live parts on their timers: the fragment runs each made, and the leaderboard requests that
    reached the backend (through `proxy`) meanwhile."""
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        sessions = list(await asyncio.gather(*(Session.open(url, http) for _ in range(pages))))
    try:
        await asyncio.gather(*(session.view(TASK) for session in sessions))
        before = proxy.count("GET", BOARD)
        runs = await asyncio.gather(*(session.stay(TASK, seconds) for session in sessions))
        return list(runs), proxy.count("GET", BOARD) - before
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


def live_requests(url: str, pages: int, ttl: int, log_path: Path) -> None:
    os.environ["LEADERBOARD_CACHE_TTL"] = str(ttl)
    try:
        with FaultProxy(url) as proxy, running_app(proxy.url, log_path) as app:
            runs, requests = asyncio.run(live_pages(app.url, proxy, pages, LIVE_TTLS * ttl))
    finally:
        del os.environ["LEADERBOARD_CACHE_TTL"]
    per_ttl = requests / LIVE_TTLS
    print(f"{pages} live /{TASK} pages open for {LIVE_TTLS} TTLs of {ttl} s: {sum(runs)} self-updates of their parts,")
    print(f"  GET /v1/leaderboard/{TASK}: {requests}, {per_ttl:.2f} per TTL", end="")
    print(f" (target 1: {'met' if round(per_ttl) == 1 else 'NOT met'})")


def _side_by_side(
    actions: dict[str, Callable[[], object]], repeats: int, before_each: Callable[[int], None] | None = None
) -> dict[str, float]:
    """Median milliseconds of each action, measured in turns (the order swapped every round) so
    that a noisy machine slows them alike. `before_each` runs untimed before every round."""
    for action in actions.values():
        action()  # connection set up, imports, first-call costs
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for i in range(repeats):
        if before_each is not None:
            before_each(i)
        for name in list(actions)[:: 1 if i % 2 == 0 else -1]:
            start = time.perf_counter()
            actions[name]()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: fixtures.percentile(times, 50) for name, times in samples.items()}


def refresh_comparison(backend: fixtures.Backend, repeats: int) -> None:
    os.environ["COLLIDERML_BACKEND"] = backend.url
    st.cache_data.clear()
    data.forget_last_good()
    client = BackendClient(backend.url)
    task = next(t for t in data.catalogue().tasks if t.name == TASK)
    higher, opts = task.direction(task.primary), bv.ViewOptions()

    def ours() -> None:
        """What the TTL's expiry or the Refresh button leads to on the task page's default view:
        the board refreshed, ranked, and its record line drawn."""
        data.refresh(TASK)
        snapshot = data.leaderboard(TASK)
        data.per_board(snapshot, bv.ranked_board, task, opts)
        data.per_board(snapshot, bv.record_line, task.primary, higher, opts)

    def ours_full_fetch() -> None:
        rows = leaderboard_frame(client.leaderboard_payload(TASK, limit=OUR_ROWS))
        bv.ranked_board(rows, task, opts)
        bv.record_line(rows, task.primary, higher, opts)

    def upstream() -> pd.DataFrame:
        answer = requests.get(f"{backend.url}/v1/leaderboard/{TASK}", timeout=30)
        answer.raise_for_status()
        return pd.DataFrame(answer.json())

    def one_new_submission(i: int) -> None:
        """A submission newer than every other, as if someone submitted since the last refresh."""
        fixtures.bulk_leaderboard(backend.db_path, TASK, 1, end=datetime.now(UTC) + fixtures.HISTORY * (i + 2), seed=i)

    held = data.leaderboard(TASK).rows
    if held is None:
        raise RuntimeError("no leaderboard")
    ours_rows = len(held)
    upstream_rows = len(upstream())
    quiet = _side_by_side({"ours": ours, "upstream": upstream, "full": ours_full_fetch}, repeats)
    busy = _side_by_side({"ours": ours, "upstream": upstream}, repeats, before_each=one_new_submission)

    print(f"\nRefresh of /{TASK}: ours holds {ours_rows:,} rows, upstream fetches {upstream_rows:,};")
    print(f"medians of {repeats}, measured in turns. Upstream: requests.get (newest 100) + pd.DataFrame.")
    for label, times, what in [
        ("nothing new since the last refresh", quiet, "newest 10 fetched, equal to those held: ranking and trend kept"),
        ("one new submission since the last refresh", busy, "newest 10 merged, board re-ranked, trend redrawn"),
    ]:
        ratio = times["ours"] / times["upstream"]
        print(f"  {label}:")
        print(f"    ours {times['ours']:6.1f} ms ({what})")
        verdict = "met" if ratio <= 1 else "NOT met"
        print(f"    upstream {times['upstream']:6.1f} ms; ratio {ratio:.2f}x (target <= 1.0x: {verdict})")
    full = quiet["full"]
    print(f"  a full fetch, ranked and drawn (every {data.FULL_FETCH_EVERY} or on a gap): {full:.1f} ms, ", end="")
    print(f"{full / quiet['upstream']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--live-ttl", type=int, default=5, help="the cache TTL of the live pages' dashboard, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-requests-") as tmp:
        db_path, truth = Path(tmp) / "seeded.sqlite3", Path(tmp) / "truth"
        print("Seeding the local backend (real scoring, about 20 s)...", flush=True)
        fixtures.seed(db_path, truth)
        fixtures.bulk_leaderboard(db_path, TASK, EXTRA_ROWS)
        with fixtures.serving(db_path, truth) as backend:
            requests_per_view(backend.url, args.sessions)
            concurrent_first_views(backend.url, args.sessions)
            live_requests(backend.url, args.sessions, args.live_ttl, Path(tmp) / "streamlit.log")
            refresh_comparison(backend, args.repeats)


if __name__ == "__main__":
    main()
