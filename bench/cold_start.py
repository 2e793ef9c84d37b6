"""Cold start: from `streamlit run` to the first leaderboard table visible in Chromium, against a
bare one-file Streamlit app showing one 10-row `st.dataframe` started and opened the same way.

Seeds a local backend, launches one headless Chromium, then takes the two in turns (ours, bare,
ours, bare, ...), each time a fresh `streamlit run` with the same flags and a fresh browser context
(empty cache, as a first visitor after a wake-up): the clock starts when the server is spawned;
the page is opened as soon as `/_stcore/health` answers (what a Space waits for before it routes
visitors) and stops when the first `st.dataframe` is visible. Ours opens the task page by URL
(`/jets`, a shared link); the bare app opens its only page. Target: ours at most 1.25x the bare.

`--split-cpus` runs the servers on CPU 0 and Chromium on CPU 1 (Linux): closer to a Space, where
the visitor's browser does not share the server's CPUs, and where work the server does while the
browser loads the frontend (app.py's warm-up run) costs the browser nothing.

    .venv/bin/python -m bench.cold_start [--pairs 5] [--task jets] [--split-cpus]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench import fixtures
from tests.e2e.support import CHROMIUM_ARGS, READY
from tests.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
#: The dashboard's entry file, as `make run` and the Space start it.
ENTRY = "app.py"
TARGET_RATIO = 1.25
BARE_APP = """import pandas as pd
import streamlit as st

st.dataframe(pd.DataFrame({"n": range(10), "square": [i * i for i in range(10)]}))
"""


@dataclass(frozen=True)
class Run:
    healthy_s: float
    table_s: float


def _one_run(
    browser: Browser, cwd: Path, entry: str, path: str, env: dict[str, str], log_path: Path, pin: list[str]
) -> Run:
    """Spawn `streamlit run entry` in `cwd`, open `path` once healthy, time the first visible table."""
    port = free_port()
    app = ServerProcess(
        name="streamlit",
        command=[*pin, sys.executable, "-m", "streamlit", "run", entry, "--server.port", str(port),
                 "--server.address", "localhost", "--server.headless", "true",
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        health_url=f"http://localhost:{port}/_stcore/health",
        cwd=cwd,
        env=env,
        log_path=log_path,
    )  # fmt: skip
    started = time.monotonic()
    app.start()
    try:
        healthy = time.monotonic() - started
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(f"http://localhost:{port}/{path}")
            page.locator("[data-testid='stDataFrame']").first.wait_for(state="visible", timeout=120_000)
            table = time.monotonic() - started
            page.locator(READY).wait_for(state="attached", timeout=120_000)  # let the run end before stopping
        finally:
            context.close()
        return Run(healthy, table)
    finally:
        app.stop()


def _summary(name: str, runs: list[Run]) -> str:
    tables = ", ".join(f"{r.table_s:.2f}" for r in runs)
    return (
        f"  {name:5} table visible: median {statistics.median(r.table_s for r in runs):.2f} s "
        f"(runs: {tables}); server healthy: median {statistics.median(r.healthy_s for r in runs):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="runs of each app, taken in turns")
    parser.add_argument("--task", default="jets")
    parser.add_argument("--split-cpus", action="store_true", help="servers on CPU 0, Chromium on CPU 1")
    args = parser.parse_args()
    pin = ["taskset", "-c", "0"] if args.split_cpus else []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bare_dir = tmp / "bare"
        shutil.copytree(ROOT / ".streamlit", bare_dir / ".streamlit")  # same theme and settings
        (bare_dir / "bare.py").write_text(BARE_APP)
        db, truth = tmp / "db.sqlite3", tmp / "truth"
        fixtures.seed(db, truth)
        ours: list[Run] = []
        bare: list[Run] = []
        with fixtures.serving(db, truth) as backend, sync_playwright() as pw:
            env = fixtures.app_env(backend)
            if args.split_cpus:
                os.sched_setaffinity(0, {1})  # inherited by Chromium, launched next
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            for i in range(args.pairs):
                ours.append(_one_run(browser, ROOT, ENTRY, args.task, env, tmp / f"ours-{i}.log", pin))
                bare.append(_one_run(browser, bare_dir, "bare.py", "", env, tmp / f"bare-{i}.log", pin))
                print(f"  pair {i + 1}: ours {ours[-1].table_s:.2f} s, bare {bare[-1].table_s:.2f} s", flush=True)
            browser.close()
    ratio = statistics.median(r.table_s for r in ours) / statistics.median(r.table_s for r in bare)
    where = ", servers on CPU 0 and Chromium on CPU 1" if args.split_cpus else ""
    print(f"cold start to the first table in Chromium, {args.pairs} runs each, in turns{where}")
    print(_summary("ours", ours) + f" [/{args.task} by URL]")
    print(_summary("bare", bare))
    verdict = "met" if ratio <= TARGET_RATIO else "not met"
    print(f"  ratio of medians: {ratio:.2f}x (target <= {TARGET_RATIO:.2f}x: {verdict})")


if __name__ == "__main__":
    main()
