"""A person's page and a submission's page in Chromium: each opens by its address, and each links to
the other within the same tab."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import LocalBackend
from tests.e2e.support import StreamlitApp, expect_no_exception, wait_ready

#: A seeded user who works on jets, anomaly and data_loading (local_backend/seed.py).
PERSON = "jet-clustering-jo"


def test_a_person_and_a_submission_open_by_address_and_link_to_each_other(
    seeded_backend: LocalBackend, app_server: StreamlitApp, page: Page, shot: Callable[[str], Path]
) -> None:
    rows = httpx.get(f"{seeded_backend.url}/v1/leaderboard/anomaly", params={"limit": 5000}, timeout=10).json()
    theirs = next(row for row in rows if row["hf_username"] == PERSON)
    main = page.locator("[data-testid='stMain']")

    page.goto(f"{app_server.url}/submission?id={theirs['id']}")
    wait_ready(page)
    expect(main.get_by_role("heading", name=f"{PERSON} on anomaly")).to_be_visible()
    expect(main.locator("[data-testid='stDataFrame']")).to_be_visible()
    shot("submission")

    main.get_by_role("link", name=PERSON).click()
    wait_ready(page)
    expect(main.get_by_role("heading", name=PERSON, exact=True)).to_be_visible()
    assert re.search(rf"/user\?name={PERSON}$", page.url), page.url
    expect(main.locator("[data-testid='stVegaLiteChart']")).to_have_count(3)
    expect_no_exception(page)
    shot("person")

    page.goto(f"{app_server.url}/user?name={PERSON}")  # the person's own address, in a new session
    wait_ready(page)
    expect(main.get_by_role("heading", name=PERSON, exact=True)).to_be_visible()
    main.get_by_role("link", name="The submission that holds their place").first.click()
    wait_ready(page)
    expect(main.get_by_role("heading", name=f"{PERSON} on jets")).to_be_visible()
    assert "/submission?id=" in page.url, page.url
    expect_no_exception(page)
