"""Twenty task pages open and live cost one leaderboard request per cache TTL.

Each page is a browserless session over Streamlit's own websocket (bench.crowd.Session, through
bench.requests_per_view.live_pages): it opens /jets, then reruns the page's self-updating
fragments on their timers, as an open browser tab does (the browser, not the server, keeps those
timers). A recording proxy in front of the backend counts the leaderboard requests made meanwhile.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import requests_per_view
from tests.conftest import LocalBackend
from tests.e2e.support import running_app
from tests.faults import FaultProxy

PAGES = 20
TTL_S = 2
#: How long the pages stay open after their first view: three TTLs.
OPEN_S = 3 * TTL_S


def test_twenty_live_pages_make_one_leaderboard_request_per_ttl(
    seeded_backend: LocalBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADERBOARD_CACHE_TTL", str(TTL_S))
    with FaultProxy(seeded_backend.url) as proxy, running_app(proxy.url, tmp_path / "streamlit.log") as app:
        runs, requests = asyncio.run(requests_per_view.live_pages(app.url, proxy, PAGES, OPEN_S))
    # Two live fragments (the board and its charts) rerun every half TTL on every page.
    assert all(n >= 2 * (OPEN_S / (TTL_S / 2) - 1) for n in runs), runs
    ttls = OPEN_S / TTL_S
    assert ttls - 1 <= requests <= ttls + 1, f"{requests} leaderboard requests in {ttls:g} TTLs from {PAGES} live pages"
