"""The server-side sign-in store and its two routes: expiry, one-time claims, forgetting, bounds,
threads; the cookie's attributes over http, behind an https proxy and on a Space; requests from
other sites."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from components import sign_in_store
from components.sign_in_store import CLAIM_TTL_S, COOKIE, SignInStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> SignInStore[str]:
    return SignInStore(clock=clock)


def test_a_sign_in_is_kept_until_it_expires(store: SignInStore[str], clock: Clock) -> None:
    grant = store.add("alice's session", owner="alice", expires_at=clock.now + 3600)
    assert store.get(grant.session_id) == "alice's session"
    clock.now += 3599
    assert store.get(grant.session_id) == "alice's session"
    clock.now += 1
    assert store.get(grant.session_id) is None
    assert len(store) == 0, "an expired sign-in is dropped when met"
    assert store.get("an id nobody was given") is None


def test_a_claim_code_gives_its_session_id_once(store: SignInStore[str], clock: Clock) -> None:
    grant = store.add("s", owner="alice", expires_at=clock.now + 3600)
    assert store.pending(grant.claim_code)
    claimed = store.claim(grant.claim_code)
    assert claimed is not None
    assert claimed.session_id == grant.session_id and claimed.expires_at == clock.now + 3600
    assert not store.pending(grant.claim_code)
    assert store.claim(grant.claim_code) is None, "a code is spent once used"
    assert store.get(grant.session_id) == "s", "claiming does not end the sign-in"
    assert store.claim(grant.session_id) is None, "a session id is no claim code"


def test_a_claim_code_lasts_a_minute_and_never_beyond_its_sign_in(store: SignInStore[str], clock: Clock) -> None:
    late = store.add("late", owner="alice", expires_at=clock.now + 3600)
    clock.now += CLAIM_TTL_S
    assert not store.pending(late.claim_code)
    assert store.claim(late.claim_code) is None
    assert store.get(late.session_id) == "late", "the sign-in lasts; only this browser's claim is lost"

    short = store.add("short", owner="bob", expires_at=clock.now + 10)
    clock.now += 10
    assert store.claim(short.claim_code) is None


def test_forget_ends_a_sign_in_and_its_claim(store: SignInStore[str], clock: Clock) -> None:
    grant = store.add("s", owner="alice", expires_at=clock.now + 3600)
    store.forget(grant.session_id)
    assert store.get(grant.session_id) is None
    assert store.claim(grant.claim_code) is None
    store.forget(grant.session_id)  # twice (two tabs signing out) is harmless
    store.forget("an id nobody was given")


def test_the_store_is_bounded_expired_first_then_oldest(clock: Clock) -> None:
    store: SignInStore[int] = SignInStore(max_entries=3, clock=clock)
    soon = store.add(0, owner="u0", expires_at=clock.now + 10)
    old = store.add(1, owner="u1", expires_at=clock.now + 3600)
    kept = [store.add(i, owner=f"u{i}", expires_at=clock.now + 3600) for i in (2, 3)]
    assert len(store) == 3
    assert store.get(soon.session_id) is None, "the oldest went first"
    clock.now += 20
    newest = store.add(4, owner="u4", expires_at=clock.now + 3600)
    assert len(store) == 3
    assert store.get(old.session_id) is None
    assert [store.get(g.session_id) for g in (*kept, newest)] == [2, 3, 4]
    assert store.claim(old.claim_code) is None, "a dropped sign-in's claim goes with it"


def test_one_user_cannot_push_everyone_else_out(clock: Clock) -> None:
    store: SignInStore[str] = SignInStore(max_entries=10, max_per_owner=3, clock=clock)
    other = store.add("bob", owner="bob", expires_at=clock.now + 3600)
    grants = [store.add(f"mallory {i}", owner="mallory", expires_at=clock.now + 3600) for i in range(20)]
    assert len(store) == 4
    assert store.get(other.session_id) == "bob"
    assert [store.get(g.session_id) for g in grants[-3:]] == ["mallory 17", "mallory 18", "mallory 19"]
    assert store.get(grants[0].session_id) is None


def test_ids_and_codes_are_long_random_and_stay_out_of_reprs(store: SignInStore[str], clock: Clock) -> None:
    grants = [store.add("s", owner="alice", expires_at=clock.now + 60) for _ in range(3)]
    values = {value for g in grants for value in (g.session_id, g.claim_code)}
    assert len(values) == 6 and all(len(v) >= 43 for v in values)
    claimed = store.claim(grants[0].claim_code)
    for shown in (repr(grants[0]), repr(claimed)):
        assert not [v for v in values if v in shown]


def test_threads_share_the_store_safely(clock: Clock) -> None:
    store: SignInStore[int] = SignInStore(max_entries=50, max_per_owner=50, clock=clock)
    failures: list[BaseException] = []

    def visitor(n: int) -> None:
        try:
            for i in range(200):
                grant = store.add(i, owner=f"user{n}", expires_at=clock.now + 3600)
                store.pending(grant.claim_code)
                store.claim(grant.claim_code)
                store.get(grant.session_id)
                if i % 3 == 0:
                    store.forget(grant.session_id)
        except BaseException as exc:  # a failure in a thread must reach the test
            failures.append(exc)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert 0 < len(store) <= 50


@pytest.fixture
def routes_of(store: SignInStore[str]) -> Iterator[Starlette]:
    yield Starlette(routes=sign_in_store.routes(store))


def _code(store: SignInStore[str]) -> str:
    """The claim code of a new sign-in that lasts an hour (the routes read the real clock)."""
    return store.add("s", owner="alice", expires_at=time.time() + 3600).claim_code


def _claim(app: Starlette, code: str, base_url: str = "http://testserver", **headers: str):
    """GET the claim route as the page's image does (no return type: TestClient answers with httpx2's)."""
    with TestClient(app, base_url=base_url) as client:
        return client.get(f"{sign_in_store.CLAIM_PATH}/{code}", headers=headers)


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def test_the_claim_route_sets_an_http_only_lax_cookie_once(
    routes_of: Starlette, store: SignInStore[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPACE_HOST", raising=False)
    code = _code(store)
    answer = _claim(routes_of, code, **{"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/gif"
    assert answer.content == sign_in_store.PIXEL
    assert answer.headers["cache-control"] == "no-store"
    assert not store.pending(code)
    assert store.get(answer.cookies[COOKIE]) == "s"
    attributes = _attributes(answer.headers["set-cookie"])
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    assert "secure" not in attributes and "partitioned" not in attributes
    (max_age,) = [int(a.split("=")[1]) for a in attributes if a.startswith("max-age=")]
    assert 3590 <= max_age <= 3600, "the cookie expires with the sign-in"

    again = _claim(routes_of, code)
    assert again.status_code == 200 and "set-cookie" not in again.headers
    unknown = _claim(routes_of, "made-up-code")
    assert unknown.status_code == 200 and "set-cookie" not in unknown.headers, "no oracle for guessed codes"


def test_the_cookie_is_secure_behind_an_https_proxy_and_partitioned_on_a_space(
    routes_of: Starlette, store: SignInStore[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPACE_HOST", raising=False)
    proxied = _claim(routes_of, _code(store), **{"X-Forwarded-Proto": "https"})
    assert {"httponly", "secure", "samesite=lax"} <= _attributes(proxied.headers["set-cookie"])
    direct = _claim(routes_of, _code(store), "https://testserver")
    assert {"httponly", "secure", "samesite=lax"} <= _attributes(direct.headers["set-cookie"])

    monkeypatch.setenv("SPACE_HOST", "me-leaderboard.hf.space")
    space = _claim(routes_of, _code(store))
    assert {"httponly", "secure", "samesite=none", "partitioned", "path=/"} <= _attributes(space.headers["set-cookie"])


def test_requests_from_other_sites_get_nothing(routes_of: Starlette, store: SignInStore[str]) -> None:
    """Another site's link or image, or a typed URL, must not sign the visitor in as someone else."""
    code = _code(store)
    for where in ("cross-site", "same-site", "none"):
        answer = _claim(routes_of, code, **{"Sec-Fetch-Site": where})
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert store.pending(code), "a refused request does not spend the code"
    with TestClient(routes_of) as client:
        refused = client.get(sign_in_store.FORGET_PATH, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers


@pytest.mark.parametrize("space_host", [None, "me-leaderboard.hf.space"])
def test_the_forget_route_clears_the_cookie_as_it_was_set(
    routes_of: Starlette, monkeypatch: pytest.MonkeyPatch, space_host: str | None
) -> None:
    if space_host:
        monkeypatch.setenv("SPACE_HOST", space_host)
    else:
        monkeypatch.delenv("SPACE_HOST", raising=False)
    with TestClient(routes_of) as client:
        answer = client.get(sign_in_store.FORGET_PATH, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 200 and answer.content == sign_in_store.PIXEL
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE}=;")
    attributes = _attributes(set_cookie)
    assert {"httponly", "path=/", "max-age=0"} <= attributes
    if space_host:
        assert {"secure", "samesite=none", "partitioned"} <= attributes, "a partitioned cookie is cleared as one"
    else:
        assert "samesite=lax" in attributes
