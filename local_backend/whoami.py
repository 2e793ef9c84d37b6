"""Who a stand-in token belongs to, in Hugging Face's shapes: `/oauth/userinfo` (what the
dashboard reads at sign-in) and `/api/whoami-v2` (what the real backend asks about a token).
"""

from __future__ import annotations

import base64
import html
import sqlite3
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from local_backend import db, tokens
from local_backend.oauth import loopback_host_only

router = APIRouter(tags=["oauth (local stand-in)"], dependencies=[Depends(loopback_host_only)])
Conn = Annotated[sqlite3.Connection, Depends(db.get_conn)]


def _bearer_user(request: Request, conn: sqlite3.Connection) -> str | None:
    token = tokens.bearer_token(request.headers.get("authorization"))
    return None if token is None else tokens.username_for_token(conn, token)


def _user_id(name: str) -> str:
    """A stable 24-hex id, shaped like Hugging Face's user ids."""
    return tokens.digest(f"user:{name}")[:24]


def _avatar(name: str) -> str:
    """A data: URI SVG (initial on a colour from the name), so no avatar host is ever contacted."""
    hue = int(tokens.digest(name)[:4], 16) % 360
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
        f"<rect width='64' height='64' rx='32' fill='hsl({hue},55%,55%)'/>"
        "<text x='32' y='42' font-size='30' font-family='sans-serif' text-anchor='middle' fill='white'>"
        f"{html.escape(name[:1].upper())}</text></svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@router.get("/oauth/userinfo")
def userinfo(request: Request, conn: Conn) -> JSONResponse:
    """OpenID Connect userinfo for a bearer token, with Hugging Face's claims."""
    name = _bearer_user(request, conn)
    if name is None:
        return JSONResponse(
            {"error": "invalid_token", "error_description": "Missing, unknown or expired access token."},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    issuer = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "sub": _user_id(name),
            "name": name,
            "preferred_username": name,
            "profile": f"{issuer}/{quote(name)}",  # HF's profile URL is issuer/name; nothing is served there.
            "picture": _avatar(name),
        }
    )


@router.get("/api/whoami-v2")
def whoami_v2(request: Request, conn: Conn) -> JSONResponse:
    """What the real backend asks Hugging Face about a token; it reads `name`."""
    name = _bearer_user(request, conn)
    if name is None:
        return JSONResponse({"error": "Invalid credentials in Authorization header"}, status_code=401)
    return JSONResponse(
        {
            "type": "user",
            "id": _user_id(name),
            "name": name,
            "fullname": name,
            "avatarUrl": _avatar(name),
            "orgs": [],
        }
    )
