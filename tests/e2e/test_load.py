"""The load test: 20 people browse at once, against one Streamlit process, on loopback.

One Chromium, 20 browser contexts (fresh profiles), driven by Playwright's async API on a thread
of its own (the session's synchronous Playwright keeps the main thread's event loop). Each
visitor loops until the time is up: open Home by its URL (a new session), then two task pages
through the sidebar. Every navigation is timed from the action to "page ready": the script run
is over and the page's main content (the task cards, or the ranked table) is visible.

Pass: no navigation failed or timed out, no exception box, no console or page error (but the
known harmless base-path probe 404s), no traceback in the server's log. The page-ready figures
go to stdout and to artifacts/load.json.

Duration: 60 s of load by default; E2E_LOAD_SECONDS changes it (in CI it is capped at 60 s).
Navigations in flight at the deadline finish (each within READY_TIMEOUT_MS), and a hard stop
ends the run GRACE_S after the deadline in any case. E2E_LOAD_VISITORS (default 20) is for
investigating how the figures scale.

Read the figures with load.json's CPU lines: on a small machine the 20 Chromium renderers,
not the one Streamlit process, use most of the CPU, so page-ready times measure the browsers'
contention as much as the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.async_api import Browser as AsyncBrowser
from playwright.async_api import Page as AsyncPage
from playwright.async_api import TimeoutError as AsyncTimeout
from playwright.async_api import async_playwright

from components.tasks import FALLBACK_TASKS
from tests.e2e.conftest import CHROMIUM_ARGS, BrowserProblems
from tests.e2e.support import READY, REPO_ROOT, RUN_START_MS, RUNNING, StreamlitApp

VISITORS = int(os.environ.get("E2E_LOAD_VISITORS", 20))
DEFAULT_SECONDS = 60.0
CI_MAX_SECONDS = 60.0
TASK_PAGES_PER_VISIT = 2
#: Visitors arrive one after another over this long (then all 20 browse at once), rather than
#: 20 React apps booting in the same instant.
RAMP_S = 5.0
#: A navigation slower than this fails the test (on two shared CPUs, 20 Chromium pages take
#: tens of seconds each: the figures say how slow, this only catches a page that never comes).
READY_TIMEOUT_MS = 120_000
#: Past the deadline no navigation starts; those in flight finish (each within READY_TIMEOUT_MS).
GRACE_S = READY_TIMEOUT_MS / 1000 + 30
RESULTS = REPO_ROOT / "artifacts" / "load.json"
TASKS = [t.name for t in FALLBACK_TASKS]


def load_seconds() -> float:
    seconds = float(os.environ.get("E2E_LOAD_SECONDS", DEFAULT_SECONDS))
    if os.environ.get("CI"):
        seconds = min(seconds, CI_MAX_SECONDS)
    return max(seconds, 1.0)


@dataclass
class Sample:
    visitor: int
    kind: str  # "home" (a full load by URL) or "task" (a sidebar click)
    page: str
    ready_ms: float


@dataclass
class LoadRun:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    problems: BrowserProblems = field(default_factory=BrowserProblems)


async def _ready(page: AsyncPage, content: str) -> None:
    """`support.wait_ready`, async, and then the page's main content visible."""
    with suppress(AsyncTimeout):
        await page.locator(RUNNING).wait_for(state="attached", timeout=RUN_START_MS)
    await page.locator(READY).wait_for(state="attached", timeout=READY_TIMEOUT_MS)
    await page.locator(content).first.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    await page.locator(READY).wait_for(state="attached", timeout=READY_TIMEOUT_MS)


async def _exception_boxes(page: AsyncPage) -> str | None:
    boxes = page.locator("[data-testid='stException']")
    if await boxes.count():
        return await boxes.first.inner_text()
    return None


async def _visitor(browser: AsyncBrowser, url: str, index: int, deadline: float, run: LoadRun) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.on("console", run.problems.on_console)  # type: ignore[call-overload]  # sync and async messages alike
    page.on("pageerror", run.problems.on_page_error)
    rng = random.Random(index)
    where = "home"
    await asyncio.sleep(RAMP_S * index / VISITORS)
    try:
        while time.monotonic() < deadline:
            where = "home"
            start = time.perf_counter()
            await page.goto(url, timeout=READY_TIMEOUT_MS)
            await _ready(page, ".st-key-home-card-jets")
            run.samples.append(Sample(index, "home", "home", (time.perf_counter() - start) * 1000))
            if box := await _exception_boxes(page):
                run.failures.append(f"visitor {index}, home: exception box: {box}")
            for task in rng.sample(TASKS, TASK_PAGES_PER_VISIT):
                if time.monotonic() >= deadline:
                    break
                where = task
                start = time.perf_counter()
                nav = page.locator("[data-testid='stSidebarNav']")
                await nav.get_by_role("link", name=task, exact=True).click(timeout=READY_TIMEOUT_MS)
                await page.wait_for_url(f"**/{task}", timeout=READY_TIMEOUT_MS)
                await _ready(page, f".st-key-{task}-table [data-testid='stDataFrame']")
                run.samples.append(Sample(index, "task", task, (time.perf_counter() - start) * 1000))
                if box := await _exception_boxes(page):
                    run.failures.append(f"visitor {index}, {task}: exception box: {box}")
    except Exception as exc:
        run.failures.append(f"visitor {index}, {where}: {type(exc).__name__}: {exc}".splitlines()[0])
    finally:
        await context.close()


async def _load(chromium: str, url: str, seconds: float, run: LoadRun) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            deadline = time.monotonic() + seconds
            visitors = [_visitor(browser, url, i, deadline, run) for i in range(VISITORS)]
            await asyncio.wait_for(asyncio.gather(*visitors), timeout=seconds + GRACE_S)
        finally:
            await browser.close()


def _run_in_thread(chromium: str, url: str, seconds: float) -> LoadRun:
    """The async run on a thread of its own, with a hard stop of its own."""
    run = LoadRun()
    errors: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(_load(chromium, url, seconds, run))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=main, name="e2e-load", daemon=True)
    thread.start()
    thread.join(timeout=seconds + GRACE_S + 60)
    if thread.is_alive():
        pytest.fail(f"the load run did not stop within {seconds + GRACE_S + 60:.0f} s")
    if errors:
        raise errors[0]
    return run


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc; None where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float | None:
    """CPU time every core of the machine spent busy so far (all processes, not only ours)."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def _delta(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else round(after - before, 1)


def _figures(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    array = np.asarray(values)
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p95_ms": round(float(np.percentile(array, 95)), 1),
        "max_ms": round(float(array.max()), 1),
    }


@pytest.mark.load
def test_twenty_visitors_browse_at_once(app_server: StreamlitApp, chromium_path: str) -> None:
    seconds = load_seconds()
    server_pid = app_server.server.pid  # its CPU time
    server_cpu, machine_cpu = _cpu_seconds(server_pid), _machine_busy_seconds()
    started = time.monotonic()
    run = _run_in_thread(chromium_path, app_server.url, seconds)
    elapsed = time.monotonic() - started
    server_cpu, machine_cpu = _delta(_cpu_seconds(server_pid), server_cpu), _delta(_machine_busy_seconds(), machine_cpu)

    ready = [s.ready_ms for s in run.samples]
    report: dict[str, Any] = {
        "visitors": VISITORS,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 1),
        "ramp_s": RAMP_S,
        "cpus": os.cpu_count(),
        # Where the CPU went: the one Streamlit process, against the whole machine (Chromium's
        # 20 renderers, the backend, and whatever else runs there).
        "server_cpu_s": server_cpu,
        "machine_busy_cpu_s": machine_cpu,
        "navigations": len(run.samples),
        "navigations_per_s": round(len(run.samples) / elapsed, 2),
        "page_ready": _figures(ready),
        "home_by_url": _figures([s.ready_ms for s in run.samples if s.kind == "home"]),
        "task_by_sidebar": _figures([s.ready_ms for s in run.samples if s.kind == "task"]),
        "failures": run.failures,
        "browser_errors": run.problems.errors,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    overall = report["page_ready"]
    print(
        f"\nload: {VISITORS} visitors for {seconds:.0f} s: {len(ready)} page loads, "
        f"page-ready p50 {overall.get('p50_ms')} ms, p95 {overall.get('p95_ms')} ms "
        f"(home {report['home_by_url']}, task {report['task_by_sidebar']}); CPU s: server {server_cpu}, "
        f"machine {machine_cpu} over {elapsed:.0f} s on {os.cpu_count()} CPUs -> {RESULTS}"
    )

    assert run.failures == [], "\n".join(run.failures)
    assert run.problems.errors == [], "\n".join(run.problems.errors)
    assert ready, "no page became ready"
    assert len({s.visitor for s in run.samples}) == VISITORS, "some visitor never got a page"
    assert "Traceback" not in app_server.log_text(), app_server.log_text()
