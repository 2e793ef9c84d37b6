"""Cold start: from `streamlit run` to the first leaderboard table visible in Chromium.

Starts a seeded local backend, then N times: a fresh `streamlit run Home.py` and a fresh
headless Chromium opening a task page; prints the time until the table is visible, split
into server start (health answers) and first page (table drawn).

    .venv/bin/python -m bench.cold_start [--runs 3] [--task jets]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import fixtures
from tests.e2e.support import CHROMIUM_ARGS
from tests.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent


def _one_run(backend_url: str, task: str, log_path: Path) -> tuple[float, float]:
    port = free_port()
    app = ServerProcess(
        name="streamlit",
        command=[sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
                 "--server.address", "localhost", "--server.headless", "true"],
        health_url=f"http://localhost:{port}/_stcore/health",
        cwd=ROOT,
        env={**os.environ, "COLLIDERML_BACKEND": backend_url},
        log_path=log_path,
    )  # fmt: skip
    started = time.monotonic()
    app.start()
    try:
        healthy = time.monotonic() - started
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://localhost:{port}/{task}")
            page.locator("[data-testid='stDataFrame']").first.wait_for(state="visible", timeout=120_000)
            table = time.monotonic() - started
            browser.close()
        return healthy, table
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--task", default="jets")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, truth = Path(tmp) / "db.sqlite3", Path(tmp) / "truth"
        fixtures.seed(db, truth)
        with fixtures.serving(db, truth) as backend:
            runs = [_one_run(backend.url, args.task, Path(tmp) / f"app-{i}.log") for i in range(args.runs)]
    print(f"cold start to the first {args.task} table in Chromium ({args.runs} runs)")
    print(f"  server healthy: median {statistics.median(r[0] for r in runs):.2f} s")
    tables = [r[1] for r in runs]
    print(f"  table visible:  median {statistics.median(tables):.2f} s, max {max(tables):.2f} s")


if __name__ == "__main__":
    main()
