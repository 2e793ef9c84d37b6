"""Access tokens of the sign-in stand-in: minted at random, stored only as SHA-256 digests.

Like Hugging Face's, they arrive as `Authorization: Bearer <token>`; `bearer_token` is the one
place such a header is read. Issuing a token does not create a user: like the real backend,
`/v1/*` does that on first use.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from fastapi.security.utils import get_authorization_scheme_param

from local_backend import db

#: Hugging Face's OAuth access tokens last eight hours.
TOKEN_LIFETIME_SECONDS = 8 * 3600
TOKEN_PREFIX = "hf_local_"  # noqa: S105 -- a label that makes local tokens recognisable, not a secret
DEFAULT_SCOPE = "openid profile"
#: Hugging Face's user-name rule (letters, digits, . _ -; at most 39 characters).
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$")


def digest(secret: str) -> str:
    """What is stored of a code or a token: never the credential itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def is_live(expires_at: str) -> bool:
    return datetime.fromisoformat(expires_at) > now()


def issue_token(
    conn: sqlite3.Connection,
    hf_username: str,
    expires_in: int = TOKEN_LIFETIME_SECONDS,
    *,
    scope: str = DEFAULT_SCOPE,
) -> str:
    """Mint a bearer token for `hf_username`; only its SHA-256 is stored.

    A zero or negative `expires_in` gives a token that is already expired,
    which is how tests get one without waiting.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    issued = now()
    expires = issued + timedelta(seconds=expires_in)
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO oauth_tokens (token_sha256, hf_username, scope, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (digest(token), hf_username, scope, db.timestamp(issued), db.timestamp(expires)),
        )
    return token


def username_for_token(conn: sqlite3.Connection, token: str) -> str | None:
    """The user a token was issued to, or None if it is unknown or expired."""
    row = conn.execute(
        "SELECT hf_username, expires_at FROM oauth_tokens WHERE token_sha256 = ?", (digest(token),)
    ).fetchone()
    if row is None or not is_live(row["expires_at"]):
        return None
    return str(row["hf_username"])


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when there is none (no
    header, another scheme, or `Bearer` alone: HTTP servers strip the space after it)."""
    scheme, token = get_authorization_scheme_param(authorization)
    return token.strip() or None if scheme.lower() == "bearer" else None
