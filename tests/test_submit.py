"""AppTest of the signed-in task page against the real local backend: submit, dedup, reproduce, failures."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import pytest
import requests
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from components import auth, session_keys
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import home_app, open_page
from tests.faults import Fault, FaultProxy

REWARDS = {"tracking": 50, "jets": 50, "anomaly": 50, "tracking_small": 50, "tracking_latency": 30, "data_loading": 30}
N_METRICS = {"tracking": 4, "jets": 3, "anomaly": 2, "tracking_small": 3, "tracking_latency": 2, "data_loading": 2}


pytestmark = pytest.mark.usefixtures("cold")


def _signed_in_page(monkeypatch: pytest.MonkeyPatch, url: str, task: str, user: str, token: str, **session) -> AppTest:
    monkeypatch.setenv("COLLIDERML_BACKEND", url)
    at = home_app(120)
    at.session_state[session_keys.SESSION] = auth.Session(
        username=user, token=token, expires_at=session.get("expires_at")
    )
    at.run()
    at._page_hash = calc_hash(task)  # task pages are callables: open by the hash of their url_path
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, key: str, payload: bytes, name: str = "predictions.parquet") -> AppTest:
    uploader: Any = next(u for u in at.get("file_uploader") if u.key == key)  # AppTest has no FileUploader type
    uploader.set_value((name, payload, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    return at


def _board(url: str, task: str) -> list[dict]:
    return requests.get(f"{url}/v1/leaderboard/{task}", params={"limit": 1000}, timeout=10).json()


def _me(url: str, token: str) -> dict:
    return requests.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()


def _ledger(url: str, token: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(f"{url}/v1/me/transactions", headers=headers, timeout=10).json()


def _messages(at: AppTest, *kinds: str) -> str:
    """The alert texts as a person reads them (user text is Markdown-escaped on the page)."""
    kinds = kinds or ("success", "error", "warning", "info")
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind)).replace("\\", "")


@pytest.mark.parametrize("task", list(REWARDS))
def test_a_valid_submission_for_every_task_earns_what_the_rules_say(monkeypatch, fresh_backend, task: str) -> None:
    token = fresh_backend.token("alice")
    at = _signed_in_page(monkeypatch, fresh_backend.url, task, "alice", token)
    _upload(at, f"{task}.submit.file", to_parquet_bytes(make_predictions(task, 0.6, seed=1)))
    assert "Local check passed" in _messages(at)
    at.button(key=f"{task}.submit.send").click().run()
    assert not at.exception, at.exception
    expected = REWARDS[task] * N_METRICS[task]  # the first submission of a task beats every metric
    assert f"Credits earned: {expected:,}" in _messages(at)
    rows = _board(fresh_backend.url, task)
    assert len(rows) == 1 and rows[0]["hf_username"] == "alice"
    assert _me(fresh_backend.url, token)["credits"] == 10 + expected
    assert sum(t["delta"] for t in _ledger(fresh_backend.url, token)) == 10 + expected
    outcome = next(df.value for df in at.dataframe if "beaten" in df.value.columns)
    assert outcome["beaten"].all()

    at.run()  # a rerun (or a double click) must not post again
    assert len(_board(fresh_backend.url, task)) == 1


def test_after_a_submission_the_page_shows_the_answer_not_a_preview_against_its_own_row(
    monkeypatch, fresh_backend
) -> None:
    """The 'would it beat the board' preview compared the file with a board that now holds it."""
    at = _signed_in_page(monkeypatch, fresh_backend.url, "jets", "alice", fresh_backend.token("alice"))
    _upload(at, "jets.submit.file", to_parquet_bytes(make_predictions("jets", 0.6, seed=12)))
    assert "Beats the current best on btag_auc" in _messages(at, "info"), "before: a preview"
    at.button(key="jets.submit.send").click().run()
    assert "Credits earned: 150" in _messages(at)
    assert "Beats no current best" not in _messages(at) and "Scored here" not in _messages(at)


def test_a_checked_file_is_kept_when_the_person_switches_pages(monkeypatch, fresh_backend) -> None:
    at = _signed_in_page(monkeypatch, fresh_backend.url, "jets", "alice", fresh_backend.token("alice"))
    _upload(at, "jets.submit.file", to_parquet_bytes(make_predictions("jets", 0.6, seed=13)), name="mine.parquet")
    open_page(at, "home")
    open_page(at, "jets")
    assert "Kept from earlier in this session: mine.parquet" in _messages(at)
    assert "Local check passed" in _messages(at)
    at.button(key="jets.submit.send").click().run()
    assert "Credits earned: 150" in _messages(at) and len(_board(fresh_backend.url, "jets")) == 1

    at.button(key="jets.submit.file.forget").click().run()
    assert "Kept from earlier" not in _messages(at)
    assert not [b for b in at.button if b.key == "jets.submit.send"], "no file, nothing to send"


def test_the_same_file_again_is_deduplicated_and_earns_nothing(monkeypatch, fresh_backend) -> None:
    token = fresh_backend.token("alice")
    payload = to_parquet_bytes(make_predictions("jets", 0.5, seed=3))
    for _ in range(2):  # two sessions: the second one's post reaches the backend, which deduplicates
        at = _signed_in_page(monkeypatch, fresh_backend.url, "jets", "alice", token)
        _upload(at, "jets.submit.file", payload)
        at.button(key="jets.submit.send").click().run()
    assert "already submitted this exact file" in _messages(at)
    assert len(_board(fresh_backend.url, "jets")) == 1
    assert _me(fresh_backend.url, token)["credits"] == 10 + 150


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("empty.parquet", b"", "empty"),
        ("notes.parquet", b"event_id,jet_id\n1,2\n", "CSV"),
        ("cut.parquet", to_parquet_bytes(make_predictions("jets", 0.5))[:-40], "Parquet"),
        ("nojet.parquet", to_parquet_bytes(make_predictions("jets", 0.5).drop_columns(["prob_light"])), "prob_light"),
    ],
)
def test_a_bad_file_shows_its_problem_and_sends_nothing(monkeypatch, fresh_backend, name, payload, expected) -> None:
    at = _signed_in_page(monkeypatch, fresh_backend.url, "jets", "alice", fresh_backend.token("alice"))
    _upload(at, "jets.submit.file", payload, name)
    errors = _messages(at, "error")
    assert "cannot be sent" in errors and expected in errors
    assert at.button(key="jets.submit.send").disabled
    assert _board(fresh_backend.url, "jets") == []


def test_reproduction_inside_and_outside_the_band_and_own_refusal(monkeypatch, fresh_backend) -> None:
    alice, bob = fresh_backend.token("alice"), fresh_backend.token("bob")
    original = to_parquet_bytes(make_predictions("anomaly", 0.7, seed=5))
    at = _signed_in_page(monkeypatch, fresh_backend.url, "anomaly", "alice", alice)
    _upload(at, "anomaly.submit.file", original)
    at.button(key="anomaly.submit.send").click().run()
    target = _board(fresh_backend.url, "anomaly")[0]["id"]

    at.text_input(key="anomaly.reproduce.id").set_value(target).run()
    assert "your own submission" in _messages(at, "error")

    at = _signed_in_page(monkeypatch, fresh_backend.url, "anomaly", "bob", bob)
    at.text_input(key="anomaly.reproduce.id").set_value("not-a-uuid").run()
    assert "not a submission id" in _messages(at, "error")
    at.text_input(key="anomaly.reproduce.id").set_value(target).run()
    _upload(at, "anomaly.reproduce.file", original)
    at.button(key="anomaly.reproduce.send").click().run()
    assert not at.exception, at.exception
    assert "Reproduced within 2 %: +20" in _messages(at)
    shown = next(df for df in at.dataframe if "within 2 %" in df.value.columns)
    table = shown.value
    assert table["within 2 %"].all() and (table["relative difference"] == 0).all()
    columns = json.loads(shown.proto.columns)
    assert columns["relative difference"]["type_config"]["format"] == "percent"

    _upload(at, "anomaly.reproduce.file", to_parquet_bytes(make_predictions("anomaly", 0.1, seed=9)))
    assert "already reproduced this submission" in _messages(at)
    at.button(key="anomaly.reproduce.send").click().run()
    assert "Not within 2 %" in _messages(at)
    assert _me(fresh_backend.url, bob)["credits"] == 10 + 20


def test_an_expired_sign_in_signs_out_with_a_message(monkeypatch, fresh_backend) -> None:
    monkeypatch.setenv("COLLIDERML_BACKEND", fresh_backend.url)
    at = home_app(120)
    expired = auth.Session("alice", fresh_backend.token("alice"), expires_at=time.time() - 5)
    at.session_state[session_keys.SESSION] = expired
    at.run()
    assert session_keys.SESSION not in at.session_state
    assert any("expired" in w.value for w in at.warning), "the run that finds the expiry says so"
    at._page_hash = calc_hash("jets")
    at.run()
    assert not at.exception, at.exception
    assert "Sign in with Hugging Face (sidebar) to submit" in _messages(at)


def test_a_token_the_backend_stops_accepting_signs_out_on_submit(monkeypatch, fresh_backend) -> None:
    token = fresh_backend.token("alice")
    at = _signed_in_page(monkeypatch, fresh_backend.url, "jets", "alice", token)
    _upload(at, "jets.submit.file", to_parquet_bytes(make_predictions("jets", 0.5)))
    with sqlite3.connect(fresh_backend.db_path) as conn:  # the token expires between page load and submit
        conn.execute("UPDATE oauth_tokens SET expires_at = '2000-01-01T00:00:00+00:00'")
    at.button(key="jets.submit.send").click().run()
    assert not at.exception, at.exception
    assert session_keys.SESSION not in at.session_state
    assert "sign in again" in _messages(at, "warning")
    assert token not in str(at.main) + str(at.sidebar)
    assert _board(fresh_backend.url, "jets") == []


def test_a_token_refused_at_page_load_signs_out_at_once(monkeypatch, fresh_backend) -> None:
    monkeypatch.setenv("COLLIDERML_BACKEND", fresh_backend.url)
    at = home_app(120)
    at.session_state[session_keys.SESSION] = auth.Session("alice", fresh_backend.token("alice", expires_in=-1), None)
    at.run()
    assert not at.exception, at.exception
    assert session_keys.SESSION not in at.session_state
    assert "sign in again" in _messages(at, "warning")


def test_backend_down_during_submit_keeps_the_file_and_retry_sends_it(monkeypatch, fresh_backend) -> None:
    token = fresh_backend.token("alice")
    proxy = FaultProxy(fresh_backend.url)
    try:
        at = _signed_in_page(monkeypatch, proxy.url, "jets", "alice", token)
        _upload(at, "jets.submit.file", to_parquet_bytes(make_predictions("jets", 0.5)))
        proxy.fail("POST", r"/submit$", Fault(502, b"<html><title>502 Bad Gateway</title></html>", "text/html"))
        at.button(key="jets.submit.send").click().run()
        assert not at.exception, at.exception
        assert at.button(key="jets.submit.send").label == "Retry"
        assert "failed" in _messages(at, "error")
        assert _board(fresh_backend.url, "jets") == []

        proxy.clear()
        at.button(key="jets.submit.send").click().run()  # the same file, still selected
        assert "Credits earned: 150" in _messages(at)
        assert len(_board(fresh_backend.url, "jets")) == 1
    finally:
        proxy.close()
