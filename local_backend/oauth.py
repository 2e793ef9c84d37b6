"""A local stand-in for "Sign in with Hugging Face", with Hugging Face's shapes.

The dashboard signs people in with streamlit-oauth (authorization code +
PKCE S256, exchanged by httpx-oauth) and then sends the access token to the
backend, which asks Hugging Face's `whoami-v2` who it belongs to. Serving
the same routes locally (`/oauth/authorize`, `/oauth/token`,
`/oauth/userinfo`, `/api/whoami-v2`) lets the whole sign-in be exercised
offline, in a real browser, without pretending to *be* Hugging Face: the
consent page says plainly that it is a stand-in and asks for no password.

Codes and tokens are random and stored only as SHA-256 digests, so the
database file never holds a usable credential (tokens.py mints and reads
tokens; consent_page.py draws the pages). It answers only on loopback
host names and redirects only to loopback URIs: it signs anyone in
without a password, so it must never serve another machine.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
import secrets
import sqlite3
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from local_backend import consent_page, db, tokens

DEFAULT_CLIENT_ID = "colliderml-local"
#: Not a secret: the stand-in's well-known default, overridable with LOCAL_OAUTH_CLIENT_SECRET.
DEFAULT_CLIENT_SECRET = "colliderml-local-secret"  # noqa: S105

SCOPES_SUPPORTED = ("openid", "profile", "email", "inference-api")
CODE_LIFETIME = timedelta(minutes=5)
#: RFC 7636: an S256 challenge is 32 bytes in unpadded base64url; a verifier is 43-128 unreserved characters.
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
VERIFIER_RE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
#: How many existing users the consent page offers as one-click choices.
MAX_LISTED_USERS = 20

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str | None) -> bool:
    """`localhost` (and its subdomains) or a loopback address: a name only this machine answers to."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_host_only(request: Request) -> None:
    """The stand-in signs anyone in without a password: it must only ever serve this machine.

    Its issuer and links are built from the Host header, so a request naming another host is
    refused rather than answered with URLs pointing there.
    """
    if not is_loopback(request.url.hostname):
        raise HTTPException(421, "The local sign-in stand-in answers only on localhost or a loopback address.")


router = APIRouter(tags=["oauth (local stand-in)"], dependencies=[Depends(loopback_host_only)])
Conn = Annotated[sqlite3.Connection, Depends(db.get_conn)]
#: Form fields default to "" so a missing one gets this module's own error, not FastAPI's 422.
Param = Annotated[str, Form()]


def configured_client_id() -> str:
    """The one client this provider knows; read per request so tests can set the environment."""
    return os.environ.get("LOCAL_OAUTH_CLIENT_ID", DEFAULT_CLIENT_ID)


def configured_client_secret() -> str:
    """The registered client's secret (LOCAL_OAUTH_CLIENT_SECRET or the default)."""
    return os.environ.get("LOCAL_OAUTH_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)


# --------------------------------------------------------------------------- discovery


@router.get("/.well-known/openid-configuration")
def openid_configuration(request: Request) -> dict[str, Any]:
    """Discovery document; every URL is built from the request so any host/port works."""
    issuer = str(request.base_url).rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "scopes_supported": list(SCOPES_SUPPORTED),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
    }


# --------------------------------------------------------------------------- authorize


class AuthorizeError(ValueError):
    """A request the consent page refuses; its message is shown on a 400 page."""


def _authorization_request(
    response_type: str, client: str, redirect_uri: str, state: str, challenge: str, method: str, scope: str
) -> dict[str, str]:
    """Validate an authorization request; return its parameters, scope normalised.

    Errors are shown on a page and never sent to `redirect_uri`: with no
    registered redirect URIs, a request that fails here may be a forged one.
    """
    if response_type != "code":
        raise AuthorizeError("response_type must be 'code'.")
    if client != configured_client_id():
        raise AuthorizeError(f"Unknown client_id {client!r}.")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise AuthorizeError("redirect_uri must be an absolute http(s) URL without a fragment.")
    if not is_loopback(parts.hostname):
        raise AuthorizeError("redirect_uri must point at this machine (localhost or a loopback address).")
    if not state:
        raise AuthorizeError("state is required.")
    if method != "S256":
        raise AuthorizeError("code_challenge_method must be 'S256' (plain is not accepted).")
    if not CHALLENGE_RE.match(challenge):
        raise AuthorizeError("code_challenge must be an unpadded base64url SHA-256 (43 characters).")
    scopes = scope.split() or tokens.DEFAULT_SCOPE.split()
    unknown = [s for s in scopes if s not in SCOPES_SUPPORTED]
    if unknown:
        raise AuthorizeError(f"Unsupported scope: {' '.join(unknown)}.")
    return {
        "response_type": response_type,
        "client_id": client,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": method,
        "scope": " ".join(dict.fromkeys(scopes)),
    }


def _with_query(uri: str, params: dict[str, str]) -> str:
    """`uri` with `params` appended, keeping any query it already has."""
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return parts._replace(query=query).geturl()


def _known_users(conn: sqlite3.Connection) -> list[str]:
    """Recently seen users worth one click (only names the form would accept)."""
    rows = conn.execute(
        "SELECT hf_username FROM users ORDER BY COALESCE(last_seen_at, created_at) DESC, hf_username LIMIT ?",
        (MAX_LISTED_USERS,),
    ).fetchall()
    return [str(row["hf_username"]) for row in rows if tokens.USERNAME_RE.match(str(row["hf_username"]))]


@router.get("/oauth/authorize", response_class=HTMLResponse)
def authorize_page(
    conn: Conn,
    response_type: str = "",
    client_id: str = "",
    redirect_uri: str = "",
    state: str = "",
    code_challenge: str = "",
    code_challenge_method: str = "",
    scope: str = "",
) -> HTMLResponse:
    """Show the consent page; extra parameters (prompt, access_type, ...) are ignored like HF does."""
    try:
        params = _authorization_request(
            response_type, client_id, redirect_uri, state, code_challenge, code_challenge_method, scope
        )
    except AuthorizeError as error:
        return consent_page.error_page(str(error))
    return consent_page.consent_page(params, _known_users(conn))


@router.post("/oauth/authorize", response_model=None)
def authorize_decision(
    conn: Conn,
    response_type: Param = "",
    client_id: Param = "",
    redirect_uri: Param = "",
    state: Param = "",
    code_challenge: Param = "",
    code_challenge_method: Param = "",
    scope: Param = "",
    username: Param = "",
    decision: Param = "approve",
) -> Response:
    """Approve: store a one-time code and 303 back to the client; Deny: send access_denied."""
    try:
        params = _authorization_request(
            response_type, client_id, redirect_uri, state, code_challenge, code_challenge_method, scope
        )
    except AuthorizeError as error:
        return consent_page.error_page(str(error))
    if decision == "deny":
        return RedirectResponse(_with_query(redirect_uri, {"error": "access_denied", "state": state}), 303)
    username = username.strip()
    if not tokens.USERNAME_RE.match(username):
        message = (
            f"{username!r} is not a valid user name: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 39 characters."
        )
        return consent_page.consent_page(params, _known_users(conn), typed=username, error=message, status=400)
    code = secrets.token_urlsafe(32)
    now = tokens.now()
    with db.transaction(conn):
        conn.execute("DELETE FROM oauth_codes WHERE expires_at < ?", (db.timestamp(now),))
        conn.execute(
            "INSERT INTO oauth_codes (code_sha256, hf_username, client_id, redirect_uri, code_challenge,"
            " code_challenge_method, scope, expires_at, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                tokens.digest(code),
                username,
                client_id,
                redirect_uri,
                code_challenge,
                code_challenge_method,
                params["scope"],
                db.timestamp(now + CODE_LIFETIME),
            ),
        )
    return RedirectResponse(_with_query(redirect_uri, {"code": code, "state": state}), 303)


# --------------------------------------------------------------------------- token

#: RFC 6749 5.1: token answers must not be cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenError(ValueError):
    """A refused token request, answered as OAuth JSON `{"error", "error_description"}`."""

    def __init__(self, error: str, description: str, status: int = 400, basic: bool = False) -> None:
        super().__init__(description)
        self.error, self.description, self.status, self.basic = error, description, status, basic

    def response(self) -> JSONResponse:
        headers = dict(_NO_STORE)
        if self.basic:  # RFC 6749 5.2: a client that tried Basic is told which scheme to use.
            headers["WWW-Authenticate"] = 'Basic realm="oauth"'
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _check_client(request: Request, form_id: str, form_secret: str) -> str:
    """Authenticate the client by HTTP Basic or by form fields; return its id.

    streamlit-oauth sets httpx-oauth to `client_secret_basic`; httpx-oauth's
    own default is `client_secret_post`. Both are accepted. httpx puts the id
    and secret into the Basic header without form-encoding them first, so
    they are compared as sent.
    """
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    basic = scheme.lower() == "basic"
    if basic:
        try:
            form_id, _, form_secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError as error:
            raise TokenError("invalid_client", "Malformed Basic credentials.", 401, basic) from error
    if not form_id:
        raise TokenError("invalid_client", "Client authentication is required.", 401, basic)
    if form_id != configured_client_id() or not secrets.compare_digest(
        form_secret.encode(), configured_client_secret().encode()
    ):
        raise TokenError("invalid_client", "Unknown client or wrong client secret.", 401, basic)
    return form_id


def _pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _redeem_code(conn: sqlite3.Connection, code: str, client: str, redirect_uri: str, verifier: str) -> tuple[str, str]:
    """Check a code against everything bound to it and spend it; return (user name, scope).

    A refused attempt leaves the code unspent (the transaction rolls back),
    so only a successful exchange or its replay meets "already used".
    """
    with db.transaction(conn):
        row = conn.execute("SELECT * FROM oauth_codes WHERE code_sha256 = ?", (tokens.digest(code),)).fetchone()
        if row is None:
            raise TokenError("invalid_grant", "Unknown authorization code.")
        if row["used"]:
            raise TokenError("invalid_grant", "Authorization code already used.")
        if not tokens.is_live(row["expires_at"]):
            raise TokenError("invalid_grant", "Authorization code expired.")
        if row["client_id"] != client:
            raise TokenError("invalid_grant", "Authorization code was issued to another client.")
        if row["redirect_uri"] != redirect_uri:
            raise TokenError("invalid_grant", "redirect_uri does not match the authorization request.")
        if not secrets.compare_digest(_pkce_s256(verifier), row["code_challenge"]):
            raise TokenError("invalid_grant", "code_verifier does not match the code_challenge.")
        conn.execute("UPDATE oauth_codes SET used = 1 WHERE code_sha256 = ?", (row["code_sha256"],))
    return str(row["hf_username"]), str(row["scope"])


@router.post("/oauth/token")
def token(
    request: Request,
    conn: Conn,
    grant_type: Param = "",
    code: Param = "",
    redirect_uri: Param = "",
    code_verifier: Param = "",
    client_id: Param = "",
    client_secret: Param = "",
) -> JSONResponse:
    """Exchange an authorization code (with its PKCE verifier) for an access token."""
    try:
        client = _check_client(request, client_id, client_secret)
        if grant_type != "authorization_code":
            raise TokenError("unsupported_grant_type", "Only grant_type=authorization_code is supported.")
        if not (code and redirect_uri and code_verifier):
            raise TokenError("invalid_request", "code, redirect_uri and code_verifier are required.")
        if not VERIFIER_RE.match(code_verifier):
            raise TokenError("invalid_request", "code_verifier must be 43-128 unreserved characters.")
        username, scope = _redeem_code(conn, code, client, redirect_uri, code_verifier)
    except TokenError as error:
        return error.response()
    body = {
        "access_token": tokens.issue_token(conn, username, tokens.TOKEN_LIFETIME_SECONDS, scope=scope),
        "token_type": "bearer",
        "expires_in": tokens.TOKEN_LIFETIME_SECONDS,
        "scope": scope,
    }
    return JSONResponse(body, headers=_NO_STORE)
