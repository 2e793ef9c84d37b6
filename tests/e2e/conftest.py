"""End-to-end fixtures: Debian's Chromium, driven by Playwright, against `streamlit run` and the local backend.

Every test in this folder is marked `e2e` and runs after the rest of the suite: a live Playwright
session keeps an asyncio loop on the main thread, where other tests call `asyncio.run`.
Without Chromium the folder is skipped with a message, except in CI (env CI set), where the
end-to-end tests are required and fail instead. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.conftest import LocalBackend
from tests.e2e.support import CHROMIUM_ARGS, REPO_ROOT, StreamlitApp, running_app

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
#: Loading a sub-page URL directly (`/jets`) makes Streamlit's frontend first probe `/jets/_stcore/...`
#: in case `/jets` is a base path; those two 404s are logged as console errors by Chromium.
#: Known and harmless: https://github.com/streamlit/streamlit/issues/7074
BASE_PATH_PROBE = re.compile(r"^http://localhost:\d+/[^/?#]+/_stcore/(health|host-config)$")


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests `e2e` and move them after every other test."""
    in_e2e = [item for item in items if E2E_DIR in Path(str(item.path)).parents]
    for item in in_e2e:
        item.add_marker(pytest.mark.e2e)
    others = [item for item in items if item not in in_e2e]
    items[:] = others + in_e2e


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        message = (
            "Chromium not found (/usr/bin/chromium or `chromium` on PATH): the end-to-end tests need "
            "Debian's Chromium (`apt-get install chromium`, or `make browser` as root)."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI requires the end-to-end tests.")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def app_server(seeded_backend: LocalBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitApp]:
    """The dashboard on the seeded backend, shared by the session (its caches are shared too)."""
    with running_app(seeded_backend.url, tmp_path_factory.mktemp("app") / "streamlit.log") as app:
        yield app


@dataclass
class BrowserProblems:
    """What went wrong in the browser during a test: console errors and uncaught page errors."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if "Failed to load resource" in message.text and BASE_PATH_PROBE.match(where):
            return
        self.errors.append(f"console: {message.text} ({where})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab in a fresh browser context (a fresh profile); at the end, no console error and no
    exception box may have appeared.

    Ask for app fixtures before `page` in a test's arguments: fixtures are torn down in reverse,
    and a tab still open when its server stops logs connection errors.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    problems = BrowserProblems()
    tab.on("console", problems.on_console)
    tab.on("pageerror", problems.on_page_error)
    try:
        yield tab
        assert tab.locator("[data-testid='stException']").count() == 0, "an exception box is on the page"
        assert problems.errors == [], "\n".join(problems.errors)
    finally:
        context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`shot("step")` saves artifacts/screenshots/<test>-<step>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path))
        return path

    return take
