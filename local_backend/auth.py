"""The bearer-token check in front of `/v1/me*` and every POST.

The real backend asks Hugging Face's whoami-v2 who a token belongs to; here
the tokens are the ones the local sign-in stand-in issued. The messages and
status codes are the real backend's (its 401s carry no `WWW-Authenticate`).
Tokens never reach a log or an error.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status

from local_backend import db, service, tokens


def current_user(
    conn: Annotated[sqlite3.Connection, Depends(db.get_conn)],
    authorization: Annotated[str | None, Header()] = None,
) -> service.User:
    """FastAPI dependency: the signed-in, non-revoked user (created on first sight)."""
    token = tokens.bearer_token(authorization)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Missing Bearer token in Authorization header")
    username = tokens.username_for_token(conn, token)
    if username is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid HuggingFace token")
    user = service.get_or_create_user(conn, username)
    if user.revoked:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This account has been revoked. Contact an admin.")
    return user
