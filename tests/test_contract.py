"""The local backend against the backend contract, over real HTTP (no mocks).

Tests on the shared `backend` use user names of their own; tests that count
credits (which depend on every earlier submission to a task) use
`fresh_backend`. After every refused request the SQLite row counts are
compared, so a refusal is known to have written nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable
from typing import Any

import colliderml.remote
import colliderml.tasks
import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import LocalBackend

from local_backend import predictions, truth
from local_backend.reproductions import within_tolerance

TABLES = (
    "users",
    "credit_transactions",
    "benchmark_submissions",
    "benchmark_bests",
    "benchmark_reproductions",
)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")  # as the real backend sends them
LEADERBOARD_KEYS = {
    "id",
    "hf_username",
    "submitted_at",
    "scores",
    "is_baseline",
    "n_params",
    "code_url",
    "credits_earned",
}
PARSE_ERROR = "Could not parse predictions as Parquet: "
#: One client for the module: building an httpx client costs tens of milliseconds. No connection is
#: kept alive: the backend drops one after each of its 500s, and httpx would reuse it.
HTTP = httpx.Client(timeout=httpx.Timeout(120.0), limits=httpx.Limits(max_keepalive_connections=0))


# --- helpers -------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(backend: LocalBackend, path: str, token: str | None = None, **params: Any) -> httpx.Response:
    headers = bearer(token) if token else {}
    return HTTP.get(f"{backend.url}{path}", headers=headers, params=params)


def post_file(backend: LocalBackend, path: str, headers: dict[str, str], data: bytes, **form: str) -> httpx.Response:
    files = {"predictions": ("predictions.parquet", data, "application/octet-stream")}
    return HTTP.post(f"{backend.url}{path}", headers=headers, files=files, data=form)


def submit(backend: LocalBackend, token: str, task: str, data: bytes, **form: str) -> httpx.Response:
    return post_file(backend, f"/v1/benchmark/{task}/submit", bearer(token), data, **form)


def reproduce(backend: LocalBackend, token: str, task: str, submission_id: str, data: bytes) -> httpx.Response:
    return post_file(backend, f"/v1/benchmark/{task}/reproduce/{submission_id}", bearer(token), data)


def parquet(table: pa.Table) -> bytes:
    return predictions.to_parquet_bytes(table)


def latency(wallclock_s: float, n_events: int = 100) -> bytes:
    return parquet(pa.table({"wallclock_s": [wallclock_s], "n_events": [n_events]}))


def jets(quality: float = 0.5, seed: int = 0) -> bytes:
    return parquet(predictions.make_predictions("jets", quality, seed))


def sql(backend: LocalBackend, query: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(backend.db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def sql_write(backend: LocalBackend, statement: str, params: tuple[Any, ...]) -> None:
    conn = sqlite3.connect(backend.db_path)
    try:
        with conn:
            conn.execute(statement, params)
    finally:
        conn.close()


def row_counts(backend: LocalBackend) -> dict[str, int]:
    return {table: sql(backend, f"SELECT COUNT(*) FROM {table}")[0][0] for table in TABLES}  # noqa: S608


def signed_in(backend: LocalBackend, name: str) -> str:
    """A token for `name`, whose account exists already (so later row counts are stable)."""
    token = backend.token(name)
    assert get(backend, "/v1/me", token).status_code == 200
    return token


def me(backend: LocalBackend, token: str) -> dict[str, Any]:
    response = get(backend, "/v1/me", token)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_ledger_consistent(backend: LocalBackend) -> None:
    rows = sql(
        backend,
        "SELECT hf_username, credits, (SELECT TOTAL(delta) FROM credit_transactions t"
        " WHERE t.user_id = users.id) AS ledger FROM users",
    )
    assert rows
    for row in rows:
        assert row["credits"] == pytest.approx(row["ledger"]), row["hf_username"]


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail
    return str(detail)


def crashed(response: httpx.Response) -> None:
    """The real backend's answer to input it does not handle: a bare plain-text 500, no reason."""
    assert response.status_code == 500, response.text
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"].startswith("text/plain")


# --- browsing ------------------------------------------------------------------------------


def test_healthz_reports_a_local_backend_without_demo_data(backend: LocalBackend) -> None:
    assert ok(get(backend, "/healthz")) == {"status": "ok", "backend": "local", "demo_data": False}


def test_seeded_backend_has_demo_data_and_a_consistent_ledger(seeded_backend: LocalBackend) -> None:
    assert ok(get(seeded_backend, "/healthz"))["demo_data"] is True
    for task in colliderml.tasks.list_tasks():
        assert ok(get(seeded_backend, f"/v1/leaderboard/{task}")), task
    assert_ledger_consistent(seeded_backend)


def test_tasks_describe_every_colliderml_task(backend: LocalBackend) -> None:
    catalogue = {task["name"]: task for task in ok(get(backend, "/v1/benchmark/tasks"))}
    assert sorted(catalogue) == colliderml.tasks.list_tasks()
    for name, task in catalogue.items():
        assert set(task) == {"name", "dataset", "metrics", "higher_is_better", "eval_event_range"}
        assert task["metrics"] == list(colliderml.tasks.get(name).metrics)
        assert set(task["higher_is_better"]) == set(task["metrics"])
        assert all(isinstance(flag, bool) for flag in task["higher_is_better"].values())
        start, end = task["eval_event_range"]
        assert isinstance(start, int) and start < end
    assert catalogue["tracking_latency"]["higher_is_better"] == {"wallclock_s": False, "events_per_sec": True}
    assert catalogue["tracking"]["eval_event_range"] == list(truth.EVAL_RANGE)


def test_browsing_needs_no_token(backend: LocalBackend) -> None:
    for path in ("/healthz", "/v1/benchmark/tasks", "/v1/leaderboard/jets"):
        assert get(backend, path).status_code == 200, path


def test_unknown_task_is_404_on_every_task_route(backend: LocalBackend) -> None:
    token = signed_in(backend, "lost-user")
    before = row_counts(backend)
    answers = [
        get(backend, "/v1/leaderboard/no_such_task"),
        submit(backend, token, "no_such_task", jets()),
        reproduce(backend, token, "no_such_task", str(uuid.uuid4()), jets()),
    ]
    for response in answers:
        detail = refused(response, 404)
        assert detail.startswith("Unknown task 'no_such_task'. Available: ")
        assert "jets" in detail and "tracking_latency" in detail
    assert row_counts(backend) == before


# --- auth ----------------------------------------------------------------------------------

AUTH_ROUTES: list[tuple[str, str]] = [
    ("GET", "/v1/me"),
    ("GET", "/v1/me/transactions"),
    ("GET", "/v1/requests"),
    ("POST", "/v1/benchmark/jets/submit"),
    ("POST", f"/v1/benchmark/jets/reproduce/{uuid.uuid4()}"),
]


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, "Missing Bearer token in Authorization header"),
        ("Basic YWxpY2U6c2VjcmV0", "Missing Bearer token in Authorization header"),
        ("Bearer", "Missing Bearer token in Authorization header"),  # the real backend's answer too
        ("Bearer hf_not_a_token_we_issued", "Invalid HuggingFace token"),
        ("expired", "Invalid HuggingFace token"),
    ],
)
def test_auth_failures_are_401_on_every_protected_route(
    backend: LocalBackend, authorization: str | None, expected: str
) -> None:
    if authorization == "expired":
        authorization = f"Bearer {backend.token('expired-user', expires_in=-1)}"
    headers = {} if authorization is None else {"Authorization": authorization}
    before = row_counts(backend)
    for method, path in AUTH_ROUTES:
        if method == "GET":
            response = HTTP.get(f"{backend.url}{path}", headers=headers)
        else:
            response = post_file(backend, path, headers, jets())
        assert refused(response, 401) == expected, (method, path)
        assert "www-authenticate" not in response.headers  # as the real backend answers
    assert row_counts(backend) == before


def test_revoked_account_is_403(backend: LocalBackend) -> None:
    token = signed_in(backend, "revoked-user")
    sql_write(backend, "UPDATE users SET revoked = 1 WHERE hf_username = ?", ("revoked-user",))
    before = row_counts(backend)
    for response in (get(backend, "/v1/me", token), submit(backend, token, "jets", jets())):
        assert refused(response, 403) == "This account has been revoked. Contact an admin."
    assert row_counts(backend) == before


def test_first_sign_in_creates_the_user_with_signup_credits(backend: LocalBackend) -> None:
    token = backend.token("newcomer")
    profile = me(backend, token)
    assert set(profile) == {"hf_username", "email", "credits", "created_at", "last_seen_at"}
    assert profile["hf_username"] == "newcomer"
    assert profile["email"] is None
    assert profile["credits"] == 10.0
    assert ISO_UTC.match(profile["created_at"]) and ISO_UTC.match(profile["last_seen_at"])
    [signup] = ok(get(backend, "/v1/me/transactions", token))
    assert signup["reason"] == "signup" and signup["delta"] == 10.0
    assert signup["metadata"] == {"source": "local"}

    long_ago = "2000-01-01T00:00:00.000000+00:00"
    sql_write(backend, "UPDATE users SET last_seen_at = ? WHERE hf_username = ?", (long_ago, "newcomer"))
    again = me(backend, token)
    assert again["last_seen_at"] > long_ago
    assert again["created_at"] == profile["created_at"] and again["credits"] == 10.0
    assert len(ok(get(backend, "/v1/me/transactions", token))) == 1


def test_simultaneous_first_sign_ins_create_one_user(backend: LocalBackend) -> None:
    token = backend.token("eager-user")
    answers = run_together([lambda: get(backend, "/v1/me", token) for _ in range(8)])
    assert {response.status_code for response in answers} == {200}
    assert len(sql(backend, "SELECT * FROM users WHERE hf_username = 'eager-user'")) == 1
    assert len(ok(get(backend, "/v1/me/transactions", token))) == 1


def run_together(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls in threads released at the same moment."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def test_cli_token_command_signs_in(backend: LocalBackend) -> None:
    token = backend.cli("token", "cli-user").strip()
    assert me(backend, token)["hf_username"] == "cli-user"
    expired = backend.cli("token", "cli-user", "--expires-in", "0").strip()
    assert refused(get(backend, "/v1/me", expired), 401) == "Invalid HuggingFace token"


def test_a_restarted_backend_keeps_its_data(fresh_backend: LocalBackend) -> None:
    token = fresh_backend.token("patient-user")
    answer = ok(submit(fresh_backend, token, "jets", jets()))
    fresh_backend.stop()
    with pytest.raises(httpx.ConnectError):
        get(fresh_backend, "/healthz")
    fresh_backend.start()
    assert [row["id"] for row in ok(get(fresh_backend, "/v1/leaderboard/jets"))] == [answer["submission_id"]]
    assert me(fresh_backend, token)["credits"] == 160.0


def test_requests_are_empty_locally(backend: LocalBackend) -> None:
    assert ok(get(backend, "/v1/requests", backend.token("simulator"), limit=5)) == []


# --- submissions -----------------------------------------------------------------------------


def test_submit_answer_and_leaderboard_row_shapes(backend: LocalBackend) -> None:
    token = backend.token("shape-checker")
    local_scores = {"btag_auc": 0.5}
    answer = ok(submit(backend, token, "jets", jets(0.6, seed=11), local_scores=json.dumps(local_scores)))
    assert set(answer) == {"submission_id", "scores", "credits_earned", "deduplicated"}
    uuid.UUID(answer["submission_id"])
    assert set(answer["scores"]) == {"btag_auc", "light_rej_70", "c_rej_70"}
    assert isinstance(answer["credits_earned"], (int, float)) and answer["deduplicated"] is False

    [row] = [r for r in ok(get(backend, "/v1/leaderboard/jets")) if r["id"] == answer["submission_id"]]
    assert set(row) == LEADERBOARD_KEYS
    assert isinstance(row["scores"], str) and json.loads(row["scores"]) == answer["scores"]
    assert row["credits_earned"] == f"{answer['credits_earned']:.3f}"
    assert re.fullmatch(r"\d+\.\d{3}", row["credits_earned"])
    assert ISO_UTC.match(row["submitted_at"])
    assert row["hf_username"] == "shape-checker"
    assert (row["is_baseline"], row["n_params"], row["code_url"]) == (False, None, None)
    [stored] = sql(backend, "SELECT local_scores FROM benchmark_submissions WHERE id = ?", (row["id"],))
    assert json.loads(stored["local_scores"]) == local_scores


def test_model_repo_id_is_stored_as_sent_even_when_it_is_no_repo_id(backend: LocalBackend) -> None:
    """The real backend takes any model_repo_id (its push to the model card then fails quietly)."""
    token = signed_in(backend, "model-owner")
    for seed, repo in ((21, "model-owner/tagger-v1"), (22, "just-a-name"), (23, "a/b/c")):
        answer = ok(submit(backend, token, "jets", jets(seed=seed), model_repo_id=repo))
        [stored] = sql(
            backend, "SELECT model_repo_id FROM benchmark_submissions WHERE id = ?", (answer["submission_id"],)
        )
        assert stored["model_repo_id"] == repo


def test_identical_bytes_from_the_same_user_are_deduplicated(backend: LocalBackend) -> None:
    token = backend.token("repeater")
    data = jets(0.55, seed=31)
    first = ok(submit(backend, token, "jets", data))
    before = row_counts(backend)
    again = ok(submit(backend, token, "jets", data))
    # The real backend repeats what the original earned, although it pays nothing new.
    assert again == {**first, "deduplicated": True}
    assert me(backend, token)["credits"] == 10.0 + first["credits_earned"]
    assert row_counts(backend) == before
    other_user = ok(submit(backend, backend.token("copycat"), "jets", data))
    assert other_user["deduplicated"] is False and other_user["submission_id"] != first["submission_id"]


def test_identical_simultaneous_uploads_make_one_submission(backend: LocalBackend) -> None:
    token = signed_in(backend, "double-clicker")
    data = jets(0.7, seed=41)
    answers = [ok(response) for response in run_together([lambda: submit(backend, token, "jets", data)] * 4)]
    assert len({answer["submission_id"] for answer in answers}) == 1
    assert sorted(answer["deduplicated"] for answer in answers) == [False, True, True, True]
    rows = sql(backend, "SELECT * FROM benchmark_submissions WHERE hf_username = 'double-clicker'")
    assert len(rows) == 1
    assert_ledger_consistent(backend)


def _drop_column(table: pa.Table, name: str) -> pa.Table:
    return table.drop_columns([name])


def _unnormalised(table: pa.Table) -> pa.Table:
    doubled = pc.multiply(table.column("prob_b"), 2.0)
    return table.set_column(table.column_names.index("prob_b"), "prob_b", doubled)


JETS_TABLE = predictions.make_predictions("jets", 0.5, seed=51)
UNPARSEABLE_UPLOADS: dict[str, bytes] = {"empty body": b"", "not parquet": b"event_id,jet_id\n1,2\n"}
#: Files that parse but that the real backend crashes on: it answers a bare 500 and stores nothing.
CRASHING_UPLOADS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "missing column": ("jets", lambda: parquet(_drop_column(JETS_TABLE, "prob_light"))),
    "probabilities not summing to 1": ("jets", lambda: parquet(_unnormalised(JETS_TABLE))),
    "zero rows": ("jets", lambda: parquet(JETS_TABLE.slice(0, 0))),
    "wrong task's columns": ("tracking", lambda: parquet(JETS_TABLE)),
    "infinite score": ("tracking_latency", lambda: latency(0.0)),
}


@pytest.mark.parametrize("case", list(UNPARSEABLE_UPLOADS))
def test_unparseable_uploads_get_a_400_and_write_nothing(backend: LocalBackend, case: str) -> None:
    token = signed_in(backend, "clumsy-user")
    before = row_counts(backend)
    assert refused(submit(backend, token, "jets", UNPARSEABLE_UPLOADS[case]), 400).startswith(PARSE_ERROR)
    assert row_counts(backend) == before


@pytest.mark.parametrize("case", list(CRASHING_UPLOADS))
def test_invalid_uploads_crash_like_the_real_backend_and_write_nothing(backend: LocalBackend, case: str) -> None:
    task, make = CRASHING_UPLOADS[case]
    token = signed_in(backend, "clumsy-user")
    before = row_counts(backend)
    crashed(submit(backend, token, task, make()))
    assert row_counts(backend) == before


def test_a_crash_drops_the_connection_unannounced(backend: LocalBackend) -> None:
    """As the real backend's uvicorn does after an unhandled exception: the 500 comes with no
    `Connection: close`, and the connection is gone when the client sends the next request."""
    connection = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=10)
    try:
        connection.request("GET", "/v1/leaderboard/jets?limit=-1")
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (500, b"Internal Server Error")
        assert answer.getheader("connection") is None
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            connection.request("GET", "/healthz")
            connection.getresponse()
    finally:
        connection.close()


def test_malformed_forms_get_a_4xx_with_detail(backend: LocalBackend) -> None:
    token = signed_in(backend, "form-filler")
    url = f"{backend.url}/v1/benchmark/jets/submit"
    before = row_counts(backend)
    no_file = HTTP.post(url, headers=bearer(token), data={"local_scores": "{}"})
    assert "predictions" in json.dumps(no_file.json()["detail"]) and no_file.status_code == 422
    as_text = HTTP.post(url, headers=bearer(token), data={"predictions": "not a file"})
    assert as_text.status_code == 422 and as_text.json()["detail"]
    as_json = HTTP.post(url, headers=bearer(token), json={"predictions": "x"})
    assert as_json.status_code == 422 and as_json.json()["detail"]
    assert row_counts(backend) == before


def test_local_scores_that_are_not_a_json_object_are_accepted_silently(backend: LocalBackend) -> None:
    token = signed_in(backend, "form-filler")
    for seed, local_scores in ((61, "not json"), (62, "[1, 2]")):
        answer = ok(submit(backend, token, "jets", jets(seed=seed), local_scores=local_scores))
        [stored] = sql(
            backend, "SELECT local_scores FROM benchmark_submissions WHERE id = ?", (answer["submission_id"],)
        )
        assert json.loads(stored["local_scores"]) == {}


def test_a_50_mb_upload_gets_a_clear_answer(backend: LocalBackend) -> None:
    token = signed_in(backend, "big-uploader")
    blob = os.urandom(50 * 2**20)
    before = row_counts(backend)
    assert refused(submit(backend, token, "tracking_latency", blob), 400).startswith(PARSE_ERROR)
    assert row_counts(backend) == before
    padded = pa.table({"wallclock_s": [20.0], "n_events": [100], "padding": pa.array([blob], pa.binary())})
    data = parquet(padded)
    assert len(data) > 50 * 2**20
    answer = ok(submit(backend, token, "tracking_latency", data))
    assert answer["scores"] == {"wallclock_s": 20.0, "events_per_sec": 5.0}


def test_credits_for_every_metric_beaten_in_its_direction(fresh_backend: LocalBackend) -> None:
    backend = fresh_backend
    tokens = {name: backend.token(name) for name in ("alice", "bob", "carol", "dave", "erin")}
    # (who, wallclock_s, n_events, credits, metrics beaten); events_per_sec = n_events / wallclock_s
    plan = [
        ("alice", 10.0, 100, 60, ["wallclock_s", "events_per_sec"]),  # first: beats every metric
        ("bob", 12.0, 240, 30, ["events_per_sec"]),  # slower but higher throughput
        ("carol", 8.0, 40, 30, ["wallclock_s"]),  # faster, lower throughput
        ("dave", 9.0, 9, 0, []),  # beats nothing
        ("erin", 8.0, 160, 0, []),  # ties both bests: a tie does not beat
        ("alice", 4.0, 200, 60, ["wallclock_s", "events_per_sec"]),
    ]
    ids = []
    for who, wallclock, n_events, credits, beaten in plan:
        answer = ok(submit(backend, tokens[who], "tracking_latency", latency(wallclock, n_events)))
        assert answer["credits_earned"] == credits, (who, wallclock, n_events)
        ids.append(answer["submission_id"])
        beat_entries = [
            t
            for t in ok(get(backend, "/v1/me/transactions", tokens[who]))
            if t["metadata"].get("submission_id") == answer["submission_id"]
        ]
        if credits:
            [entry] = beat_entries
            assert entry["reason"] == "beat_tracking_latency" and entry["delta"] == credits
            assert entry["metadata"] == {"submission_id": answer["submission_id"], "scores": answer["scores"]}
            assert credits == 30 * len(beaten)
        else:
            assert beat_entries == []

    jets_answer = ok(submit(backend, tokens["bob"], "jets", jets()))
    assert jets_answer["credits_earned"] == 150  # first jets submission: 3 metrics x 50

    board = ok(get(backend, "/v1/leaderboard/tracking_latency"))
    assert [row["id"] for row in board] == ids[::-1]
    earned = [row["credits_earned"] for row in board]
    assert earned == ["60.000", "0.000", "0.000", "30.000", "30.000", "60.000"]
    bests = {
        row["metric"]: (row["value"], row["submission_id"])
        for row in sql(backend, "SELECT * FROM benchmark_bests WHERE task = 'tracking_latency'")
    }
    assert bests == {"wallclock_s": (4.0, ids[-1]), "events_per_sec": (50.0, ids[-1])}

    expected = {"alice": 130.0, "bob": 190.0, "carol": 40.0, "dave": 10.0, "erin": 10.0}
    assert {name: me(backend, token)["credits"] for name, token in tokens.items()} == expected
    assert_ledger_consistent(backend)


def test_leaderboard_limit_and_newest_first_order(fresh_backend: LocalBackend) -> None:
    backend = fresh_backend
    token = backend.token("prolific")
    ids = []
    for index in range(101):  # each one faster than the last, so each earns a ledger entry
        table = pa.table({"local_seconds": [1000.0 / (index + 1)], "streaming_seconds": [2.0], "n_events": [1000]})
        ids.append(ok(submit(backend, token, "data_loading", parquet(table)))["submission_id"])
    newest_first = ids[::-1]

    default = ok(get(backend, "/v1/leaderboard/data_loading"))
    assert [row["id"] for row in default] == newest_first[:100]
    for limit, expected in ((5000, newest_first), (3, newest_first[:3])):
        board = ok(get(backend, "/v1/leaderboard/data_loading", limit=limit))
        assert [row["id"] for row in board] == expected
    assert ok(get(backend, "/v1/leaderboard/data_loading", limit=0)) == []
    times = [row["submitted_at"] for row in default]
    assert times == sorted(times, reverse=True)
    assert get(backend, "/v1/leaderboard/data_loading", limit="many").status_code == 422
    for bad in ("-1", str(2**64)):
        crashed(get(backend, "/v1/leaderboard/data_loading", limit=bad))
        crashed(get(backend, "/v1/me/transactions", token, limit=bad))

    everything = ok(get(backend, "/v1/me/transactions", token, limit=1000))
    assert len(everything) == 102 and everything[-1]["reason"] == "signup"
    assert ok(get(backend, "/v1/me/transactions", token)) == everything[:100]
    assert ok(get(backend, "/v1/me/transactions", token, limit=2)) == everything[:2]
    times = [t["created_at"] for t in everything]
    assert times == sorted(times, reverse=True)
    assert sum(t["delta"] for t in everything) == pytest.approx(me(backend, token)["credits"])


# --- reproductions ---------------------------------------------------------------------------


def test_reproduction_inside_and_outside_the_2_percent_band(backend: LocalBackend) -> None:
    original = ok(submit(backend, backend.token("original-author"), "tracking_latency", latency(10.0, 100)))
    token = backend.token("reproducer")
    url_task = "tracking_latency"
    inside = ok(reproduce(backend, token, url_task, original["submission_id"], latency(10.1, 100)))
    assert inside == {
        "within_tolerance": True,
        "reproduced_scores": {"wallclock_s": 10.1, "events_per_sec": 9.901},
        "original_scores": {"wallclock_s": 10.0, "events_per_sec": 10.0},
        "credits_earned": 20.0,
    }
    outside = ok(reproduce(backend, token, url_task, original["submission_id"], latency(10.3, 100)))
    assert (outside["within_tolerance"], outside["credits_earned"]) == (False, 0.0)
    repeat = ok(reproduce(backend, token, url_task, original["submission_id"], latency(10.1, 100)))
    assert repeat["credits_earned"] == 20.0  # the real backend pays every repeat

    attempts = sql(
        backend,
        "SELECT within_tolerance, credits_earned FROM benchmark_reproductions"
        " WHERE submission_id = ? ORDER BY created_at",
        (original["submission_id"],),
    )
    assert [(row[0], row[1]) for row in attempts] == [(1, 20.0), (0, 0.0), (1, 20.0)]
    entries = [t for t in ok(get(backend, "/v1/me/transactions", token)) if t["reason"] == "reproduction"]
    assert len(entries) == 2
    assert entries[0]["metadata"] == {"submission_id": original["submission_id"], "task": url_task}  # as the real one
    assert me(backend, token)["credits"] == 50.0
    assert_ledger_consistent(backend)


def test_reproducing_a_zero_score_compares_absolute_differences(backend: LocalBackend) -> None:
    def loading(local_seconds: float) -> bytes:
        table = pa.table({"local_seconds": [local_seconds], "streaming_seconds": [3.0], "n_events": [0]})
        return parquet(table)

    original = ok(submit(backend, backend.token("zero-author"), "data_loading", loading(1.0)))
    assert original["scores"] == {"events_per_sec_local": 0.0, "events_per_sec_streaming": 0.0}
    answer = ok(
        reproduce(backend, backend.token("zero-reproducer"), "data_loading", original["submission_id"], loading(2.0))
    )
    assert answer["within_tolerance"] is True


def test_reproduction_refusals_write_nothing(backend: LocalBackend) -> None:
    author = backend.token("careful-author")
    original = ok(submit(backend, author, "tracking_latency", latency(33.0, 100)))["submission_id"]
    token = signed_in(backend, "careless-reproducer")
    missing = str(uuid.uuid4())
    before = row_counts(backend)
    cases = [
        (
            reproduce(backend, author, "tracking_latency", original, latency(33.0, 100)),
            400,
            "You cannot reproduce your own submission",
        ),
        (
            reproduce(backend, token, "tracking_latency", missing, latency(33.0, 100)),
            404,
            f"Submission {missing} not found for task tracking_latency",
        ),
        (reproduce(backend, token, "jets", original, jets()), 404, f"Submission {original} not found for task jets"),
    ]
    for response, status, message in cases:
        assert refused(response, status) == message
    crashed(reproduce(backend, token, "tracking_latency", "not-a-uuid", latency(33.0, 100)))
    unparseable = reproduce(backend, token, "tracking_latency", original, b"garbage")
    assert refused(unparseable, 400).startswith(PARSE_ERROR)
    crashed(reproduce(backend, token, "tracking_latency", original, parquet(pa.table({"n_events": [100]}))))
    assert row_counts(backend) == before


@pytest.mark.parametrize(
    ("original", "reproduced", "within"),
    [
        ({"auc": 0.9}, {"auc": 0.9 * 1.019}, True),
        ({"auc": 0.9}, {"auc": 0.9 * 1.021}, False),
        ({"rej": -50.0}, {"rej": -49.2}, True),
        ({"eff": 0.0}, {"eff": 0.019}, True),
        ({"eff": 0.0}, {"eff": 0.021}, False),
        ({"a": 1.0, "b": 2.0}, {"a": 1.0}, False),
        ({"a": 1.0, "old": None}, {"a": 1.0}, True),
    ],
)
def test_tolerance_rule(original: dict[str, Any], reproduced: dict[str, float], within: bool) -> None:
    assert within_tolerance(original, reproduced) is within


# --- the upstream client ---------------------------------------------------------------------


def test_upstream_colliderml_client_works_unchanged(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", backend.token("upstream-user"))
    table = predictions.make_predictions("jets", 0.45, seed=71)
    answer = colliderml.tasks.submit("jets", table, backend_url=backend.url)
    assert answer["deduplicated"] is False
    board = ok(get(backend, "/v1/leaderboard/jets", limit=1000))
    assert answer["submission_id"] in {row["id"] for row in board}
    profile = colliderml.remote.get_me(backend_url=backend.url)
    assert profile["hf_username"] == "upstream-user"
    assert profile["credits"] == 10.0 + answer["credits_earned"]
