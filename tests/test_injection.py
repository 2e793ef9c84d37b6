"""User names, repo ids, links and metric names that carry HTML, Markdown or script render as plain text.

This is a hostile-server scenario. The real backend takes user names from Hugging Face, whose rule
(letters, digits, `.`, `_`, `-`) allows none of these; the local backend's sign-in stand-in checks
that rule, but `oauth.issue_token` (what `LocalBackend.token` calls) does not, so the hostile users
here are real users of the local backend who submit real files over HTTP. What no route lets a
client write (`code_url`, `model_repo_id`, metric names, ledger reasons) is put into the backend's
real JSON answers by the FaultProxy in front of it (`FaultProxy.rewrite`).

On every page: no element allows raw HTML, no Markdown-rendering field holds a hostile fragment
that is not backslash-escaped, no link carries a `javascript:`/`data:` URL, and tables and plain
text show the names exactly as sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.text import inert
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import (
    LocalBackend,
    cold_caches,
    element_protos,
    home_app,
    messages,
    open_get_started,
    open_page,
    person_names,
    proto_fields,
    running_backend,
    sign_in,
    upload,
)
from tests.faults import Fault, FaultProxy

TASK = "jets"
NAMES = ("<script>alert(1)</script>", "[click](javascript:alert(1))", "**bold**", "<img src=x onerror=alert(1)>")
METRICS = ("**bold**", "[m](javascript:alert(1))", "<img src=x onerror=alert(1)>")
URLS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
)
REPOS = ("<img src=x onerror=alert(1)>/m", "[click](javascript:alert(1))", "javascript:alert(1)//x", "**bold**/x")
#: A host only hostile text links to (an image to load, a page to phish from).
EVIL = "evil.example"
#: What would render (as HTML, a link, an image or bold) if it reached Markdown unescaped.
RAW = re.compile(r"<script|<img|\]\(javascript|\*\*bo(ld|om)\*\*|evil\.example", re.IGNORECASE)
SIGN_IN_IMAGE = re.compile(r'<img src="/sign-in/(claim/[A-Za-z0-9_-]+|forget)" alt="" hidden>')
BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
#: Fields shown as plain text (never Markdown): st.text, option lists, widget values, chart specs
#: (Vega renders strings as text), and ids.
PLAIN = {
    ("Text", "body"),
    ("Selectbox", "options"),
    ("Selectbox", "raw_value"),
    ("TextInput", "value"),
    ("TextInput", "default"),
    ("ArrowVegaLiteChart", "spec"),
    ("VegaLiteChart", "spec"),
    ("Html", "body"),  # checked against SIGN_IN_IMAGE in assert_inert
}


def _hostile_board(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i, row in enumerate(rows):
        scores = json.loads(row["scores"]) if isinstance(row["scores"], str) else row["scores"]
        scores.update({metric: 0.1 * (k + 1) for k, metric in enumerate(METRICS)})
        row["scores"] = json.dumps(scores)
        row["code_url"] = URLS[i % len(URLS)]
        row["model_repo_id"] = REPOS[i % len(REPOS)]
    return rows


def _hostile_ledger(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    when = "2026-01-01T00:00:00+00:00"
    return [
        {
            "id": 900001,
            "delta": 5.0,
            "reason": NAMES[0],
            "created_at": when,
            "metadata": {"task": NAMES[1], "submission_id": URLS[0]},
        },
        {
            "id": 900002,
            "delta": 7.0,
            "reason": "beat_**bold**",
            "created_at": when,
            "metadata": json.dumps({"submission_id": NAMES[3]}),
        },
        {
            "id": 900003,
            "delta": 2.0,
            "reason": "reproduction",
            "created_at": when,
            "metadata": {"task": TASK, "submission_id": URLS[0]},
        },
        *entries,
    ]


def _play_hostile(proxy: FaultProxy) -> None:
    proxy.rewrite("GET", r"^/v1/leaderboard/", _hostile_board)
    proxy.rewrite("GET", r"^/v1/me/transactions\b", _hostile_ledger)


@dataclass
class World:
    backend: LocalBackend
    proxy: FaultProxy
    tokens: dict[str, str]
    files: dict[str, bytes]
    ids: dict[str, str]  # user -> their jets submission


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[World]:
    db_path = tmp_path_factory.mktemp("injection") / "colliderml.sqlite3"
    with running_backend(db_path, truth_dir) as backend, FaultProxy(backend.url) as proxy:
        tokens = {name: backend.token(name) for name in NAMES}
        files, ids = {}, {}
        for seed, name in enumerate(NAMES):
            files[name] = to_parquet_bytes(make_predictions(TASK, 0.4 + 0.1 * seed, seed=seed))
            ids[name] = backend.submit(TASK, name, files[name])
        _play_hostile(proxy)
        yield World(backend, proxy, tokens, files, ids)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, world: World) -> Iterator[AppTest]:
    monkeypatch.setenv("COLLIDERML_BACKEND", world.proxy.url)
    cold_caches()
    yield home_app()
    cold_caches()


def _unescaped(text: str) -> str:
    """The text with every backslash-escaped character removed: what is left is live Markdown."""
    return re.sub(r"\\.", "", text)


def _markdown_parts(kind: str, name: str, value: str) -> list[str]:
    """The parts of a string field that the browser renders as Markdown."""
    if (kind, name) in PLAIN:
        return []
    if (kind, name) == ("Dataframe", "columns"):  # column_config JSON: headers are plain, help is Markdown
        return [str(config.get("help", "")) for config in json.loads(value).values() if isinstance(config, dict)]
    return [value]


def assert_inert(at: AppTest) -> None:
    """Nothing hostile can render: no raw HTML allowed, no live Markdown, no script links."""
    assert not at.exception, at.exception
    for html in at.get("html"):  # the sign-in cookie's errands only: a fixed image, no text of anyone's
        assert SIGN_IN_IMAGE.fullmatch(html.proto.body), html.proto.body
    live: list[tuple[str, str, str]] = []
    for proto in element_protos(at):
        if proto.DESCRIPTOR.name == "Markdown":
            assert not getattr(proto, "allow_html", False), f"unsafe_allow_html on: {proto}"
        for kind, name, value in proto_fields(proto):
            for text in _markdown_parts(kind, name, value):
                if RAW.search(_unescaped(text)):
                    live.append((kind, name, text))
    assert not live, f"hostile text would render in: {live}"
    for link in at.get("link_button"):  # the web, or a page of this app (`/submission?id=…`; never `//host`)
        assert re.match(r"^(https?://|/(?![/\\]))", link.proto.url), link.proto.url
    for df in at.dataframe:
        for column in df.value.columns:
            cells = [v for v in df.value[column].tolist() if isinstance(v, str)]
            bad = [v for v in cells if BAD_SCHEMES.match(v) or v.startswith("//")]
            assert not bad, f"column {column!r} carries script or external links: {bad}"


def _frame(at: AppTest, *columns: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


def test_task_page_table_and_header(app: AppTest) -> None:
    at = open_page(app.run(), TASK)
    assert_inert(at)
    board = _frame(at, "rank", "user", "records")
    assert sorted(person_names(board["user"])) == sorted(NAMES), "the table shows every name exactly as sent"
    assert not {"code", "model"} & set(board.columns), "no hostile link becomes clickable: none is left to show"
    assert {f"{metric} ↑" for metric in METRICS} <= set(board.columns)
    glossary = _frame(open_get_started(at, TASK), "metric", "better", "what it measures")
    assert {f"{metric} ↑" for metric in METRICS} <= set(glossary["metric"]), "named exactly as sent, in plain cells"

    at.button_group(key="view").set_value("All submissions").run()
    assert_inert(at)


@pytest.mark.parametrize("name", NAMES)
def test_detail_panel(app: AppTest, world: World, name: str) -> None:
    at = open_page(app.run(), TASK)
    at.query_params["submission"] = world.ids[name]
    at.run()
    assert_inert(at)
    assert name in [t.value.split("  ")[0] for t in at.text], "the name in plain text, as sent"
    scores = _frame(at, "metric", "value")
    assert {f"{metric} ↑" for metric in METRICS} <= set(scores["metric"])
    offered = [link.proto.label for link in at.get("link_button")]
    assert offered == ["Open the submission's page"], "neither the javascript: code link nor the hostile repo id"


def test_home_cards_and_feed(app: AppTest) -> None:
    at = app.run()
    assert_inert(at)
    holder = next(c.value for c in at.caption if c.value.startswith("held by"))
    assert any(f"held by {inert(name)} since" in holder for name in NAMES)
    feed = _frame(at, "task", "user", "open")
    assert sorted(person_names(feed["user"])) == sorted(NAMES), "each name shown as sent, linking to its page"
    assert all(link.startswith(f"/{TASK}?submission=") for link in feed["open"])
    earn = _frame(at, "credits for beating it", "held by")
    assert set(earn["held by"].dropna()) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_credits_page(app: AppTest, world: World, name: str) -> None:
    sign_in(app, name, world.tokens[name])
    at = app.run()  # Home first, as a person would
    open_page(at, "credits")
    assert_inert(at)
    assert f"Signed in as {inert(name)}" in [c.value for c in at.caption]
    assert f"Signed in as {name}" in [t.value for t in at.text], "the sidebar says it in plain text"
    ledger = _frame(at, "date", "what", "credits", "open")
    assert NAMES[0] in set(ledger["what"]) and "New best on **bold**" in set(ledger["what"])
    assert NAMES[1] in set(ledger["task"])
    links = [link for link in ledger["open"] if isinstance(link, str)]
    assert f"/{TASK}?submission=javascript%3Aalert%281%29" in links, "a hostile id stays inside its relative link"
    mine = _frame(at, "task", "rank", "score")
    assert mine["id"].tolist() == [world.ids[name]]


def test_submit_and_reproduce_as_a_hostile_user(app: AppTest, world: World) -> None:
    author, reproducer = NAMES[0], NAMES[1]
    sign_in(app, reproducer, world.tokens[reproducer])
    at = open_page(app.run(), TASK)
    upload(at, f"{TASK}.submit.file", to_parquet_bytes(make_predictions(TASK, 0.9, seed=42)))
    assert_inert(at)
    at.button(key=f"{TASK}.submit.send").click().run()
    assert "Submitted. Credits earned" in messages(at)
    assert_inert(at)

    at.text_input(key=f"{TASK}.reproduce.id").set_value(world.ids[author]).run()
    upload(at, f"{TASK}.reproduce.file", world.files[author])
    at.button(key=f"{TASK}.reproduce.send").click().run()
    assert "Reproduced within 2 %" in messages(at)
    assert_inert(at)


@pytest.mark.parametrize(
    "body",
    [b"**boom** [click](javascript:alert(1))", b"<p>**boom**</p><img src=x onerror=alert(1)><script>alert(1)</script>"],
)
def test_an_error_answer_is_shown_inert(app: AppTest, world: World, body: bytes) -> None:
    """The backend's own words in a failure (here a 500 body) reach the page only escaped."""
    world.proxy.fail("GET", rf"^/v1/leaderboard/{TASK}\b", Fault(500, body))
    try:
        at = app.run()
        assert_inert(at)
        assert "boom" in messages(at), "Home names the failure"
        open_page(at, TASK)
        assert_inert(at)
        assert "could not be loaded" in messages(at) and "boom" in messages(at)
    finally:
        world.proxy.clear()
        _play_hostile(world.proxy)


def test_hostile_task_names_in_the_catalogue_are_skipped(app: AppTest, world: World) -> None:
    """A task name becomes a page URL path: one with a `/` used to stop the whole app from starting."""
    hostile = [{"name": name, "metrics": ["m"]} for name in (*NAMES, "tracking/v2", "../credits")]
    world.proxy.rewrite("GET", r"^/v1/benchmark/tasks\b", lambda tasks: [*tasks, *hostile])
    try:
        at = app.run()
        assert_inert(at)
        pages = [link.proto.page for link in at.get("page_link")]
        assert TASK in pages and not set(pages) & {entry["name"] for entry in hostile}
    finally:
        world.proxy.clear()
        _play_hostile(world.proxy)


def test_hostile_metric_names_in_the_catalogue_render_inert(app: AppTest, world: World) -> None:
    """Metric names from the catalogue title the board, the Home card and the chart axes; a
    `.` or `:` in one (a nested field or a type to Vega) must not break the trade-off chart."""
    dotted = "eff.0:5"

    def hostile_jets(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in tasks:
            if entry.get("name") == TASK:
                entry["metrics"] = [METRICS[0], dotted, *entry.get("metrics", [])]
        return tasks

    def with_dotted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, row in enumerate(_hostile_board(rows)):
            row["scores"] = json.dumps({**json.loads(row["scores"]), dotted: 0.5 + 0.01 * i})
        return rows

    world.proxy.clear()
    world.proxy.rewrite("GET", r"^/v1/benchmark/tasks\b", hostile_jets)
    world.proxy.rewrite("GET", r"^/v1/leaderboard/", with_dotted)
    try:
        home = app.run()
        assert_inert(home)
        assert any(m.label.startswith("\\*\\*bold") for m in home.metric), "the card titles the primary metric"
        at = open_page(home, TASK)
        assert_inert(at)
        tradeoff = json.loads(at.get("vega_lite_chart")[-1].proto.spec)["layer"][0]["encoding"]
        assert (tradeoff["x"]["field"], tradeoff["y"]["field"]) == ("x", "y")
        assert {tradeoff["x"]["title"], tradeoff["y"]["title"]} == {f"{METRICS[0]} ↑", f"{dotted} ↑"}
    finally:
        world.proxy.clear()
        _play_hostile(world.proxy)


def test_hostile_task_metadata_renders_inert(app: AppTest, world: World) -> None:
    """The backend's task metadata (here the dataset name) is shown, never rendered: no image
    loads from it and no link in it is live."""
    dataset = f"![pixel](https://{EVIL}/p.png) [Your session expired: sign in here](https://{EVIL}/login) **bold**"

    def hostile_dataset(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**entry, "dataset": dataset} for entry in tasks]

    world.proxy.rewrite("GET", r"^/v1/benchmark/tasks\b", hostile_dataset)
    try:
        home = app.run()
        assert_inert(home)
        at = open_page(home, TASK)
        assert_inert(at)
        assert any(f"dataset **{inert(dataset)}**" in m.value for m in at.markdown), "the header names it, escaped"
    finally:
        world.proxy.clear()
        _play_hostile(world.proxy)


def test_a_hostile_sign_in_answer_renders_inert(app: AppTest, world: World) -> None:
    """What /v1/me says when it refuses a token, or fails for a signed-in user, is shown escaped."""
    detail = f"**Revoked** [appeal here](https://{EVIL}/appeal) <img src=x onerror=alert(1)>"
    world.proxy.fail("GET", r"^/v1/me$", Fault(403, json.dumps({"detail": detail}).encode(), "application/json"))
    try:
        at = app.run()
        at.text_input(key="auth.pasted").set_value(world.tokens[NAMES[2]])
        next(b for b in at.button if b.label == "Sign in with token").click().run()
        assert_inert(at)
        assert "Revoked" in messages(at) and "appeal here" in messages(at)

        sign_in(app, NAMES[2], world.tokens[NAMES[2]])
        at = app.run()
        assert_inert(at)
        assert any("Balance unavailable" in c.value and "appeal here" in c.value for c in at.caption)
    finally:
        world.proxy.clear()
        _play_hostile(world.proxy)
