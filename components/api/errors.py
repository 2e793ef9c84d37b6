"""Every way talking to the backend can fail, as one sentence a page can show.

`BackendError` and its kinds are what the client raises; `status_error` and `transport_error`
turn an HTTP answer or a transport failure into one, the backend's own words shortened, cleaned
of HTML and tracebacks, and with any echoed token hidden.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import MaxRetryError, ProtocolError

_EXCERPT_CHARS = 300


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
# From an answer or a transport failure to an error
# ---------------------------------------------------------------------------

#: Statuses whose meaning does not depend on the request (`{suffix}`: ": <the backend's detail>" or ".").
_BY_STATUS: dict[int, tuple[type[BackendError], str]] = {
    401: (AuthExpired, "Your sign-in has expired or is invalid (401): sign in again."),
    403: (AccountRevoked, "The backend refused this account (403){suffix}"),
    429: (RateLimited, "Too many requests (429): wait a minute and try again."),
}
#: Gateway and restart answers: the request may well go through a moment later.
TRANSIENT_STATUSES = frozenset({502, 503, 504})


def status_error(
    base_url: str, response: requests.Response, where: str, token: str | None, *, with_file: bool
) -> BackendError:
    """The error for an answer of 400 or more to `where` (e.g. "GET /v1/me")."""
    status = response.status_code
    detail, from_backend_json = _error_detail(response)
    detail = _redact(detail, token)
    suffix = f": {detail}" if detail else "."
    reason = detail or (response.reason or "no explanation")
    if status in (401, 403) and not token:
        # A public read refused: no sign-in is involved, so "sign in again" would mislead.
        kind = AuthExpired if status == 401 else AccountRevoked
        message = f"The backend refused {where} ({status}: {reason}), although it needs no sign-in: try again later."
        return kind(message, status, detail)
    if status in _BY_STATUS:
        known, template = _BY_STATUS[status]
        return known(template.format(suffix=suffix), status, detail)
    if status == 404 and from_backend_json:
        return NotFound(f"Not found (404){suffix}", status, detail)
    if status == 404:
        message = f"The backend at {base_url} has no route for {where} (404). Is {base_url} the ColliderML backend?"
        return NotFound(message, status, detail)
    if status == 503 and from_backend_json and with_file:  # a 503 on a read is an outage
        return SubmissionsPaused(f"Submissions are paused by an admin (503){suffix}", status, detail)
    if status < 500:
        what = "file" if with_file else "request"
        refusal = detail or f"{status} {response.reason or 'error'}"
        return Rejected(f"The backend rejected the {what}: {refusal}", status, detail)
    message = f"The ColliderML backend failed on {where} ({status}: {reason})."
    if with_file and status == 500:
        message += (
            " It answers 500, without a reason, when it cannot validate a file or store its scores; nothing was stored."
        )
    elif status in TRANSIENT_STATUSES:
        message += " It may be restarting: try again in a minute."
    return BackendFailed(message, status, detail)


def not_json_error(base_url: str, response: requests.Response, where: str, token: str | None) -> BackendBadResponse:
    """The error for a 2xx answer that is not JSON (a proxy's page, a wrong URL)."""
    excerpt = _redact(_clean_text(response.text), token) or "an empty body"
    return BackendBadResponse(
        f"The ColliderML backend at {base_url} answered {where} with something that is not JSON ({excerpt!r}). "
        f"Is {base_url} the ColliderML backend?",
        status=response.status_code,
        detail=excerpt,
    )


def _dropped(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection error is a connection lost after it was made (not a refusal)."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ProtocolError)


def transport_error(
    base_url: str, exc: requests.exceptions.RequestException, where: str, timeouts: tuple[float, float]
) -> BackendError:
    """The error for a request to `where` that got no complete answer; `timeouts`: (connect, read)."""
    backend = f"The ColliderML backend at {base_url}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return BackendUnreachable(f"{backend} did not accept a connection within {timeouts[0]:g} s.")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return BackendTimeout(f"{backend} did not answer {where} within {timeouts[1]:g} s.")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return ConnectionLost(
            f"The answer of the ColliderML backend at {base_url} to {where} was cut off: the connection was lost."
        )
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return BackendBadResponse(f"The answer of the ColliderML backend at {base_url} to {where} was corrupted.")
    if isinstance(
        exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)
    ):
        return BackendUnreachable(f"The backend address {base_url!r} is not a valid http(s) URL.")
    if isinstance(exc, requests.exceptions.ConnectionError) and _dropped(exc):
        return ConnectionLost(f"{backend} closed the connection before it answered {where}.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        host = urlsplit(base_url).netloc or base_url
        return BackendUnreachable(
            f"Cannot reach the ColliderML backend at {base_url}: the connection to {host} failed (is it running?)."
        )
    return BackendUnreachable(f"Talking to the ColliderML backend at {base_url} failed ({type(exc).__name__}).")
