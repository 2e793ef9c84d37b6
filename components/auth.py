"""The one session wrapper every page uses: who is signed in, their bearer token, sign in and out.

The access token lives in this session's `st.session_state` and, so that a sign-in lasts through
reloads and new tabs, in the server-side sign-in store under a random id that the browser holds in
an HttpOnly cookie (components.sign_in_store); never in a shared cache, a URL, a log line or the
page. Sign-in is "Sign in with Hugging Face" through streamlit-oauth (authorization code + PKCE
S256 + state), or a pasted access token for blocked popups and CLI users.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import NoReturn
from urllib.parse import urlsplit

import requests
import streamlit as st

from components import data, session_cache, sign_in_store
from components import session_keys as keys
from components.api import AuthExpired, BackendError, Me, error_message
from components.text import inert

log = logging.getLogger(__name__)

NO_STATE = (
    "Sign-in refused: the answer from the sign-in page carried no state, so it cannot be tied to the "
    "sign-in this browser started. Sign in again."
)
EXPIRED = "Your Hugging Face sign-in expired: sign in again to submit or see your credits."
ENDED = "Your sign-in on this browser ended (signed out in another tab, or it expired): sign in again."
ME_TTL_S = 30
#: How long a sign-in lasts on this browser when the token carries no expiry (a pasted token):
#: as long as a "Sign in with Hugging Face" token, 8 hours (`hf_oauth_expiration_minutes: 480`).
UNDATED_SIGN_IN_S = 8 * 3600
COMPONENT_PATH = "/component/streamlit_oauth.authorize_button/index.html"


@dataclass(frozen=True)
class Session:
    """A signed-in user. `token` is excluded from repr so it never lands in a log or an error."""

    username: str
    token: str = field(repr=False)
    expires_at: float | None
    avatar_url: str | None = None

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.time()) >= self.expires_at


#: The sign-ins kept for later page loads, shared by every session of this process (and the routes).
_kept: sign_in_store.SignInStore[Session] = sign_in_store.STORE


@dataclass(frozen=True)
class OAuthSettings:
    provider_url: str
    client_id: str
    client_secret: str
    scopes: str


def oauth_settings() -> OAuthSettings | None:
    """The Space's OAuth variables (or the local stand-in's); None when sign-in is not configured."""
    provider = os.environ.get("OPENID_PROVIDER_URL", "").rstrip("/")
    client_id = os.environ.get("OAUTH_CLIENT_ID", "")
    if not provider or not client_id:
        return None
    return OAuthSettings(
        provider_url=provider,
        client_id=client_id,
        client_secret=os.environ.get("OAUTH_CLIENT_SECRET", ""),
        scopes=os.environ.get("OAUTH_SCOPES", "openid profile"),
    )


def redirect_uri(space_host: str | None, browser_url: str | None, host_header: str | None) -> str:
    """Where the provider sends the browser back: the exact origin the browser loaded.

    On a Space that is `https://{SPACE_HOST}`; locally the app's URL as the browser sees it
    (`localhost` and `127.0.0.1` are different origins, and a mismatch hangs the popup).
    """
    if space_host:
        return f"https://{space_host.split(',')[0].strip()}{COMPONENT_PATH}"
    if browser_url:
        parts = urlsplit(browser_url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{COMPONENT_PATH}"
    return f"http://{host_header or 'localhost:8501'}{COMPONENT_PATH}"


@st.cache_data(ttl=3600, show_spinner=False)
def discover(provider_url: str) -> dict[str, str]:
    """The provider's public OpenID configuration (public data: safe to share between sessions)."""
    response = requests.get(f"{provider_url}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    config = response.json()
    return {k: config[k] for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")}


def current() -> Session | None:
    """The signed-in user, or None. A new session takes up the sign-in this browser kept; a sign-in
    that expired, or ended in another tab of this browser, is ended here with a message."""
    session: Session | None = st.session_state.get(keys.SESSION) or _kept_sign_in()
    if session is None:
        return None
    if session.expired():
        sign_out(notice=EXPIRED)
        return None
    sign_in_id = st.session_state.get(keys.SIGN_IN_ID)
    if sign_in_id is not None and _kept.get(sign_in_id) is None:
        sign_out(notice=ENDED)
        return None
    return session


def _kept_sign_in() -> Session | None:
    """The sign-in this browser's cookie names, looked for once per session (Streamlit gives the
    cookies of the page load); a cookie that names nothing any more is cleared."""
    if st.session_state.get(keys.COOKIE_READ):
        return None
    st.session_state[keys.COOKIE_READ] = True
    sign_in_id = st.context.cookies.get(sign_in_store.COOKIE)
    if not sign_in_id:
        return None
    session = _kept.get(sign_in_id)
    if session is None:
        st.session_state[keys.FORGET] = True
        return None
    st.session_state[keys.SESSION] = session
    st.session_state[keys.SIGN_IN_ID] = sign_in_id
    return session


def sign_out(notice: str | None = None) -> None:
    """Forget everything about the user in this session and end the sign-in this browser kept: at
    once here, and its cookie on the sidebar's next run."""
    sign_in_id = st.session_state.get(keys.SIGN_IN_ID)
    keys.clear_user_state(st.session_state)
    if sign_in_id is not None:
        _kept.forget(sign_in_id)
        st.session_state[keys.FORGET] = True
    if notice:
        st.session_state[keys.NOTICE] = notice


def handle_auth_error(exc: BackendError) -> None:
    """A 401 on any signed-in call means the token is no longer good: sign out, say so, redraw.

    The rerun puts the notice in the sidebar and hides the signed-in parts of the page at once.
    """
    if isinstance(exc, AuthExpired) and current() is not None:
        sign_out(notice="The backend no longer accepts your sign-in (401): sign in again.")
        st.rerun()


def me(force: bool = False) -> Me | None:
    """The signed-in user's /v1/me, kept briefly in this session (never in a shared cache); None
    when nobody is signed in. Raises the BackendError it met, which is kept briefly too."""
    session = current()
    if session is None:
        return None
    try:
        kept = session_cache.read(
            st.session_state, keys.ME, session.username, ME_TTL_S, lambda: data.backend().me(session.token), force=force
        )
    except AuthExpired as exc:
        handle_auth_error(exc)
        raise
    if kept.error is not None:
        raise kept.error
    return kept.value


def _signed_in(session: Session, profile: Me) -> None:
    """Sign in this session, and keep the sign-in for this browser: the sidebar then has the
    browser claim its cookie."""
    st.session_state[keys.SESSION] = session
    session_cache.keep(st.session_state, keys.ME, session.username, profile)
    expires_at = session.expires_at or time.time() + UNDATED_SIGN_IN_S
    grant = _kept.add(session, owner=session.username, expires_at=expires_at)
    st.session_state[keys.SIGN_IN_ID] = grant.session_id
    st.session_state[keys.CLAIM] = grant.claim_code


def sign_in_with_token(pasted: str) -> str | None:
    """Check a pasted access token with /v1/me; on success sign in. Returns an error sentence or None."""
    value = pasted.strip()
    if not value:
        return "Paste an access token first."
    try:
        profile = data.backend().me(value)
    except BackendError as exc:
        if isinstance(exc, AuthExpired):
            return "The backend did not accept this token (401): check that you copied the whole token."
        return error_message(exc)
    _signed_in(Session(username=profile.hf_username, token=value, expires_at=None), profile)
    return None


def _finish_oauth(result: dict, endpoints: dict[str, str]) -> str | None:
    """Turn the component's token answer into a session; identity from userinfo, confirmed by /v1/me."""
    token_info = result.get("token") or {}
    access_token = token_info.get("access_token")
    if not access_token:
        return "Hugging Face did not return an access token."
    try:
        info = requests.get(
            endpoints["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"}, timeout=10
        )
        info.raise_for_status()
        user = info.json()
        profile = data.backend().me(access_token)
    except BackendError as exc:
        return error_message(exc)
    except (requests.RequestException, ValueError) as exc:
        return f"Could not read your Hugging Face profile ({type(exc).__name__})."
    expires_at = token_info.get("expires_at")
    session = Session(
        username=profile.hf_username,
        token=access_token,
        expires_at=float(expires_at) if expires_at else None,
        avatar_url=user.get("picture"),
    )
    _signed_in(session, profile)
    return None


def _oauth_button(cfg: OAuthSettings) -> None:
    from streamlit_oauth import OAuth2Component

    try:
        endpoints = discover(cfg.provider_url)
    except (requests.RequestException, ValueError, KeyError) as exc:
        st.caption(f"Sign-in with Hugging Face is unavailable right now ({type(exc).__name__}).")
        return
    component = OAuth2Component(
        cfg.client_id,
        cfg.client_secret,
        authorize_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
    )
    uri = redirect_uri(os.environ.get("SPACE_HOST"), st.context.url, st.context.headers.get("Host"))
    attempt = st.session_state.get(keys.OAUTH_ROUND, 0)
    try:
        result = component.authorize_button(
            "Sign in with Hugging Face",
            redirect_uri=uri,
            scope=cfg.scopes,
            key=keys.oauth_button(attempt),
            pkce="S256",
            use_container_width=True,
        )
    except Exception as exc:
        log.info("sign-in failed: %s", type(exc).__name__)
        _next_attempt(f"Sign-in did not complete ({type(exc).__name__}): try again.")
    if not result:
        return
    # streamlit-oauth checks `state` only when the answer carries one; an answer without it could
    # come from anywhere (a forged link), so it never signs anyone in.
    problem = NO_STATE if "state" not in result else _finish_oauth(result, endpoints)
    if problem:
        _next_attempt(problem)
    st.rerun()


def _next_attempt(problem: str) -> NoReturn:
    """End a sign-in attempt that failed: say why (in the sidebar) and start afresh."""
    st.session_state[keys.OAUTH_ROUND] = st.session_state.get(keys.OAUTH_ROUND, 0) + 1
    st.session_state[keys.NOTICE] = problem
    st.rerun()


def sidebar() -> None:
    """Who is signed in and their balance, or the ways to sign in. Shown on every page."""
    session = current()  # first: it may end a sign-in, and the notice saying so belongs to this run
    notice = st.session_state.pop(keys.NOTICE, None)
    if notice:
        st.warning(inert(notice), icon=":material/lock:")
    _cookie_errands()
    if session is not None:
        _signed_in_panel(session)
        return
    cfg = oauth_settings()
    if cfg is not None:
        _oauth_button(cfg)
    # Drawn only while open (opening it reruns the page): every signed-out view of every page
    # would otherwise send the form, its field and its button.
    expander = st.expander("Use an access token instead", expanded=cfg is None, key=keys.TOKEN_PANEL, on_change="rerun")
    if not expander.open:
        return
    with expander, st.form(keys.TOKEN_FORM, clear_on_submit=True, border=False):
        pasted = st.text_input("Hugging Face access token", type="password", key=keys.PASTED_TOKEN)
        if st.form_submit_button("Sign in with token"):
            problem = sign_in_with_token(pasted)
            if problem:
                st.error(inert(problem))
            else:
                st.rerun()


def _cookie_errands() -> None:
    """Have the browser fetch the route that sets or clears its sign-in cookie. A script cannot set
    cookies; an image in the page can (st.html keeps a plain <img>, and no script runs). The claim
    is shown until the browser has used it, or for its 60 s."""
    if st.session_state.pop(keys.FORGET, False):
        _fetch_in_browser(sign_in_store.FORGET_PATH)
    code = st.session_state.get(keys.CLAIM)
    if code is None:
        return
    if _kept.pending(code):
        _fetch_in_browser(f"{sign_in_store.CLAIM_PATH}/{code}")
    else:
        del st.session_state[keys.CLAIM]


def _fetch_in_browser(path: str) -> None:
    st.html(f'<img src="{path}" alt="" hidden>')


def _signed_in_panel(session: Session) -> None:
    if session.avatar_url and session.avatar_url.startswith(("https://", "http://", "data:image/")):
        st.image(session.avatar_url, width=40)
    st.text(f"Signed in as {session.username}")
    try:
        profile = me()
    except BackendError as exc:
        st.caption(f"Balance unavailable: {inert(error_message(exc))}")
    else:
        if profile is not None:
            st.metric("Credits", f"{profile.credits:,.0f}")
    if st.button("Sign out", key=keys.SIGN_OUT):
        sign_out()
        st.rerun()
