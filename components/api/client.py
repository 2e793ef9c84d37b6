"""The one client of the ColliderML backend: timeouts, retries, connections, routes.

It never stores a token: each call that needs one takes it as an argument, so one client (one
connection pool) serves every user session of the app. Answers come back through contract.py's
normalisation; failures as errors.py's `BackendError`s.
"""

from __future__ import annotations

import json
import math
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from components.api.contract import (
    Me,
    ReproduceResult,
    SubmitResult,
    as_flag,
    as_float,
    as_optional_str,
    one_timestamp,
    parse_scores,
    transactions_frame,
)
from components.api.errors import AuthExpired, BackendBadResponse, not_json_error, status_error, transport_error
from components.tasks import TaskInfo, from_backend


class _RetryDroppedConnections(Retry):
    """Retries a read whose connection the server dropped, but never one that timed out.

    The real backend closes the connection after every unhandled 500 without saying so
    (no `Connection: close`), so the next request on that pooled connection meets a reset;
    a GET is safe to send again on a new one. A read timeout already cost the full timeout.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


class _DropConnectionAfter5xx(HTTPAdapter):
    """Closes a connection that answered 5xx instead of pooling it: a backend that crashed
    while answering has usually closed its end already."""

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        if response.status_code >= 500:
            connection = resp.connection
            _ = response.content  # read the body while the connection is still ours
            if connection is not None:
                connection.close()
        return response


def _session(retry: Retry) -> requests.Session:
    """A pooled session that keeps no cookies: it is shared by every user, so a cookie one
    user's answer set must never ride along on another user's request."""
    session = requests.Session()
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = _DropConnectionAfter5xx(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class BackendClient:
    """Client of one ColliderML backend, safe to share between user sessions.

    GETs retry twice with backoff on connection failures, dropped connections and
    502/503/504 (a deploy, a proxy hiccup, a backend that crashed on the request before); a
    read timeout is not retried (it already cost `read_timeout`), and a Retry-After header is
    not obeyed (it may ask for minutes). POSTs are never retried: they run on a second
    session without retries, so a submission is sent at most once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 20,
        submit_timeout: float = 900,
    ):
        self.base_url = base_url.strip().rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.submit_timeout = submit_timeout
        self._browse = _session(
            _RetryDroppedConnections(
                total=2,
                connect=2,
                read=2,
                status=2,
                backoff_factor=0.3,
                allowed_methods=frozenset({"GET"}),
                status_forcelist=(502, 503, 504),
                raise_on_status=False,
                respect_retry_after_header=False,
            )
        )
        self._upload = _session(Retry(total=0, read=False, raise_on_status=False))

    def __repr__(self) -> str:
        return f"BackendClient({self.base_url!r})"

    def close(self) -> None:
        self._browse.close()
        self._upload.close()

    # -- transport ---------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        needs_token: bool = False,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        read_timeout: float | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON, or raise a BackendError."""
        if needs_token and not (token and token.strip()):
            raise AuthExpired("You are not signed in: sign in to do this.", status=None)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token.strip()}"
        where = f"{method} {path}"
        timeout = (self.connect_timeout, read_timeout or self.read_timeout)
        session = self._browse if method == "GET" else self._upload
        try:
            response = session.request(
                method,
                self.base_url + path,
                headers=headers,
                params=params,
                data=data,
                files=files,
                timeout=timeout,
            )
        except requests.exceptions.RequestException as exc:
            raise transport_error(self.base_url, exc, where, timeout) from None
        if response.status_code >= 400:
            raise status_error(self.base_url, response, where, token, with_file=files is not None)
        try:
            return response.json()
        except ValueError:
            raise not_json_error(self.base_url, response, where, token) from None

    def _expect(self, body: Any, kind: type, where: str) -> Any:
        if not isinstance(body, kind):
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} answered {where} with a JSON "
                f"{type(body).__name__} where {'a list' if kind is list else 'an object'} "
                "was expected."
            )
        return body

    # -- routes ------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """`/healthz` as a dict ({"status": "ok", ...})."""
        result: dict[str, Any] = self._expect(self._request("GET", "/healthz"), dict, "GET /healthz")
        return result

    def tasks(self) -> list[TaskInfo]:
        """The backend's task catalogue; entries that cannot be read are skipped."""
        path = "/v1/benchmark/tasks"
        body = self._expect(self._request("GET", path), list, f"GET {path}")
        found: list[TaskInfo] = []
        for entry in body:
            try:
                found.append(from_backend(entry))
            except ValueError:
                continue
        return found

    def leaderboard_payload(self, task: str, limit: int = 1000) -> list[Any]:
        """A task's submissions as the backend sent them, newest first (contract.leaderboard_frame
        normalises them): a refresh compares these with the rows it holds before building anything."""
        path = f"/v1/leaderboard/{quote(task, safe='')}"
        body = self._request("GET", path, params={"limit": int(limit)})
        return self._expect(body, list, f"GET {path}")

    def me(self, token: str) -> Me:
        """The signed-in user and their authoritative credit balance."""
        body = self._expect(self._request("GET", "/v1/me", token=token, needs_token=True), dict, "GET /v1/me")
        username = as_optional_str(body.get("hf_username"))
        credits = as_float(body.get("credits"))
        if username is None or math.isnan(credits):
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} answered GET /v1/me without a user name or credit balance."
            )
        return Me(
            hf_username=username,
            credits=credits,
            email=as_optional_str(body.get("email")),
            created_at=one_timestamp(body.get("created_at")),
            last_seen_at=one_timestamp(body.get("last_seen_at")),
        )

    def transactions(self, token: str, limit: int = 1000) -> pd.DataFrame:
        """The user's credit ledger, newest first (see transactions_frame)."""
        path = "/v1/me/transactions"
        body = self._request("GET", path, token=token, needs_token=True, params={"limit": int(limit)})
        return transactions_frame(self._expect(body, list, f"GET {path}"))

    def _post_predictions(
        self, path: str, token: str, data: bytes, filename: str, form: dict[str, str]
    ) -> dict[str, Any]:
        """POST a predictions file as multipart, with the long scoring timeout; a JSON object back."""
        body: dict[str, Any] = self._expect(
            self._request(
                "POST",
                path,
                token=token,
                needs_token=True,
                data=form or None,
                files={"predictions": (filename, data, "application/octet-stream")},
                read_timeout=self.submit_timeout,
            ),
            dict,
            f"POST {path}",
        )
        return body

    def submit(
        self,
        token: str,
        task: str,
        data: bytes,
        *,
        filename: str = "predictions.parquet",
        local_scores: dict[str, float] | None = None,
        model_repo_id: str | None = None,
    ) -> SubmitResult:
        """Upload predictions the way colliderml's own client does; scoring can take
        minutes, hence the long `submit_timeout`, and the POST is never retried."""
        path = f"/v1/benchmark/{quote(task, safe='')}/submit"
        form = {"local_scores": json.dumps(local_scores or {})}
        if model_repo_id:
            form["model_repo_id"] = model_repo_id
        body = self._post_predictions(path, token, data, filename, form)
        submission_id = as_optional_str(body.get("submission_id"))
        if submission_id is None:
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} accepted the file but its answer has no submission id."
            )
        credits = as_float(body.get("credits_earned"))
        deduplicated = as_flag(body.get("deduplicated"))
        return SubmitResult(
            submission_id=submission_id,
            scores=parse_scores(body.get("scores")),
            # A deduplicated answer repeats what the original earned; nothing new was paid.
            credits_earned=0.0 if deduplicated or math.isnan(credits) else credits,
            deduplicated=deduplicated,
        )

    def reproduce(self, token: str, task: str, submission_id: str, data: bytes) -> ReproduceResult:
        """Re-score someone else's submission from a file; pays on every repeat, so pages
        should not invite repeats."""
        path = f"/v1/benchmark/{quote(task, safe='')}/reproduce/{quote(submission_id, safe='')}"
        body = self._post_predictions(path, token, data, "predictions.parquet", {})
        verdict = body.get("within_tolerance")
        if not isinstance(verdict, bool | str):
            # Reading a missing verdict as "not within 2%" would tell someone they failed.
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} took the reproduction but its answer does not "
                "say whether it was within 2%: your Credits page shows whether it paid."
            )
        credits = as_float(body.get("credits_earned"))
        return ReproduceResult(
            within_tolerance=as_flag(verdict),
            reproduced_scores=parse_scores(body.get("reproduced_scores")),
            original_scores=parse_scores(body.get("original_scores")),
            credits_earned=0.0 if math.isnan(credits) else credits,
        )
