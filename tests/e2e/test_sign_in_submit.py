"""Two people in two browser profiles: A signs in through the Hugging Face popup and submits a
jets file; B signs in with a pasted token, reproduces A's submission with the same file and sees
the reward in "My credits". No access token may show up in a page, a URL or the server's log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from components import paths
from tests.conftest import LocalBackend
from tests.e2e.flows import (
    BACKEND_MS,
    SIGN_IN_MS,
    TOKEN_PREFIX,
    Tab,
    after,
    approve_in_popup,
    backend_rows,
    extra_tab,
    grid_texts,
    open_page,
    open_tab,
    page_text,
    sidebar,
    sign_in_with_popup,
    sign_in_with_token,
    snap,
    under_heading,
    upload,
    user_name,
    watch,
    write_predictions,
)
from tests.e2e.support import StreamlitApp, expect_no_exception, wait_ready

TASK = "jets"
SUBMITTED = re.compile(r"Submitted\. Credits earned: ([\d,]+)\.")
REPRODUCTION_REWARD = 20


def _no_token_anywhere(tab: Tab, app: StreamlitApp, backend: LocalBackend, *tokens: str) -> None:
    """Neither a known token nor anything shaped like one (the stand-in's prefix) is in the page or
    its frames, in a URL the profile navigated to or requested, or in the dashboard's or the
    backend's log."""
    html = page_text(tab.page)
    logs = {"dashboard": app.log_text(), "backend": backend.log_path.read_text(errors="replace")}
    for secret in (*tokens, TOKEN_PREFIX):
        assert secret not in html, "an access token is in the page"
        assert not [url for url in tab.visits.urls if secret in url], "an access token is in a URL"
        for name, log in logs.items():
            assert secret not in log, f"an access token is in the {name}'s log"


def _board_rows(page: Page) -> list[list[str]]:
    return grid_texts(page.locator(f".st-key-{TASK}-table [data-testid='stDataFrame']"))


def test_own_new_submission_is_on_the_board_in_the_same_session(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page, tmp_path: Path
) -> None:
    newest = max(datetime.fromisoformat(row["submitted_at"]) for row in backend_rows(seeded_backend.url, TASK))
    if newest.astimezone(UTC).date() >= datetime.now(UTC).date():
        pytest.skip("needs a board whose newest submission is from an earlier day (the demo seed's is days old)")
    user = user_name("row")
    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_token(page, user, seeded_backend.token(user))
    open_page(page, TASK)
    shown_before = len(_board_rows(page))
    upload(page, f".st-key-{TASK}-submit-file", write_predictions(tmp_path, TASK, 0.7, seed=time.time_ns() % 2**31))
    page.get_by_role("button", name="Submit to the leaderboard").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible(timeout=BACKEND_MS)
    wait_ready(page)
    page.get_by_role("button", name="Show it on the board").click()
    wait_ready(page)
    expect(page.locator(f".st-key-{TASK}-detail")).to_contain_text(user)  # the panel finds it in the rows
    # The grid redraws after the panel: wait for its accessible table to hold the new row (the
    # user cell's text is the link to the person's page; the grid paints the name).
    grid = page.locator(f".st-key-{TASK}-table [data-testid='stDataFrame'] table")
    expect(grid).to_contain_text(paths.person_path(user), timeout=BACKEND_MS)
    board = _board_rows(page)
    assert [row for row in board if paths.person_path(user) in row], f"{user} is not among the {len(board)} rows shown"
    assert len(board) == shown_before + 1


def test_submit_then_reproduce_by_someone_else(
    app_server: StreamlitApp,
    seeded_backend: LocalBackend,
    browser: Browser,
    page: Page,
    shot: Callable[[str], Path],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    alice, bob = user_name("a"), user_name("b")
    predictions = write_predictions(tmp_path, TASK, 0.7, seed=time.time_ns() % 2**31)
    a = watch(page)

    # A: popup sign-in, then the jets page through the sidebar.
    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_popup(page, alice)
    shot("a-signed-in")
    open_page(page, TASK)
    expect(page.get_by_role("heading", name=re.compile(TASK))).to_be_visible()

    upload(page, f".st-key-{TASK}-submit-file", predictions)
    expect(page.get_by_text("Local check passed: 3,000 rows")).to_be_visible()
    page.get_by_role("button", name="Submit to the leaderboard").click()
    done = page.get_by_text(SUBMITTED)
    expect(done).to_be_visible(timeout=BACKEND_MS)
    wait_ready(page)
    match = SUBMITTED.search(done.inner_text())
    assert match is not None
    credits = int(match.group(1).replace(",", ""))
    shown = grid_texts(after(page, "[data-testid='stAlert']:has-text('Submitted.')", "stDataFrame"))
    expect_no_exception(page)
    done.scroll_into_view_if_needed()
    shot("a-submitted")

    mine = [row for row in backend_rows(seeded_backend.url, TASK) if row["hf_username"] == alice]
    assert len(mine) == 1, mine
    submission = mine[0]
    assert float(submission["credits_earned"]) == credits
    scores = json.loads(submission["scores"])
    assert {row[0].split(" ")[0]: float(row[1]) for row in shown} == pytest.approx(scores, rel=1e-5)

    page.get_by_role("button", name="Show it on the board").click()
    wait_ready(page)
    detail = page.locator(f".st-key-{TASK}-detail")
    expect(detail).to_be_visible()
    expect(detail).to_contain_text(alice)
    expect(detail).to_contain_text(submission["id"])
    assert f"submission={submission['id']}" in page.url
    shot("a-on-the-board")
    # The popup's pages and its redirect back (with the code) were watched too.
    assert any("/oauth/authorize?" in url for url in a.visits.urls), a.visits.urls
    assert any("code=" in url and "state=" in url for url in a.visits.urls), a.visits.urls
    _no_token_anywhere(a, app_server, seeded_backend)

    # B: another profile, a pasted token, A's submission reproduced from the same file.
    token = seeded_backend.token(bob)
    with extra_tab(browser) as b:
        b.page.goto(app_server.url)
        wait_ready(b.page)
        sign_in_with_token(b.page, bob, token)
        balance_before = _balance(seeded_backend, token)
        open_page(b.page, TASK)
        open_tab(b.page, "Reproduce a submission")
        target = b.page.get_by_label("Submission id")
        target.fill(submission["id"])
        target.press("Enter")
        wait_ready(b.page)
        upload(b.page, f".st-key-{TASK}-reproduce-file", predictions)
        b.page.get_by_role("button", name="Send reproduction").click()
        expect(b.page.get_by_text(f"Reproduced within 2 %: +{REPRODUCTION_REWARD} credits")).to_be_visible(
            timeout=BACKEND_MS
        )
        wait_ready(b.page)
        expect_no_exception(b.page)
        snap(b.page, request.node.name, "b-reproduced")
        assert _balance(seeded_backend, token) == balance_before + REPRODUCTION_REWARD

        open_page(b.page, "My credits")
        expect(b.page.get_by_role("heading", name="Ledger")).to_be_visible()
        ledger = grid_texts(under_heading(b.page, "ledger", "stDataFrame"))
        # The accessible table holds the raw values; the canvas draws this one as "+20" (format %+g).
        entry = [row for row in ledger if row[1] == "Reproduced a submission"]
        assert len(entry) == 1, ledger
        assert float(entry[0][2]) == REPRODUCTION_REWARD
        assert entry[0][3] == TASK
        assert entry[0][4].endswith(f"/{TASK}?submission={submission['id']}")
        chart = under_heading(b.page, "balance-over-time", "stVegaLiteChart")
        chart.scroll_into_view_if_needed()
        line = chart.locator("svg .mark-line path").first
        expect(line).to_have_attribute("d", re.compile(r"^M.+L"))
        expect_no_exception(b.page)
        snap(b.page, request.node.name, "b-credits")
        _no_token_anywhere(b, app_server, seeded_backend, token)
    _no_token_anywhere(a, app_server, seeded_backend, token)


def _balance(backend: LocalBackend, token: str) -> float:
    answer = httpx.get(f"{backend.url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    return float(answer.json()["credits"])


def test_a_sign_in_answer_without_state_is_refused(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page
) -> None:
    """A forged sign-in link can bring the app a code without `state`; streamlit-oauth would take it.

    Here the stand-in's real redirect after Approve loses its `state` on the way (rewritten in the
    browser), so the app gets exactly what such a link would give it.
    """

    def without_state(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        location = urlsplit(answer.headers["location"])
        query = urlencode([(k, v) for k, v in parse_qsl(location.query) if k != "state"])
        route.fulfill(status=303, headers={"Location": urlunsplit(location._replace(query=query))})

    page.context.route(re.compile(r"/oauth/authorize$"), without_state)
    page.goto(app_server.url)
    wait_ready(page)
    user = user_name("nostate")
    approve_in_popup(page, user)
    refused = sidebar(page).get_by_text("Sign-in refused: the answer from the sign-in page carried no state")
    expect(refused).to_be_visible(timeout=SIGN_IN_MS)
    wait_ready(page)
    expect(sidebar(page).get_by_text(f"Signed in as {user}")).to_have_count(0)

    page.context.unroute(re.compile(r"/oauth/authorize$"))
    sign_in_with_popup(page, user)  # a fresh sign-in, with its state, still works
