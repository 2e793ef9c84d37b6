"""The session wrapper: OAuth settings and redirect_uri, discovery, pasted tokens, sign-out, no token leaks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from components import auth, session_keys
from tests.conftest import home_app

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
