"""AppTest runs of Home, every task page and About against the seeded local backend and through faults."""

from __future__ import annotations

import json
from collections.abc import Iterator

import colliderml.tasks
import pandas as pd
import pytest
import requests
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from components import data, paths, task_rules
from components import home_view as hv
from components.tasks import FALLBACK_TASKS
from components.text import inert
from local_backend.predictions import make_predictions, to_parquet_bytes
from pages import home_page, task_get_started
from tests.conftest import cold_caches, home_app, open_get_started, open_page, person_names
from tests.faults import Fault, FaultProxy
from tests.plugins.muon_id_data import TASK_NAME as PLUGIN_TASK

TASKS = [t.name for t in FALLBACK_TASKS]


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    def build(backend_url: str) -> AppTest:
        monkeypatch.setenv("COLLIDERML_BACKEND", backend_url)
        cold_caches()
        return home_app()

    yield build
    cold_caches()


@pytest.fixture
def proxy(seeded_backend) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(seeded_backend.url)
    yield fault_proxy
    fault_proxy.close()


def _open_task(at: AppTest, task: str) -> AppTest:
    """Open a task page as its URL would (the browser tests click the real links)."""
    open_page(at, task)
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The dataframe holding these columns (AppTest exposes no key for tables without selection)."""
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


def _board(at: AppTest) -> pd.DataFrame:
    """The ranked table, its user column read as the grid shows it (names; the cells link to each person's page)."""
    table = _frame(at, "rank", "user", "submitted")
    return table.assign(user=person_names(table["user"]))


def test_home_shows_a_card_per_task_the_feed_and_what_can_be_earned(app_for, seeded_backend) -> None:
    at = app_for(seeded_backend.url).run()
    assert not at.exception, at.exception
    assert [link.proto.page for link in at.get("page_link")] == TASKS
    assert any("Local demo data" in c.value for c in at.sidebar.caption), "the seed is labelled as demo data"
    metrics = {m.label.replace("\\", ""): m.value for m in at.metric}  # labels are Markdown-escaped
    assert "trackml_eff ↑" in metrics and metrics["trackml_eff ↑"] != "—"
    feed = _frame(at, "task", "user", "open")
    assert len(feed) == 15
    assert feed["submitted"].is_monotonic_decreasing
    earn = _frame(at, "credits for beating it")
    assert set(earn["task"]) == set(TASKS)
    jets = earn[earn["task"] == "jets"]
    assert set(jets["credits for beating it"]) == {50}
    assert "wallclock_s ↓" in set(earn["metric"])


def test_home_tables_are_built_once_per_board_version_as_the_frames_would_be_sent(app_for, fresh_backend) -> None:
    """Home sends its feed and earnings as Arrow built once per combination of board versions:
    the bytes are the ones the DataFrames would give, and a new submission is in them."""
    first = fresh_backend.submit("jets", "alice", to_parquet_bytes(make_predictions("jets", 0.3)))
    at = app_for(fresh_backend.url).run()
    assert not at.exception, at.exception
    snapshots = [(info, data.leaderboard(info.name)) for info in data.catalogue().tasks]
    boards = [(info, snap.rows) for info, snap in snapshots if snap.rows is not None]
    feed = hv.newest_of([hv.feed_rows(rows, info, home_page.FEED_ROWS) for info, rows in boards], home_page.FEED_ROWS)
    earn = hv.all_of([hv.earnings_rows(rows, info) for info, rows in boards], hv.EARNINGS_COLUMNS)
    sent = [df.proto.arrow_data.data for df in at.dataframe]
    assert sent == [convert_pandas_df_to_arrow_bytes(feed), convert_pandas_df_to_arrow_bytes(earn)]
    assert _frame(at, "open")["open"].tolist() == [f"/jets?submission={first}"]

    second = fresh_backend.submit("jets", "bob", to_parquet_bytes(make_predictions("jets", 0.6)))
    at.button(key="home.refresh").click().run()
    assert _frame(at, "open")["open"].tolist() == [f"/jets?submission={second}", f"/jets?submission={first}"]
    earn = _frame(at, "held by")
    assert earn.loc[earn["task"] == "jets", "held by"].tolist() == ["bob"] * 3, "bob's entry is better on each metric"


def test_home_refresh_fetches_every_leaderboard_again(app_for, proxy: FaultProxy) -> None:
    at = app_for(proxy.url).run()
    boards = proxy.count("GET", r"^/v1/leaderboard/")
    assert boards == len(TASKS)
    at.run()
    assert proxy.count("GET", r"^/v1/leaderboard/") == boards, "a rerun is served from the cache"
    at.button(key="home.refresh").click().run()
    assert not at.exception, at.exception
    assert proxy.count("GET", r"^/v1/leaderboard/") == 2 * boards


@pytest.mark.parametrize("task", TASKS)
def test_every_task_page_ranks_its_board_by_the_primary_metric(app_for, seeded_backend, task: str) -> None:
    at = _open_task(app_for(seeded_backend.url).run(), task)
    table = _board(at)
    truth = requests.get(f"{seeded_backend.url}/v1/leaderboard/{task}", params={"limit": 5000}, timeout=10).json()
    assert table["user"].is_unique, "best entry per user is the default view"
    assert set(table["user"]) == {row["hf_username"] for row in truth}
    primary = next(c for c in table.columns if c.endswith(("↑", "↓")))
    values = table[primary].dropna()
    ascending = primary.endswith("↓")
    assert values.is_monotonic_increasing if ascending else values.is_monotonic_decreasing
    assert table["rank"].iloc[0] == 1
    assert len(at.get("vega_lite_chart")) == 2, "the trend and trade-off charts are drawn"


def test_a_task_only_the_backend_knows_gets_a_page_and_a_ranked_board(app_for, plugin_backend) -> None:
    """muon_id is registered in the backend's colliderml (a plugin) and nowhere in this process."""
    assert PLUGIN_TASK not in colliderml.tasks.list_tasks()
    at = app_for(plugin_backend.url).run()
    assert not at.exception, at.exception
    assert [link.proto.page for link in at.get("page_link")] == [*TASKS, PLUGIN_TASK]

    table = _board(_open_task(at, PLUGIN_TASK))
    assert PLUGIN_TASK not in colliderml.tasks.list_tasks(), "the dashboard learnt the task from the backend"
    assert {"muon_auc ↑", "fake_muon_rate ↓"} <= set(table.columns)
    rows = requests.get(f"{plugin_backend.url}/v1/leaderboard/{PLUGIN_TASK}", timeout=10).json()
    best: dict[str, dict[str, float]] = {}
    for row in rows:
        scores = json.loads(row["scores"])
        if scores["muon_auc"] > best.get(row["hf_username"], {"muon_auc": -1.0})["muon_auc"]:
            best[row["hf_username"]] = scores
    expected = sorted(best.items(), key=lambda item: -item[1]["muon_auc"])
    assert table["user"].tolist() == [user for user, _ in expected] == ["muon-maria", "muon-max"]
    assert table["rank"].tolist() == [1, 2]
    assert table["muon_auc ↑"].tolist() == pytest.approx([s["muon_auc"] for _, s in expected])
    assert table["fake_muon_rate ↓"].tolist() == pytest.approx([s["fake_muon_rate"] for _, s in expected])
    assert len(at.get("vega_lite_chart")) == 2, "the trend and trade-off charts are drawn"


def test_all_submissions_view_and_baseline_toggle(app_for, seeded_backend) -> None:
    at = _open_task(app_for(seeded_backend.url).run(), "jets")
    best = _board(at)
    at.button_group(key="view").set_value("All submissions").run()
    everything = _board(at)
    assert len(everything) > len(best)
    assert not everything["user"].is_unique
    at.toggle(key="baselines").set_value(False).run()
    without = _board(at)
    assert not without["baseline"].any() and len(without) < len(everything)


def test_deep_link_opens_the_detail_panel_and_user_filter(app_for, seeded_backend) -> None:
    rows = requests.get(f"{seeded_backend.url}/v1/leaderboard/anomaly", timeout=10).json()
    target = rows[-1]
    at = app_for(seeded_backend.url)
    at.query_params["submission"] = target["id"]
    at.query_params["user"] = target["hf_username"]  # a shared link: the URL sets the search on arrival
    at = _open_task(at, "anomaly")
    assert target["hf_username"] in [t.value.split("  ")[0] for t in at.text]
    table = _board(at)
    assert set(table["user"]) == {target["hf_username"]}


def test_deep_link_to_a_submission_without_code_or_model(app_for, seeded_backend) -> None:
    rows = requests.get(f"{seeded_backend.url}/v1/leaderboard/jets", params={"limit": 5000}, timeout=10).json()
    target = next(row for row in rows if row["code_url"] is None)
    at = _open_task(app_for(seeded_backend.url).run(), "jets")
    at.query_params["submission"] = target["id"]
    at.run()
    assert not at.exception, at.exception
    assert target["hf_username"] in [t.value.split("  ")[0] for t in at.text]


def _jets_rows(backend) -> list[dict]:
    rows: list[dict] = requests.get(f"{backend.url}/v1/leaderboard/jets", params={"limit": 5000}, timeout=10).json()
    return rows


def _grid(at: AppTest) -> Dataframe:
    return next(df for df in at.dataframe if df.key == "jets.table")


def _preselected(at: AppTest) -> set[str]:
    """The ids whose rows the grid shows picked on arrival."""
    grid = _grid(at)
    rows = json.loads(grid.proto.selection_default)["selection"]["rows"] if grid.proto.selection_default else []
    return {grid.value["id"].iloc[i] for i in rows}


def _compare_by_url(app_for, backend, ids: list[str]) -> AppTest:
    at = app_for(backend.url)
    at.query_params["compare"] = ",".join(ids)
    at.query_params["view"] = "All submissions"  # every id has a row in the grid
    return _open_task(at, "jets")


@pytest.mark.parametrize("n", [2, 4])
def test_compare_by_url_puts_the_entries_side_by_side(app_for, seeded_backend, n: int) -> None:
    picked = _jets_rows(seeded_backend)[1 : n + 1]
    at = _compare_by_url(app_for, seeded_backend, [row["id"] for row in picked])
    names = [f"{row['hf_username']} · {row['id'][:8]}" for row in picked]
    side = _frame(at, "metric", *names)
    assert side["metric"].tolist() == ["btag_auc ↑", "light_rej_70 ↑", "c_rej_70 ↑"]
    for row, name in zip(picked, names, strict=True):
        assert side[name].tolist() == pytest.approx(
            [json.loads(row["scores"])[m] for m in ("btag_auc", "light_rej_70", "c_rej_70")]
        )
    marks = [cell for name in names[1:] for cell in side[f"Δ {name}"]]
    assert len(marks) == 3 * (n - 1) and all(cell.endswith(("better", "worse", "same")) for cell in marks)
    who = _frame(at, "entry", "rank", "page")
    assert who["entry"].tolist() == names and who["rank"].notna().all(), "ranked on the view shown"
    assert _preselected(at) == {row["id"] for row in picked}, "the grid shows the picks"
    assert at.query_params["compare"] == ",".join(row["id"] for row in picked)
    assert len(at.get("vega_lite_chart")) == 3, "the comparison chart, the trend and the trade-off"
    assert "submission" not in at.query_params


def test_compare_by_url_names_ids_not_on_the_board(app_for, seeded_backend) -> None:
    first, second = _jets_rows(seeded_backend)[:2]
    hostile = "<b>nope</b>"
    at = _compare_by_url(app_for, seeded_backend, [first["id"], hostile, second["id"]])
    warning = " ".join(w.value for w in at.warning)
    assert "Not on this leaderboard" in warning and inert(hostile) in warning and hostile not in warning
    assert _frame(at, "entry", "rank", "page")["entry"].tolist() == [
        f"{row['hf_username']} · {row['id'][:8]}" for row in (first, second)
    ]
    assert _preselected(at) == {first["id"], second["id"]}

    at = _compare_by_url(app_for, seeded_backend, [hostile, first["id"]])  # one left: its details
    assert first["hf_username"] in [t.value.split("  ")[0] for t in at.text]


def test_compare_by_url_asks_for_at_most_four(app_for, seeded_backend) -> None:
    ids = [row["id"] for row in _jets_rows(seeded_backend)[:5]]
    at = _compare_by_url(app_for, seeded_backend, ids)
    assert any("Pick at most 4 rows to compare (5 are picked)" in i.value for i in at.info)
    assert not any(df.value.columns[0] == "entry" for df in at.dataframe), "no comparison"
    assert _preselected(at) == set(ids)


def test_the_user_column_links_to_each_persons_page(app_for, seeded_backend) -> None:
    at = _open_task(app_for(seeded_backend.url).run(), "jets")
    grid = _grid(at)
    config = json.loads(grid.proto.columns)["user"]
    assert config["type_config"] == {"type": "link", "display_text": paths.PERSON_LINK_TEXT}
    users = {row["hf_username"] for row in _jets_rows(seeded_backend)}
    assert set(grid.value["user"]) == {paths.person_path(user) for user in users}


def test_a_pick_in_the_grid_goes_to_the_url_and_stays_on_its_row_when_the_table_changes(
    app_for, seeded_backend
) -> None:
    """A click lands in the grid's state as row positions; the page keeps the ids in the URL and,
    when a filter reorders the table, moves the selection to the rows of the same ids."""
    at = _open_task(app_for(seeded_backend.url).run(), "jets")
    table = _grid(at).value
    at.session_state["jets.table"] = {"selection": {"rows": [2, 0], "columns": []}}
    at.run()
    first, second = table["id"].iloc[0], table["id"].iloc[2]
    assert at.query_params["compare"] == f"{first},{second}", "table order for picks made at once"
    at.session_state["jets.table"] = {"selection": {"rows": [2], "columns": []}}
    at.run()
    assert at.query_params["submission"] == second and "compare" not in at.query_params
    assert at.session_state["jets.reproduce.id"] == second, "a single pick is the one to reproduce"
    at.text_input(key="user").set_value(person_names(table["user"])[2][-3:]).run()  # fewer rows: positions move
    grid = _grid(at)
    moved = json.loads(grid.proto.selection_state)["selection"]["rows"]
    assert [grid.value["id"].iloc[i] for i in moved] == [second]
    assert at.query_params["submission"] == second


@pytest.mark.parametrize("task", ["jets", "tracking"])
def test_get_started_is_drawn_once_opened_with_the_columns_the_line_of_python_and_the_glossary(
    app_for, seeded_backend, task: str
) -> None:
    at = _open_task(app_for(seeded_backend.url).run(), task)

    def text() -> str:
        return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])

    assert "colliderml.tasks.submit" not in text(), "closed, the panel sends nothing of its content"
    assert not [df for df in at.dataframe if "what it measures" in df.value.columns]
    open_get_started(at, task)
    assert not at.exception, at.exception
    rules = task_rules.of(task)
    assert rules is not None
    assert list(_frame(at, "column", "holds")["column"]) == list(rules.column_names)
    assert f"colliderml.tasks.submit({task!r}, 'predictions.parquet')" in text()
    assert task_get_started.DATASET_URL in text()
    assert ("scoring it needs the held-out truth" in text()) == (not rules.scored_locally)
    glossary = _frame(at, "metric", "better", "what it measures")
    assert len(glossary) == len(rules.directions) and set(glossary["better"]) <= {"higher", "lower"}
    assert all(glossary["what it measures"]), "every metric of a known task is explained"
    assert [b for b in at.get("download_button") if b.proto.label == "Download a sample file"]


def test_a_task_named_like_a_page_of_the_dashboard_gets_a_page_of_its_own(app_for, proxy: FaultProxy) -> None:
    """A later colliderml could add a task called "about" or "user": both pages must keep working."""

    def with_clashing_tasks(tasks: list[dict]) -> list[dict]:
        jets = next(t for t in tasks if t["name"] == "jets")
        return [*tasks, {**jets, "name": "about"}, {**jets, "name": "user"}]

    proxy.rewrite("GET", r"^/v1/benchmark/tasks\b", with_clashing_tasks)
    at = app_for(proxy.url).run()
    assert not at.exception, at.exception
    assert [link.proto.page for link in at.get("page_link")][-2:] == ["task-about", "task-user"]
    assert paths.task_submission_path("user", "a b") == "/task-user?submission=a%20b"
    for name in ("about", "user"):
        open_page(at, f"task-{name}")
        assert not at.exception, at.exception
        assert at.title[0].value == name, "the task's own page, at task-<name>"
    open_page(at, "about")
    assert not at.exception and set(at.dataframe[0].value["task"]) >= set(TASKS), "the About page is still /about"
    open_page(at, "user")
    assert not at.exception and at.title[0].value == "Person", "and the person page /user"


def test_about_page(app_for, seeded_backend) -> None:
    at = app_for(seeded_backend.url).run()
    open_page(at, "about")
    assert not at.exception, at.exception
    schemas = at.dataframe[0].value
    assert set(schemas["task"]) == set(TASKS)


def test_backend_down_shows_a_panel_not_a_traceback(app_for) -> None:
    with _closed_port() as url:
        at = app_for(url).run()
        assert not at.exception, at.exception
        assert any("not answering" in w.value for w in at.warning)
        at = _open_task(at, "tracking")
        assert any("could not be loaded" in e.value for e in at.error)
        assert at.button(key="tracking.retry")


def test_leaderboard_500_while_tasks_answer(app_for, proxy: FaultProxy) -> None:
    proxy.fail("GET", r"^/v1/leaderboard/", Fault(500, b"Internal Server Error"))
    at = _open_task(app_for(proxy.url).run(), "jets")
    errors = " ".join(e.value for e in at.error)
    assert "could not be loaded" in errors and "500" in errors


def test_outage_keeps_the_last_good_data_with_a_warning(app_for, proxy: FaultProxy) -> None:
    at = _open_task(app_for(proxy.url).run(), "jets")
    before = _board(at)
    proxy.fail("GET", r"^/v1/", Fault(503, b"<html><body>Service Unavailable</body></html>", "text/html"))
    data.expire()
    at.run()
    assert not at.exception, at.exception
    assert any("failing since" in w.value for w in at.warning)
    after = _board(at)
    pd.testing.assert_frame_equal(before.drop(columns="age"), after.drop(columns="age"))
    proxy.clear()
    at.button(key="jets.refresh").click().run()
    assert not any("failing since" in w.value for w in at.warning)


class _closed_port:
    """A loopback URL where nothing listens: the connection is refused."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        return None
