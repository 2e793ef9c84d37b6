"""How long the server takes to render Home, a task page and the credits page, warm cache, by
leaderboard size.

For 100, 1,000, 10,000 and 50,000 submissions on one task (jets), builds a local backend
database with that many rows (bench.fixtures.bulk_leaderboard), starts
`python -m local_backend serve` on it, and runs the dashboard with streamlit's AppTest
pointed at it: a first run fills the leaderboard cache, then N runs are timed, each one a
new session opening the page (a visitor arriving while the cache is warm). The credits page is
opened signed in as the user with the longest ledger: "first" is a new session's view (it fetches
the balance and the ledger, then works out the page), "rerun" the same session's next run (a
click in the sidebar, a visit back), which draws what that view worked out.

"server" is the script thread's run (everything Streamlit does on the server for a rerun,
Arrow and protobuf serialisation included); "AppTest" adds AppTest's parsing of the
messages. The browser's own rendering is not measured.

    .venv/bin/python -m bench.render_time [--sizes 100,1000] [--runs 15] [--profile 10000]

`--profile SIZE` also prints the hottest functions of the warm task-page reruns at that size.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TASK = "jets"
SIZES = (100, 1_000, 10_000, 50_000)
#: Targets for the task page (median server time), by size.
TARGETS_MS = {1_000: 150.0, 10_000: 500.0}

# Before streamlit and components are imported: the cache must stay warm for the whole run,
# and the page must fetch every row the backend holds (the default is 5,000).
os.environ["LEADERBOARD_CACHE_TTL"] = "3600"
os.environ["LEADERBOARD_ROWS"] = str(max(SIZES))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.testing.v1.local_script_runner import LocalScriptRunner  # noqa: E402
from streamlit.util import calc_hash  # noqa: E402

from bench import fixtures  # noqa: E402
from components import auth, data  # noqa: E402
from components import session_keys as keys  # noqa: E402
from local_backend import db, tokens  # noqa: E402


class ScriptTimer:
    """Times (and optionally profiles) the script thread of every AppTest run."""

    def __init__(self) -> None:
        self.last_s = 0.0
        self.profile: cProfile.Profile | None = None
        original = LocalScriptRunner._run_script_thread
        timer = self

        def timed(runner: LocalScriptRunner) -> None:
            profile = timer.profile
            start = time.perf_counter()
            if profile is not None:
                profile.enable()
            try:
                original(runner)
            finally:
                if profile is not None:
                    profile.disable()
                timer.last_s = time.perf_counter() - start

        LocalScriptRunner._run_script_thread = timed  # type: ignore[method-assign, assignment]


@dataclass
class Timings:
    server_ms: list[float]
    apptest_ms: list[float]
    cold_ms: float

    def median(self) -> float:
        return fixtures.percentile(self.server_ms, 50)

    def p90(self) -> float:
        return fixtures.percentile(self.server_ms, 90)


def open_page(page_hash: str, signed_in: auth.Session | None = None) -> AppTest:
    """A new session opening the page with this hash ("" for Home), run once."""
    at = AppTest.from_file(str(fixtures.ROOT / "Home.py"), default_timeout=600)
    at._page_hash = page_hash
    if signed_in is not None:
        at.session_state[keys.SESSION] = signed_in
    at.run()
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    if not at.title:
        raise RuntimeError("the page rendered nothing")
    return at


def _time_runs(
    page_hash: str,
    timer: ScriptTimer,
    runs: int,
    before: Callable[[], None] = lambda: None,
    signed_in: auth.Session | None = None,
) -> Timings:
    start = time.perf_counter()
    open_page(page_hash, signed_in)
    cold_ms = (time.perf_counter() - start) * 1000
    before()
    return _timed(lambda: open_page(page_hash, signed_in), timer, runs, cold_ms)


def _timed(view: Callable[[], object], timer: ScriptTimer, runs: int, cold_ms: float) -> Timings:
    """`view()` `runs` times: the script thread's time and the wall time of each."""
    server, wall = [], []
    for _ in range(runs):
        start = time.perf_counter()
        view()
        wall.append((time.perf_counter() - start) * 1000)
        server.append(timer.last_s * 1000)
    return Timings(server, wall, cold_ms)


def _credits_runs(signed_in: auth.Session, timer: ScriptTimer, runs: int) -> tuple[Timings, Timings]:
    """The credits page: `runs` new sessions' first views, then `runs` reruns of the last one."""
    first = _time_runs(calc_hash("credits"), timer, runs, signed_in=signed_in)
    at = open_page(calc_hash("credits"), signed_in)
    return first, _timed(at.run, timer, runs, first.cold_ms)


def _longest_ledger(db_path: Path) -> auth.Session:
    """Signed in (a token issued as the sign-in stand-in does) as the user with the most ledger entries."""
    conn = db.connect(db_path)
    try:
        (username,) = conn.execute(
            "SELECT u.hf_username FROM credit_transactions t JOIN users u ON u.id = t.user_id"
            " GROUP BY u.id ORDER BY count(*) DESC, u.hf_username LIMIT 1"
        ).fetchone()
        return auth.Session(username=username, token=tokens.issue_token(conn, username, 3600), expires_at=None)
    finally:
        conn.close()


def measure(size: int, runs: int, timer: ScriptTimer, workdir: Path, profile: bool) -> dict[str, Timings]:
    db_path = workdir / f"bench-{size}.sqlite3"
    db.init_db(db_path)
    fixtures.bulk_leaderboard(db_path, TASK, size)
    with fixtures.serving(db_path, workdir / "truth") as backend:
        os.environ["COLLIDERML_BACKEND"] = backend.url
        open_page("")  # imports everything once, so the cold view below pays for fetching only
        st.cache_data.clear()
        data.forget_last_good()
        home = _time_runs("", timer, runs)

        def start_profile() -> None:
            if profile:
                timer.profile = cProfile.Profile()

        task = _time_runs(calc_hash(TASK), timer, runs, start_profile)
        if timer.profile is not None:
            _print_profile(timer.profile, size, runs)
            timer.profile = None
        credits_first, credits_rerun = _credits_runs(_longest_ledger(db_path), timer, runs)
    return {"home": home, "task": task, "credits first": credits_first, "credits rerun": credits_rerun}


def _print_profile(profile: cProfile.Profile, size: int, runs: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(40)
    print(f"\nProfile of {runs} warm task-page runs at {size:,} rows (cumulative):")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated row counts")
    parser.add_argument("--runs", type=int, default=15, help="timed warm reruns per page (default %(default)s)")
    parser.add_argument("--profile", type=int, default=None, metavar="SIZE", help="profile the task page at SIZE")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    timer = ScriptTimer()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        for size in sizes:
            results[size] = measure(size, args.runs, timer, Path(tmp), profile=size == args.profile)
            medians = "  ".join(f"{page} {t.median():.0f} ms" for page, t in results[size].items())
            print(f"{size:>7,} rows: {medians} (medians)", flush=True)

    print(f"\nWarm-cache server time per page view ({args.runs} runs each; task '{TASK}'; ms)")
    print("home cold: the first Home view, which fetches and parses every leaderboard (wall time).")
    header = f"{'rows':>7} | {'home p50':>8} {'home p90':>8} | {'task p50':>8} {'task p90':>8} | "
    header += f"{'credits first p50':>17} {'credits rerun p50':>17} | "
    header += f"{'home cold':>9} {'task AppTest p50':>16} | target (task p50)"
    print(header)
    print("-" * len(header))
    for size, pages in results.items():
        home, task = pages["home"], pages["task"]
        target = TARGETS_MS.get(size)
        verdict = "" if target is None else f"<= {target:.0f} ms: {'met' if task.median() <= target else 'NOT met'}"
        print(
            f"{size:>7,} | {home.median():8.0f} {home.p90():8.0f} | {task.median():8.0f} {task.p90():8.0f} | "
            f"{pages['credits first'].median():17.0f} {pages['credits rerun'].median():17.0f} | "
            f"{home.cold_ms:9.0f} {fixtures.percentile(task.apptest_ms, 50):16.0f} | {verdict}"
        )


if __name__ == "__main__":
    main()
