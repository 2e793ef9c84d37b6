"""A visitor's path through the dashboard in Chromium, and a backend outage seen from the browser.

The ranked table is a glide-data-grid drawn on a canvas; what it shows is read from the
accessible table the grid keeps in step with the canvas (header texts, visible rows).
"""

from __future__ import annotations

import io
import math
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote_plus, urlsplit

import httpx
import pandas as pd
import pyarrow as pa
import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from components import paths
from components.api import BackendClient
from components.tasks import FALLBACK_TASKS
from components.upload_checks import check_predictions
from local_backend.predictions import to_parquet_bytes
from tests.conftest import LocalBackend
from tests.e2e.conftest import BrowserProblems
from tests.e2e.support import StreamlitApp, expect_no_exception, running_app, wait_ready

TASKS = [t.name for t in FALLBACK_TASKS]
TASK = "jets"
#: A grid header cell is sorted when its accessible text starts with an arrow ("↑ btag_auc ↑").
SORTED = re.compile(r"^([↑↓]) ")
ROWS_CAPTION = re.compile(r"^([\d,]+) rows? · ranked by")
#: Where to click the grid's header row, and where to look for its column rules (above the header
#: texts), in pixels from the top of the canvas.
HEADER_Y = 15
RULE_Y = 6
#: Column rules are drawn darker than the header background (luminance ~231 against ~252).
RULE_LUMA = 242
MIN_COLUMN_PX = 12
#: The grid's rows (and header) are this tall; a row's tick box sits this far in from the left,
#: and the user column's names start about this far in (after the tick boxes and ranks).
ROW_PX = 35
MARKER_X = 15
USER_X = 100
#: A ticked box is drawn in the theme's blue: blue well above red (an empty box is near white).
TICK_BLUE = 60
#: The cache TTL of the live board's own dashboard: the board part rereads it every second.
LIVE_TTL_S = 2


def _backend_rows(backend: LocalBackend, task: str) -> list[dict]:
    answer = httpx.get(f"{backend.url}/v1/leaderboard/{task}", params={"limit": 5000}, timeout=10)
    answer.raise_for_status()
    rows: list[dict] = answer.json()
    return rows


def _backend_metrics(backend: LocalBackend, task: str) -> list[str]:
    tasks = httpx.get(f"{backend.url}/v1/benchmark/tasks", timeout=10).json()
    metrics: list[str] = next(t["metrics"] for t in tasks if t["name"] == task)
    return metrics


def _board(page: Page, task: str = TASK) -> Locator:
    return page.locator(f".st-key-{task}-table [data-testid='stDataFrame']")


def _grid(page: Page, task: str = TASK) -> dict[str, list]:
    """The board's header texts and visible rows (cell texts), from the grid's accessible table."""
    table = _board(page, task).locator("table")
    table.locator("tbody td").first.wait_for(state="attached")
    grid: dict[str, list] = table.evaluate(
        """t => ({
            heads: [...t.querySelectorAll('th')].map(c => c.textContent),
            rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.textContent)),
        })"""
    )
    return grid


def _rows_shown(page: Page) -> int:
    caption = page.get_by_text(ROWS_CAPTION)
    expect(caption).to_be_visible()
    match = ROWS_CAPTION.match(caption.inner_text())
    assert match, caption.inner_text()
    return int(match.group(1).replace(",", ""))


def _header_xs(page: Page, canvas: Locator) -> list[float]:
    """Page x of a point inside every header cell in view, found from the column rules drawn on the canvas."""
    box = canvas.bounding_box()
    assert box is not None
    strip = page.screenshot(clip={"x": box["x"], "y": box["y"] + RULE_Y, "width": box["width"], "height": 1})
    gray = Image.open(io.BytesIO(strip)).convert("L")
    rules = [x for x in range(gray.width) if int(gray.getpixel((x, 0))) < RULE_LUMA]  # type: ignore[arg-type]
    edges = [0, *rules, gray.width]
    # A third of the way in: clear of the column-menu button that appears at a header's right end.
    return [box["x"] + a + (b - a) / 3 for a, b in zip(edges, edges[1:], strict=False) if b - a > MIN_COLUMN_PX]


def _sort_ascending(page: Page, header: str, task: str = TASK) -> None:
    """Click the header cell titled `header` until the grid sorts by it, ascending.

    Header cells are canvas drawings: the click position comes from the column rules, and the
    accessible header texts say which column a click sorted. That corrects an offset (a row
    selection column first) and walks the sort cycle (ascending, descending, none).
    """
    canvas = _board(page, task).locator("[data-testid='data-grid-canvas']")
    box = canvas.bounding_box()
    assert box is not None
    heads = _grid(page, task)["heads"]
    target = heads.index(header)
    xs = _header_xs(page, canvas)
    column = target
    for _ in range(6):
        page.mouse.click(xs[min(column, len(xs) - 1)], box["y"] + HEADER_Y)
        try:
            page.wait_for_function(
                """([table, before]) => JSON.stringify([...table.querySelectorAll('th')].map(c => c.textContent))
                    !== JSON.stringify(before)""",
                arg=[_board(page, task).locator("table").element_handle(), heads],
                timeout=2_000,
            )
        except PlaywrightTimeout:  # nothing changed: the click missed a sortable header; try the next cell
            column += 1
            continue
        heads = _grid(page, task)["heads"]
        sorted_at = next((i for i, text in enumerate(heads) if SORTED.match(text)), None)
        if sorted_at == target and heads[target].startswith("↑"):
            return
        if sorted_at is not None and sorted_at != target:
            column += target - sorted_at
    pytest.fail(f"could not sort the board by {header!r}; headers now {heads}")


def test_visitor_browses_a_leaderboard(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    rows = _backend_rows(seeded_backend, TASK)
    metrics = _backend_metrics(seeded_backend, TASK)
    users = {row["hf_username"] for row in rows}

    page.goto(app_server.url)
    wait_ready(page)
    for name in TASKS:
        card = page.locator(f".st-key-home-card-{name}")
        expect(card).to_be_visible()
        expect(card.get_by_text("Open leaderboard")).to_be_visible()
    shot("home")

    page.locator(f".st-key-home-card-{TASK}").get_by_text("Open leaderboard").click()
    page.wait_for_url(f"**/{TASK}")
    wait_ready(page)
    expect(_board(page)).to_be_visible()
    assert _rows_shown(page) == len(users), "best per user is the default view"
    shot("board")

    grid = _grid(page)
    primary = next(text for text in grid["heads"] if text.startswith(f"{metrics[0]} "))
    ranked = [float(row[grid["heads"].index(primary)]) for row in grid["rows"]]
    assert ranked == sorted(ranked, reverse=True), "ranked by the primary metric, best first"
    _sort_ascending(page, primary)
    grid = _grid(page)
    column = next(i for i, text in enumerate(grid["heads"]) if text.endswith(primary))
    assert [float(row[column]) for row in grid["rows"]] == sorted(ranked)
    expect_no_exception(page)
    shot("sorted")

    page.locator(".st-key-view").get_by_role("radio", name="All submissions").click()
    wait_ready(page)
    assert _rows_shown(page) == len(rows)
    page.locator(".st-key-view").get_by_role("radio", name="Best per user").click()
    wait_ready(page)
    assert _rows_shown(page) == len(users)
    expect_no_exception(page)

    target = rows[-1]  # the oldest submission: deep links must reach any row, not only the best
    page.goto(f"{app_server.url}/{TASK}?submission={target['id']}")
    wait_ready(page)
    detail = page.locator(f".st-key-{TASK}-detail")
    expect(detail).to_be_visible()
    expect(detail).to_contain_text(target["hf_username"])
    expect(detail).to_contain_text(target["id"])
    # The trend chart: the one whose x axis is the submission time.
    trend = page.locator("[data-testid='stVegaLiteChart']").filter(
        has=page.locator("svg text", has_text=re.compile(r"^submitted$"))
    )
    trend.scroll_into_view_if_needed()
    expect(trend.locator("svg.marks .role-mark path").first).to_be_attached()
    shot("detail")

    with page.expect_download() as download:
        page.locator(f".st-key-{TASK}-csv").get_by_role("button", name="Download CSV").click()
    wait_ready(page)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    table = pd.read_csv(saved)
    assert len(table) == len(users)
    assert set(table["hf_username"]) == users
    assert {"rank", "hf_username", *metrics} <= set(table.columns)
    assert table["rank"].iloc[0] == 1
    expect_no_exception(page)


@pytest.fixture
def outage_backend(seeded_backend: LocalBackend, tmp_path: Path) -> Iterator[LocalBackend]:
    """A backend of this test's own on a copy of the demo data, free to go down and come back."""
    copy = tmp_path / "colliderml.sqlite3"
    with closing(sqlite3.connect(seeded_backend.db_path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    backend = LocalBackend(db_path=copy, data_dir=seeded_backend.data_dir)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def outage_app(outage_backend: LocalBackend, tmp_path: Path) -> Iterator[StreamlitApp]:
    """A dashboard of this test's own, so the outage never reaches the shared server's caches.

    It starts while the backend is down, as a Space waking during an outage would: its warm-up run
    (app.py) then fetches no leaderboard, so no page has a last good copy to fall back on yet."""
    outage_backend.stop()
    with running_app(outage_backend.url, tmp_path / "streamlit.log") as app:
        yield app


def test_backend_outage_shows_warnings_and_panels_then_recovers(
    outage_backend: LocalBackend, outage_app: StreamlitApp, page: Page, shot: Callable[[str], Path]
) -> None:
    page.goto(f"{outage_app.url}/anomaly")  # never fetched: nothing to fall back on
    wait_ready(page)
    expect(page.get_by_text("The anomaly leaderboard could not be loaded")).to_be_visible()
    expect(_board(page, "anomaly")).to_have_count(0)
    expect_no_exception(page)
    shot("panel")

    outage_backend.start()
    page.locator(".st-key-anomaly-retry").get_by_role("button").click()
    wait_ready(page)
    expect(_board(page, "anomaly")).to_be_visible()
    expect(page.get_by_text("could not be loaded")).to_have_count(0)

    page.goto(f"{outage_app.url}/{TASK}")
    wait_ready(page)
    expect(_board(page)).to_be_visible()

    outage_backend.stop()  # connections are refused from now on
    page.locator(f".st-key-{TASK}-refresh").get_by_role("button").click()
    wait_ready(page)
    expect(page.get_by_text("the backend has been failing since")).to_be_visible()
    expect(_board(page)).to_be_visible()  # the last good copy stays on screen
    expect_no_exception(page)
    shot("stale-board")

    page.goto(outage_app.url)
    wait_ready(page)
    expect(page.get_by_text("is not answering for")).to_be_visible()
    for name in TASKS:
        expect(page.locator(f".st-key-home-card-{name}")).to_be_visible()
    expect_no_exception(page)
    shot("home-down")

    outage_backend.start()
    page.goto(outage_app.url)
    wait_ready(page)
    expect(page.locator(".st-key-home-card-anomaly")).to_be_visible()
    expect(page.get_by_text("is not answering for")).to_have_count(0)
    expect_no_exception(page)
    shot("recovered")


def test_first_visitor_deep_link_gets_no_page_not_found_dialog(
    seeded_backend: LocalBackend, browser: Browser, tmp_path: Path
) -> None:
    """Streamlit #8860: the first session of a fresh server that opened a page other than Home by
    URL got "Page not found" over the right page (app.py says why and what removes it)."""
    with running_app(seeded_backend.url, tmp_path / "streamlit.log") as app:
        context = browser.new_context()
        try:
            tab = context.new_page()
            tab.goto(f"{app.url}/{TASK}")
            wait_ready(tab)
            expect(tab.get_by_role("heading", name=re.compile(TASK))).to_be_visible()
            # Messages are handled in order: by the end of the run, a dialog it asked for is up.
            assert tab.get_by_role("dialog").count() == 0, tab.get_by_role("dialog").inner_text()
        finally:
            context.close()


@pytest.fixture
def big_board(tmp_path: Path, truth_dir: Path) -> Iterator[tuple[LocalBackend, StreamlitApp, list[float]]]:
    """A backend holding 150 tracking_latency submissions (more than the 100 rows a screen used to
    hold), and a dashboard on it."""
    backend = LocalBackend(db_path=tmp_path / "colliderml.sqlite3", data_dir=truth_dir)
    backend.start()
    try:
        times = [round(5.0 + (i * 37 % 150) * 0.1, 1) for i in range(150)]
        for i, wallclock in enumerate(times):
            table = pa.table({"wallclock_s": [wallclock], "n_events": [1000]})
            backend.submit("tracking_latency", f"racer-{i % 40}", to_parquet_bytes(table))
        with running_app(backend.url, tmp_path / "streamlit.log") as app:
            yield backend, app, times
    finally:
        backend.stop()


def test_sorting_a_column_orders_every_row_of_the_board(
    big_board: tuple[LocalBackend, StreamlitApp, list[float]], page: Page, shot: Callable[[str], Path]
) -> None:
    """With 147 rows, sorting wallclock_s descending once put rank 100 first: only the rows on
    screen were sorted."""
    _, app, times = big_board
    page.goto(f"{app.url}/tracking_latency?view=All+submissions")
    wait_ready(page)
    assert _rows_shown(page) == len(times)
    column = "wallclock_s ↓"
    _sort_ascending(page, column, "tracking_latency")
    grid = _grid(page, "tracking_latency")
    at = next(i for i, text in enumerate(grid["heads"]) if text.endswith(column))
    shown = [float(row[at]) for row in grid["rows"]]
    assert shown[0] == min(times) and shown == sorted(shown)
    assert shown[: len(shown)] == sorted(times)[: len(shown)], "the first rows on screen are the board's smallest"
    shot("sorted-all")


def _row_y(top: float, row: int) -> float:
    """The page y of the middle of a grid row (0 is the first under the header) of a grid whose top is at `top`."""
    return top + ROW_PX * (row + 1.5)


def _pick_row(page: Page, row: int, task: str = TASK) -> None:
    """Tick a row's box in the grid's first column, as a person picks it."""
    box = _board(page, task).locator("[data-testid='data-grid-canvas']").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + MARKER_X, _row_y(box["y"], row))
    wait_ready(page)


def _ticked_rows(page: Page, rows: int, task: str = TASK) -> list[int]:
    """The grid rows whose box is ticked (drawn in the theme's blue), among the first `rows`."""
    box = _board(page, task).locator("[data-testid='data-grid-canvas']").bounding_box()
    assert box is not None
    page.mouse.move(0, 0)  # a hovered row draws an empty box too
    shot = page.screenshot(
        clip={"x": box["x"] + MARKER_X - 1, "y": box["y"] + ROW_PX, "width": 3, "height": ROW_PX * rows}
    )
    strip = Image.open(io.BytesIO(shot)).convert("RGB")
    ticked = []
    for row in range(rows):
        red, _, blue = strip.getpixel((1, int(ROW_PX * (row + 0.5))))  # type: ignore[misc]
        if blue - red > TICK_BLUE:
            ticked.append(row)
    return ticked


def _comparison(page: Page, task: str = TASK) -> Locator:
    return page.locator(f".st-key-{task}-compare")


def _label(row: dict) -> str:
    return f"{row['hf_username']} · {row['id'][:8]}"


def _open_link_cell(page: Page, x: float, y: float) -> Page:
    """Open the link in a grid cell, in the tab it opens: the first click makes the cell current,
    the second follows the link. The live board may redraw the grid between the two (every half
    TTL), which forgets the current cell: then the pair of clicks is made again."""
    for _ in range(3):
        page.mouse.click(x, y)
        try:
            with page.context.expect_page(timeout=5_000) as opened:
                page.mouse.click(x, y)
        except PlaywrightTimeout:
            continue
        return opened.value
    raise AssertionError("the link cell opened no tab after three tries")


def test_picking_two_rows_compares_them_and_their_address_shows_it_again(
    app_server: StreamlitApp, seeded_backend: LocalBackend, page: Page, shot: Callable[[str], Path]
) -> None:
    by_id = {row["id"]: row for row in _backend_rows(seeded_backend, TASK)}
    page.goto(f"{app_server.url}/{TASK}")
    wait_ready(page)
    users = [unquote_plus(row[1].removeprefix("/user?name=")) for row in _grid(page)["rows"]]
    _pick_row(page, 0)
    expect(page.locator(f".st-key-{TASK}-detail")).to_contain_text(users[0])
    _pick_row(page, 2)
    comparison = _comparison(page)
    expect(comparison).to_be_visible()
    picked = parse_qs(urlsplit(page.url).query)["compare"][0].split(",")
    assert [by_id[i]["hf_username"] for i in picked] == [users[0], users[2]], "in the order picked"
    expect(comparison.get_by_text(f"Differences are to {_label(by_id[picked[0]])}")).to_be_visible()
    chart = comparison.locator("[data-testid='stVegaLiteChart']")
    expect(chart.locator("svg.marks .role-mark path").first).to_be_attached()
    assert _ticked_rows(page, 4) == [0, 2]
    comparison.scroll_into_view_if_needed()
    shot("compared")

    # A name is a link to the person's page, opened in a tab of its own.
    box = _board(page).locator("[data-testid='data-grid-canvas']").bounding_box()
    assert box is not None
    person = _open_link_cell(page, box["x"] + USER_X, _row_y(box["y"], 0))
    assert person.url == f"{app_server.url}{paths.person_path(users[0])}"
    person.close()

    page.goto(f"{app_server.url}/{TASK}?compare={picked[1]},{picked[0]}")  # the other way round, by address
    wait_ready(page)
    expect(_comparison(page).get_by_text(f"Differences are to {_label(by_id[picked[1]])}")).to_be_visible()
    assert _ticked_rows(page, 4) == [0, 2], "the grid shows the picks"
    expect_no_exception(page)


@pytest.fixture
def live_board(
    fresh_backend: LocalBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalBackend, StreamlitApp]]:
    """Three tracking_latency entries, and a dashboard of its own whose cache lives `LIVE_TTL_S`."""
    for i, wallclock in enumerate((30.0, 40.0, 50.0)):
        table = pa.table({"wallclock_s": [wallclock], "n_events": [1000]})
        fresh_backend.submit("tracking_latency", f"steady-{i}", to_parquet_bytes(table))
    monkeypatch.setenv("LEADERBOARD_CACHE_TTL", str(LIVE_TTL_S))
    with running_app(fresh_backend.url, tmp_path / "streamlit.log") as app:
        yield fresh_backend, app


def test_an_open_board_shows_a_new_submission_by_itself_and_keeps_the_picks(
    live_board: tuple[LocalBackend, StreamlitApp], page: Page, shot: Callable[[str], Path]
) -> None:
    backend, app = live_board
    task = "tracking_latency"
    rows = _backend_rows(backend, task)  # newest first: steady-2, steady-1, steady-0
    page.goto(f"{app.url}/{task}?view=All+submissions&compare={rows[1]['id']},{rows[0]['id']}")
    wait_ready(page)
    expect(page.get_by_text(ROWS_CAPTION)).to_have_text(re.compile(r"^3 rows"))
    assert _ticked_rows(page, 3, task) == [1, 2]
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    table = pa.table({"wallclock_s": [5.0], "n_events": [1000]})
    backend.submit(task, "newcomer", to_parquet_bytes(table))  # the fastest: first row, the others move down
    expect(page.get_by_text(ROWS_CAPTION)).to_have_text(re.compile(r"^4 rows"), timeout=4 * LIVE_TTL_S * 1000)
    wait_ready(page)
    assert page.evaluate("window.sameDocument") is True, "updated in place, not reloaded"
    assert _ticked_rows(page, 4, task) == [2, 3], "the same two entries stay picked on their new rows"
    assert parse_qs(urlsplit(page.url).query)["compare"] == [f"{rows[1]['id']},{rows[0]['id']}"]
    expect(_comparison(page, task).get_by_text(f"Differences are to {_label(rows[1])}")).to_be_visible()
    expect(page.locator(".st-key-view").get_by_role("radio", name="All submissions")).to_be_checked()
    expect(page.get_by_text(re.compile(r"Updated \d\d:\d\d:\d\d UTC"))).to_be_visible()
    expect_no_exception(page)
    shot("updated")


def test_an_unknown_address_says_so_and_links_every_board(app_server: StreamlitApp, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        problems = BrowserProblems()
        page.on("console", problems.on_console)
        page.on("pageerror", problems.on_page_error)
        page.goto(f"{app_server.url}/nosuchtask")
        wait_ready(page)
        main = page.locator("[data-testid='stMain']")
        expect(main.get_by_role("heading", name="No such page")).to_be_visible()
        expect(main.get_by_text("There is no task or page called “nosuchtask”")).to_be_visible()
        for name in TASKS:
            expect(main.get_by_role("link", name=re.compile(rf"{name}$"))).to_be_visible()
        expect_no_exception(page)
        # Streamlit logs its own "Page not found" notice as an error; nothing else may be.
        assert [text for text in problems.errors if "does not seem to exist" not in text] == []
        page.keyboard.press("Escape")  # Streamlit's own notice covers the page until closed
        expect(page.get_by_role("dialog")).to_have_count(0)
        main.get_by_role("link", name=re.compile(rf"{TASK}$")).click()
        wait_ready(page)
        expect(_board(page)).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_app_follows_the_systems_light_or_dark_preference(
    app_server: StreamlitApp, browser: Browser, scheme: Literal["light", "dark"]
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(f"{app_server.url}/{TASK}")
        wait_ready(tab)
        expect(_board(tab)).to_be_visible()
        background = tab.locator("[data-testid='stApp']").evaluate("e => getComputedStyle(e).backgroundColor")
        red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
        luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
        assert (luminance < 80) if scheme == "dark" else (luminance > 200), background
        expect_no_exception(tab)
    finally:
        context.close()


def test_a_phone_sees_the_table_on_its_first_screen(app_server: StreamlitApp, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        tab = context.new_page()
        tab.goto(f"{app_server.url}/{TASK}")
        wait_ready(tab)
        box = _board(tab).bounding_box()
        assert box is not None and box["y"] < 844 - 120, f"the table starts at {box}"
        expect_no_exception(tab)
    finally:
        context.close()


def test_the_sample_file_passes_the_check_and_the_backend_scores_it(
    app_server: StreamlitApp, backend: LocalBackend, page: Page, tmp_path: Path
) -> None:
    """Scored by a backend of its own: the shared demo board keeps its history for other tests."""
    page.goto(f"{app_server.url}/{TASK}")
    wait_ready(page)
    page.get_by_text("Get started: make a predictions file").click()
    with page.expect_download() as download:
        page.locator(f".st-key-{TASK}-sample").get_by_role("button", name="Download a sample file").click()
    wait_ready(page)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    data = saved.read_bytes()
    task = next(t for t in BackendClient(backend.url).tasks() if t.name == TASK)
    check = check_predictions(data, task, max_bytes=200 * 2**20)
    assert check.ok and not check.problems, check.problems
    answer = httpx.post(
        f"{backend.url}/v1/benchmark/{TASK}/submit",
        files={"predictions": (saved.name, data, "application/octet-stream")},
        headers={"Authorization": f"Bearer {backend.token('e2e-sampler')}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert all(math.isfinite(v) for v in answer.json()["scores"].values())
    expect_no_exception(page)
