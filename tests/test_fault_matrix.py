"""Every fault a backend (or a proxy in front of it) can answer, against every surface of the app.

A real forwarding proxy (tests/faults.py) sits between the dashboard and the local backend and
serves each fault over real sockets: a refused connection (the proxy stops listening), answers
that never come in time, 5xx pages in HTML, bodies that are not JSON or are cut off, JSON of the
wrong shape, 401/403/429. Browse surfaces (Home, a task page, Credits) meet the fault on their
GET routes; submit and reproduce on their POST route only. Every case checks that the app raises
nothing, names the fault in its own words, shows nothing that looks like a traceback, and that
once the fault is gone the person's next action (Retry, Refresh, Submit again) gets a good answer.

Clients time out after BACKEND_READ_TIMEOUT=2 s (reads) and BACKEND_SUBMIT_TIMEOUT=3 s (uploads),
so the 5 s and 60 s delays cost two or three seconds; `FaultProxy.clear()` drops the answers still
waiting out their delay, so nothing lingers after a case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import session_keys
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import (
    LocalBackend,
    cold_caches,
    home_app,
    messages,
    open_page,
    page_strings,
    person_names,
    running_backend,
    sign_in,
    upload,
)
from tests.faults import Fault, FaultProxy

TASK = "jets"
READ_TIMEOUT_S = 2
SUBMIT_TIMEOUT_S = 3
BOARD_ROUTE = rf"^/v1/leaderboard/{TASK}\b"
ME_ROUTE = r"^/v1/me(\?|$)"
LEDGER_ROUTE = r"^/v1/me/transactions\b"
SUBMIT_ROUTE = rf"^/v1/benchmark/{TASK}/submit$"
REPRODUCE_ROUTE = rf"^/v1/benchmark/{TASK}/reproduce/"
SURFACES = ("home", "task", "credits", "submit", "reproduce")

#: What must never reach a page: tracebacks, exception reprs, requests' internals, raw HTML.
RAW = re.compile(
    r"Traceback|File \"|\b\w*[a-z](?:Error|Exception)\b[:(]|HTTPConnectionPool|Max retries|"
    r"object at 0x|<(?:html|body|head|title|pre|h1|center)\b",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------
# The faults
# ---------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _json_fault(status: int, value: Any) -> Fault:
    return Fault(status, _json(value), "application/json")


HTML_500 = (
    b"<html><body><h1>Internal Server Error</h1><pre>Traceback (most recent call last):\n"
    b"  File \"/srv/app/main.py\", line 88, in leaderboard\nKeyError: 'scores'</pre></body></html>"
)
NGINX_502 = b"<html><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
GATEWAY_504 = b"<html><head><title>504 Gateway Time-out</title></head><body><h1>504</h1></body></html>"
FROZEN = "Submissions are temporarily frozen by an admin. Please try again later."
WRONG_ROWS = [
    {
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "hf_username": "typo-user",
        "submitted_at": "2026-05-01T12:00:00+00:00",
        "scores": 0.93,
        "is_baseline": "no",
        "n_params": "many",
        "code_url": 7,
        "credits_earned": [50],
    }
]


@dataclass(frozen=True)
class Case:
    """One fault as each route meets it, and the words each surface must use for it.

    `board`: GET /v1/leaderboard/jets (Home, the task page); `me`/`ledger`: GET /v1/me and
    /v1/me/transactions (Credits); `post`: the submit or reproduce POST. `refused` stops the
    proxy instead. `cached`: the dashboard accepts the answer (a 200 it can read), so it is
    cached like any good answer and only a Refresh fetches again.
    """

    name: str
    board: Fault | None = None
    me: Fault | None = None
    ledger: Fault | None = None
    post: Fault | None = None
    expect: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refused: bool = False
    cached: bool = False


def _everywhere(
    name: str,
    fault: Fault,
    browse: tuple[str, ...],
    user: tuple[str, ...] | None = None,
    post: tuple[str, ...] | None = None,
) -> Case:
    """The same fault on every route; `browse` words for Home and the task page, `user` for
    Credits (default: `browse`), `post` for submit and reproduce (default: `user`)."""
    user = user or browse
    post = post or user
    expect = {"home": browse, "task": browse, "credits": user, "submit": post, "reproduce": post}
    return Case(name, board=fault, me=fault, ledger=fault, post=fault, expect=expect)


CASES = [
    Case("refused", refused=True, expect={s: ("Cannot reach the ColliderML backend",) for s in SURFACES}),
    _everywhere(
        "delay-5s",
        Fault(504, b"late", delay_s=5),
        ("did not answer", f"within {READ_TIMEOUT_S} s"),
        post=("did not answer", f"within {SUBMIT_TIMEOUT_S} s"),
    ),
    _everywhere(
        "delay-60s",
        Fault(504, b"late", delay_s=60),
        ("did not answer", f"within {READ_TIMEOUT_S} s"),
        post=("did not answer", f"within {SUBMIT_TIMEOUT_S} s"),
    ),
    _everywhere("500-html", Fault(500, HTML_500, "text/html"), ("(500: Internal Server Error)",)),
    # What the real backend does on every unhandled exception: a bare 500, then the connection dropped.
    _everywhere(
        "500-then-drop",
        Fault(500, drop_after=True),
        ("(500: Internal Server Error)",),
        post=("(500: Internal Server Error)", "nothing was stored"),
    ),
    _everywhere("502", Fault(502, NGINX_502, "text/html"), ("(502: 502 Bad Gateway nginx)", "try again")),
    _everywhere(
        "503-detail", _json_fault(503, {"detail": FROZEN}), ("(503: " + FROZEN,), post=("paused by an admin", FROZEN)
    ),
    _everywhere("503-bare", Fault(503, b"Service Unavailable"), ("(503: Service Unavailable)",)),
    _everywhere("504", Fault(504, GATEWAY_504, "text/html"), ("(504: 504 Gateway Time-out)",)),
    _everywhere("not-json", Fault(200, b'[{"id": "a", "scores": {', "application/json"), ("not JSON",)),
    _everywhere("cut-off", Fault(200, _json(WRONG_ROWS), "application/json", truncate=True), ("cut off",)),
    Case(
        "wrong-types",
        board=_json_fault(200, WRONG_ROWS),
        me=_json_fault(200, ["fm-carol", 10.0]),
        ledger=_json_fault(200, {"entries": []}),
        post=_json_fault(200, [{"submission_id": "x", "scores": 0.9}]),
        expect={
            "home": ("1 submission ·",),  # the row is shown, its unreadable score left blank
            "task": ("typo-user,False,,,,",),  # in the table: no records, its three metrics blank
            "credits": ("a JSON list where an object was expected", "a JSON dict where a list was expected"),
            "submit": ("a JSON list where an object was expected",),
            "reproduce": ("a JSON list where an object was expected",),
        },
        cached=True,
    ),
    Case(
        "empty-list",
        board=_json_fault(200, []),
        me=_json_fault(200, []),
        ledger=_json_fault(200, []),
        post=_json_fault(200, []),
        expect={
            "home": ("No submissions yet.",),
            "task": ("No submissions match these filters yet.",),
            "credits": ("a JSON list where an object was expected", "Your ledger is empty."),
            "submit": ("a JSON list where an object was expected",),
            "reproduce": ("a JSON list where an object was expected",),
        },
        cached=True,
    ),
    _everywhere(
        "401",
        _json_fault(401, {"detail": "Invalid HuggingFace token"}),
        ("(401: Invalid HuggingFace token), although it needs no sign-in",),
        user=("sign in again",),
    ),
    _everywhere(
        "403",
        _json_fault(403, {"detail": "This account has been revoked. Contact an admin."}),
        ("(403: This account has been revoked. Contact an admin.), although it needs no sign-in",),
        user=("refused this account (403)", "revoked"),
    ),
    _everywhere(
        "429", _json_fault(429, {"detail": "Too many submissions in the last 5 minutes."}), ("Too many requests (429)",)
    ),
]


# ---------------------------------------------------------------------------
# The world every case runs in: one backend, one proxy, three users
# ---------------------------------------------------------------------------


@dataclass
class World:
    backend: LocalBackend
    proxy: FaultProxy
    tokens: dict[str, str]
    original: bytes  # fm-owner's jets predictions, the file reproductions send
    target: str  # fm-owner's jets submission, the one reproductions aim at


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[World]:
    db_path = tmp_path_factory.mktemp("fault-matrix") / "colliderml.sqlite3"
    with running_backend(db_path, truth_dir) as backend, FaultProxy(backend.url) as proxy:
        tokens = {user: backend.token(user) for user in ("fm-owner", "fm-alice", "fm-bob", "fm-carol")}
        original = to_parquet_bytes(make_predictions(TASK, 0.6, seed=7))
        yield World(backend, proxy, tokens, original, backend.submit(TASK, "fm-owner", original))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, world: World) -> Iterator[World]:
    monkeypatch.setenv("COLLIDERML_BACKEND", world.proxy.url)
    monkeypatch.setenv("BACKEND_READ_TIMEOUT", str(READ_TIMEOUT_S))
    monkeypatch.setenv("BACKEND_SUBMIT_TIMEOUT", str(SUBMIT_TIMEOUT_S))
    cold_caches()
    yield world
    _clear(world)
    cold_caches()


def _app() -> AppTest:
    return home_app()


def _install(world: World, case: Case, routes: list[tuple[str, str, Fault | None]]) -> None:
    if case.refused:
        world.proxy.stop()
        return
    for method, route, fault in routes:
        assert fault is not None
        world.proxy.fail(method, route, fault)


def _clear(world: World) -> None:
    world.proxy.clear()
    if not world.proxy.listening:
        world.proxy.start()


def _board(at: AppTest) -> pd.DataFrame | None:
    return next((df.value for df in at.dataframe if {"rank", "user", "submitted"} <= set(df.value.columns)), None)


def _primary_metric(at: AppTest) -> str | None:
    return next((m.value for m in at.metric if m.label == r"btag\_auc ↑"), None)  # a Markdown-escaped label


# ---------------------------------------------------------------------------
# The surfaces: bring the page to the moment of the fault, meet it, recover
# ---------------------------------------------------------------------------


def _home(world: World, case: Case) -> tuple[AppTest, Callable[[AppTest], None]]:
    _install(world, case, [("GET", BOARD_ROUTE, case.board)])
    at = _app().run()

    def recover(at: AppTest) -> None:
        if case.cached:  # Home has no Refresh: the task page's clears the cached answer
            open_page(at, TASK).button(key=f"{TASK}.refresh").click().run()
            open_page(at, "home")
        else:
            at.run()  # a failed fetch is not cached: the next view asks again
        assert "not answering" not in messages(at)
        value = _primary_metric(at)
        assert value is not None and value != "—", "the jets card shows its best score again"

    return at, recover


def _task(world: World, case: Case) -> tuple[AppTest, Callable[[AppTest], None]]:
    _install(world, case, [("GET", BOARD_ROUTE, case.board)])
    at = open_page(_app(), TASK)  # straight to the page's URL, as a shared link opens it

    def recover(at: AppTest) -> None:
        retry = [b for b in at.button if b.key == f"{TASK}.retry"]
        (retry[0] if retry else at.button(key=f"{TASK}.refresh")).click().run()
        board = _board(at)
        assert board is not None and person_names(board["user"]) == ["fm-owner"]
        assert "could not be loaded" not in messages(at)

    return at, recover


def _credits(world: World, case: Case) -> tuple[AppTest, Callable[[AppTest], None]]:
    """The person has Credits open when the backend starts failing, and presses Refresh."""
    at = _app()
    sign_in(at, "fm-carol", world.tokens["fm-carol"])
    open_page(at.run(), "credits")  # Home first, as a person would
    assert next(m.value for m in at.metric if m.label == "Balance") == "10"
    _install(world, case, [("GET", ME_ROUTE, case.me), ("GET", LEDGER_ROUTE, case.ledger)])
    at.button(key="credits.refresh").click().run()

    def recover(at: AppTest) -> None:
        if session_keys.SESSION in at.session_state:
            at.button(key="credits.refresh").click().run()
        else:  # a 401 signed the person out: they sign in again
            sign_in(at, "fm-carol", world.tokens["fm-carol"])
            at.run()
        assert next(m.value for m in at.metric if m.label == "Balance") == "10"
        ledger = next(df.value for df in at.dataframe if {"date", "what", "credits"} <= set(df.value.columns))
        assert ledger["what"].tolist() == ["Welcome credits"]

    return at, recover


def _submit(world: World, case: Case) -> tuple[AppTest, Callable[[AppTest], None]]:
    payload = to_parquet_bytes(make_predictions(TASK, 0.5, seed=100 + CASES.index(case)))  # a new file per case
    at = _app()
    sign_in(at, "fm-alice", world.tokens["fm-alice"])
    open_page(at.run(), TASK)
    upload(at, f"{TASK}.submit.file", payload)
    assert "Local check passed" in messages(at)
    _install(world, case, [("POST", SUBMIT_ROUTE, case.post)])
    sent = world.proxy.count("POST", SUBMIT_ROUTE)
    at.button(key=f"{TASK}.submit.send").click().run()
    assert world.proxy.count("POST", SUBMIT_ROUTE) - sent == (0 if case.refused else 1), "one click, one POST"
    if session_keys.SESSION in at.session_state:
        assert not at.button(key=f"{TASK}.submit.send").disabled, "the file stays selected, ready to send again"

    def recover(at: AppTest) -> None:
        if session_keys.SESSION not in at.session_state:  # a 401 signed the person out
            sign_in(at, "fm-alice", world.tokens["fm-alice"])
            upload(at.run(), f"{TASK}.submit.file", payload)
        at.button(key=f"{TASK}.submit.send").click().run()
        assert "Submitted. Credits earned" in messages(at)

    return at, recover


def _reproduce(world: World, case: Case) -> tuple[AppTest, Callable[[AppTest], None]]:
    at = _app()

    def prepare() -> None:
        sign_in(at, "fm-bob", world.tokens["fm-bob"])
        open_page(at.run(), TASK)
        at.text_input(key=f"{TASK}.reproduce.id").set_value(world.target).run()
        upload(at, f"{TASK}.reproduce.file", world.original)

    prepare()
    _install(world, case, [("POST", REPRODUCE_ROUTE, case.post)])
    sent = world.proxy.count("POST", REPRODUCE_ROUTE)
    at.button(key=f"{TASK}.reproduce.send").click().run()
    assert world.proxy.count("POST", REPRODUCE_ROUTE) - sent == (0 if case.refused else 1), "one click, one POST"

    def recover(at: AppTest) -> None:
        if session_keys.SESSION not in at.session_state:
            prepare()
        at.button(key=f"{TASK}.reproduce.send").click().run()
        assert "Reproduced within 2 %" in messages(at)

    return at, recover


OPEN = {"home": _home, "task": _task, "credits": _credits, "submit": _submit, "reproduce": _reproduce}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("surface", SURFACES)
def test_fault(env: World, surface: str, case: Case) -> None:
    at, recover = OPEN[surface](env, case)
    assert not at.exception, at.exception
    shown = messages(at) + "\n" + "\n".join(df.value.to_csv() for df in at.dataframe)
    for phrase in case.expect[surface]:
        assert phrase in shown, f"{phrase!r} not in: {shown}"
    raw = RAW.search(page_strings(at))
    assert raw is None, f"traceback-like text on the page: {raw.group(0)!r}"

    _clear(env)
    recover(at)
    assert not at.exception, at.exception
