"""The credits page and its pure functions: balance anchoring, earnings, reconstruction, ranks.

The page runs in AppTest against the real local backend over HTTP. Faults the local backend does
not produce on its own (the production ledger route's 500, a 401 on the ledger alone) come from
`tests.faults.FaultProxy`, a real proxy in front of it. Nothing is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import requests
from streamlit.testing.v1 import AppTest

from components import auth, session_cache, session_keys
from components import board_view as bv
from components import credits as cr
from components.api import BackendClient, leaderboard_frame, transactions_frame
from components.tasks import FALLBACK_TASKS, TaskInfo
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import LocalBackend, cold_caches, home_app, open_page
from tests.faults import Fault, FaultProxy

TASKS = {t.name: t for t in FALLBACK_TASKS}
T0 = pd.Timestamp("2026-05-01T12:00:00Z")


def _at(hours: float) -> str:
    return (T0 + pd.Timedelta(hours=hours)).isoformat()


def _ledger(*entries: tuple[Any, ...]) -> pd.DataFrame:
    """A ledger as the client builds it; entries (id, delta, reason, metadata, hours after T0),
    given newest first as the backend sends them."""
    return transactions_frame(
        [
            {"id": i, "delta": d, "reason": r, "metadata": m, "created_at": None if h is None else _at(h)}
            for i, d, r, m, h in entries
        ]
    )


def _board(*rows: tuple[Any, ...], metric: str = "btag_auc") -> pd.DataFrame:
    """A leaderboard as the client builds it, with the backend's string quirks; rows
    (id, user, score, credits, hours after T0)."""
    return leaderboard_frame(
        [
            {
                "id": sid,
                "hf_username": user,
                "submitted_at": _at(h),
                "scores": json.dumps({metric: score}),
                "is_baseline": False,
                "n_params": None,
                "code_url": None,
                "credits_earned": f"{credits:.3f}",
            }
            for sid, user, score, credits, h in rows
        ]
    )


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def test_balance_ends_at_the_current_balance_when_the_ledger_is_partial() -> None:
    # Only the latest three entries came back (a limit); 120 credits come from older ones.
    ledger = _ledger(
        (7, 50.0, "beat_jets", None, 3),
        (6, -20.0, "spent_on_request", None, 2),
        (5, 50.0, "beat_jets", None, 1),
    )
    curve = cr.balance_over_time(ledger, 200.0)
    assert curve["balance"].tolist() == [120.0, 170.0, 150.0, 200.0]
    assert curve["created_at"].tolist() == [T0 + pd.Timedelta(hours=h) for h in (1, 1, 2, 3)]
    assert curve["balance"].iloc[-1] == 200.0

    now = T0 + pd.Timedelta(days=2)
    extended = cr.balance_over_time(ledger, 200.0, until=now)
    assert extended.iloc[-1].tolist() == [now, 200.0]
    assert len(extended) == len(curve) + 1


def test_a_complete_ledger_starts_from_zero_and_ends_exactly_at_the_balance() -> None:
    deltas = [10.0, 0.1, 0.2, -0.3, 20.0, 0.7]
    ledger = _ledger(*[(i, d, "admin_grant", None, i) for i, d in reversed(list(enumerate(deltas)))])
    balance = sum(deltas)
    curve = cr.balance_over_time(ledger, balance)
    assert curve["balance"].iloc[0] == pytest.approx(0.0)
    assert curve["balance"].iloc[-1] == balance  # exactly: computed back from the anchor
    assert curve["balance"].diff().iloc[1:].round(9).tolist() == [round(d, 9) for d in deltas]


def test_negative_deltas_ties_and_unusable_entries() -> None:
    ledger = _ledger(
        (4, None, "admin_grant", None, 5),  # no delta: counts as 0
        (3, -30.0, "spent_on_request", None, 2),
        (2, 50.0, "beat_jets", None, 2),  # same instant: the backend sent 3 after 2
        (9, 1000.0, "admin_grant", None, None),  # no time: cannot be placed, left out
        (1, 10.0, "signup", None, 0),
    )
    curve = cr.balance_over_time(ledger, 30.0)
    assert curve["balance"].tolist() == [0.0, 10.0, 60.0, 30.0, 30.0]
    assert cr.totals(ledger) == (1060.0, -30.0)


def test_an_empty_ledger_has_no_curve() -> None:
    curve = cr.balance_over_time(_ledger(), 10.0)
    assert curve.empty and list(curve.columns) == ["created_at", "balance"]


def test_earnings_by_reason_and_task_with_unknown_reasons_and_spending() -> None:
    ledger = _ledger(
        (6, 7.0, "bonus_from_the_future", None, 6),
        (5, -25.0, "spent_on_request", {"request_id": 3}, 5),
        (4, 20.0, "reproduction", {"task": "anomaly", "submission_id": "s-9"}, 4),
        (3, 50.0, "beat_jets", {"submission_id": "s-2"}, 3),
        (2, 100.0, "beat_jets", json.dumps({"submission_id": "s-1"}), 2),
        (1, 10.0, "signup", json.dumps({"source": "hf"}), 1),
    )
    by_reason = cr.earnings_by(ledger, "reason")
    assert by_reason.to_dict("records") == [
        {"reason": "beat_jets", "credits": 150.0, "entries": 2},
        {"reason": "reproduction", "credits": 20.0, "entries": 1},
        {"reason": "signup", "credits": 10.0, "entries": 1},
        {"reason": "bonus_from_the_future", "credits": 7.0, "entries": 1},
        {"reason": "spent_on_request", "credits": -25.0, "entries": 1},
    ]
    by_task = cr.earnings_by(ledger, "task")
    assert by_task.to_dict("records") == [
        {"task": "jets", "credits": 150.0, "entries": 2},
        {"task": "anomaly", "credits": 20.0, "entries": 1},
    ]
    assert by_reason["credits"].sum() == ledger["delta"].sum()


def test_ledger_table_labels_signs_and_links() -> None:
    ledger = _ledger(
        (5, 7.0, "bonus_from_the_future", None, 5),
        (4, 20.0, "reproduction", {"task": "anomaly", "submission_id": "s-9"}, 4),
        (3, 5.0, "reproduction", {"task": "/evil.com", "submission_id": "x"}, 3),
        (2, 50.0, "beat_jets", {"submission_id": "a b&c"}, 2),
        (1, -10.0, "spent_on_request", None, 1),
    )
    table = cr.ledger_table(ledger, known_tasks=TASKS)
    assert list(table.columns) == ["date", "what", "credits", "task", "open"]
    assert table["what"].tolist() == [
        "Bonus from the future",
        "Reproduced a submission",
        "Reproduced a submission",
        "New best on jets",
        "Simulation request",
    ]
    assert table["credits"].tolist() == [7.0, 20.0, 5.0, 50.0, -10.0]
    assert table["open"].tolist() == [None, "/anomaly?submission=s-9", None, "/jets?submission=a%20b%26c", None]
    assert cr.submission_link("/evil.com", "x") == "/%2Fevil.com?submission=x"
    assert (table["date"] == ledger["created_at"]).all()


def test_format_credits() -> None:
    assert cr.format_credits(1250.0) == "1,250"
    assert cr.format_credits(12.5) == "12.5"
    assert cr.format_credits(50.0, signed=True) == "+50"
    assert cr.format_credits(-20.25, signed=True) == "-20.25"
    assert cr.format_credits(-0.0, signed=True) == "0"
    assert cr.format_credits(float("nan")) == "—"


def test_reconstruction_from_public_rows() -> None:
    boards = {
        "jets": _board(
            ("j3", "alice", 0.93, 50.0, 30),
            ("j2", "bob", 0.95, 150.0, 20),
            ("j1", "alice", 0.80, 0.0, 10),  # beat nothing: no ledger entry
        ),
        "anomaly": _board(("a1", "alice", 0.7, 100.0, 25), metric="auroc"),
        "tracking": _board(("t1", "carol", 0.9, 200.0, 5), metric="trackml_eff"),
    }
    rebuilt = cr.reconstructed_ledger(boards, "alice")
    assert list(rebuilt.columns) == ["id", "delta", "reason", "task", "submission_id", "metadata", "created_at"]
    assert rebuilt["submission_id"].tolist() == ["j3", "a1"]  # newest first, like the ledger
    assert rebuilt["reason"].tolist() == ["beat_jets", "beat_anomaly"]
    assert rebuilt["delta"].tolist() == [50.0, 100.0]
    assert rebuilt["created_at"].tolist() == [T0 + pd.Timedelta(hours=30), T0 + pd.Timedelta(hours=25)]
    # Anchored at the real balance (signup 10 + a reproduction 20 + submissions 150):
    curve = cr.balance_over_time(rebuilt, 180.0)
    assert curve["balance"].tolist() == [30.0, 130.0, 180.0]
    assert cr.ledger_table(rebuilt, TASKS)["open"].tolist() == ["/jets?submission=j3", "/anomaly?submission=a1"]
    assert cr.reconstructed_ledger(boards, "nobody").empty
    assert cr.reconstructed_ledger({}, "alice").empty


def test_my_submissions_with_current_rank_per_task() -> None:
    boards = {
        "jets": _board(
            ("j4", "dave", 0.90, 0.0, 40),
            ("j3", "alice", 0.93, 50.0, 30),
            ("j2", "bob", 0.95, 150.0, 20),
            ("j1", "alice", 0.80, 0.0, 10),
        ),
        "anomaly": _board(("a2", "alice", None, 0.0, 26), ("a1", "erin", 0.7, 100.0, 25), metric="auroc"),
        "not_in_catalogue": _board(("x1", "alice", 1.0, 0.0, 50)),
    }
    mine = cr.my_submissions(boards, [TASKS["jets"], TASKS["anomaly"], TASKS["tracking"]], "alice")
    assert mine["id"].tolist() == ["j3", "a2", "j1"]  # newest first, catalogue tasks only
    jets = mine[mine["task"] == "jets"]
    assert jets["rank"].tolist() == [2, 2]  # alice's best (0.93) is second to bob's 0.95
    assert jets["ranked"].tolist() == [3, 3]
    assert jets["counts"].tolist() == [True, False]
    assert jets["score"].tolist() == [0.93, 0.80]
    assert jets["credits"].tolist() == [50.0, 0.0]
    assert jets["metric"].iloc[0] == "btag_auc ↑"
    assert jets["open"].tolist() == ["/jets?submission=j3", "/jets?submission=j1"]
    anomaly = mine[mine["task"] == "anomaly"].iloc[0]
    assert pd.isna(anomaly["rank"]) and pd.isna(anomaly["score"]) and anomaly["ranked"] == 1

    lower_is_better = TaskInfo(
        name="jets",
        dataset="",
        metrics=("btag_auc",),
        higher_is_better={"btag_auc": False},
        eval_event_range=None,
        description="",
    )
    flipped = cr.my_submissions(boards, [lower_is_better], "alice")
    assert flipped["rank"].tolist() == [1, 1]  # now her 0.80 leads
    assert flipped["counts"].tolist() == [False, True]

    none = cr.my_submissions(boards, list(TASKS.values()), "nobody")
    assert none.empty and "rank" in none.columns

    # The page hands over the task pages' default rankings (shared per board version): the same places.
    tasks = [TASKS["jets"], TASKS["anomaly"]]
    rankings = {task.name: bv.ranked_board(boards[task.name], task, bv.ViewOptions()) for task in tasks}
    pd.testing.assert_frame_equal(
        cr.my_submissions(boards, tasks, "alice", rankings), cr.my_submissions(boards, tasks, "alice")
    )


def test_a_kept_ledger_is_for_one_user_and_a_short_time() -> None:
    kept = session_cache.Kept("alice", fetched_at=1000.0, value=_ledger())
    assert kept.fresh("alice", 30, now=1010.0)
    assert not kept.fresh("alice", 30, now=1031.0)
    assert not kept.fresh("bob", 30, now=1010.0)


# ---------------------------------------------------------------------------
# The page (AppTest against the real local backend)
# ---------------------------------------------------------------------------


@pytest.fixture
def credits_page(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Open the credits page against `url`, signed in with `token` as `username` (or not)."""

    def open_credits(url: str, username: str | None = None, token: str | None = None) -> AppTest:
        monkeypatch.setenv("COLLIDERML_BACKEND", url)
        cold_caches()
        at = home_app()
        if username is not None:
            assert token is not None
            at.session_state[session_keys.SESSION] = auth.Session(username=username, token=token, expires_at=None)
        open_page(at, "credits")
        assert not at.exception, at.exception
        return at

    yield open_credits
    cold_caches()


@pytest.fixture
def proxy(seeded_backend: LocalBackend) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(seeded_backend.url)
    yield fault_proxy
    fault_proxy.close()


def _frame(at: AppTest, *columns: str) -> pd.DataFrame | None:
    return next((df.value for df in at.dataframe if set(columns) <= set(df.value.columns)), None)


def _ledger_table(at: AppTest) -> pd.DataFrame | None:
    return _frame(at, "date", "what", "credits")


def _metric(at: AppTest, label: str) -> float:
    value = next(m.value for m in at.metric if m.label == label)
    return float(value.replace(",", ""))


def _page_text(at: AppTest) -> str:
    """Everything the page sends to the browser: every element's protobuf, tables included."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts.extend(df.value.to_string() for df in at.dataframe)
    return "\n".join(parts)


def _http_ledger(backend: LocalBackend, token: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{backend.url}/v1/me/transactions",
        params={"limit": 10_000},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def _http_credits(backend: LocalBackend, token: str) -> float:
    answer = requests.get(f"{backend.url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    return float(answer.json()["credits"])


def _http_rows_of(backend: LocalBackend, user: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for task in TASKS:
        board = requests.get(f"{backend.url}/v1/leaderboard/{task}", params={"limit": 10_000}, timeout=10).json()
        rows.extend({**row, "task": task} for row in board if row["hf_username"] == user)
    return rows


def test_signed_out_gets_a_prompt_to_sign_in(credits_page, seeded_backend: LocalBackend) -> None:
    at = credits_page(seeded_backend.url)
    assert any("Sign in" in info.value for info in at.info)
    assert not at.metric and _ledger_table(at) is None


def test_the_page_figures_are_the_ledger(credits_page, seeded_backend: LocalBackend) -> None:
    user = "atanaka-hep"
    token = seeded_backend.token(user)
    at = credits_page(seeded_backend.url, user, token)
    ledger = _http_ledger(seeded_backend, token)
    balance = _http_credits(seeded_backend, token)

    assert sum(entry["delta"] for entry in ledger) == pytest.approx(balance)
    assert _metric(at, "Balance") == pytest.approx(balance)
    assert _metric(at, "Ledger entries") == len(ledger)
    table = _ledger_table(at)
    assert table is not None and len(table) == len(ledger)
    assert table["credits"].sum() == pytest.approx(balance)
    assert table["credits"].tolist() == [entry["delta"] for entry in ledger]
    assert "Welcome credits" in set(table["what"]) and "New best on jets" in set(table["what"])
    beats = [e for e in ledger if e["reason"].startswith("beat_")]
    assert set(table["open"].dropna()) >= {
        f"/{e['reason'].removeprefix('beat_')}?submission={e['metadata']['submission_id']}" for e in beats
    }
    assert len(at.get("vega_lite_chart")) == 3, "balance over time, by reason, by task"

    mine = _frame(at, "task", "rank", "score")
    rows = _http_rows_of(seeded_backend, user)
    assert mine is not None and sorted(mine["id"]) == sorted(row["id"] for row in rows)
    assert set(mine["task"]) == {"jets", "anomaly"}
    assert mine["rank"].notna().all() and (mine["rank"] >= 1).all()
    assert mine["credits"].sum() == pytest.approx(sum(float(row["credits_earned"]) for row in rows))
    assert token not in _page_text(at)


def test_two_users_each_see_only_their_own_credits(credits_page, fresh_backend: LocalBackend) -> None:
    alice, bob = fresh_backend.token("alice-credits"), fresh_backend.token("bob-credits")
    client = BackendClient(fresh_backend.url)
    try:
        jets = to_parquet_bytes(make_predictions("jets", 0.6, seed=5))
        submitted = client.submit(bob, "jets", jets)
        reproduced = client.reproduce(alice, "jets", submitted.submission_id, jets)
    finally:
        client.close()
    assert submitted.credits_earned > 0 and reproduced.within_tolerance

    alice_page = credits_page(fresh_backend.url, "alice-credits", alice)
    bob_page = credits_page(fresh_backend.url, "bob-credits", bob)
    alice_page.run()  # a rerun after the other session ran: still alice's own figures
    assert not alice_page.exception, alice_page.exception

    pages = (
        (alice_page, alice, "alice-credits", bob, "bob-credits"),
        (bob_page, bob, "bob-credits", alice, "alice-credits"),
    )
    for page, token, own, other_token, other in pages:
        balance = _http_credits(fresh_backend, token)
        assert _metric(page, "Balance") == balance
        table = _ledger_table(page)
        assert table is not None
        assert table["credits"].tolist() == [entry["delta"] for entry in _http_ledger(fresh_backend, token)]
        text = _page_text(page)
        assert f"Signed in as {own}" in text.replace("\\", "")
        assert token not in text and other_token not in text
        assert other not in text.replace("\\", "")

    assert _metric(alice_page, "Balance") == 10 + reproduced.credits_earned
    assert _metric(bob_page, "Balance") == 10 + submitted.credits_earned
    alice_ledger, bob_ledger = _ledger_table(alice_page), _ledger_table(bob_page)
    assert alice_ledger is not None and bob_ledger is not None
    alice_reasons, bob_reasons = set(alice_ledger["what"]), set(bob_ledger["what"])
    assert alice_reasons == {"Welcome credits", "Reproduced a submission"}
    assert bob_reasons == {"Welcome credits", "New best on jets"}
    assert _frame(alice_page, "task", "score") is None, "alice has no submissions of her own"
    bob_rows = _frame(bob_page, "task", "score")
    assert bob_rows is not None and bob_rows["id"].tolist() == [submitted.submission_id]
    assert bob_rows["rank"].tolist() == [1]


def test_a_rerun_draws_what_was_worked_out_and_a_refresh_works_out_the_new(
    credits_page, fresh_backend: LocalBackend
) -> None:
    token = fresh_backend.token("carol-credits")
    client = BackendClient(fresh_backend.url)
    jets = to_parquet_bytes(make_predictions("jets", 0.6, seed=7))
    try:
        first = client.submit(token, "jets", jets)
        at = credits_page(fresh_backend.url, "carol-credits", token)
        inputs, view = at.session_state[session_keys.CREDITS_VIEW]
        at.run()
        assert at.session_state[session_keys.CREDITS_VIEW][1] is view, "a rerun redoes none of the work"
        before = _ledger_table(at)
        assert before is not None and len(before) == 2  # welcome credits, the new best
        second = client.submit(token, "anomaly", to_parquet_bytes(make_predictions("anomaly", 0.6, seed=7)))
        at.button(key="credits.refresh").click().run()
    finally:
        client.close()
    assert not at.exception
    assert at.session_state[session_keys.CREDITS_VIEW][0] != inputs
    table, mine = _ledger_table(at), _frame(at, "task", "rank", "score")
    assert table is not None and set(table["what"]) == {"Welcome credits", "New best on jets", "New best on anomaly"}
    assert mine is not None and sorted(mine["id"]) == sorted([first.submission_id, second.submission_id])
    assert _metric(at, "Balance") == pytest.approx(_http_credits(fresh_backend, token))


def test_ledger_500_shows_the_balance_and_a_reconstruction(credits_page, proxy: FaultProxy, seeded_backend) -> None:
    # As the real backend answers its ledger: a 500, then the connection dropped unannounced.
    proxy.fail("GET", r"^/v1/me/transactions", Fault(500, b"Internal Server Error", drop_after=True))
    user = "rgarcia-ml"
    token = seeded_backend.token(user)
    for _ in range(5):  # the reads after the 500 (every leaderboard) go through, load after load
        at = credits_page(proxy.url, user, token)
        assert "Could not load" not in _page_text(at) and "Cannot reach" not in _page_text(at)
    proxy.requests.clear()
    at = credits_page(proxy.url, user, token)

    assert _metric(at, "Balance") == pytest.approx(_http_credits(seeded_backend, token))
    note = " ".join(w.value for w in at.warning)
    assert "could not be loaded" in note and "reconstructed" in note and "reproductions" in note and "500" in note
    rows = [row for row in _http_rows_of(seeded_backend, user) if float(row["credits_earned"]) > 0]
    table = _ledger_table(at)
    assert table is not None and len(table) == len(rows)
    assert table["credits"].sum() == pytest.approx(sum(float(row["credits_earned"]) for row in rows))
    assert _metric(at, "Earned by submissions") == pytest.approx(table["credits"].sum())
    assert set(table["what"]) <= {f"New best on {task}" for task in TASKS}
    assert len(at.get("vega_lite_chart")) == 3
    assert token not in _page_text(at)

    at.run()  # the failure is kept for a short while: no new request on a rerun
    assert proxy.count("GET", r"^/v1/me/transactions") == 1
    at.button(key="credits.refresh").click().run()
    assert proxy.count("GET", r"^/v1/me/transactions") == 2
    assert not at.exception


def test_a_401_on_the_ledger_signs_out_with_a_message(credits_page, proxy: FaultProxy, seeded_backend) -> None:
    invalid = Fault(401, b'{"detail": "Invalid HuggingFace token"}', "application/json")
    proxy.fail("GET", r"^/v1/me/transactions", invalid)
    token = seeded_backend.token("sbrandt")
    at = credits_page(proxy.url, "sbrandt", token)
    assert any("sign in again" in w.value for w in at.warning)
    assert session_keys.SESSION not in at.session_state
    assert not any(str(key).startswith("user.") for key in at.session_state)
    assert _ledger_table(at) is None
    at.run()
    assert not at.exception
    assert any("Sign in" in info.value for info in at.info)


def test_an_expired_token_signs_out_with_a_message(credits_page, seeded_backend: LocalBackend) -> None:
    token = seeded_backend.token("nyoung", expires_in=-1)
    at = credits_page(seeded_backend.url, "nyoung", token)
    assert session_keys.SESSION not in at.session_state
    assert any("sign in again" in w.value.lower() for w in at.warning)
    assert any("Sign in" in info.value for info in at.info)
    assert _ledger_table(at) is None
    assert token not in _page_text(at)


def test_a_failing_balance_is_explained_inert_and_the_ledger_still_shows(
    credits_page, proxy: FaultProxy, seeded_backend
) -> None:
    proxy.fail("GET", r"^/v1/me$", Fault(500, b"**boom** [click](javascript:alert(1))"))
    token = seeded_backend.token("pmoreau")
    at = credits_page(proxy.url, "pmoreau", token)
    errors = " ".join(e.value for e in at.error)
    assert "balance could not be loaded" in errors and "500" in errors
    assert "**boom**" not in errors and "](javascript" not in errors
    assert next(m.value for m in at.metric if m.label == "Balance") == "—"
    table = _ledger_table(at)
    assert table is not None and len(table) == len(_http_ledger(seeded_backend, token))


def test_with_the_backend_down_the_page_says_what_is_unknown(credits_page, proxy: FaultProxy, seeded_backend) -> None:
    token = seeded_backend.token("kowalski")
    proxy.stop()
    try:
        at = credits_page(proxy.url, "kowalski", token)
    finally:
        proxy.start()
    said = " ".join(w.value for w in at.warning) + " " + " ".join(i.value for i in at.info)
    assert "Your balance is unknown right now" in said
    assert "no leaderboard could be loaded" in said
    assert "is right" not in said and "You have no submissions" not in said
    assert "the others are unknown" in said
    assert next(m.value for m in at.metric if m.label == "Balance") == "—"
