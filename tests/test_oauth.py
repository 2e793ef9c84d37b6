"""The local "Sign in with Hugging Face" stand-in, over real HTTP.

Drives the authorization-code + PKCE flow the way streamlit-oauth does (the
browser's part by plain form posts, the exchange by httpx-oauth itself) and
checks that every refusal a real provider makes is made here too.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from httpx_oauth.oauth2 import OAuth2, OAuth2ClientAuthMethod

if TYPE_CHECKING:
    from tests.conftest import LocalBackend

CLIENT_ID = "colliderml-local"
CLIENT_SECRET = "colliderml-local-secret"  # noqa: S105 -- the stand-in's documented default
# The redirect URI streamlit-oauth's component uses.
REDIRECT_URI = "http://localhost:8501/component/streamlit_oauth.authorize_button/index.html"
STAND_IN_LABEL = "Local sign-in stand-in (not Hugging Face)"
MALICIOUS = "\"'><script>alert(1)</script>"


def pkce_pair() -> tuple[str, str]:
    """A (verifier, S256 challenge) pair made the way streamlit-oauth makes it."""
    verifier = secrets.token_urlsafe(96)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "state-123",
        "scope": "openid profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return {**params, **overrides}


def approve(http: httpx.Client, params: dict[str, str], username: str = "alice") -> dict[str, list[str]]:
    """Open the consent page, approve as `username`, return the redirect's query."""
    page = http.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    assert STAND_IN_LABEL in page.text
    answer = http.post("/oauth/authorize", data={**params, "username": username, "decision": "approve"})
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(params["redirect_uri"].split("?")[0])
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [params["state"]]
    return query


def new_code(http: httpx.Client, username: str = "alice", **overrides: str) -> tuple[str, str]:
    """A fresh authorization code and the verifier that redeems it."""
    verifier, challenge = pkce_pair()
    query = approve(http, authorize_params(challenge, **overrides), username)
    return query["code"][0], verifier


def exchange(
    http: httpx.Client,
    code: str,
    verifier: str,
    redirect_uri: str = REDIRECT_URI,
    secret: str = CLIENT_SECRET,
) -> httpx.Response:
    """The token request streamlit-oauth makes: HTTP Basic client credentials."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    return http.post("/oauth/token", data=form, auth=(CLIENT_ID, secret))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(backend: LocalBackend) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=backend.url, follow_redirects=False, timeout=10) as client:
        yield client


def test_discovery_document_describes_this_server(http: httpx.Client, backend: LocalBackend) -> None:
    doc = http.get("/.well-known/openid-configuration").json()
    issuer = backend.url.rstrip("/")
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/oauth/authorize"
    assert doc["token_endpoint"] == f"{issuer}/oauth/token"
    assert doc["userinfo_endpoint"] == f"{issuer}/oauth/userinfo"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert doc["grant_types_supported"] == ["authorization_code"]
    assert set(doc["scopes_supported"]) == {"openid", "profile", "email", "inference-api"}


def test_code_exchange_yields_a_token_every_route_accepts(http: httpx.Client) -> None:
    code, verifier = new_code(http, username="carol")
    answer = exchange(http, code, verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no id_token: nobody reads it
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("bearer", 8 * 3600, "openid profile")
    token = body["access_token"]
    assert token.startswith("hf_local_")

    info = http.get("/oauth/userinfo", headers=bearer(token)).json()
    assert info["preferred_username"] == "carol"
    assert info["name"] == "carol"
    assert len(info["sub"]) == 24
    assert info["picture"].startswith("data:image/svg+xml")  # no avatar host to reach
    assert info["profile"].endswith("/carol")

    whoami = http.get("/api/whoami-v2", headers=bearer(token)).json()
    assert whoami["type"] == "user"
    assert whoami["name"] == "carol"
    assert whoami["fullname"] == "carol"
    assert whoami["avatarUrl"].startswith("data:image/svg+xml")

    me = http.get("/v1/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["hf_username"] == "carol"


def test_redirect_keeps_a_query_the_redirect_uri_already_has(http: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    redirect_uri = f"{REDIRECT_URI}?streamlitUrl=http%3A%2F%2Flocalhost%3A8501"
    query = approve(http, authorize_params(challenge, redirect_uri=redirect_uri))
    assert query["streamlitUrl"] == ["http://localhost:8501"]
    assert exchange(http, query["code"][0], verifier, redirect_uri=redirect_uri).status_code == 200


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_httpx_oauth_client_completes_the_exchange(
    http: httpx.Client, backend: LocalBackend, auth_method: OAuth2ClientAuthMethod
) -> None:
    """streamlit-oauth builds this client with client_secret_basic; httpx-oauth defaults to post."""
    issuer = backend.url.rstrip("/")
    client = OAuth2(
        CLIENT_ID,
        CLIENT_SECRET,
        f"{issuer}/oauth/authorize",
        f"{issuer}/oauth/token",
        token_endpoint_auth_method=auth_method,
    )
    verifier, challenge = pkce_pair()
    url = asyncio.run(
        client.get_authorization_url(
            REDIRECT_URI,
            state="s-httpx",
            scope=["openid", "profile"],
            extras_params={"code_challenge": challenge, "code_challenge_method": "S256"},
        )
    )
    params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    code = approve(http, params, username="dave")["code"][0]

    token = asyncio.run(client.get_access_token(code, REDIRECT_URI, code_verifier=verifier))

    assert not token.is_expired()
    whoami = http.get("/api/whoami-v2", headers=bearer(token["access_token"])).json()
    assert whoami["name"] == "dave"


def test_wrong_verifier_is_refused_and_leaves_the_code_redeemable(http: httpx.Client) -> None:
    code, verifier = new_code(http)
    other_verifier, _ = pkce_pair()
    answer = exchange(http, code, other_verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert exchange(http, code, verifier).status_code == 200


def test_wrong_redirect_uri_is_refused(http: httpx.Client) -> None:
    code, verifier = new_code(http)
    answer = exchange(http, code, verifier, redirect_uri="http://127.0.0.1:8501/")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "redirect_uri does not match the authorization request.",
    }


def test_wrong_client_secret_is_refused_by_basic_and_by_form(http: httpx.Client) -> None:
    code, verifier = new_code(http)
    answer = exchange(http, code, verifier, secret="not-the-secret")  # noqa: S106
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic")

    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": "not-the-secret",
    }
    answer = http.post("/oauth/token", data=form)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert http.post("/oauth/token", data={**form, "client_secret": CLIENT_SECRET}).status_code == 200


def test_a_code_works_only_once(http: httpx.Client) -> None:
    code, verifier = new_code(http)
    assert exchange(http, code, verifier).status_code == 200
    again = exchange(http, code, verifier)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Authorization code already used."}


def test_an_expired_code_is_refused(http: httpx.Client, backend: LocalBackend) -> None:
    code, verifier = new_code(http)
    # Codes live five minutes; ageing this one in the database stands in for the wait.
    with sqlite3.connect(backend.db_path) as conn:
        conn.execute(
            "UPDATE oauth_codes SET expires_at = '2000-01-01T00:00:00.000000+00:00' WHERE code_sha256 = ?",
            (hashlib.sha256(code.encode()).hexdigest(),),
        )
    answer = exchange(http, code, verifier)
    assert answer.status_code == 400
    assert answer.json()["error_description"] == "Authorization code expired."


def test_an_expired_or_unknown_token_is_refused_everywhere(http: httpx.Client, backend: LocalBackend) -> None:
    for token in (backend.token("erin", expires_in=-1), "hf_local_never-issued"):
        info = http.get("/oauth/userinfo", headers=bearer(token))
        assert info.status_code == 401
        assert info.json()["error"] == "invalid_token"
        whoami = http.get("/api/whoami-v2", headers=bearer(token))
        assert whoami.status_code == 401
        assert whoami.json() == {"error": "Invalid credentials in Authorization header"}
        me = http.get("/v1/me", headers=bearer(token))
        assert me.status_code == 401
        assert me.json() == {"detail": "Invalid HuggingFace token"}
    assert http.get("/api/whoami-v2").status_code == 401


def test_consent_page_escapes_a_malicious_state_and_user_name(http: httpx.Client) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(challenge, state=MALICIOUS)
    page = http.get("/oauth/authorize", params=params)
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text

    refused = http.post("/oauth/authorize", data={**params, "username": MALICIOUS, "decision": "approve"})
    assert refused.status_code == 400
    assert "location" not in refused.headers
    assert "<script>" not in refused.text
    assert "is not a valid user name" in refused.text


def test_consent_page_offers_existing_users(http: httpx.Client, backend: LocalBackend) -> None:
    assert http.get("/v1/me", headers=bearer(backend.token("frank"))).status_code == 200
    _, challenge = pkce_pair()
    page = http.get("/oauth/authorize", params=authorize_params(challenge)).text
    assert "name=username value='frank'" in page
    assert ">Approve</button>" in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge_method": "plain"},
        {"code_challenge_method": ""},
        {"code_challenge": "too-short"},
        {"client_id": "someone-else"},
        {"response_type": "token"},
        {"redirect_uri": "javascript:alert(1)//"},
        {"redirect_uri": "/relative/path"},
        {"redirect_uri": "https://evil.example/component/streamlit_oauth.authorize_button/index.html"},
        {"redirect_uri": "http://localhost.evil.example:8501/"},
        {"redirect_uri": "http://10.0.0.7:8501/"},
        {"state": ""},
        {"scope": "openid write-repos"},
    ],
    ids=lambda overrides: "-".join(f"{k}={v}" for k, v in overrides.items()),
)
def test_bad_authorization_requests_get_a_page_never_a_redirect(http: httpx.Client, overrides: dict[str, str]) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(challenge, **overrides)
    for answer in (
        http.get("/oauth/authorize", params=params),
        http.post("/oauth/authorize", data={**params, "username": "alice", "decision": "approve"}),
    ):
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert "Sign-in request refused" in answer.text


@pytest.mark.parametrize(
    "redirect", ["http://127.0.0.1:8501/cb", "http://[::1]:8501/cb", "http://app.localhost:8501/cb"]
)
def test_every_loopback_redirect_is_accepted(http: httpx.Client, redirect: str) -> None:
    verifier, challenge = pkce_pair()
    query = approve(http, authorize_params(challenge, redirect_uri=redirect))
    assert exchange(http, query["code"][0], verifier, redirect_uri=redirect).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "colliderml.example:8000", "192.168.1.20:8000"])
def test_the_stand_in_answers_only_to_loopback_host_names(http: httpx.Client, host: str) -> None:
    """Its issuer and links come from the Host header: another host's name is refused, not echoed."""
    _, challenge = pkce_pair()
    for path, params in (("/.well-known/openid-configuration", {}), ("/oauth/authorize", authorize_params(challenge))):
        answer = http.get(path, params=params, headers={"Host": host})
        assert answer.status_code == 421, path
        assert host.split(":")[0] not in answer.text
    assert http.get("/.well-known/openid-configuration", headers={"Host": "localhost:8000"}).status_code == 200


def test_deny_sends_access_denied_back_with_the_state(http: httpx.Client) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(challenge)
    answer = http.post("/oauth/authorize", data={**params, "decision": "deny"})
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": ["state-123"]}


def test_token_request_without_pkce_verifier_is_refused(http: httpx.Client) -> None:
    code, _ = new_code(http)
    answer = exchange(http, code, "")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
