"""The session wrapper: OAuth settings and redirect_uri, discovery, pasted tokens, sign-out, no token
leaks; a sign-in kept for the browser's next sessions, and ended in all of them."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import streamlit.runtime.context
from streamlit.testing.v1 import AppTest

from components import auth, session_keys, sign_in_store
from local_backend import db
from tests.conftest import LocalBackend, home_app

COMPONENT = "/component/streamlit_oauth.authorize_button/index.html"


pytestmark = pytest.mark.usefixtures("cold")


def test_redirect_uri_is_the_space_origin_on_a_space() -> None:
    uri = auth.redirect_uri("me-leaderboard.hf.space", "http://10.0.0.5:8501/jets", "10.0.0.5:8501")
    assert uri == f"https://me-leaderboard.hf.space{COMPONENT}"


def test_redirect_uri_follows_the_origin_the_browser_loaded() -> None:
    assert (
        auth.redirect_uri(None, "http://localhost:8501/jets", "127.0.0.1:8501") == f"http://localhost:8501{COMPONENT}"
    )
    assert auth.redirect_uri(None, "http://127.0.0.1:9000/", None) == f"http://127.0.0.1:9000{COMPONENT}"
    assert auth.redirect_uri(None, None, "127.0.0.1:8501") == f"http://127.0.0.1:8501{COMPONENT}"


def test_oauth_settings_come_from_the_space_variables(monkeypatch) -> None:
    monkeypatch.delenv("OPENID_PROVIDER_URL", raising=False)
    assert auth.oauth_settings() is None
    monkeypatch.setenv("OPENID_PROVIDER_URL", "https://huggingface.co/")
    monkeypatch.setenv("OAUTH_CLIENT_ID", "abc")
    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "s3cret")
    monkeypatch.delenv("OAUTH_SCOPES", raising=False)
    cfg = auth.oauth_settings()
    assert cfg is not None and cfg.provider_url == "https://huggingface.co" and cfg.scopes == "openid profile"


def test_discovery_reads_the_providers_endpoints(backend) -> None:
    endpoints = auth.discover(backend.url)
    assert endpoints["authorization_endpoint"].endswith("/oauth/authorize")
    assert endpoints["token_endpoint"].endswith("/oauth/token")
    assert endpoints["userinfo_endpoint"].endswith("/oauth/userinfo")


def test_session_repr_never_shows_the_token() -> None:
    session = auth.Session("alice", "hf_local_secret_value", None)
    assert "hf_local_secret_value" not in repr(session)


def _app(monkeypatch, backend_url: str, provider_url: str | None = None) -> AppTest:
    monkeypatch.setenv("COLLIDERML_BACKEND", backend_url)
    if provider_url:
        monkeypatch.setenv("OPENID_PROVIDER_URL", provider_url)
        monkeypatch.setenv("OAUTH_CLIENT_ID", "colliderml-local")
        monkeypatch.setenv("OAUTH_CLIENT_SECRET", "colliderml-local-secret")
    else:
        monkeypatch.delenv("OPENID_PROVIDER_URL", raising=False)
    monkeypatch.delenv("SPACE_HOST", raising=False)
    return home_app()


def test_a_pasted_token_signs_in_and_sign_out_forgets_it(monkeypatch, backend) -> None:
    token = backend.token("paste-user")
    at = _app(monkeypatch, backend.url).run()
    at.sidebar.text_input(key="auth.pasted").input(token)
    at.sidebar.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    session = at.session_state[session_keys.SESSION]
    assert session.username == "paste-user"
    assert any("Signed in as paste-user" in t.value for t in at.sidebar.text)
    assert any(m.label == "Credits" and m.value == "10" for m in at.sidebar.metric)
    assert token not in str(at.main) + str(at.sidebar)

    at.button(key="auth.sign_out").click().run()
    assert session_keys.SESSION not in at.session_state
    assert not [k for k in at.session_state if str(k).startswith(("auth.session", "user."))]


def test_a_wrong_pasted_token_is_refused_with_a_clear_message(monkeypatch, backend) -> None:
    at = _app(monkeypatch, backend.url).run()
    at.sidebar.text_input(key="auth.pasted").input("hf_not_a_real_token_123456")
    at.sidebar.button[0].click().run()
    assert not at.exception, at.exception
    assert session_keys.SESSION not in at.session_state
    assert any("did not accept this token" in e.value for e in at.sidebar.error)
    assert "hf_not_a_real_token_123456" not in str(at.main) + str(at.sidebar)


def test_the_sign_in_button_carries_state_pkce_and_the_local_redirect(monkeypatch, backend) -> None:
    at = _app(monkeypatch, backend.url, provider_url=backend.url).run()
    assert not at.exception, at.exception
    url = _authorize_url(at)
    assert url.startswith(f"{backend.url}/oauth/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["colliderml-local"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0]
    assert query["redirect_uri"][0].endswith(COMPONENT)


def _authorize_url(at: AppTest) -> str:
    """The authorize URL handed to the streamlit-oauth component (its JSON args)."""
    import json

    for element in at.sidebar.get("component_instance") or []:
        args = json.loads(element.proto.json_args)
        if "authorization_url" in args:
            return str(args["authorization_url"])
    raise AssertionError("no sign-in button in the sidebar")


@dataclass
class FakeBrowser:
    """What a browser's websocket handshake gives `st.context`: AppTest has no HTTP layer, so no cookies."""

    cookies: dict[str, str] = field(default_factory=dict)
    headers: list[tuple[str, str]] = field(default_factory=list)
    remote_ip: str | None = None


@pytest.fixture
def browser_with(monkeypatch) -> Callable[[dict[str, str]], None]:
    """`browser_with({name: value})`: the AppTest sessions started next see these cookies."""

    def use(cookies: dict[str, str]) -> None:
        client = FakeBrowser(cookies)
        monkeypatch.setattr(streamlit.runtime.context, "_get_client_context", lambda: client)

    return use


def _sign_in_with_token(at: AppTest, token: str) -> AppTest:
    at.sidebar.text_input(key="auth.pasted").input(token)
    at.sidebar.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    return at


def _fetched(at: AppTest) -> list[str]:
    """The paths the sidebar has the browser fetch (its hidden images)."""
    bodies = [str(element.proto.body) for element in at.sidebar.get("html")]
    return [path for body in bodies for path in re.findall(r'<img src="([^"]+)" alt="" hidden>', body)]


def _signed_in_as(at: AppTest) -> list[str]:
    return [t.value.removeprefix("Signed in as ") for t in at.sidebar.text if t.value.startswith("Signed in as ")]


def test_a_sign_in_is_kept_server_side_and_the_page_claims_its_cookie(monkeypatch, backend) -> None:
    token = backend.token("kept-user")
    at = _sign_in_with_token(_app(monkeypatch, backend.url).run(), token)
    sign_in_id = at.session_state[session_keys.SIGN_IN_ID]
    kept = sign_in_store.STORE.get(sign_in_id)
    assert isinstance(kept, auth.Session) and kept.username == "kept-user" and kept.expires_at is None
    code = at.session_state[session_keys.CLAIM]
    assert _fetched(at) == [f"{sign_in_store.CLAIM_PATH}/{code}"]
    shown = str(at.main) + str(at.sidebar) + " ".join(str(e.proto.body) for e in at.sidebar.get("html"))
    assert token not in shown and sign_in_id not in shown, "the page shows the claim code only"

    assert sign_in_store.STORE.claim(code) is not None  # the browser fetched it
    at.run()
    assert _fetched(at) == [] and session_keys.CLAIM not in at.session_state

    at.button(key="auth.sign_out").click().run()
    assert sign_in_store.STORE.get(sign_in_id) is None, "signing out ends the kept sign-in at once"
    assert _fetched(at) == [sign_in_store.FORGET_PATH], "and has the browser clear its cookie"
    at.run()
    assert _fetched(at) == []


def test_a_new_session_of_the_browser_takes_up_its_kept_sign_in(monkeypatch, backend, browser_with) -> None:
    token = backend.token("tab-user")
    first = _sign_in_with_token(_app(monkeypatch, backend.url).run(), token)
    sign_in_id = first.session_state[session_keys.SIGN_IN_ID]

    browser_with({sign_in_store.COOKIE: sign_in_id})
    second = home_app().run()  # a reload, a deep link or a new tab: a new session, same cookie
    assert not second.exception, second.exception
    assert _signed_in_as(second) == ["tab-user"]
    assert any(m.label == "Credits" and m.value == "10" for m in second.sidebar.metric)
    assert _fetched(second) == [], "nothing to claim: the browser holds its cookie"

    second.button(key="auth.sign_out").click().run()
    assert _signed_in_as(second) == []
    first.run()  # the first tab's next run: the sign-in ended in another tab
    assert _signed_in_as(first) == []
    assert any(auth.ENDED in w.value.replace("\\", "") for w in first.sidebar.warning)

    stale = home_app().run()  # the same cookie, naming nothing now
    assert _signed_in_as(stale) == []
    assert _fetched(stale) == [sign_in_store.FORGET_PATH], "a cookie naming nothing is cleared"


def test_a_kept_sign_in_ends_when_its_token_expires(monkeypatch, backend, browser_with) -> None:
    expires_at = time.time() + 1.5
    session = auth.Session("soon-user", backend.token("soon-user"), expires_at=expires_at)
    grant = sign_in_store.STORE.add(session, owner=session.username, expires_at=expires_at)
    monkeypatch.setenv("COLLIDERML_BACKEND", backend.url)
    browser_with({sign_in_store.COOKIE: grant.session_id})
    at = home_app().run()
    assert _signed_in_as(at) == ["soon-user"]
    time.sleep(max(0.0, expires_at - time.time()))
    at.run()
    assert _signed_in_as(at) == []
    assert any(auth.EXPIRED in w.value.replace("\\", "") for w in at.sidebar.warning)
    assert _fetched(at) == [sign_in_store.FORGET_PATH]


def test_a_401_ends_the_kept_sign_in_in_every_session(monkeypatch, backend, browser_with) -> None:
    token = backend.token("revoked-user")
    at = _sign_in_with_token(_app(monkeypatch, backend.url).run(), token)
    sign_in_id = at.session_state[session_keys.SIGN_IN_ID]
    _end_tokens(backend, "revoked-user")

    browser_with({sign_in_store.COOKIE: sign_in_id})
    reloaded = home_app().run()  # takes up the kept sign-in; its /v1/me answers 401
    assert not reloaded.exception, reloaded.exception
    assert _signed_in_as(reloaded) == []
    assert any("(401)" in w.value.replace("\\", "") for w in reloaded.sidebar.warning)
    assert sign_in_store.STORE.get(sign_in_id) is None
    assert _fetched(reloaded) == [sign_in_store.FORGET_PATH]
    assert _signed_in_as(home_app().run()) == []
    at.run()  # the session that signed in, on its next run
    assert _signed_in_as(at) == []


def _end_tokens(backend: LocalBackend, username: str) -> None:
    """The backend stops accepting the user's tokens (they expire now): its next answer is a 401."""
    conn = db.connect(backend.db_path)
    try:
        with db.transaction(conn):
            conn.execute("UPDATE oauth_tokens SET expires_at = ? WHERE hf_username = ?", (db.timestamp(), username))
    finally:
        conn.close()
