"""Steps the signed-in end-to-end tests share: extra browser profiles, the two ways to sign in and
signing out, the kept sign-in's cookie and web storage, in-app navigation (a full reload starts a
new Streamlit session, which takes up the kept sign-in), uploads, and what the backend holds.

Everything here drives the synchronous Playwright API on the main thread, as the fixtures do.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Cookie, Frame, Locator, Page, Request, expect

from components import sign_in_store
from local_backend import db
from local_backend.predictions import make_predictions, to_parquet_bytes
from tests.conftest import LocalBackend
from tests.e2e.conftest import SCREENSHOTS, BrowserProblems
from tests.e2e.support import wait_ready

OAUTH_FRAME = 'iframe[title="streamlit_oauth.authorize_button"]'
OAUTH_BUTTON = "Sign in with Hugging Face"
#: Every token the local stand-in issues starts with this (local_backend.oauth.TOKEN_PREFIX).
TOKEN_PREFIX = "hf_local_"  # noqa: S105 - a label, not a secret
#: The sign-in popup, the component's polling and the code exchange: about 1.5 s here.
SIGN_IN_MS = 30_000
#: Scoring a 3,000-row jets file, over HTTP, with the page's reruns around it.
BACKEND_MS = 60_000


def user_name(role: str) -> str:
    """A user name of this run only (the seeded backend is shared by the whole session)."""
    return f"e2e-{role}-{uuid.uuid4().hex[:8]}"


@dataclass
class Visits:
    """Every URL a profile's frames navigated to and every request it sent (token hygiene)."""

    urls: list[str] = field(default_factory=list)

    def on_frame(self, frame: Frame) -> None:
        self.urls.append(frame.url)

    def on_request(self, request: Request) -> None:
        self.urls.append(request.url)


@dataclass
class Tab:
    """A page in a browser context of its own, with what went wrong in it and where it went."""

    page: Page
    problems: BrowserProblems
    visits: Visits


def watch(page: Page) -> Tab:
    """Start recording a page's console errors, uncaught errors, navigations and requests
    (popups included: they belong to the same context)."""
    problems, visits = BrowserProblems(), Visits()
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.on("framenavigated", visits.on_frame)
    page.context.on("request", visits.on_request)
    page.context.on("page", lambda popup: popup.on("framenavigated", visits.on_frame))
    return Tab(page, problems, visits)


@contextmanager
def extra_tab(browser: Browser) -> Iterator[Tab]:
    """A tab in another fresh profile, held to the same rules as the `page` fixture's."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = watch(context.new_page())
    try:
        yield tab
        assert tab.page.locator("[data-testid='stException']").count() == 0, "an exception box is on the page"
        assert tab.problems.errors == [], "\n".join(tab.problems.errors)
    finally:
        context.close()


def sidebar(page: Page) -> Locator:
    return page.locator("[data-testid='stSidebar']")


def approve_in_popup(page: Page, username: str) -> None:
    """ "Sign in with Hugging Face", then the local stand-in's consent page: type a name, Approve."""
    button = page.frame_locator(OAUTH_FRAME).get_by_role("button", name=OAUTH_BUTTON)
    expect(button).to_be_visible(timeout=SIGN_IN_MS)
    with page.expect_popup() as opened:
        button.click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.get_by_label("Hugging Face user name").fill(username)
    popup.get_by_role("button", name="Approve", exact=True).click()


def sign_in_with_popup(page: Page, username: str) -> None:
    """Sign in through the popup and wait until the sidebar says so."""
    approve_in_popup(page, username)
    expect(sidebar(page).get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SIGN_IN_MS)
    wait_ready(page)


def sign_in_with_token(page: Page, username: str, token: str) -> None:
    """The sidebar's "Use an access token instead": paste, "Sign in with token"."""
    side = sidebar(page)
    side.get_by_text("Use an access token instead").click()
    field_ = side.get_by_label("Hugging Face access token")
    field_.fill(token)
    side.get_by_role("button", name="Sign in with token").click()
    expect(side.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SIGN_IN_MS)
    wait_ready(page)


def sign_out(page: Page) -> None:
    """The sidebar's "Sign out"; wait until the ways to sign in are back."""
    sidebar(page).get_by_role("button", name="Sign out").click()
    expect_signed_out(page)


def expect_signed_in(page: Page, username: str) -> None:
    expect(sidebar(page).get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SIGN_IN_MS)
    wait_ready(page)


def expect_signed_out(page: Page) -> None:
    """The sidebar offers the ways to sign in, and says nobody is signed in."""
    expect(sidebar(page).get_by_text("Use an access token instead")).to_be_visible(timeout=SIGN_IN_MS)
    wait_ready(page)
    expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)


def kept_sign_in_cookie(context: BrowserContext) -> Cookie | None:
    """The cookie that names this profile's kept sign-in (components.sign_in_store), if any."""
    return next((c for c in context.cookies() if c.get("name") == sign_in_store.COOKIE), None)


def wait_for_kept_sign_in(page: Page, present: bool = True, timeout_ms: float = 10_000) -> Cookie | None:
    """Wait until the page has had the browser claim (or clear) its sign-in cookie; the cookie."""
    waited = 0.0
    while (kept_sign_in_cookie(page.context) is not None) != present:
        assert waited < timeout_ms, f"the sign-in cookie is {'still missing' if present else 'still there'}"
        page.wait_for_timeout(100)
        waited += 100
    return kept_sign_in_cookie(page.context)


def web_storage(page: Page) -> str:
    """Everything the page's origin keeps in localStorage and sessionStorage, as text."""
    text: str = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    return text


def end_tokens(backend: LocalBackend, username: str) -> None:
    """The backend stops accepting every token of `username` (they expire now), as Hugging Face
    does with a revoked or expired token: the next signed-in call gets a 401."""
    conn = db.connect(backend.db_path)
    try:
        with db.transaction(conn):
            conn.execute("UPDATE oauth_tokens SET expires_at = ? WHERE hf_username = ?", (db.timestamp(), username))
    finally:
        conn.close()


def open_page(page: Page, title: str) -> None:
    """Go to a page through the sidebar's navigation: the same session, so still signed in."""
    sidebar(page).locator("[data-testid='stSidebarNav']").get_by_role("link", name=re.compile(rf"{title}$")).click()
    wait_ready(page)


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label).click()
    wait_ready(page)


def upload(page: Page, scope: str, path: Path) -> None:
    """Choose `path` in the file uploader inside `scope` (a `.st-key-…` selector) and wait for its check.

    A file already chosen there is removed first, as a person would (its chip's remove button).
    """
    chosen = page.locator(f"{scope} [data-testid='stFileChipDeleteBtn'] button")
    while chosen.count():
        chosen.first.click()
        wait_ready(page)
    page.locator(f"{scope} [data-testid='stFileUploaderDropzoneInput']").set_input_files(path)
    wait_ready(page)
    # The chip shortens long names on screen ("no-pr...ight.parquet"); its title keeps the whole name.
    expect(page.locator(f"{scope} [data-testid='stFileChipName'][title='{path.name}']")).to_be_visible()
    wait_ready(page)


def write_predictions(directory: Path, task: str, quality: float, seed: int, name: str = "predictions.parquet") -> Path:
    path = directory / name
    path.write_bytes(to_parquet_bytes(make_predictions(task, quality, seed=seed)))
    return path


def backend_rows(backend_url: str, task: str) -> list[dict]:
    """Every submission of `task` the backend holds, newest first."""
    answer = httpx.get(f"{backend_url}/v1/leaderboard/{task}", params={"limit": 100_000}, timeout=30)
    answer.raise_for_status()
    rows: list[dict] = answer.json()
    return rows


def grid_texts(grid: Locator) -> list[list[str]]:
    """The visible rows (cell texts) of a data grid (`stDataFrame`), from its accessible table."""
    table = grid.locator("table")
    table.locator("tbody td").first.wait_for(state="attached")
    rows: list[list[str]] = table.evaluate(
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.textContent))"
    )
    return rows


def after(page: Page, anchor: str, testid: str) -> Locator:
    """The first `testid` element after the element matching the selector `anchor`, at the same level.

    Keyed data frames and charts get no `st-key-` class, so they are found by what precedes them.
    """
    return page.locator(
        f"[data-testid='stElementContainer']:has({anchor}) ~ [data-testid='stElementContainer'] "
        f"[data-testid='{testid}']"
    ).first


def under_heading(page: Page, heading_id: str, testid: str) -> Locator:
    """The first `testid` element after the subheading whose anchor is `heading_id` ("ledger")."""
    return after(page, f"h3#{heading_id}", testid)


def page_text(page: Page) -> str:
    """The HTML of the page and of every frame in it (the sign-in component lives in an iframe)."""
    parts = [page.content()]
    for frame in page.frames[1:]:
        if not frame.is_detached():
            parts.append(frame.content())
    return "\n".join(parts)


def snap(page: Page, test_name: str, step: str) -> Path:
    """What the `shot` fixture does, for a tab other than the `page` fixture's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}-{step}.png"
    page.screenshot(path=str(path))
    return path
