"""The workflows pages run, tested without a page: sends (submit, reproduce) and per-session reads.

The calls stand in for the backend's answers with real results and real errors of the client;
the backend itself is exercised through them in tests/test_submit.py and tests/test_api.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from components import api, session_cache
from components import session_keys as keys
from components.sends import Attempt, of_session
from components.submission import Failure
from components.upload_checks import CheckResult

CLEAN = CheckResult(True, [], 1, [], 10, "ab", pd.DataFrame(), None)
CRASH = api.BackendFailed("The ColliderML backend failed (500: Internal Server Error).", 500, "Internal Server Error")
ANSWER = api.SubmitResult("6f1c2a3b-0000-4000-8000-000000000001", {"btag_auc": 0.9}, 50.0, False)


def crash() -> api.SubmitResult:
    raise CRASH


def test_a_send_keeps_its_answer_and_its_failures_until_it_goes_through() -> None:
    state: dict = {}
    sends = of_session(state)
    attempt = Attempt("jets", "submit", "", "ab")
    first = sends.send(attempt, CLEAN, crash)
    second = sends.send(attempt, CLEAN, crash)
    assert isinstance(first, Failure) and isinstance(second, Failure)
    assert (first.crashes, second.crashes) == (1, 2) and not second.retryable
    assert sends.failures[attempt] is second
    other = Attempt("jets", "submit", "", "cd")  # another file: its own record
    third = sends.send(other, CLEAN, crash)
    assert isinstance(third, Failure) and third.crashes == 1

    assert sends.send(attempt, CLEAN, lambda: ANSWER) is ANSWER
    assert attempt not in sends.failures and sends.answers[attempt] is ANSWER
    assert of_session(state) is sends, "one record per session"


def test_a_refused_sign_in_is_not_a_failure_of_the_file() -> None:
    sends = of_session({})

    def expired() -> api.SubmitResult:
        raise api.AuthExpired("Your sign-in has expired or is invalid (401): sign in again.", 401)

    with pytest.raises(api.AuthExpired):
        sends.send(Attempt("jets", "submit", "", "ab"), CLEAN, expired)
    assert sends.failures == {} and sends.answers == {}


def test_a_repeated_reproduction_is_noticed() -> None:
    sends = of_session({})
    result = api.ReproduceResult(True, {"auc": 0.9}, {"auc": 0.9}, 20.0)
    sends.send(Attempt("jets", "reproduce", "abc", "f1"), CLEAN, lambda: result)
    assert sends.reproduced("jets", "abc")
    assert not sends.reproduced("jets", "other") and not sends.reproduced("anomaly", "abc")


def test_a_per_session_read_is_kept_for_its_owner_and_a_while() -> None:
    state: dict = {}
    calls: list[str] = []

    def fetch() -> str:
        calls.append("fetched")
        return "profile"

    assert session_cache.read(state, keys.ME, "alice", 30, fetch).value == "profile"
    assert session_cache.read(state, keys.ME, "alice", 30, fetch).value == "profile"
    assert len(calls) == 1
    session_cache.read(state, keys.ME, "bob", 30, fetch)  # never someone else's copy
    session_cache.read(state, keys.ME, "bob", 30, fetch, force=True)
    assert len(calls) == 3
    session_cache.forget(state, keys.ME)
    session_cache.read(state, keys.ME, "bob", 30, fetch)
    assert len(calls) == 4


def test_a_failed_read_is_kept_but_a_refused_sign_in_is_not() -> None:
    state: dict = {}

    def failing() -> str:
        raise CRASH

    kept = session_cache.read(state, keys.LEDGER, "alice", 30, failing)
    assert kept.value is None and kept.error is CRASH
    assert session_cache.read(state, keys.LEDGER, "alice", 30, lambda: "rows").error is CRASH, "not asked again"

    def refused() -> str:
        raise api.AuthExpired("Your sign-in has expired or is invalid (401): sign in again.", 401)

    with pytest.raises(api.AuthExpired):
        session_cache.read(state, keys.ME, "alice", 30, refused)
    assert keys.ME not in state


def test_clearing_the_user_state_leaves_the_rest() -> None:
    state = {keys.SESSION: "s", keys.ME: "m", keys.SENDS: "x", keys.LEDGER: "l", "jets.view": "All submissions"}
    keys.clear_user_state(state)
    assert state == {"jets.view": "All submissions"}
