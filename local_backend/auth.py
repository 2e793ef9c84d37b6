"""The bearer-token check in front of `/v1/me*` and every POST.

The real backend asks Hugging Face's whoami-v2 who a token belongs to; here
the tokens are the ones the local OAuth stand-in issued. The messages and
status codes are the real backend's. Tokens never reach a log or an error.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status

from local_backend import db, oauth, service


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_token(authorization: str | None) -> str:
    """The token in an `Authorization: Bearer <token>` header value."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise _unauthorized("Missing Bearer token in Authorization header")
    token = token.strip()
    if not token:
        raise _unauthorized("Empty Bearer token")
    return token


def current_user(
    conn: Annotated[sqlite3.Connection, Depends(db.get_conn)],
    authorization: Annotated[str | None, Header()] = None,
) -> service.User:
    """FastAPI dependency: the signed-in, non-revoked user (created on first sight)."""
    username = oauth.username_for_token(conn, bearer_token(authorization))
    if username is None:
        raise _unauthorized("Invalid HuggingFace token")
    user = service.get_or_create_user(conn, username)
    if user.revoked:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="This account has been revoked. Contact an admin."
        )
    return user
