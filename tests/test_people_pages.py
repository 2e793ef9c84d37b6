"""AppTest runs of a person's page (/user?name=…) and a submission's page (/submission?id=…) against
the real local backend: the seeded demo data, an empty backend for a reproduction, and a backend
that is down. What the pages should say is worked out here from the backend's JSON, independently
of components/people.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pytest
import requests
from streamlit.testing.v1 import AppTest

from components.paths import submission_path
from components.tasks import FALLBACK_TASKS
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import cold_caches, home_app, messages, open_page, sign_in, upload
from tests.faults import Fault, FaultProxy
from tests.test_injection import (  # the hostile users, their board and the checks of tests/test_injection.py
    NAMES,
    World,
    assert_inert,
    world,  # noqa: F401 - a fixture
)
from tests.test_injection import app as hostile_app  # noqa: F401 - a fixture

TASKS = {t.name: t for t in FALLBACK_TASKS}
#: A seeded user who works on jets, anomaly and data_loading (local_backend/seed.py).
PERSON = "jet-clustering-jo"
ORIGIN = "http://localhost:8501"


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A new session of the app on a backend, as the browser at ORIGIN would open it."""

    def build(backend_url: str, url_path: str, **query: str) -> AppTest:
        monkeypatch.setenv("COLLIDERML_BACKEND", backend_url)
        cold_caches()
        at = home_app()
        at.context = {"url": f"{ORIGIN}/{url_path}"}
        for name, value in query.items():
            at.query_params[name] = value
        open_page(at, url_path)
        assert not at.exception, at.exception
        return at

    yield build
    cold_caches()


def _rows(url: str, task: str) -> list[dict[str, Any]]:
    rows = requests.get(f"{url}/v1/leaderboard/{task}", params={"limit": 5000}, timeout=10).json()
    for row in rows:
        row["scores"] = json.loads(row["scores"]) if isinstance(row["scores"], str) else row["scores"]
    return rows


def _better(task: str, metric: str, a: float, b: float) -> bool:
    return a > b if TASKS[task].direction(metric) else a < b


def _bests(task: str, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each user's best primary score."""
    primary = TASKS[task].primary
    bests: dict[str, float] = {}
    for row in rows:
        value, user = row["scores"].get(primary), row["hf_username"]
        if value is not None and (user not in bests or _better(task, primary, value, bests[user])):
            bests[user] = value
    return bests


def _place(task: str, value: float, bests: dict[str, float]) -> tuple[int, int]:
    """(rank, entries) of a value among every user's best: 1 + the number strictly better."""
    primary = TASKS[task].primary
    return 1 + sum(_better(task, primary, other, value) for other in bests.values()), len(bests)


def _frame(at: AppTest, *columns: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


def _links(at: AppTest, page: str) -> list[dict[str, list[str]]]:
    return [parse_qs(link.proto.query_string) for link in at.get("page_link") if link.proto.page == page]


def test_a_persons_page_shows_every_task_their_place_now_its_history_and_credits(app_on, seeded_backend) -> None:
    at = app_on(seeded_backend.url, "user", name=PERSON)
    assert at.title[0].value.replace("\\", "") == PERSON
    boards = {task: _rows(seeded_backend.url, task) for task in TASKS}
    theirs = {task: [r for r in rows if r["hf_username"] == PERSON] for task, rows in boards.items()}
    theirs = {task: rows for task, rows in theirs.items() if rows}
    assert set(theirs) == {"jets", "anomaly", "data_loading"}

    summary = _frame(at, "submissions", "best score").set_index("task")
    assert list(summary.index) == [t for t in TASKS if t in theirs], "in catalogue order"
    for task, rows in theirs.items():
        bests = _bests(task, boards[task])
        assert summary.loc[task, "submissions"] == len(rows)
        assert summary.loc[task, "credits"] == pytest.approx(sum(float(r["credits_earned"]) for r in rows))
        assert (summary.loc[task, "rank"], summary.loc[task, "ranked"]) == _place(task, bests[PERSON], bests)
        assert summary.loc[task, "best score"] == pytest.approx(bests[PERSON])
    credits = sum(float(r["credits_earned"]) for rows in theirs.values() for r in rows)
    assert f"Credits earned by submissions: {credits:,.0f}" in messages(at)

    assert len(at.get("vega_lite_chart")) == len(theirs), "a rank-over-time chart per task"
    submissions = _frame(at, "counts", "open")
    ids = {r["id"] for rows in theirs.values() for r in rows}
    assert set(submissions["id"]) == ids and len(submissions) == len(ids)
    assert set(submissions["open"]) == {submission_path(sid) for sid in ids}
    best_links = _links(at, "submission")
    assert len(best_links) == len(theirs) and all(set(link) == {"id"} for link in best_links)
    assert {link["id"][0] for link in best_links} <= ids
    badges = [code.value for code in at.code]
    assert f"({ORIGIN}/badge/jets/{PERSON}.svg)]({ORIGIN}/user?name={PERSON})" in badges[0]
    assert len(badges) == len(theirs)


def test_a_person_with_no_submissions_gets_a_message(app_on, seeded_backend) -> None:
    at = app_on(seeded_backend.url, "user", name="nobody-submitted-this")
    assert "No submission by nobody-submitted-this on any public leaderboard" in messages(at)
    at = app_on(seeded_backend.url, "user")
    assert "names no one" in messages(at)


def test_a_submission_page_ranks_every_metric_then_and_now(app_on, seeded_backend) -> None:
    task = "jets"
    rows = _rows(seeded_backend.url, task)
    mine = sorted((r for r in rows if r["hf_username"] == PERSON), key=lambda r: r["submitted_at"])
    first = mine[0]
    at = app_on(seeded_backend.url, "submission", id=first["id"])
    assert at.title[0].value.replace("\\", "") == f"{PERSON} on {task}"

    primary = TASKS[task].primary
    others = [r for r in rows if r["hf_username"] != PERSON]
    then = [r for r in others if r["submitted_at"] <= first["submitted_at"]]
    when, now = (_place(task, first["scores"][primary], _bests(task, board)) for board in (then, others))
    shown = {m.label: m.value for m in at.metric}
    assert shown["Rank when submitted"] == f"{when[0]} of {when[1] + 1}"
    assert shown["Rank now"] == f"{now[0]} of {now[1] + 1}"

    standings = _frame(at, "metric", "percentile").set_index("metric")
    for metric in TASKS[task].metrics:
        values = [r["scores"][metric] for r in rows if metric in r["scores"]]
        value = first["scores"][metric]
        rank = 1 + sum(_better(task, metric, v, value) for v in values)
        label = f"{metric} {'↑' if TASKS[task].direction(metric) else '↓'}"
        assert standings.loc[label, "value"] == pytest.approx(value)
        assert (standings.loc[label, "rank"], standings.loc[label, "of"]) == (rank, len(values))
        assert standings.loc[label, "percentile"] == pytest.approx(100 * (len(values) - rank) / (len(values) - 1))

    assert _links(at, "user") == [{"name": [PERSON]}], "who sent it links to their page"
    assert _links(at, task) == [{"submission": [first["id"]]}], "and the board opens on it"
    assert f"({ORIGIN}/user?name={PERSON})" in at.code[0].value
    assert "Sign in (sidebar) to reproduce this submission" in messages(at)


def test_my_credits_links_to_my_public_page(app_on, seeded_backend) -> None:
    at = app_on(seeded_backend.url, "credits")
    sign_in(at, PERSON, seeded_backend.token(PERSON))
    at.run()
    assert not at.exception, at.exception
    assert _links(at, "user") == [{"name": [PERSON]}]


def test_an_unknown_or_missing_submission_id_gets_a_message(app_on, seeded_backend) -> None:
    at = app_on(seeded_backend.url, "submission", id="00000000-0000-4000-8000-000000000000")
    assert "No submission with the id 00000000-0000-4000-8000-000000000000 is on any leaderboard" in messages(at)
    at = app_on(seeded_backend.url, "submission")
    assert "names no submission" in messages(at)


def test_a_submission_is_reproduced_from_its_own_page(app_on, backend) -> None:
    """The task page's reproduce form, drawn for one submission, with the task's widget keys."""
    task, author, reproducer = "anomaly", "pp-author", "pp-reproducer"
    original = to_parquet_bytes(make_predictions(task, 0.7, seed=31))
    submission_id = backend.submit(task, author, original)

    at = app_on(backend.url, "submission", id=submission_id)
    sign_in(at, author, backend.token(author))
    at.run()
    assert "This is your own submission" in messages(at)

    sign_in(at, reproducer, backend.token(reproducer))
    at.run()
    upload(at, f"{task}.reproduce.file", original)
    at.button(key=f"{task}.reproduce.send").click().run()
    assert not at.exception, at.exception
    assert "Reproduced within 2 %: +20" in messages(at)


def test_failing_leaderboards_give_a_message_not_a_traceback(app_on, seeded_backend) -> None:
    """Every leaderboard answers 500 (tasks still answer): a real proxy in front of the real backend.
    A closed port takes the same path in the pages, at several seconds of retries per view."""
    with FaultProxy(seeded_backend.url) as proxy:
        proxy.fail("GET", r"^/v1/leaderboard/", Fault(500, b"Internal Server Error"))
        person = app_on(proxy.url, "user", name=PERSON)
        assert "could not be loaded" in messages(person) and "500" in messages(person)
        assert f"No submission by {PERSON} on the leaderboards that could be loaded" in messages(person)
        page = app_on(proxy.url, "submission", id="00000000-0000-4000-8000-000000000000")
        assert "is on none of the leaderboards that could be loaded" in messages(page)
        assert "500" in messages(page)


def test_hostile_names_render_inert_on_both_pages(hostile_app: AppTest, world: World) -> None:  # noqa: F811
    """Users named with HTML, Markdown and script (tests/test_injection.py), whose rows carry
    `javascript:` code links and hostile repo ids: their pages show every name as sent, nothing live."""
    at = hostile_app
    for name in (*NAMES, "<img src=x onerror=alert(1)> nobody"):
        at.query_params.clear()
        at.query_params["name"] = name
        open_page(at, "user")
        assert_inert(at)
        assert at.title[0].value.replace("\\", "") == name
    for name in NAMES:
        at.query_params.clear()
        at.query_params["id"] = world.ids[name]
        open_page(at, "submission")
        assert_inert(at)
        assert _links(at, "user") == [{"name": [name]}]
        assert not at.get("link_button"), "neither the javascript: code link nor the hostile repo id is offered"
