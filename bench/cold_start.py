"""Cold start: from `streamlit run` to the first leaderboard table visible in Chromium.

Starts a seeded local backend, then N times: a fresh `streamlit run Home.py` and a fresh
headless Chromium opening a task page; prints the time until the table is visible, split
into server start (health answers) and first page (table drawn).

    .venv/bin/python -m bench.cold_start [--runs 3] [--task jets]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.support import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback URL built here
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {deadline_s:.0f} s")


def _one_run(backend_url: str, task: str) -> tuple[float, float]:
    port = _free_port()
    env = {**os.environ, "COLLIDERML_BACKEND": backend_url}
    started = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
         "--server.address", "localhost", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_http(f"http://localhost:{port}/_stcore/health")
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
        app.terminate()
        app.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--task", default="jets")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "db.sqlite3", _free_port()
        env = {**os.environ, "LOCAL_BACKEND_DATA": str(Path(tmp) / "truth")}
        subprocess.run([sys.executable, "-m", "local_backend", "seed", "--db", str(db)], cwd=ROOT, env=env, check=True)
        backend = subprocess.Popen(
            [sys.executable, "-m", "local_backend", "serve", "--port", str(port), "--db", str(db)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_http(f"{url}/healthz")
            runs = [_one_run(url, args.task) for _ in range(args.runs)]
        finally:
            backend.terminate()
            backend.wait(timeout=10)
    print(f"cold start to the first {args.task} table in Chromium ({args.runs} runs)")
    print(f"  server healthy: median {statistics.median(r[0] for r in runs):.2f} s")
    tables = [r[1] for r in runs]
    print(f"  table visible:  median {statistics.median(tables):.2f} s, max {max(tables):.2f} s")


if __name__ == "__main__":
    main()
