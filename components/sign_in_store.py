"""A sign-in that lasts through reloads and new tabs: kept server-side, never in the browser.

The browser holds only an opaque random id in an HttpOnly cookie; this process maps it to the
signed-in user (token included) until the sign-in expires or ends. A Streamlit script cannot set a
cookie, so after a sign-in the page makes the browser fetch `/sign-in/claim/<code>` (an image), and
that route trades the one-time code, good for 60 s, for the cookie. Sign-out ends the entry here
and the page fetches `/sign-in/forget`, which clears the cookie. The routes are served beside the
app by app.py's `st.App`.

Everything is in this process's memory, as Streamlit serves from one process: a restart (a Space
that sleeps or is rebuilt) signs everyone out. Neither a session id nor a claim code is ever logged;
both stay out of reprs.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

T = TypeVar("T")

COOKIE = "colliderml_sign_in"
CLAIM_PATH = "/sign-in/claim"
FORGET_PATH = "/sign-in/forget"
CLAIM_TTL_S = 60.0
#: Enough for every visitor of a busy Space; beyond it the oldest sign-in goes.
MAX_ENTRIES = 10_000
#: One person's browsers and profiles; more sign-ins by one user push out their own oldest, so no
#: single account can fill the store and sign everyone else out.
MAX_PER_OWNER = 20
#: A transparent 1x1 GIF: what the routes answer, so the image the page shows loads cleanly.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@dataclass(frozen=True)
class Grant:
    """A new sign-in's id (the cookie's value) and the one-time code the page trades for it."""

    session_id: str = field(repr=False)
    claim_code: str = field(repr=False)


@dataclass(frozen=True)
class Claimed:
    """What a claim gives the route: the cookie's value, and when the cookie should go."""

    session_id: str = field(repr=False)
    expires_at: float


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    owner: str
    expires_at: float
    claim_code: str = field(repr=False)
    claim_until: float


class SignInStore(Generic[T]):
    """Sign-ins by session id, each with one claim code until it is used; bounded and thread-safe
    (scripts run in threads of their own, the routes on the server's event loop)."""

    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        max_per_owner: int = MAX_PER_OWNER,
        claim_ttl_s: float = CLAIM_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._max_entries = max_entries
        self._max_per_owner = max_per_owner
        self._claim_ttl_s = claim_ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry[T]] = {}  # oldest first
        self._claims: dict[str, str] = {}  # claim code -> session id, while unused

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def add(self, value: T, *, owner: str, expires_at: float) -> Grant:
        """Keep `value` until `expires_at` under a new random id, with a new claim code for it."""
        grant = Grant(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        now = self._clock()
        with self._lock:
            for session_id, entry in list(self._entries.items()):
                if now >= entry.expires_at:
                    self._drop(session_id)
            owned = [session_id for session_id, entry in self._entries.items() if entry.owner == owner]
            for session_id in owned[: max(0, len(owned) - self._max_per_owner + 1)]:
                self._drop(session_id)
            while len(self._entries) >= self._max_entries:
                self._drop(next(iter(self._entries)))
            self._entries[grant.session_id] = _Entry(
                value, owner, expires_at, grant.claim_code, now + self._claim_ttl_s
            )
            self._claims[grant.claim_code] = grant.session_id
        return grant

    def claim(self, code: str) -> Claimed | None:
        """The session id a claim code stands for, once: the code is spent whatever the outcome."""
        now = self._clock()
        with self._lock:
            session_id = self._claims.pop(code, None)
            entry = self._entries.get(session_id) if session_id is not None else None
            if entry is None or session_id is None or now >= min(entry.claim_until, entry.expires_at):
                return None
            return Claimed(session_id, entry.expires_at)

    def pending(self, code: str) -> bool:
        """Whether the code is still waiting for the browser to claim it."""
        now = self._clock()
        with self._lock:
            session_id = self._claims.get(code)
            entry = self._entries.get(session_id) if session_id is not None else None
            return entry is not None and now < entry.claim_until

    def get(self, session_id: str) -> T | None:
        """The live sign-in under this id, or None (unknown, ended or expired)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None:
                return None
            if now >= entry.expires_at:
                self._drop(session_id)
                return None
            return entry.value

    def forget(self, session_id: str) -> None:
        """End a sign-in here: its cookie no longer names anything."""
        with self._lock:
            self._drop(session_id)

    def _drop(self, session_id: str) -> None:
        entry = self._entries.pop(session_id, None)
        if entry is not None:
            self._claims.pop(entry.claim_code, None)


#: The one store of this server process: the app's scripts and the routes share it.
STORE: SignInStore[Any] = SignInStore()


def set_cookie(request: Request, value: str, max_age: int) -> str:
    """The `Set-Cookie` header value: HttpOnly always; Secure over https (the scheme, or the proxy's
    X-Forwarded-Proto; a Space is always https).

    On a Space the app is shown inside the huggingface.co page, an iframe of another site, where a
    SameSite=Lax cookie is neither set nor sent: there it is `SameSite=None; Secure; Partitioned`,
    a cookie kept only for pages under that top-level site (CHIPS), so other sites that frame the
    app never get it. Elsewhere `SameSite=Lax`. Written by hand: Starlette's `set_cookie` refuses
    `partitioned` before Python 3.14.
    """
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    parts = [f"{COOKIE}={value}", f"Max-Age={max_age}", "Path=/", "HttpOnly"]
    if os.environ.get("SPACE_HOST"):
        parts += ["Secure", "SameSite=None", "Partitioned"]
    elif request.url.scheme == "https" or forwarded == "https":
        parts += ["Secure", "SameSite=Lax"]
    else:
        parts += ["SameSite=Lax"]
    return "; ".join(parts)


def _from_this_app(request: Request) -> bool:
    """Only the app's own pages may set or clear the cookie. Browsers say where a request comes
    from (Fetch Metadata): another site's link or image, or a typed URL, gets nothing, so no one can
    slip their own sign-in into a visitor's browser (login CSRF). A browser too old to say is let
    through."""
    return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"


def _pixel() -> Response:
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


def routes(store: SignInStore[Any] = STORE) -> list[BaseRoute]:
    """The two routes the page's images fetch, for `st.App(routes=...)`."""

    async def claim(request: Request) -> Response:
        """Set the cookie for a fresh claim code; any other code gets the same image and no cookie."""
        if not _from_this_app(request):
            return Response(status_code=403)
        answer = _pixel()
        claimed = store.claim(request.path_params["code"])
        if claimed is not None:
            max_age = max(1, int(claimed.expires_at - time.time()))
            answer.headers.append("set-cookie", set_cookie(request, claimed.session_id, max_age))
        return answer

    async def forget(request: Request) -> Response:
        """Clear the cookie; the sign-in it named was ended by the script already."""
        if not _from_this_app(request):
            return Response(status_code=403)
        answer = _pixel()
        answer.headers.append("set-cookie", set_cookie(request, "", 0))
        return answer

    return [Route(f"{CLAIM_PATH}/{{code}}", claim), Route(FORGET_PATH, forget)]
