"""The open data routes: each board as CSV and JSON, the task catalogue and the badges.

The pure parts first (JSON cells, the answer's shape, cache lifetimes, places). Then the routes
in-process against a real backend behind tests/faults.py's proxy, which refuses connections to
play an outage. Then over plain HTTP against one `streamlit run app.py` server for the module, on
its own copy of the seeded backend (with a hostile user name added by a real submission), behind
a proxy that counts what reaches the backend: pages and routes together make one leaderboard
request per task per TTL.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import anyio
import httpx
import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bench.crowd import HOME, Session
from components import badges, data, open_data, open_data_routes, paths, samples
from components import board_view as bv
from components.api import BackendClient, leaderboard_frame
from components.config import settings
from components.tasks import FALLBACK_TASKS
from tests.conftest import LocalBackend, cold_caches
from tests.e2e.support import StreamlitApp, running_app
from tests.faults import Fault, FaultProxy
from tests.test_board_view import DAY0, row

TASKS = {t.name: t for t in FALLBACK_TASKS}
JETS = TASKS["jets"]
#: Longer than the default 60 s, so the counts below fall within one TTL on a busy machine, and
#: so the cache headers can be seen to follow the setting.
TTL_S = 600
#: Stored by the local backend like any name (Hugging Face would refuse it; a hostile backend would not).
HOSTILE = '<script>alert("x")</script>&co'
SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------
# Pure parts
# ---------------------------------------------------------------------------


@pytest.fixture
def rows() -> pd.DataFrame:
    """Newest first, as the backend sends them: dan has no primary value, carol no code link."""
    return leaderboard_frame(
        [
            row("d1", "dan", 6, btag_auc=None, light_rej_70=10.0),
            row("a2", "alice", 5, btag_auc=0.92, light_rej_70=150.0, c_rej_70=9.0, credits="100.000"),
            row("c1", "carol", 3, btag_auc=0.90, light_rej_70=200.0, c_rej_70=7.0),
            row("b1", "bob", 2, btag_auc=0.85, light_rej_70=90.0, c_rej_70=11.0, code_url="https://github.com/bob/t"),
            row("a1", "alice", 1, btag_auc=0.80, light_rej_70=60.0, c_rej_70=5.0),
            row("base", "colliderml-baselines", 0, baseline=True, btag_auc=0.70, light_rej_70=30.0, c_rej_70=4.0),
        ]
    )


def test_json_rows_are_the_export_columns_with_null_for_missing_values_and_utc_times(rows: pd.DataFrame) -> None:
    got = json.loads(open_data.rows_json(rows, JETS, open_data.view_options("best")))
    assert list(got[0]) == list(bv.export_frame(bv.ranked_board(rows, JETS, bv.ViewOptions()), list(JETS.metrics)))
    assert [r["hf_username"] for r in got] == ["alice", "carol", "bob", "colliderml-baselines", "dan"]
    assert got[0] == {
        "rank": 1,
        "hf_username": "alice",
        "is_baseline": False,
        "btag_auc": 0.92,
        "light_rej_70": 150.0,
        "c_rej_70": 9.0,
        "credits_earned": 100.0,
        "submitted_at": (DAY0 + pd.Timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "code_url": None,
        "submission_id": "a2",
    }
    dan = got[-1]
    assert dan["rank"] is None and dan["btag_auc"] is None and dan["c_rej_70"] is None
    assert got[2]["code_url"] == "https://github.com/bob/t"
    assert all(r["submitted_at"].endswith("Z") for r in got)


def test_the_default_view_is_the_task_page_default_and_all_keeps_every_submission(rows: pd.DataFrame) -> None:
    """The page's default options also carry the date range picker's full span: same board."""
    first, last = rows["submitted_at"].min().date(), rows["submitted_at"].max().date()
    page_default = bv.ViewOptions(best_per_user=True, include_baselines=True, start=first, end=last)
    best = open_data.export_table(rows, JETS, open_data.view_options("best"))
    pd.testing.assert_frame_equal(best, bv.export_frame(bv.ranked_board(rows, JETS, page_default), list(JETS.metrics)))
    assert open_data.csv_bytes(rows, JETS, open_data.view_options("best")) == bv.to_csv_bytes(best)
    every = open_data.export_table(rows, JETS, open_data.view_options("all"))
    assert sorted(every["submission_id"]) == sorted(rows["id"]) and every["rank"].iloc[0] == 1


def test_the_json_answer_wraps_the_rows_with_the_task_view_and_fetch_time(rows: pd.DataFrame) -> None:
    fetched = datetime(2026, 5, 1, 12, 0, 1, 250000, tzinfo=UTC)
    snapshot = data.Snapshot(rows, fetched, version=1)
    body = open_data.board_json(JETS, "all", snapshot, open_data.rows_json(rows, JETS, open_data.view_options("all")))
    answer = json.loads(body)
    assert list(answer) == ["task", "view", "ranked_by", "fetched_at", "stale", "rows"]
    assert answer["task"] == "jets" and answer["view"] == "all" and answer["ranked_by"] == "btag_auc"
    assert answer["fetched_at"] == "2026-05-01T12:00:01.250000Z" and answer["stale"] is False
    assert len(answer["rows"]) == len(rows)
    failing = data.Snapshot(rows, fetched, "The backend is down.", fetched, 1)
    assert json.loads(open_data.board_json(JETS, "best", failing, b"[]"))["stale"] is True


def test_answers_may_be_cached_until_the_board_is_due_for_a_refresh(rows: pd.DataFrame) -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    fresh = data.Snapshot(rows, now - timedelta(seconds=20), version=1)
    assert open_data.max_age(fresh, 60, now) == 40
    assert open_data.max_age(data.Snapshot(rows, now, version=1), 60, now) == 60
    assert open_data.max_age(data.Snapshot(rows, now - timedelta(hours=1), version=1), 60, now) == 0
    failing = data.Snapshot(rows, now, "The backend is down.", now, 1)
    assert open_data.max_age(failing, 60, now) == 0, "the last good board, served until the backend answers again"


def test_places_hold_each_ranked_user_once_with_their_best(rows: pd.DataFrame) -> None:
    assert open_data.places(rows, JETS) == {
        "alice": (1, 0.92),
        "carol": (2, 0.90),
        "bob": (3, 0.85),
        "colliderml-baselines": (4, 0.70),
    }, "dan has no value of the ranking metric: not ranked"


def test_the_catalogue_names_each_task_its_metrics_directions_and_data() -> None:
    answer = json.loads(open_data.catalogue_json(list(FALLBACK_TASKS)))
    tracking = answer["tasks"][0]
    assert tracking["name"] == "tracking" and tracking["primary_metric"] == "trackml_eff"
    assert {"name": "fake_rate", "higher_is_better": False} in tracking["metrics"]
    assert tracking["dataset"] == "ttbar_pu200" and len(tracking["eval_event_range"]) == 2
    assert tracking["description"] == TASKS["tracking"].description != ""


# ---------------------------------------------------------------------------
# In-process: an outage, played by a proxy that refuses connections
# ---------------------------------------------------------------------------


def test_an_outage_serves_the_last_good_board_and_a_503_when_none_is_held(
    seeded_backend: LocalBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FaultProxy(seeded_backend.url) as proxy:
        monkeypatch.setenv("COLLIDERML_BACKEND", proxy.url)
        cold_caches()
        client = TestClient(Starlette(routes=open_data_routes.routes()))
        try:
            assert client.get("/api/v1/tasks.json").status_code == 200  # the catalogue, cached
            proxy.stop()
            down = client.get("/api/v1/leaderboard/jets.json")
            assert down.status_code == 503
            assert down.json() == {"error": open_data.UNAVAILABLE}
            assert down.headers["cache-control"] == "no-store" and down.headers["access-control-allow-origin"] == "*"
            assert client.get(paths.badge_path("jets", "pmoreau")).status_code == 503

            proxy.start()
            good = client.get("/api/v1/leaderboard/jets.json").json()
            assert good["stale"] is False and good["rows"]
            proxy.stop()
            data.refresh("jets")  # what the TTL's end would do: the next read asks the backend
            held = client.get("/api/v1/leaderboard/jets.json")
            assert held.status_code == 200 and held.headers["cache-control"] == "public, max-age=0"
            assert held.json()["stale"] is True and held.json()["rows"] == good["rows"]
            assert "Traceback" not in held.text and proxy.url not in down.text
        finally:
            cold_caches()


def test_routes_waiting_on_a_slow_backend_leave_the_servers_shared_threads_free(
    seeded_backend: LocalBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit serves the app's static files from Starlette's shared thread pool: requests here
    waiting on a backend that is slow to answer hold threads of their own, not that pool (shrunk
    to 2 threads, both of which the two requests would otherwise hold)."""

    def ping(_request: Request) -> Response:  # a plain `def`: served from the shared pool
        return Response("pong")

    app = Starlette(routes=[*open_data_routes.routes(), Route("/ping", ping)])

    async def scene() -> float:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            waiting = [asyncio.create_task(client.get("/api/v1/leaderboard/jets.json")) for _ in range(2)]
            await asyncio.sleep(0.3)
            start = time.perf_counter()
            assert (await client.get("/ping")).text == "pong"
            took = time.perf_counter() - start
            assert not any(request.done() for request in waiting), "answered while both still wait"
            assert [a.status_code for a in await asyncio.gather(*waiting)] == [503, 503]
        return took

    with FaultProxy(seeded_backend.url) as proxy:
        monkeypatch.setenv("COLLIDERML_BACKEND", proxy.url)
        cold_caches()
        try:
            assert data.catalogue().error is None  # cached: only the board is slow
            proxy.fail("GET", r"^/v1/leaderboard/jets\?", Fault(delay_s=1.5))
            assert asyncio.run(scene()) < 1.0
        finally:
            cold_caches()


# ---------------------------------------------------------------------------
# Over HTTP, against `streamlit run app.py`
# ---------------------------------------------------------------------------


@dataclass
class Served:
    app: StreamlitApp
    backend: LocalBackend
    proxy: FaultProxy

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.app.url + path, timeout=60, trust_env=False)

    def expected(self, task: str, view: str = "best") -> pd.DataFrame:
        """The task page's export of its board (pages/task_page.py), on rows fetched straight from
        the backend: its default view, or all submissions."""
        payload = BackendClient(self.backend.url).leaderboard_payload(task, limit=settings().leaderboard_rows)
        rows, info = leaderboard_frame(payload), TASKS[task]
        board = bv.ranked_board(rows, info, bv.ViewOptions(best_per_user=view == "best"))
        return bv.export_frame(board, bv.task_metrics(info, rows))


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL mode): the seeded backend keeps serving."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="module")
def served(seeded_backend: LocalBackend, truth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The dashboard on a copy of the demo data plus one hostile user, behind a counting proxy."""
    folder = tmp_path_factory.mktemp("open_data")
    _copy_database(seeded_backend.db_path, folder / "colliderml.sqlite3")
    backend = LocalBackend(db_path=folder / "colliderml.sqlite3", data_dir=truth_dir)
    backend.start()
    try:
        sample = samples.sample_predictions(JETS)
        assert sample is not None
        backend.submit("jets", HOSTILE, sample)
        with (
            FaultProxy(backend.url) as proxy,
            pytest.MonkeyPatch.context() as env,
        ):
            env.setenv("LEADERBOARD_CACHE_TTL", str(TTL_S))
            with running_app(proxy.url, folder / "streamlit.log") as app:
                yield Served(app, backend, proxy)
    finally:
        backend.stop()


def _csv(answer: httpx.Response) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(answer.text))


def test_csv_is_the_task_page_export_of_its_default_ranking(served: Served) -> None:
    answer = served.get("/api/v1/leaderboard/jets.csv")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    expected = served.expected("jets")
    assert answer.content == bv.to_csv_bytes(expected)
    assert list(_csv(answer).columns[:3]) == ["rank", "hf_username", "is_baseline"]
    users = list(expected["hf_username"])
    assert len(users) == len(set(users)) and "colliderml-baselines" in users and HOSTILE in users


def test_json_holds_the_same_rows_and_view_all_every_submission(served: Served) -> None:
    for view, query in (("best", ""), ("all", "?view=all")):
        answer = served.get(f"/api/v1/leaderboard/anomaly.json{query}")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        body = answer.json()
        assert (body["task"], body["view"], body["ranked_by"], body["stale"]) == ("anomaly", view, "auroc", False)
        assert datetime.fromisoformat(body["fetched_at"]) <= datetime.now(UTC)
        got = pd.DataFrame(body["rows"])
        got["submitted_at"] = pd.to_datetime(got["submitted_at"], utc=True, format="ISO8601")
        expected = served.expected("anomaly", view)
        got["rank"] = got["rank"].astype("Int64")
        got["code_url"] = got["code_url"].astype(object).where(got["code_url"].notna(), None)  # null, not NaN
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    everyone = served.get("/api/v1/leaderboard/anomaly.csv?view=all")
    assert len(_csv(everyone)) == len(served.expected("anomaly", "all")) > len(served.expected("anomaly"))
    assert served.get("/api/v1/leaderboard/anomaly.json?view=latest").status_code == 400


def test_tasks_json_is_the_catalogue_the_pages_use(served: Served) -> None:
    answer = served.get("/api/v1/tasks.json")
    assert answer.status_code == 200
    got = {t["name"]: t for t in answer.json()["tasks"]}
    backend = {t.name: t for t in BackendClient(served.backend.url).tasks()}
    assert list(got) == [t.name for t in FALLBACK_TASKS] and set(got) == set(backend)
    for name, task in got.items():
        assert [m["name"] for m in task["metrics"]] == list(backend[name].metrics)
        assert all(m["higher_is_better"] == backend[name].direction(m["name"]) for m in task["metrics"])
        assert task["primary_metric"] == backend[name].primary and task["description"] == TASKS[name].description
        served_range = backend[name].eval_event_range
        assert task["eval_event_range"] == (list(served_range) if served_range else None)


def test_an_unknown_task_or_address_is_a_json_404(served: Served) -> None:
    for path in ("/api/v1/leaderboard/nope.csv", "/api/v1/leaderboard/nope.json", paths.badge_path("nope", "alice")):
        answer = served.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
        assert answer.json() == {"error": "No task of that name.", "tasks": [t.name for t in FALLBACK_TASKS]}
        assert answer.headers["access-control-allow-origin"] == "*"
    typed = served.get(f"/api/v1/leaderboard/{quote('<b>x</b>')}.json")
    assert typed.status_code == 404 and "<b>" not in typed.text, "nothing a visitor typed comes back"
    for address in ("/api/v1/leaderboards", "/badge/jets", "/badge/jets/pmoreau.png"):
        other = served.get(address)
        assert other.status_code == 404 and other.json() == {"error": "No such address in this API."}, address


def test_answers_are_open_to_every_site_and_cached_until_the_board_is_due(served: Served) -> None:
    for path in ("/api/v1/leaderboard/jets.csv", "/api/v1/leaderboard/jets.json", paths.badge_path("jets", "pmoreau")):
        answer = served.get(path)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.headers["x-content-type-options"] == "nosniff"
        cached = re.fullmatch(r"public, max-age=(\d+)", answer.headers["cache-control"])
        assert cached and 60 < int(cached.group(1)) <= TTL_S, answer.headers["cache-control"]
    assert served.get("/api/v1/tasks.json").headers["cache-control"] == f"public, max-age={TTL_S}"


def _badge(served: Served, task: str, user: str) -> ET.Element:
    answer = served.get(paths.badge_path(task, user))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert "<script" not in answer.text
    return ET.fromstring(answer.content)  # noqa: S314 - our own server's badge, parsed to check it


def test_a_badge_gives_the_rank_and_score_of_the_best_entry(served: Served) -> None:
    expected = served.expected("jets")
    for user in ("pmoreau", HOSTILE):
        mine = expected[expected["hf_username"] == user].iloc[0]
        shown = f"#{mine['rank']} · btag_auc {badges.number(mine['btag_auc'])}"
        badge = _badge(served, "jets", user)
        assert badge.findtext(f"{SVG}title") == f"{user} on jets: {shown}"
        assert [t.text for t in badge.iter(f"{SVG}text")][2:] == [shown, shown]


def test_someone_not_on_a_board_gets_a_not_ranked_badge(served: Served) -> None:
    """atanaka-hep is in the demo data on jets and anomaly, never on tracking_latency."""
    for user in ("atanaka-hep", HOSTILE):
        badge = _badge(served, "tracking_latency", user)
        assert badge.findtext(f"{SVG}title") == f"{user} on tracking_latency: not ranked"
        assert badges.NOT_RANKED_COLOR in [r.get("fill") for r in badge.iter(f"{SVG}rect")]


def test_pages_and_routes_together_make_one_leaderboard_request_per_task(served: Served) -> None:
    """The warm-up run, route calls and two page views (Home and a task page, over Streamlit's own
    websocket), all within one TTL: each board reached the backend once, and so did the catalogue."""
    for task in TASKS:
        for path in (f"/api/v1/leaderboard/{task}.csv", f"/api/v1/leaderboard/{task}.json?view=all"):
            assert served.get(path).status_code == 200
        assert served.get(paths.badge_path(task, "pmoreau")).status_code == 200
    assert served.get("/api/v1/tasks.json").status_code == 200

    async def view_pages() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
            session = await Session.open(served.app.url, http)
        try:
            await session.view("jets")
            await session.view(HOME)
        finally:
            await session.close()

    asyncio.run(view_pages())
    counts = {task: served.proxy.count("GET", rf"^/v1/leaderboard/{re.escape(task)}\?") for task in TASKS}
    assert counts == dict.fromkeys(TASKS, 1)
    assert served.proxy.count("GET", r"^/v1/benchmark/tasks") == 1


def test_the_server_logged_nothing_alarming(served: Served) -> None:
    log = served.app.log_text()
    assert "No runtime found" not in log and "missing ScriptRunContext" not in log, log
