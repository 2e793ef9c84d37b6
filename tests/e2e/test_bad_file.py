"""A signed-in user uploads files the local check refuses: each gets its own sentence on the
page, the Submit button stays disabled, and nothing reaches the backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from playwright.sync_api import Page, expect

from local_backend.predictions import make_predictions
from tests.conftest import LocalBackend
from tests.e2e.flows import backend_rows, open_page, sign_in_with_token, upload, user_name
from tests.e2e.support import StreamlitApp, expect_no_exception, wait_ready

TASK = "jets"
UPLOADER = f".st-key-{TASK}-submit-file"
NOT_SENT = "Nothing was sent to the backend."


def _bad_files(directory: Path) -> list[tuple[Path, str]]:
    """(file, the sentence the page must show for it)."""
    table = make_predictions(TASK, 0.5, seed=11)
    csv = directory / "csv-renamed.parquet"
    table.to_pandas().to_csv(csv, index=False)
    missing = directory / "no-prob-light.parquet"
    pq.write_table(table.drop_columns(["prob_light"]), missing)
    return [
        (csv, "The file is not a Parquet file (it starts like a CSV text file)."),
        (
            missing,
            "Column 'prob_light' is missing: jets predictions need event_id, jet_id, prob_b, prob_c, prob_light.",
        ),
    ]


def test_refused_uploads_never_reach_the_backend(
    app_server: StreamlitApp,
    seeded_backend: LocalBackend,
    page: Page,
    shot: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    before = len(backend_rows(seeded_backend.url, TASK))
    log_start = seeded_backend.log_path.stat().st_size
    user = user_name("bad")

    page.goto(app_server.url)
    wait_ready(page)
    sign_in_with_token(page, user, seeded_backend.token(user))
    open_page(page, TASK)

    for path, sentence in _bad_files(tmp_path):
        upload(page, UPLOADER, path)
        refusal = page.get_by_text("This file cannot be sent:")
        expect(refusal).to_be_visible()
        expect(refusal).to_contain_text(sentence)
        expect(page.get_by_text(NOT_SENT)).to_be_visible()
        expect(page.get_by_text("Local check passed")).to_have_count(0)
        expect(page.get_by_role("button", name="Submit to the leaderboard")).to_be_disabled()
        expect_no_exception(page)
        refusal.scroll_into_view_if_needed()
        shot(path.stem)

    assert len(backend_rows(seeded_backend.url, TASK)) == before
    with seeded_backend.log_path.open("rb") as log:
        log.seek(log_start)
        requests = log.read().decode(errors="replace")
    assert "POST /v1/benchmark/" not in requests, requests
