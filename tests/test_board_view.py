"""What a task page and Home show, short of Streamlit: the ranked table and its filters, the
display and export columns, deep-link pages, the trade-off pair, the feed across tasks, what
beating a record pays, and text that must stay inert.

Frames come from `components.api.leaderboard_frame` on rows shaped like the backend's
(string scores and credits included), as the pages receive them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from components import board_view as bv
from components import economics
from components import home_view as hv
from components.api import leaderboard_frame
from components.tasks import FALLBACK_TASKS, TaskInfo
from components.text import inert, model_url, safe_url

TASKS = {t.name: t for t in FALLBACK_TASKS}
JETS = TASKS["jets"]
DAY0 = pd.Timestamp("2026-05-01T12:00:00Z")
NOW = DAY0 + pd.Timedelta(days=10)


def row(
    ident: str,
    user: str,
    day: float,
    *,
    baseline: bool = False,
    code_url: str | None = None,
    model_repo_id: str | None = None,
    credits: str = "0.000",
    **scores: float | None,
) -> dict[str, Any]:
    return {
        "id": ident,
        "hf_username": user,
        "submitted_at": (DAY0 + pd.Timedelta(days=day)).isoformat(),
        "scores": json.dumps(scores),
        "is_baseline": baseline,
        "n_params": None,
        "code_url": code_url,
        "model_repo_id": model_repo_id,
        "credits_earned": credits,
    }


@pytest.fixture
def jets_rows() -> pd.DataFrame:
    """Newest first, as the backend sends them."""
    return leaderboard_frame(
        [
            row("d1", "dan", 6, btag_auc=None),
            row("a2", "alice", 5, btag_auc=0.92, light_rej_70=150.0, c_rej_70=9.0, credits="100.000"),
            row(
                "c1",
                "carol",
                3,
                btag_auc=0.90,
                light_rej_70=200.0,
                c_rej_70=7.0,
                code_url="https://github.com/carol/tagger",
                model_repo_id="carol/tagger-v1",
            ),
            row(
                "b1",
                "bob",
                2,
                btag_auc=0.85,
                light_rej_70=90.0,
                c_rej_70=11.0,
                code_url="javascript:alert(1)",
                model_repo_id="not a repo",
            ),
            row("a1", "alice", 1, btag_auc=0.80, light_rej_70=60.0, c_rej_70=5.0),
            row("base", "colliderml-baselines", 0, baseline=True, btag_auc=0.70, light_rej_70=30.0, c_rej_70=4.0),
        ]
    )


def _ranks(board: pd.DataFrame) -> dict[str, Any]:
    return {ident: (None if pd.isna(r) else int(r)) for ident, r in zip(board["id"], board["rank"], strict=True)}


def test_ranked_board_defaults_to_best_per_user_by_the_primary_metric(jets_rows: pd.DataFrame) -> None:
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions())
    assert _ranks(board) == {"a2": 1, "c1": 2, "b1": 3, "base": 4, "d1": None}


def test_ranked_board_all_submissions_without_baselines(jets_rows: pd.DataFrame) -> None:
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions(best_per_user=False, include_baselines=False))
    assert list(board["id"]) == ["a2", "c1", "b1", "a1", "d1"]


def test_ranked_board_as_of_a_past_date(jets_rows: pd.DataFrame) -> None:
    then = (DAY0 + pd.Timedelta(days=4)).date()
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions(as_of=then))
    assert _ranks(board) == {"c1": 1, "b1": 2, "a1": 3, "base": 4}


def test_ranked_board_within_a_date_range_ranks_only_those_days(jets_rows: pd.DataFrame) -> None:
    opts = bv.ViewOptions(start=dt.date(2026, 5, 3), end=dt.date(2026, 5, 4))  # days 2 and 3, whole days UTC
    assert _ranks(bv.ranked_board(jets_rows, JETS, opts)) == {"c1": 1, "b1": 2}


def test_user_search_keeps_the_real_rank(jets_rows: pd.DataFrame) -> None:
    board = bv.find_users(bv.ranked_board(jets_rows, JETS, bv.ViewOptions()), " BO ")
    assert _ranks(board) == {"b1": 3}
    then = (DAY0 + pd.Timedelta(days=4)).date()
    past = bv.find_users(bv.ranked_board(jets_rows, JETS, bv.ViewOptions(as_of=then)), "ali")
    assert _ranks(past) == {"a1": 3}, "alice's best as it stood then, ranked among everyone then"


def test_display_frame_labels_metrics_with_arrows_and_drops_unsafe_links(jets_rows: pd.DataFrame) -> None:
    metrics = bv.task_metrics(JETS, jets_rows)
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions())
    shown = bv.display_frame(board, JETS, metrics).set_index("id")
    assert list(shown.columns) == [
        "rank",
        "user",
        "baseline",
        "records",
        "btag_auc ↑",
        "light_rej_70 ↑",
        "c_rej_70 ↑",
        "credits",
        "submitted",
        "age",
        "code",
        "model",
    ]
    assert shown.loc["b1", "code"] is None, "a javascript: URL never becomes a link"
    assert shown.loc["b1", "model"] is None
    assert shown.loc["a2", "code"] is None and shown.loc["a2", "model"] is None, "None, not NaN (truthy)"
    assert shown.loc["c1", "code"] == "https://github.com/carol/tagger"
    assert shown.loc["c1", "model"] == "https://huggingface.co/carol/tagger-v1"
    assert bool(shown.loc["base", "baseline"]) and not bool(shown.loc["c1", "baseline"])
    assert shown.loc["a2", "credits"] == 100.0
    # The browser words the age ("5 days ago") from the time itself: the table does not change by the minute.
    assert shown["age"].equals(shown["submitted"])
    assert shown["submitted"]["a2"] == NOW - pd.Timedelta(days=5)


def test_records_name_the_best_value_of_each_metric_in_the_board_shown(jets_rows: pd.DataFrame) -> None:
    metrics = bv.task_metrics(JETS, jets_rows)
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions())
    shown = bv.display_frame(board, JETS, metrics).set_index("id")
    best = bv.best_values(board, JETS, metrics)
    for row_id, row in shown.iterrows():
        held = [bv.metric_label(JETS, m) for m in metrics if m in best and row[bv.metric_label(JETS, m)] == best[m]]
        assert row["records"] == " · ".join(held), row_id
    assert (shown["records"] != "").sum() >= 1


def test_a_board_table_leaves_out_the_columns_no_row_fills(jets_rows: pd.DataFrame) -> None:
    metrics = tuple(bv.task_metrics(JETS, jets_rows))
    table = bv.board_table(jets_rows, JETS, bv.ViewOptions(), metrics)
    assert "model" in table.columns, "carol's row names a model repo"
    without_links = jets_rows.assign(code_url=None, model_repo_id=None)
    table = bv.board_table(without_links, JETS, bv.ViewOptions(), metrics)
    assert "model" not in table.columns and "code" not in table.columns
    assert {"rank", "user", "records", "btag_auc ↑"} <= set(table.columns)


def test_search_in_a_shown_table_keeps_the_real_rank(jets_rows: pd.DataFrame) -> None:
    table = bv.board_table(jets_rows, JETS, bv.ViewOptions(), tuple(bv.task_metrics(JETS, jets_rows)))
    found = bv.find_in_table(table, " BO ")
    assert found["user"].tolist() == ["bob"] and found["rank"].tolist() == [3]
    assert bv.find_in_table(table, "") is table


def test_task_metrics_adds_metrics_only_some_rows_carry() -> None:
    rows = leaderboard_frame([row("x", "x", 0, btag_auc=0.9, new_metric=1.0)])
    assert bv.task_metrics(JETS, rows) == ["btag_auc", "light_rej_70", "c_rej_70", "new_metric"]


def test_export_frame_has_plain_columns(jets_rows: pd.DataFrame) -> None:
    metrics = bv.task_metrics(JETS, jets_rows)
    board = bv.ranked_board(jets_rows, JETS, bv.ViewOptions())
    frame = bv.export_frame(board, metrics)
    assert list(frame.columns) == [
        "rank",
        "hf_username",
        "is_baseline",
        "btag_auc",
        "light_rej_70",
        "c_rej_70",
        "credits_earned",
        "submitted_at",
        "code_url",
        "submission_id",
    ]
    assert frame["submission_id"].tolist() == ["a2", "c1", "b1", "base", "d1"]
    assert pd.read_parquet(io.BytesIO(bv.to_parquet_bytes(frame))).shape == frame.shape
    assert bv.to_csv_bytes(frame).startswith(b"rank,hf_username,")


def test_best_values_follow_each_metrics_direction() -> None:
    task = TASKS["tracking_latency"]
    rows = leaderboard_frame(
        [
            row("f", "f", 1, wallclock_s=3.0, events_per_sec=300.0),
            row("s", "s", 0, wallclock_s=9.0, events_per_sec=100.0),
        ]
    )
    assert bv.best_values(rows, task, ["wallclock_s", "events_per_sec", "absent"]) == {
        "wallclock_s": 3.0,
        "events_per_sec": 300.0,
    }


def test_default_tradeoff() -> None:
    assert bv.default_tradeoff(TASKS["tracking"], list(TASKS["tracking"].metrics)) == ("trackml_eff", "fake_rate")
    assert bv.default_tradeoff(TASKS["tracking_small"], list(TASKS["tracking_small"].metrics)) == (
        "trackml_eff",
        "n_params",
    )
    assert bv.default_tradeoff(JETS, list(JETS.metrics)) == ("btag_auc", "light_rej_70")
    # A release that renamed a preferred metric: fall back to the first and last.
    assert bv.default_tradeoff(TASKS["tracking"], ["trackml_eff", "dup_rate", "ghost_rate"]) == (
        "trackml_eff",
        "ghost_rate",
    )
    single = TaskInfo("muon_id", "", ("muon_auc",))
    assert bv.default_tradeoff(single, ["muon_auc"]) == ("muon_auc", "muon_auc")


def test_latest_feed_is_newest_first_across_tasks_and_limited() -> None:
    frames = {
        "jets": leaderboard_frame(
            [row("j3", "x", 5, btag_auc=0.9), row("j2", "y", 3, btag_auc=0.8), row("j1", "z", 1, btag_auc=0.7)]
        ),
        "anomaly": leaderboard_frame([row("a2", "x", 4, auroc=0.6), row("a1", "y", 2, auroc=0.5)]),
        "tracking": leaderboard_frame([]),
        "not_in_catalogue": leaderboard_frame([row("n1", "q", 9, m=1.0)]),
    }
    feed = hv.newest_of([hv.feed_rows(rows, TASKS[name], 4) for name, rows in frames.items() if name in TASKS], 4)
    assert list(feed.columns) == ["submitted", "task", "user", "metric", "score", "age", "open"]
    assert feed["open"].tolist() == [
        "/jets?submission=j3",
        "/anomaly?submission=a2",
        "/jets?submission=j2",
        "/anomaly?submission=a1",
    ]
    assert feed["submitted"].is_monotonic_decreasing
    assert feed["metric"].tolist() == ["btag_auc", "auroc", "btag_auc", "auroc"]
    assert feed["score"].tolist() == [0.9, 0.6, 0.8, 0.5]
    assert feed["user"].tolist() == ["/user?name=x", "/user?name=x", "/user?name=y", "/user?name=y"], "to each page"
    empty = hv.newest_of([hv.feed_rows(leaderboard_frame([]), TASKS["jets"], 4)], 4)
    assert empty.empty and "open" in empty.columns


def test_earnings_table_pays_each_tasks_reward_per_metric(jets_rows: pd.DataFrame) -> None:
    latency = TASKS["tracking_latency"]
    newer = TaskInfo("muon_id", "zmumu_pu0", ("muon_auc", "fake_muon_rate"), {"fake_muon_rate": False})
    frames = {
        "jets": jets_rows,
        "tracking_latency": leaderboard_frame(
            [
                row("l1", "nyoung", 2, wallclock_s=40.0, events_per_sec=25.0),
                row("l0", "lh", 1, wallclock_s=90.0, events_per_sec=11.0),
            ]
        ),
        "muon_id": leaderboard_frame([row("m1", "maria", 1, muon_auc=0.9, fake_muon_rate=0.1)]),
    }
    parts = [hv.earnings_rows(frames[task.name], task) for task in (JETS, latency, newer)]
    table = hv.all_of(parts, hv.EARNINGS_COLUMNS).set_index("metric")
    assert list(table.index) == [
        "btag_auc ↑",
        "light_rej_70 ↑",
        "c_rej_70 ↑",
        "wallclock_s ↓",
        "events_per_sec ↑",
        "muon_auc ↑",
        "fake_muon_rate ↓",
    ]
    rewards = table["credits for beating it"]
    assert economics.beat_reward("jets") == 50 and economics.beat_reward("tracking_latency") == 30
    assert (rewards[table["task"] == "jets"] == 50).all()
    assert (rewards[table["task"] == "tracking_latency"] == 30).all()
    assert rewards[table["task"] == "muon_id"].isna().all(), "no published price for a task newer than the contract"
    assert table.loc["light_rej_70 ↑", "current best"] == 200.0
    assert table.loc["light_rej_70 ↑", "held by"] == "carol"
    assert table.loc["wallclock_s ↓", "current best"] == 40.0
    assert table.loc["wallclock_s ↓", "held by"] == "nyoung"


# --- text ---------------------------------------------------------------------------------

_TRIGGERS = set("\\`*_{}[]()<>#+-.!|~:$")


def _unescaped_triggers(text: str) -> set[str]:
    """Markdown/HTML trigger characters not preceded by a backslash escape."""
    return set(re.sub(r"\\.", "", text)) & _TRIGGERS


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "<script>alert('x')</script>",
        "**bold** and _em_ and `code`",
        "# heading\n- item",
        "![img](https://evil.example/x.png)",
        "a\\*b",
        "$x^2$ ~~strike~~ | pipe",
    ],
)
def test_inert_escapes_every_markdown_and_html_trigger(text: str) -> None:
    shown = inert(text)
    assert not _unescaped_triggers(shown)
    assert "\n" not in shown
    assert re.sub(r"\\(.)", r"\1", shown) == text.replace("\n", " "), "reads exactly as typed"


def test_inert_stringifies_anything() -> None:
    assert inert(12.5) == "12\\.5"
    assert inert(None) == "None"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://github.com/a/b", "https://github.com/a/b"),
        ("  http://example.org/x  ", "http://example.org/x"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("https://", None),
        ("", None),
        (None, None),
        (np.nan, None),
    ],
)
def test_safe_url_keeps_only_http_links(url: object, kept: str | None) -> None:
    assert safe_url(url) == kept


def test_model_url_needs_a_repo_id() -> None:
    assert model_url("carol/tagger-v1") == "https://huggingface.co/carol/tagger-v1"
    assert model_url("javascript:alert(1)") is None
    assert model_url("a/b/c") is None
    assert model_url(None) is None


def test_the_date_span_and_the_header_figures_of_a_board_and_of_an_empty_one(jets_rows: pd.DataFrame) -> None:
    assert bv.date_span(jets_rows) == (DAY0.date(), (DAY0 + pd.Timedelta(days=6)).date())
    assert bv.date_span(jets_rows.iloc[:0]) is None
    now = bv.activity(jets_rows, bv.ViewOptions())
    assert (now.submissions, now.participants, now.last_submitted) == (6, 5, DAY0 + pd.Timedelta(days=6))
    day3 = bv.activity(jets_rows, bv.ViewOptions(as_of=(DAY0 + pd.Timedelta(days=3)).date(), include_baselines=False))
    assert (day3.submissions, day3.participants, day3.last_submitted) == (3, 3, DAY0 + pd.Timedelta(days=3))
    assert bv.activity(jets_rows.iloc[:0], bv.ViewOptions()).last_submitted is None
