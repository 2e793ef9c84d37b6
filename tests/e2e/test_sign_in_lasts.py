"""A sign-in lasts: through reloads, deep links and new tabs of the same browser profile, until the
user signs out or the backend stops accepting the token. Another profile is never signed in by it.

What the browser holds is an HttpOnly cookie naming a server-side sign-in; the token itself, and
that id, must not reach the page, web storage, a URL or the dashboard's log.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from components import auth, sign_in_store
from tests.conftest import LocalBackend
from tests.e2e.flows import (
    TOKEN_PREFIX,
    Tab,
    end_tokens,
    expect_signed_in,
    expect_signed_out,
    extra_tab,
    kept_sign_in_cookie,
    open_page,
    page_text,
    sidebar,
    sign_in_with_popup,
    sign_in_with_token,
    sign_out,
    user_name,
    wait_for_kept_sign_in,
    watch,
    web_storage,
)
from tests.e2e.support import StreamlitApp, wait_ready

TASK = "jets"
XSRF_COOKIE = "_streamlit_xsrf"


def _only_http_only_cookies(tab: Tab) -> None:
    """Every cookie of the profile but Streamlit's XSRF one (which its page script must read) is HttpOnly."""
    cookies = tab.page.context.cookies()
    assert cookies, "the profile holds cookies"
    readable = [c.get("name") for c in cookies if not c.get("httpOnly") and c.get("name") != XSRF_COOKIE]
    assert not readable, f"cookies a page script can read: {readable}"


def _nothing_secret_in_the_browser(tab: Tab, app: StreamlitApp, *secrets: str) -> None:
    """None of `secrets` (tokens, the sign-in id), nor anything shaped like a token, is in the page
    and its frames, in web storage, in a URL the profile navigated to or requested, or in the
    dashboard's log."""
    places = {"the page": page_text(tab.page), "web storage": web_storage(tab.page), "the log": app.log_text()}
    for secret in (*secrets, TOKEN_PREFIX):
        assert not [where for where, text in places.items() if secret in text], "a secret is in the browser or log"
        assert not [url for url in tab.visits.urls if secret in url], "a secret is in a URL"


def test_a_popup_sign_in_lasts_in_every_tab_of_the_profile_until_sign_out(
    app_server: StreamlitApp, seeded_backend: LocalBackend, browser: Browser, page: Page
) -> None:
    user = user_name("lasts")
    first = watch(page)
    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_popup(page, user)
    cookie = wait_for_kept_sign_in(page)
    assert cookie is not None
    assert cookie.get("httpOnly") and cookie.get("sameSite") == "Lax" and cookie.get("path") == "/"
    assert not cookie.get("secure"), "plain http here: a Secure cookie would never be sent back"
    _only_http_only_cookies(first)

    page.reload()
    expect_signed_in(page, user)
    page.goto(f"{app_server.url}/{TASK}")  # a deep link in the same tab
    expect_signed_in(page, user)
    expect(page.get_by_role("heading", name=TASK)).to_be_visible()

    second = watch(page.context.new_page())
    second.page.goto(f"{app_server.url}/about")
    expect_signed_in(second.page, user)

    with extra_tab(browser) as stranger:  # another browser profile
        stranger.page.goto(app_server.url)
        expect_signed_out(stranger.page)
        assert kept_sign_in_cookie(stranger.page.context) is None

    session_id = cookie.get("value", "")
    assert session_id and len(session_id) >= 40
    _nothing_secret_in_the_browser(first, app_server, session_id)
    _nothing_secret_in_the_browser(second, app_server, session_id)

    sign_out(page)
    wait_for_kept_sign_in(page, present=False)
    page.reload()
    expect_signed_out(page)
    # The other tab, still open, learns of it on its next run, and says so.
    open_page(second.page, "Home")
    expect(sidebar(second.page).get_by_text(auth.ENDED)).to_be_visible()
    expect_signed_out(second.page)
    second.page.reload()
    expect_signed_out(second.page)
    assert second.problems.errors == [], "\n".join(second.problems.errors)
    _only_http_only_cookies(first)


def test_a_pasted_token_sign_in_lasts_and_its_claim_works_once(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page
) -> None:
    user = user_name("pasted")
    token = seeded_backend.token(user)
    tab = watch(page)
    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_token(page, user, token)
    cookie = wait_for_kept_sign_in(page)
    assert cookie is not None
    # A pasted token carries no expiry: the sign-in lasts UNDATED_SIGN_IN_S on this browser.
    lasts = cookie.get("expires", 0) - page.evaluate("Date.now() / 1000")
    assert abs(lasts - auth.UNDATED_SIGN_IN_S) < 120, lasts

    page.reload()
    expect_signed_in(page, user)
    _only_http_only_cookies(tab)
    _nothing_secret_in_the_browser(tab, app_server, token, cookie.get("value", ""))
    assert all(token not in c.get("value", "") for c in page.context.cookies())

    (claim,) = [url for url in tab.visits.urls if f"{sign_in_store.CLAIM_PATH}/" in url]
    again = httpx.get(claim, headers={"Sec-Fetch-Site": "same-origin"}, timeout=10)
    assert again.status_code == 200 and "set-cookie" not in again.headers, "a claim code is spent once used"


def test_a_token_the_backend_no_longer_accepts_ends_the_kept_sign_in(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page
) -> None:
    user = user_name("ended")
    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_token(page, user, seeded_backend.token(user))
    wait_for_kept_sign_in(page)

    end_tokens(seeded_backend, user)
    page.reload()  # the kept sign-in is taken up, and its first /v1/me answers 401
    expect(sidebar(page).get_by_text("The backend no longer accepts your sign-in (401)")).to_be_visible()
    expect_signed_out(page)
    wait_for_kept_sign_in(page, present=False)
    page.reload()
    expect_signed_out(page)
    expect(sidebar(page).get_by_text("no longer accepts")).to_have_count(0)
