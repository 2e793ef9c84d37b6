"""What the end-to-end tests share besides fixtures: the dashboard server and page readiness."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.servers import ServerProcess, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The local sign-in stand-in's client (local_backend/oauth.py defaults).
OAUTH_CLIENT_ID = "colliderml-local"
OAUTH_CLIENT_SECRET = "colliderml-local-secret"  # noqa: S105 - the stand-in's public default
#: Headless Debian Chromium on a closed network: background networking would be refused and logged.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
#: How long to look for a run to start after an interaction. A run over sooner than that is
#: missed harmlessly: the page is then ready already.
RUN_START_MS = 500


@dataclass
class StreamlitApp:
    """`streamlit run app.py` (as `make run` and the Space start it) on a free port, pointed at one
    backend; its output goes to `log_path`."""

    backend_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    server: ServerProcess = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.server = ServerProcess(
            name="streamlit",
            command=[sys.executable, "-m", "streamlit", "run", "app.py",
                     "--server.headless", "true", "--server.port", str(self.port),
                     "--server.address", "localhost", "--browser.gatherUsageStats", "false",
                     "--server.fileWatcherType", "none"],
            health_url=f"{self.url}/_stcore/health",
            cwd=REPO_ROOT,
            env=self.env(),
            log_path=self.log_path,
        )  # fmt: skip

    @property
    def url(self) -> str:
        """Always `localhost`: the sign-in redirect must return to the origin the browser loaded."""
        return f"http://localhost:{self.port}"

    def env(self) -> dict[str, str]:
        """The test process's environment, with the backend and the local sign-in stand-in."""
        env = {k: v for k, v in os.environ.items() if k not in ("SPACE_HOST", "OAUTH_SCOPES")}
        env.update(
            COLLIDERML_BACKEND=self.backend_url,
            OPENID_PROVIDER_URL=self.backend_url,
            OAUTH_CLIENT_ID=OAUTH_CLIENT_ID,
            OAUTH_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        )
        return env

    def start(self) -> None:
        """Start the server and wait for `/_stcore/health`."""
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def log_text(self) -> str:
        """Everything the server printed (scan it for tokens and tracebacks)."""
        return self.server.log_text()


@contextmanager
def running_app(backend_url: str, log_path: Path) -> Iterator[StreamlitApp]:
    """Start an app, yield it, stop it; then fail if the server logged a traceback."""
    app = StreamlitApp(backend_url=backend_url, log_path=log_path)
    app.start()
    try:
        yield app
    finally:
        app.stop()
    assert "Traceback" not in app.log_text(), f"the dashboard logged an exception:\n{app.log_text()}"


def wait_ready(page: Page, timeout_ms: float = 30_000) -> None:
    """Wait until the script run caused by the last navigation or interaction is over."""
    with suppress(PlaywrightTimeout):  # no run seen: it was over before we looked, or none was needed
        page.locator(RUNNING).wait_for(state="attached", timeout=RUN_START_MS)
    page.locator(READY).wait_for(state="attached", timeout=timeout_ms)


def expect_no_exception(page: Page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, f"exception on the page: {boxes.first.inner_text()}"
