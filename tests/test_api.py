"""BackendClient against the real local backend over HTTP, and against real fault servers.

Faults the local backend does not produce (HTML 500s, garbage or cut-off bodies, 429, 503,
slow answers) come from `tests.faults.FaultProxy` in front of it; what a test must see on
the wire (headers, multipart fields) comes from `Recorder`, a tiny real HTTP server. A
refused connection is a free port with nothing listening. Nothing is mocked.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
import requests

from components import api
from components.api import (
    AccountRevoked,
    AuthExpired,
    BackendBadResponse,
    BackendClient,
    BackendError,
    BackendFailed,
    BackendTimeout,
    BackendUnreachable,
    ConnectionLost,
    NotFound,
    RateLimited,
    Rejected,
    SubmissionsPaused,
    error_message,
    leaderboard_frame,
    transactions_frame,
)
from components.leaderboard import metric_column
from components.tasks import KNOWN_TASK_ORDER
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import LocalBackend
from tests.faults import Fault, FaultProxy
from tests.servers import free_port

SECRET = "hf_SECRET_token_never_shown_0123456789"  # noqa: S105 - a made-up token to look for


def assert_clean(exc: BackendError, *secrets: str) -> None:
    """A page may show this error: no token, no traceback, no HTML."""
    for text in (str(exc), exc.message, exc.detail or "", error_message(exc)):
        for secret in (SECRET, *secrets):
            assert secret not in text
        assert "Traceback" not in text
        assert "<html" not in text.lower() and "</" not in text


def jets_file(quality: float = 0.6, seed: int = 1) -> bytes:
    return to_parquet_bytes(make_predictions("jets", quality, seed))


# ---------------------------------------------------------------------------
# The real local backend
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(backend: LocalBackend) -> BackendClient:
    return BackendClient(backend.url)


def test_health_and_task_catalogue(client: BackendClient) -> None:
    assert client.health()["status"] == "ok"
    tasks = {t.name: t for t in client.tasks()}
    assert set(KNOWN_TASK_ORDER) <= set(tasks)
    assert tasks["tracking"].direction("fake_rate") is False
    assert tasks["tracking_latency"].primary == "wallclock_s"


def test_seeded_leaderboards_are_normalised(seeded_backend: LocalBackend) -> None:
    client = BackendClient(seeded_backend.url)
    raw = requests.get(f"{seeded_backend.url}/v1/leaderboard/jets", timeout=10).json()
    assert isinstance(raw[0]["scores"], str)  # the quirks really arrive over the wire
    assert isinstance(raw[0]["credits_earned"], str)
    for task in client.tasks():
        board = leaderboard_frame(client.leaderboard_payload(task.name))
        assert not board.empty, task.name
        assert list(board.columns[: len(api.LEADERBOARD_COLUMNS)]) == list(api.LEADERBOARD_COLUMNS)
        assert str(board["submitted_at"].dtype) == "datetime64[ns, UTC]"
        assert board["submitted_at"].is_monotonic_decreasing  # newest first, as sent
        assert board["is_baseline"].dtype == bool
        assert board["credits_earned"].dtype == float
        assert board["id"].is_unique
        for metric in task.metrics:
            assert board[metric_column(metric)].dtype == float
        assert board[metric_column(task.primary)].notna().any()
    assert len(client.leaderboard_payload("jets", limit=3)) == 3


def test_unknown_task_is_not_found(client: BackendClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.leaderboard_payload("no_such_task")
    assert caught.value.status == 404
    assert caught.value.message.startswith("Not found (404): Unknown task 'no_such_task'")


def test_submit_dedup_reproduce_and_ledger(fresh_backend: LocalBackend) -> None:
    client = BackendClient(fresh_backend.url)
    alice, bob = fresh_backend.token("alice"), fresh_backend.token("bob")
    data = jets_file()

    first = client.submit(alice, "jets", data, local_scores={"btag_auc": 0.5})
    assert first.deduplicated is False
    assert first.credits_earned == 150.0  # the first submission beats all three metrics
    assert set(first.scores) == {"btag_auc", "light_rej_70", "c_rej_70"}

    again = client.submit(alice, "jets", data)
    assert again.deduplicated is True
    assert again.submission_id == first.submission_id
    assert again.credits_earned == 0.0

    board = leaderboard_frame(client.leaderboard_payload("jets"))
    assert list(board["id"]) == [first.submission_id]
    assert board["credits_earned"].tolist() == [150.0]
    assert board[metric_column("btag_auc")].iloc[0] == pytest.approx(first.scores["btag_auc"])

    repro = client.reproduce(bob, "jets", first.submission_id, data)
    assert repro.within_tolerance is True
    assert repro.credits_earned == 20.0
    assert repro.original_scores == pytest.approx(first.scores)

    with pytest.raises(Rejected) as own:
        client.reproduce(alice, "jets", first.submission_id, data)
    assert own.value.message == "The backend rejected the file: You cannot reproduce your own submission"

    me = client.me(alice)
    assert (me.hf_username, me.credits) == ("alice", 160.0)
    assert me.created_at is not None and str(me.created_at.tz) == "UTC"

    ledger = client.transactions(alice)
    assert list(ledger["reason"]) == ["beat_jets", "signup"]  # newest first
    assert ledger["delta"].sum() == me.credits
    beat = ledger.iloc[0]
    assert (beat["task"], beat["submission_id"]) == ("jets", first.submission_id)
    assert isinstance(beat["metadata"], dict)
    bob_ledger = client.transactions(bob)
    assert bob_ledger["reason"].iloc[0] == "reproduction"
    assert bob_ledger["submission_id"].iloc[0] == first.submission_id


def test_files_the_backend_refuses(client: BackendClient, backend: LocalBackend) -> None:
    token = backend.token("client-refused")
    with pytest.raises(Rejected) as garbage:
        client.submit(token, "jets", b"this is not parquet")
    assert garbage.value.status == 400
    assert garbage.value.message.startswith("The backend rejected the file: Could not parse predictions as Parquet")
    assert_clean(garbage.value, token)

    wrong_columns = to_parquet_bytes(pa.table({"event_id": [1, 2], "oops": [0.1, 0.2]}))
    with pytest.raises(BackendFailed) as invalid:  # as the real backend: a bare 500, no reason
        client.submit(token, "jets", wrong_columns)
    assert invalid.value.status == 500
    assert invalid.value.detail == "Internal Server Error"
    assert_clean(invalid.value, token)

    with pytest.raises(BackendFailed) as not_an_id:
        client.reproduce(token, "jets", "not-a-uuid", jets_file())
    assert not_an_id.value.status == 500

    # After each 500 the backend dropped the connection unannounced: the next calls still work.
    assert client.me(token).hf_username == "client-refused"
    assert client.submit(token, "jets", jets_file()).deduplicated is False


def test_reads_right_after_real_500s_succeed(client: BackendClient, backend: LocalBackend) -> None:
    """The backend closes the connection after each 500; the pooled connection must not be
    reused, and a read that meets a dropped connection is sent again on a new one."""
    token = backend.token("after-a-crash")
    for _ in range(40):
        with pytest.raises(BackendFailed):
            client.leaderboard_payload("jets", limit=-1)
        assert isinstance(client.leaderboard_payload("jets", limit=5), list)
        with pytest.raises(BackendFailed):
            client.transactions(token, limit=-1)
        assert client.transactions(token, limit=5)["reason"].tolist()[-1] == "signup"


def test_sign_in_problems(client: BackendClient, backend: LocalBackend) -> None:
    with pytest.raises(AuthExpired) as invalid:
        client.me(SECRET)
    assert invalid.value.message == "Your sign-in has expired or is invalid (401): sign in again."
    assert invalid.value.detail == "Invalid HuggingFace token"
    assert_clean(invalid.value)

    expired = backend.token("client-expired", expires_in=-60)
    with pytest.raises(AuthExpired) as late:
        client.transactions(expired)
    assert_clean(late.value, expired)

    with pytest.raises(AuthExpired) as missing:
        client.submit("", "jets", jets_file())
    assert missing.value.status is None

    revoked = backend.token("client-revoked")
    client.me(revoked)  # creates the user
    with sqlite3.connect(backend.db_path) as conn:
        conn.execute("UPDATE users SET revoked = 1 WHERE hf_username = 'client-revoked'")
    with pytest.raises(AccountRevoked) as refused:
        client.me(revoked)
    assert refused.value.message == (
        "The backend refused this account (403): This account has been revoked. Contact an admin."
    )
    assert_clean(refused.value, revoked)


def test_client_never_keeps_a_token(client: BackendClient, backend: LocalBackend) -> None:
    token = backend.token("client-stateless")
    client.me(token)
    client.transactions(token)
    for session in (client._browse, client._upload):
        assert "Authorization" not in session.headers
    assert token not in repr(vars(client))


def test_outage_and_recovery(fresh_backend: LocalBackend) -> None:
    client = BackendClient(fresh_backend.url)
    assert client.tasks()
    fresh_backend.stop()
    with pytest.raises(BackendUnreachable) as down:
        client.tasks()
    assert down.value.message.startswith(f"Cannot reach the ColliderML backend at {fresh_backend.url}")
    assert down.value.status is None
    fresh_backend.start()
    assert client.tasks()


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = BackendClient(url)
    with pytest.raises(BackendUnreachable) as caught:
        client.leaderboard_payload("jets")
    assert url in caught.value.message
    with pytest.raises(BackendUnreachable):
        client.submit(SECRET, "jets", b"x")
    assert_clean(caught.value)


def test_an_invalid_backend_url() -> None:
    with pytest.raises(BackendUnreachable) as caught:
        BackendClient("api.colliderml.com").health()
    assert "not a valid http(s) URL" in caught.value.message


# ---------------------------------------------------------------------------
# Faults, served for real by a proxy in front of the local backend
# ---------------------------------------------------------------------------


@pytest.fixture
def proxy(backend: LocalBackend) -> Iterator[FaultProxy]:
    faults = FaultProxy(backend.url)
    yield faults
    faults.close()


HTML_500 = (
    b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title>"
    b"<style>body{color:red}</style></head><body><h1>Internal Server Error</h1>"
    b"<p>The server encountered an internal error.</p></body></html>"
)


def test_html_error_page_becomes_a_short_sentence(proxy: FaultProxy) -> None:
    proxy.fail("GET", r"^/v1/leaderboard/jets", Fault(500, HTML_500, "text/html"))
    with pytest.raises(BackendFailed) as caught:
        BackendClient(proxy.url).leaderboard_payload("jets")
    assert caught.value.status == 500
    assert caught.value.detail == "500 Internal Server Error"
    assert caught.value.message == (
        "The ColliderML backend failed on GET /v1/leaderboard/jets (500: 500 Internal Server Error)."
    )
    assert_clean(caught.value)
    assert proxy.count("GET", r"^/v1/leaderboard/jets") == 1  # a 500 is not retried


def test_a_connection_that_answered_500_is_not_reused(proxy: FaultProxy) -> None:
    client = BackendClient(proxy.url)
    proxy.fail("GET", r"^/v1/leaderboard/jets", Fault(500, drop_after=True))
    with pytest.raises(BackendFailed):
        client.leaderboard_payload("jets")
    proxy.clear()
    client.leaderboard_payload("jets")
    crashed, after = proxy.received("GET", r"^/v1/leaderboard/jets")
    assert after.port != crashed.port and proxy.hung_up == 0, "a new connection after the 500"
    proxy.fail("POST", r"/submit$", Fault(500, drop_after=True))  # the same for uploads, never retried
    with pytest.raises(BackendFailed):
        client.submit(SECRET, "jets", jets_file())
    proxy.clear()
    with pytest.raises(AuthExpired):  # answered (401 for the made-up token), not "connection lost"
        client.submit(SECRET, "jets", jets_file())


def test_a_read_whose_connection_was_dropped_is_sent_again(proxy: FaultProxy) -> None:
    client = BackendClient(proxy.url)
    proxy.fail("GET", r"^/healthz", Fault(200, b'{"status": "ok"}', "application/json", drop_after=True))
    assert client.health() == {"status": "ok"}
    proxy.clear()
    assert client.health()["status"] == "ok"  # met the dead connection, then a new one
    first, second = proxy.received("GET", r"^/healthz")
    assert first.port != second.port and proxy.hung_up == 1


def test_a_post_whose_connection_was_dropped_is_not_sent_again(proxy: FaultProxy) -> None:
    client = BackendClient(proxy.url)
    proxy.fail(
        "POST", r"/submit$", Fault(401, b'{"detail": "Invalid HuggingFace token"}', "application/json", drop_after=True)
    )
    with pytest.raises(AuthExpired):
        client.submit(SECRET, "jets", jets_file())
    with pytest.raises(ConnectionLost) as caught:
        client.submit(SECRET, "jets", jets_file())
    assert caught.value.message == (
        f"The ColliderML backend at {proxy.url} closed the connection before it answered "
        "POST /v1/benchmark/jets/submit."
    )
    assert proxy.count("POST", r"/submit$") == 1 and proxy.hung_up == 1
    assert_clean(caught.value)


def test_the_shared_client_keeps_no_cookie(proxy: FaultProxy, backend: LocalBackend) -> None:
    """One client serves every user: a cookie set on one user's answer must not reach another's request."""
    client = BackendClient(proxy.url)
    proxy.add_headers("GET", r"^/v1/", {"Set-Cookie": "session=alice-only; Path=/"})
    assert client.me(backend.token("cookie-alice")).hf_username == "cookie-alice"
    client.leaderboard_payload("jets")
    assert client.me(backend.token("cookie-bob")).hf_username == "cookie-bob"
    client.submit(backend.token("cookie-bob"), "jets", jets_file())
    seen = proxy.received("GET", r"^/v1/") + proxy.received("POST", r"^/v1/")
    assert len(seen) == 4
    assert all("cookie" not in {k.lower() for k in r.headers} for r in seen)


def test_submit_crash_hints_at_the_file_and_is_sent_once(proxy: FaultProxy) -> None:
    body = b'Internal Server Error\nTraceback (most recent call last):\n  File "app.py"\nValueError: x'
    proxy.fail("POST", r"/submit$", Fault(500, body))
    with pytest.raises(BackendFailed) as caught:
        BackendClient(proxy.url).submit(SECRET, "jets", jets_file())
    assert caught.value.detail == "Internal Server Error"
    assert "without a reason, when it cannot validate a file or store its scores; nothing was stored" in (
        caught.value.message
    )
    assert_clean(caught.value)
    assert proxy.count("POST", r"/submit$") == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>Welcome to nginx!</body></html>", "text/html"),
        (b'[{"id": "a", "scores": ', "application/json"),
        (b"", "application/json"),
    ],
)
def test_a_2xx_that_is_not_json(proxy: FaultProxy, body: bytes, content_type: str) -> None:
    proxy.fail("GET", r"^/v1/leaderboard/", Fault(200, body, content_type))
    with pytest.raises(BackendBadResponse) as caught:
        BackendClient(proxy.url).leaderboard_payload("jets")
    assert "not JSON" in caught.value.message
    assert_clean(caught.value)


def test_a_2xx_of_the_wrong_shape(proxy: FaultProxy) -> None:
    proxy.fail("GET", r"^/v1/leaderboard/", Fault(200, b'{"rows": []}', "application/json"))
    proxy.fail("GET", r"^/v1/me$", Fault(200, b'{"credits": 5}', "application/json"))
    client = BackendClient(proxy.url)
    with pytest.raises(BackendBadResponse) as board:
        client.leaderboard_payload("jets")
    assert "a JSON dict where a list was expected" in board.value.message
    with pytest.raises(BackendBadResponse):
        client.me(SECRET)


def test_a_cut_off_body(proxy: FaultProxy) -> None:
    cut = Fault(200, b'[{"name": "jets"', "application/json", truncate=True)
    proxy.fail("GET", r"^/v1/benchmark/tasks", cut)
    with pytest.raises(ConnectionLost) as caught:  # the connection went mid-answer: worth trying again
        BackendClient(proxy.url).tasks()
    assert "cut off" in caught.value.message


def test_rate_limited(proxy: FaultProxy) -> None:
    detail = b'{"detail": "Too many submissions in the last 5 minutes. Please wait a moment."}'
    proxy.fail("POST", r"/submit$", Fault(429, detail, "application/json"))
    with pytest.raises(RateLimited) as caught:
        BackendClient(proxy.url).submit(SECRET, "jets", jets_file())
    assert caught.value.message == "Too many requests (429): wait a minute and try again."
    assert caught.value.detail == "Too many submissions in the last 5 minutes. Please wait a moment."


def test_paused_submissions_are_not_retried(proxy: FaultProxy) -> None:
    detail = b'{"detail": "Submissions are temporarily frozen by an admin. Please try again later."}'
    proxy.fail("POST", r"/submit$", Fault(503, detail, "application/json"))
    with pytest.raises(SubmissionsPaused) as caught:
        BackendClient(proxy.url).submit(SECRET, "jets", jets_file())
    assert caught.value.message == (
        "Submissions are paused by an admin (503): "
        "Submissions are temporarily frozen by an admin. Please try again later."
    )
    assert proxy.count("POST", r"/submit$") == 1


def test_gateway_errors_on_reads_are_retried_twice(proxy: FaultProxy) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    proxy.fail("GET", r"^/v1/leaderboard/", Fault(502, page, "text/html"))
    with pytest.raises(BackendFailed) as caught:
        BackendClient(proxy.url).leaderboard_payload("tracking")
    assert proxy.count("GET", r"^/v1/leaderboard/") == 3
    assert caught.value.message == (
        "The ColliderML backend failed on GET /v1/leaderboard/tracking (502: 502 Bad Gateway). "
        "It may be restarting: try again in a minute."
    )


def test_a_404_from_something_else(proxy: FaultProxy) -> None:
    proxy.fail("GET", r"^/v1/benchmark/tasks", Fault(404, b"<h1>Not Found</h1>", "text/html"))
    with pytest.raises(NotFound) as caught:
        BackendClient(proxy.url).tasks()
    assert f"Is {proxy.url} the ColliderML backend?" in caught.value.message


def test_slow_answers(proxy: FaultProxy) -> None:
    proxy.fail("GET", r"^/healthz", Fault(200, b'{"status": "ok"}', "application/json", delay_s=0.3))
    assert BackendClient(proxy.url, read_timeout=30).health() == {"status": "ok"}

    proxy.fail("GET", r"^/v1/leaderboard/", Fault(200, b"[]", "application/json", delay_s=3))
    with pytest.raises(BackendTimeout) as caught:
        BackendClient(proxy.url, read_timeout=0.5).leaderboard_payload("jets")
    assert caught.value.message == (
        f"The ColliderML backend at {proxy.url} did not answer GET /v1/leaderboard/jets within 0.5 s."
    )
    assert proxy.count("GET", r"^/v1/leaderboard/") == 1  # a read timeout is not retried


# ---------------------------------------------------------------------------
# What goes over the wire, recorded by a tiny real server
# ---------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """Answers every request with `status`/`body` (where `{auth}` is replaced by the
    Authorization header it received) and records the requests."""

    status: int = 200
    body: str = "{}"
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorder.seen.append(Seen(self.command, self.path, dict(self.headers), self.rfile.read(length)))
                payload = recorder.body.replace("{auth}", self.headers.get("Authorization", ""))
                data = payload.encode()
                self.send_response(recorder.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


def multipart_fields(seen: Seen) -> dict[str, tuple[str | None, Any]]:
    """{field name: (file name, bytes)} of a multipart/form-data body."""
    head = f"Content-Type: {seen.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + seen.body)
    return {
        str(part.get_param("name", header="content-disposition")): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


def test_submit_sends_what_colliderml_sends(recorder: Recorder) -> None:
    recorder.body = json.dumps(
        {"submission_id": "u-1", "scores": '{"auc": 0.9, "rej": null}', "credits_earned": "50.000"}
    )
    client = BackendClient(recorder.url)
    result = client.submit("token-a", "new task", b"PAR1...", local_scores={"auc": 0.91}, model_repo_id="a/m")
    client.submit("token-b", "jets", b"PAR1...")

    first, second = recorder.seen
    assert (first.method, first.path) == ("POST", "/v1/benchmark/new%20task/submit")
    assert first.headers["Authorization"] == "Bearer token-a"
    assert second.headers["Authorization"] == "Bearer token-b"  # per call, nothing kept
    fields = multipart_fields(first)
    assert fields["predictions"] == ("predictions.parquet", b"PAR1...")
    assert json.loads(fields["local_scores"][1]) == {"auc": 0.91}
    assert fields["model_repo_id"][1] == b"a/m"
    assert set(multipart_fields(second)) == {"predictions", "local_scores"}
    assert multipart_fields(second)["local_scores"][1] == b"{}"

    assert result.submission_id == "u-1"
    assert result.credits_earned == 50.0
    assert result.scores["auc"] == 0.9
    assert pd.isna(result.scores["rej"])
    assert result.deduplicated is False


def test_reads_send_no_authorization_and_token_reads_do(recorder: Recorder) -> None:
    recorder.body = "[]"
    client = BackendClient(recorder.url)
    client.leaderboard_payload("jets", limit=5)
    client.transactions("token-c", limit=7)
    board, ledger = recorder.seen
    assert board.path == "/v1/leaderboard/jets?limit=5"
    assert "Authorization" not in board.headers
    assert ledger.path == "/v1/me/transactions?limit=7"
    assert ledger.headers["Authorization"] == "Bearer token-c"


def test_a_token_echoed_by_the_server_is_redacted(recorder: Recorder) -> None:
    recorder.status = 400
    recorder.body = '{"detail": "Bad header: {auth}"}'
    with pytest.raises(Rejected) as caught:
        BackendClient(recorder.url).submit(SECRET, "jets", b"x")
    assert caught.value.detail == "Bad header: Bearer ***"
    assert_clean(caught.value)


def test_validation_error_lists_become_one_line(recorder: Recorder) -> None:
    recorder.status = 422
    recorder.body = json.dumps(
        {"detail": [{"loc": ["body", "predictions"], "msg": "Field required", "type": "missing"}]}
    )
    with pytest.raises(Rejected) as caught:
        BackendClient(recorder.url).submit("t", "jets", b"x")
    assert caught.value.message == "The backend rejected the file: body.predictions: Field required"


# ---------------------------------------------------------------------------
# Normalisation of the contract's quirks (pure functions)
# ---------------------------------------------------------------------------

QUIRKY_ROWS: list[Any] = [
    {
        "id": "new",
        "hf_username": "alice",
        "submitted_at": "2026-05-02T10:00:00Z",
        "scores": '{"auc": 0.9, "rej": "120.5", "added_later": 3}',
        "is_baseline": False,
        "n_params": "1200",
        "code_url": "https://github.com/a/b",
        "model_repo_id": "alice/model",
        "credits_earned": "150.000",
    },
    {
        "id": "old",
        "hf_username": "bob",
        "submitted_at": "2026-05-01T09:00:00.123456+00:00",
        "scores": {"auc": None, "rej": 80},
        "is_baseline": True,
        "n_params": None,
        "code_url": None,
        "credits_earned": 50,
    },
    {"id": 7, "submitted_at": "2026-05-01 08:00:00", "scores": "not json", "credits_earned": "lots"},
    {"hf_username": "no-id", "scores": {"auc": 1.0}},
    {"id": None, "scores": {"auc": 1.0}},
    {"id": "  ", "scores": {"auc": 1.0}},
    "garbage",
    None,
    ["a", "list"],
]


def test_leaderboard_rows_are_normalised() -> None:
    board = leaderboard_frame(QUIRKY_ROWS)
    assert list(board["id"]) == ["new", "old", "7"]
    assert list(board.columns) == [
        *api.LEADERBOARD_COLUMNS,
        "score.auc",
        "score.rej",
        "score.added_later",
    ]
    assert board["score.auc"].tolist()[0] == 0.9
    assert board["score.auc"].isna().tolist() == [False, True, True]
    assert board["score.rej"].tolist()[:2] == [120.5, 80.0]
    assert board["score.added_later"].isna().tolist() == [False, True, True]
    assert board["credits_earned"].tolist()[:2] == [150.0, 50.0]
    assert pd.isna(board["credits_earned"].iloc[2])
    assert board["n_params"].tolist()[0] == 1200.0
    assert board["is_baseline"].tolist() == [False, True, False]
    assert board["code_url"].tolist() == ["https://github.com/a/b", None, None]
    assert board["model_repo_id"].tolist() == ["alice/model", None, None]
    assert board["hf_username"].tolist() == ["alice", "bob", ""]
    assert board["submitted_at"].tolist() == [
        pd.Timestamp("2026-05-02T10:00:00Z"),
        pd.Timestamp("2026-05-01T09:00:00.123456Z"),
        pd.Timestamp("2026-05-01T08:00:00Z"),  # naive means UTC
    ]
    assert str(board["submitted_at"].dtype) == "datetime64[ns, UTC]"


def test_an_empty_leaderboard_has_the_columns() -> None:
    board = leaderboard_frame([])
    assert list(board.columns) == list(api.LEADERBOARD_COLUMNS)
    assert str(board["submitted_at"].dtype) == "datetime64[ns, UTC]"


def test_ledger_rows_are_normalised() -> None:
    ledger = transactions_frame(
        [
            {
                "id": 42,
                "delta": "50.000",
                "reason": "beat_jets",
                "metadata": '{"submission_id": "s-1", "scores": {"auc": 0.9}}',
                "created_at": "2026-05-01T12:00:00Z",
            },
            {
                "id": 41,
                "delta": -5,
                "reason": "spent_on_request",
                "metadata": None,
                "created_at": "2026-05-01T11:00:00+00:00",
            },
            {"id": 40, "delta": 20.0, "reason": "reproduction", "metadata": {"task": "anomaly"}},
            {"id": 39, "delta": 10, "reason": "some_new_reason", "metadata": "{broken"},
            {"delta": 99},
            "garbage",
        ]
    )
    assert list(ledger.columns) == list(api.TRANSACTION_COLUMNS)
    assert ledger["id"].tolist() == ["42", "41", "40", "39"]
    assert ledger["delta"].tolist() == [50.0, -5.0, 20.0, 10.0]
    assert ledger["task"].tolist() == ["jets", None, "anomaly", None]
    assert ledger["submission_id"].tolist() == ["s-1", None, None, None]
    assert ledger["metadata"].tolist()[:2] == [{"submission_id": "s-1", "scores": {"auc": 0.9}}, {}]
    assert ledger["created_at"].iloc[0] == pd.Timestamp("2026-05-01T12:00:00Z")
    assert pd.isna(ledger["created_at"].iloc[2])


def test_parse_scores_accepts_both_shapes() -> None:
    assert api.parse_scores('{"a": 1, "b": "2.5"}') == {"a": 1.0, "b": 2.5}
    assert api.parse_scores({"a": 1}) == {"a": 1.0}
    for garbage in (None, "", "[1, 2]", "{broken", 5):
        assert api.parse_scores(garbage) == {}


def test_error_message_for_anything() -> None:
    leaky = RuntimeError(f"HTTP 500 with Authorization: Bearer {SECRET}")
    message = error_message(leaky)
    assert "RuntimeError" in message
    assert SECRET not in message
    assert error_message(RateLimited("Too many requests (429): wait a minute and try again.", 429)) == (
        "Too many requests (429): wait a minute and try again."
    )


@pytest.mark.parametrize("answer", [{}, {"within_tolerance": None, "credits_earned": 0}, {"within_tolerance": [True]}])
def test_a_reproduction_answer_without_a_verdict_is_not_read_as_a_failure(proxy: FaultProxy, answer: object) -> None:
    proxy.fail("POST", r"/reproduce/", Fault(200, json.dumps(answer).encode(), "application/json"))
    with pytest.raises(BackendBadResponse) as caught:
        BackendClient(proxy.url).reproduce(SECRET, "jets", "0b7c2a6e-2c1b-4f0e-9a43-1f0b2c3d4e5f", jets_file())
    assert "does not say whether it was within 2%" in caught.value.message
    assert_clean(caught.value)
