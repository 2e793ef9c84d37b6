"""The README's screenshots: Home and a task page, light, dark and on a 390 px phone.

Seeds a local backend with the demo data, serves the dashboard on it (`streamlit run app.py`)
and saves docs/screenshots/<page>-<view>.png from Debian's Chromium.

    .venv/bin/python -m scripts.screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import fixtures
from tests.e2e.support import CHROMIUM_ARGS, wait_ready
from tests.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES = {"home": "", "task": "jets"}
#: (name, viewport width, height, colour scheme)
VIEWS = [("light", 1400, 1000, "light"), ("dark", 1400, 1000, "dark"), ("phone", 390, 844, "light")]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db, truth = Path(tmp) / "db.sqlite3", Path(tmp) / "truth"
        fixtures.seed(db, truth)
        with fixtures.serving(db, truth) as backend, sync_playwright() as playwright:
            port = free_port()
            app = ServerProcess(
                name="streamlit",
                command=[sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                         "--server.address", "localhost", "--server.headless", "true"],
                health_url=f"http://localhost:{port}/_stcore/health",
                cwd=ROOT,
                env={**os.environ, "COLLIDERML_BACKEND": backend.url},
                log_path=Path(tmp) / "app.log",
            )  # fmt: skip
            app.start()
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            try:
                for view, width, height, scheme in VIEWS:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme, is_mobile=view == "phone"
                    )
                    for page_name, path in PAGES.items():
                        tab = context.new_page()
                        tab.goto(f"http://localhost:{port}/{path}")
                        wait_ready(tab, 60_000)
                        tab.wait_for_timeout(1_500)  # charts and fonts settle
                        target = OUT / f"{page_name}-{view}.png"
                        tab.screenshot(path=str(target))
                        print(target.relative_to(ROOT))
                    context.close()
            finally:
                browser.close()
                app.stop()


if __name__ == "__main__":
    main()
