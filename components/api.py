"""HTTP client of the ColliderML backend, normalising every quirk of its contract.

The rest of the dashboard gets typed results and clean DataFrames, and every failure as a
`BackendError` whose message is the one sentence a page shows. The client never stores a
token: each call that needs one takes it as an argument, so one client (one connection
pool) can be shared by every user session of the app.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from components.leaderboard import METRIC_PREFIX
from components.tasks import TaskInfo, from_backend

LEADERBOARD_COLUMNS: tuple[str, ...] = (
    "id",
    "hf_username",
    "submitted_at",
    "is_baseline",
    "n_params",
    "code_url",
    "model_repo_id",
    "credits_earned",
)
TRANSACTION_COLUMNS: tuple[str, ...] = (
    "id",
    "delta",
    "reason",
    "task",
    "submission_id",
    "metadata",
    "created_at",
)
_EXCERPT_CHARS = 300


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class BackendError(Exception):
    """Any failure talking to the backend.

    `message` is a complete sentence for the user; `status` the HTTP status (None when no
    answer came); `detail` the backend's own explanation (its `detail` field, or a short
    cleaned excerpt of a non-JSON body), None when there is none.
    """

    def __init__(self, message: str, status: int | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


class BackendUnreachable(BackendError):
    """No connection could be made (refused, DNS, connect timeout, bad URL)."""


class ConnectionLost(BackendUnreachable):
    """Connected, but the connection was lost before the whole answer came."""


class BackendTimeout(BackendError):
    """Connected, but the answer did not come within the read timeout."""


class BackendBadResponse(BackendError):
    """A 2xx answer that is not JSON, not of the expected shape, or cut off."""


class AuthExpired(BackendError):
    """401: no token, or the token is expired or invalid."""


class AccountRevoked(BackendError):
    """403: the account has been revoked by an admin."""


class NotFound(BackendError):
    """404: unknown task, unknown submission or unknown route."""


class Rejected(BackendError):
    """400/422 (and other 4xx): the backend refused the request, `detail` says why."""


class RateLimited(BackendError):
    """429: too many requests in a short time."""


class SubmissionsPaused(BackendError):
    """503 with the backend's own detail: an admin has frozen submissions."""


class BackendFailed(BackendError):
    """Any other 5xx: the backend (or a proxy in front of it) failed."""


def error_message(exc: BaseException) -> str:
    """The one sentence a page shows for any exception.

    Unknown exceptions get a generic sentence naming only their class: their text may hold
    anything (a URL with a token, a traceback) and is not for users.
    """
    if isinstance(exc, BackendError):
        return exc.message
    return (
        f"Something went wrong in the dashboard ({type(exc).__name__}). "
        "Try again; if it keeps happening, please report it."
    )


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Me:
    hf_username: str
    credits: float
    email: str | None
    created_at: pd.Timestamp | None
    last_seen_at: pd.Timestamp | None


@dataclass(frozen=True)
class SubmitResult:
    submission_id: str
    scores: dict[str, float]
    credits_earned: float
    deduplicated: bool


@dataclass(frozen=True)
class ReproduceResult:
    within_tolerance: bool
    reproduced_scores: dict[str, float]
    original_scores: dict[str, float]
    credits_earned: float


# ---------------------------------------------------------------------------
# Normalisation of the contract's quirks
# ---------------------------------------------------------------------------


def _maybe_json(value: Any) -> Any:
    """Decode a value the backend may send JSON-encoded (scores, metadata); else as is."""
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _as_float(value: Any) -> float:
    """A number from a JSON number or a decimal string; NaN for null, bools and garbage."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


def _as_flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "t")
    return value is True or (isinstance(value, (int, float)) and value == 1)


def _as_optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_scores(value: Any) -> dict[str, float]:
    """Scores as an object or a JSON string -> {metric: float}; null values become NaN."""
    decoded = _maybe_json(value)
    if not isinstance(decoded, dict):
        return {}
    return {str(k): _as_float(v) for k, v in decoded.items()}


def _metadata(value: Any) -> dict[str, Any]:
    decoded = _maybe_json(value)
    return decoded if isinstance(decoded, dict) else {}


def to_utc(values: Any) -> pd.Series:
    """ISO-8601 strings (with or without microseconds, 'Z' or an offset; naive means UTC)
    -> datetime64[ns, UTC]; unreadable values become NaT."""
    parsed = pd.to_datetime(
        pd.Series(values, dtype=object), utc=True, errors="coerce", format="ISO8601"
    )
    return parsed.astype("datetime64[ns, UTC]")


def _one_timestamp(value: Any) -> pd.Timestamp | None:
    stamp = to_utc([value]).iloc[0]
    return None if pd.isna(stamp) else stamp


def _keyed_rows(payload: list[Any]) -> list[dict[str, Any]]:
    """Rows that are objects with a usable id; anything else is dropped."""
    return [
        row
        for row in payload
        if isinstance(row, dict) and _as_optional_str(row.get("id")) is not None
    ]


def leaderboard_frame(payload: list[Any]) -> pd.DataFrame:
    """Leaderboard rows -> the normalised frame (see LEADERBOARD_COLUMNS, plus one float
    column `leaderboard.metric_column(metric)` per metric seen, in order of first
    appearance)."""
    rows = _keyed_rows(payload)
    scores = [parse_scores(r.get("scores")) for r in rows]
    metrics = dict.fromkeys(metric for row_scores in scores for metric in row_scores)
    # Arrays where the dtype allows (Series keep None as None in the object columns): a refresh
    # runs this, and aligning a Series per column costs more than the rest.
    columns: dict[str, Any] = {
        "id": pd.array([str(r["id"]).strip() for r in rows], dtype="str"),
        "hf_username": pd.array([_as_optional_str(r.get("hf_username")) or "" for r in rows], dtype="str"),
        "submitted_at": to_utc([r.get("submitted_at") for r in rows]).array,
        "is_baseline": np.array([_as_flag(r.get("is_baseline")) for r in rows], dtype=bool),
        "n_params": np.array([_as_float(r.get("n_params")) for r in rows], dtype=float),
        "code_url": pd.Series([_as_optional_str(r.get("code_url")) for r in rows], dtype=object),
        "model_repo_id": pd.Series([_as_optional_str(r.get("model_repo_id")) for r in rows], dtype=object),
        "credits_earned": np.array([_as_float(r.get("credits_earned")) for r in rows], dtype=float),
    }
    for metric in metrics:
        columns[f"{METRIC_PREFIX}{metric}"] = np.array([s.get(metric, math.nan) for s in scores], dtype=float)
    return pd.DataFrame(columns)


def _transaction_task(reason: str, metadata: dict[str, Any]) -> str | None:
    if reason.startswith("beat_") and len(reason) > len("beat_"):
        return reason[len("beat_") :]
    return _as_optional_str(metadata.get("task"))


def transactions_frame(payload: list[Any]) -> pd.DataFrame:
    """Ledger rows -> DataFrame(TRANSACTION_COLUMNS); `task` comes from a `beat_<task>`
    reason or from metadata, `submission_id` from metadata."""
    rows = _keyed_rows(payload)
    metadata = [_metadata(r.get("metadata")) for r in rows]
    reasons = [_as_optional_str(r.get("reason")) or "" for r in rows]
    return pd.DataFrame(
        {
            "id": pd.Series([str(r["id"]).strip() for r in rows], dtype="str"),
            "delta": pd.Series([_as_float(r.get("delta")) for r in rows], dtype=float),
            "reason": pd.Series(reasons, dtype="str"),
            "task": pd.Series(
                [_transaction_task(r, m) for r, m in zip(reasons, metadata, strict=True)], dtype=object
            ),
            "submission_id": pd.Series(
                [_as_optional_str(m.get("submission_id")) for m in metadata], dtype=object
            ),
            "metadata": pd.Series(metadata, dtype=object),
            "created_at": to_utc([r.get("created_at") for r in rows]),
        }
    )


# ---------------------------------------------------------------------------
# Error bodies
# ---------------------------------------------------------------------------


def _shorten(text: str) -> str:
    """Cut any Python traceback, collapse whitespace and keep it short enough for a page."""
    text = text.split("Traceback (most recent call last)")[0]
    text = " ".join(text.split())
    if len(text) > _EXCERPT_CHARS:
        text = text[: _EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def _clean_text(body: str) -> str:
    """A short, human excerpt of a non-JSON body (plain text or an HTML error page: its
    title, or its text without tags)."""
    title = re.search(r"<title[^>]*>(.*?)</title>", body, flags=re.I | re.S)
    if title and title.group(1).strip():
        text = title.group(1)
    elif re.search(r"<[a-zA-Z!/][^>]*>", body):
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", body, flags=re.I | re.S)
        text = re.sub(r"<[^>]+>", " ", text)
    else:
        text = body
    return _shorten(html.unescape(text))


def _detail_text(detail: Any) -> str | None:
    """The backend's `detail`: a string, or FastAPI's list of validation errors."""
    if isinstance(detail, str):
        return _shorten(detail) or None
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = item.get("loc")
                where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
                parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
        return _shorten("; ".join(parts)) or None
    return None


def _error_detail(response: requests.Response) -> tuple[str | None, bool]:
    """(detail, came_from_backend_json) of an error answer."""
    try:
        body = response.json()
    except ValueError:
        return (_clean_text(response.text) or None, False)
    if isinstance(body, dict) and "detail" in body:
        return (_detail_text(body["detail"]), True)
    return (_clean_text(response.text) or None, False)


def _redact(text: str | None, token: str | None) -> str | None:
    """Hide a token a server echoed back. Strings shorter than 8 characters are no real
    token (Hugging Face's are 37+) and replacing them would mangle the message."""
    token = (token or "").strip()
    if text is None or len(token) < 8:
        return text
    return text.replace(token, "***")


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------


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


def _dropped(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection error is a connection lost after it was made (not a refusal)."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ProtocolError)


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
            raise self._transport_error(exc, where, timeout[1]) from None
        if response.status_code >= 400:
            raise self._status_error(response, where, token, with_file=files is not None)
        try:
            return response.json()
        except ValueError:
            excerpt = _redact(_clean_text(response.text), token) or "an empty body"
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} answered {where} with something "
                f"that is not JSON ({excerpt!r}). Is {self.base_url} the ColliderML backend?",
                status=response.status_code,
                detail=excerpt,
            ) from None

    def _transport_error(
        self, exc: requests.exceptions.RequestException, where: str, read_timeout: float
    ) -> BackendError:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return BackendUnreachable(
                f"The ColliderML backend at {self.base_url} did not accept a connection "
                f"within {self.connect_timeout:g} s."
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return BackendTimeout(
                f"The ColliderML backend at {self.base_url} did not answer {where} within "
                f"{read_timeout:g} s."
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return ConnectionLost(
                f"The answer of the ColliderML backend at {self.base_url} to {where} was cut "
                "off: the connection was lost."
            )
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return BackendBadResponse(
                f"The answer of the ColliderML backend at {self.base_url} to {where} was corrupted."
            )
        if isinstance(
            exc,
            (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ),
        ):
            return BackendUnreachable(
                f"The backend address {self.base_url!r} is not a valid http(s) URL."
            )
        if isinstance(exc, requests.exceptions.ConnectionError) and _dropped(exc):
            return ConnectionLost(
                f"The ColliderML backend at {self.base_url} closed the connection before it "
                f"answered {where}."
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            host = urlsplit(self.base_url).netloc or self.base_url
            return BackendUnreachable(
                f"Cannot reach the ColliderML backend at {self.base_url}: the connection to "
                f"{host} failed (is it running?)."
            )
        return BackendUnreachable(
            f"Talking to the ColliderML backend at {self.base_url} failed "
            f"({type(exc).__name__})."
        )

    def _status_error(
        self, response: requests.Response, where: str, token: str | None, *, with_file: bool
    ) -> BackendError:
        status = response.status_code
        detail, from_backend_json = _error_detail(response)
        detail = _redact(detail, token)
        suffix = f": {detail}" if detail else "."
        if status in (401, 403) and not token:
            # A public read refused: no sign-in is involved, so "sign in again" would mislead.
            kind = AuthExpired if status == 401 else AccountRevoked
            reason = detail or (response.reason or "no explanation")
            return kind(
                f"The backend refused {where} ({status}: {reason}), although it needs no sign-in: "
                "try again later.",
                status,
                detail,
            )
        if status == 401:
            return AuthExpired(
                "Your sign-in has expired or is invalid (401): sign in again.", status, detail
            )
        if status == 403:
            return AccountRevoked(
                f"The backend refused this account (403){suffix}", status, detail
            )
        if status == 404:
            if from_backend_json:
                return NotFound(f"Not found (404){suffix}", status, detail)
            return NotFound(
                f"The backend at {self.base_url} has no route for {where} (404). "
                f"Is {self.base_url} the ColliderML backend?",
                status,
                detail,
            )
        if status == 429:
            return RateLimited(
                "Too many requests (429): wait a minute and try again.", status, detail
            )
        if status == 503 and from_backend_json and with_file:  # a 503 on a read is an outage
            return SubmissionsPaused(
                f"Submissions are paused by an admin (503){suffix}", status, detail
            )
        if status < 500:
            what = "file" if with_file else "request"
            reason = detail or f"{status} {response.reason or 'error'}"
            return Rejected(f"The backend rejected the {what}: {reason}", status, detail)
        reason = detail or (response.reason or "no explanation")
        message = f"The ColliderML backend failed on {where} ({status}: {reason})."
        if with_file and status == 500:
            message += (
                " It answers 500, without a reason, when it cannot validate a file or store its "
                "scores; nothing was stored."
            )
        elif status in (502, 503, 504):
            message += " It may be restarting: try again in a minute."
        return BackendFailed(message, status, detail)

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
        result: dict[str, Any] = self._expect(
            self._request("GET", "/healthz"), dict, "GET /healthz"
        )
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
        """A task's submissions as the backend sent them, newest first: a refresh compares these
        with the rows it holds before building anything."""
        path = f"/v1/leaderboard/{quote(task, safe='')}"
        body = self._request("GET", path, params={"limit": int(limit)})
        return self._expect(body, list, f"GET {path}")

    def leaderboard(self, task: str, limit: int = 1000) -> pd.DataFrame:
        """A task's submissions (newest first, as the backend sends them), normalised."""
        return leaderboard_frame(self.leaderboard_payload(task, limit))

    def me(self, token: str) -> Me:
        """The signed-in user and their authoritative credit balance."""
        body = self._expect(
            self._request("GET", "/v1/me", token=token, needs_token=True), dict, "GET /v1/me"
        )
        username = _as_optional_str(body.get("hf_username"))
        credits = _as_float(body.get("credits"))
        if username is None or math.isnan(credits):
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} answered GET /v1/me without a "
                "user name or credit balance."
            )
        return Me(
            hf_username=username,
            credits=credits,
            email=_as_optional_str(body.get("email")),
            created_at=_one_timestamp(body.get("created_at")),
            last_seen_at=_one_timestamp(body.get("last_seen_at")),
        )

    def transactions(self, token: str, limit: int = 1000) -> pd.DataFrame:
        """The user's credit ledger, newest first (see transactions_frame)."""
        path = "/v1/me/transactions"
        body = self._request(
            "GET", path, token=token, needs_token=True, params={"limit": int(limit)}
        )
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
        submission_id = _as_optional_str(body.get("submission_id"))
        if submission_id is None:
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} accepted the file but its answer "
                "has no submission id."
            )
        credits = _as_float(body.get("credits_earned"))
        deduplicated = _as_flag(body.get("deduplicated"))
        return SubmitResult(
            submission_id=submission_id,
            scores=parse_scores(body.get("scores")),
            # A deduplicated answer repeats what the original earned; nothing new was paid.
            credits_earned=0.0 if deduplicated or math.isnan(credits) else credits,
            deduplicated=deduplicated,
        )

    def reproduce(
        self, token: str, task: str, submission_id: str, data: bytes
    ) -> ReproduceResult:
        """Re-score someone else's submission from a file; pays on every repeat, so pages
        should not invite repeats."""
        path = (
            f"/v1/benchmark/{quote(task, safe='')}/reproduce/{quote(submission_id, safe='')}"
        )
        body = self._post_predictions(path, token, data, "predictions.parquet", {})
        verdict = body.get("within_tolerance")
        if not isinstance(verdict, bool | str):
            # Reading a missing verdict as "not within 2%" would tell someone they failed.
            raise BackendBadResponse(
                f"The ColliderML backend at {self.base_url} took the reproduction but its answer does not "
                "say whether it was within 2%: your Credits page shows whether it paid."
            )
        credits = _as_float(body.get("credits_earned"))
        return ReproduceResult(
            within_tolerance=_as_flag(verdict),
            reproduced_scores=parse_scores(body.get("reproduced_scores")),
            original_scores=parse_scores(body.get("original_scores")),
            credits_earned=0.0 if math.isnan(credits) else credits,
        )
