"""Ranking, per-user bests, the record over time, Pareto fronts and filters (pure pandas).

Frames are built with `components.api.leaderboard_frame` from rows shaped like the
backend's, quirks included, so these tests exercise exactly what the pages receive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from components import leaderboard as lb
from components.api import leaderboard_frame
from components.tasks import TaskInfo

DAY0 = pd.Timestamp("2026-05-01T00:00:00Z")


def row(ident: str, user: str, hour: float, baseline: bool = False, **scores: Any) -> dict[str, Any]:
    when = DAY0 + pd.Timedelta(hours=hour)
    return {
        "id": ident,
        "hf_username": user,
        "submitted_at": when.isoformat(),
        "scores": scores,
        "is_baseline": baseline,
        "n_params": None,
        "code_url": None,
        "credits_earned": "0.000",
    }


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return leaderboard_frame(list(rows))


def ranks(df: pd.DataFrame) -> list[Any]:
    return [None if pd.isna(r) else int(r) for r in df["rank"]]


@pytest.fixture
def tied() -> pd.DataFrame:
    # Newest first, as the backend sends them.
    return frame(
        row("e", "erin", 5, auc=0.7),
        row("d", "dan", 4, auc=None),
        row("c", "carol", 3, auc=0.9),
        row("b", "bob", 2, auc=0.8),
        row("a", "alice", 1, auc=0.9),
    )


def test_rank_higher_is_better_ties_share_min_rank_earlier_first(tied: pd.DataFrame) -> None:
    ranked = lb.rank(tied, "auc", higher=True)
    assert list(ranked["id"]) == ["a", "c", "b", "e", "d"]
    assert ranks(ranked) == [1, 1, 3, 4, None]
    assert str(ranked["rank"].dtype) == "Int64"


def test_rank_lower_is_better(tied: pd.DataFrame) -> None:
    ranked = lb.rank(tied, "auc", higher=False)
    assert list(ranked["id"]) == ["e", "b", "a", "c", "d"]
    assert ranks(ranked) == [1, 2, 3, 3, None]


def test_rank_without_the_metric_column_keeps_every_row_unranked(tied: pd.DataFrame) -> None:
    ranked = lb.rank(tied, "added_later", higher=True)
    assert ranks(ranked) == [None] * 5
    assert list(ranked["id"]) == ["a", "b", "c", "d", "e"]


def test_rank_of_an_empty_board() -> None:
    ranked = lb.rank(leaderboard_frame([]), "auc", higher=True)
    assert ranked.empty
    assert "rank" in ranked.columns


def test_rank_keeps_the_original_labels_even_when_repeated(tied: pd.DataFrame) -> None:
    doubled = pd.concat([tied, tied])  # index 0..4 twice, as after concatenating two fetches
    ranked = lb.rank(doubled, "auc", higher=True)
    assert len(ranked) == 10
    assert ranks(ranked) == [1, 1, 1, 1, 5, 5, 7, 7, None, None]


@pytest.fixture
def users() -> pd.DataFrame:
    return frame(
        row("a3", "alice", 6, fake_rate=0.30),
        row("n2", "nora", 5, fake_rate=None),
        row("b2", "bob", 4, fake_rate=0.10),
        row("a2", "alice", 3, fake_rate=0.20),
        row("n1", "nora", 2),
        row("b1", "bob", 1, fake_rate=0.10),
        row("a1", "alice", 0, fake_rate=0.25),
    )


def test_best_per_user_lower_is_better(users: pd.DataFrame) -> None:
    best = lb.best_per_user(users, "fake_rate", higher=False)
    assert list(best["id"]) == ["b1", "a2", "n2"]  # bob's tie goes to his earlier row
    assert ranks(best) == [1, 2, None]  # nora never had a value: her latest row, unranked


def test_best_per_user_higher_is_better(users: pd.DataFrame) -> None:
    best = lb.best_per_user(users, "fake_rate", higher=True)
    assert list(best["id"]) == ["a3", "b1", "n2"]
    assert best["hf_username"].is_unique


def _best_per_user_by_hand(df: pd.DataFrame, metric: str, higher: bool) -> list[str]:
    """The ids best_per_user should keep, one user at a time in plain Python."""
    latest_time = pd.Timestamp.max.tz_localize("UTC")
    keep = []
    for user in dict.fromkeys(df["hf_username"]):
        mine = [(i, r) for i, r in enumerate(df.to_dict("records")) if r["hf_username"] == user]
        scored = [(i, r) for i, r in mine if not pd.isna(r[lb.metric_column(metric)])]
        if scored:  # the best value, then the earliest, then the first row
            sign = -1 if higher else 1
            value = lb.metric_column(metric)
            keep.append(min(scored, key=lambda p: (sign * p[1][value], _when(p[1], latest_time), p[0])))
        else:  # the latest row; the last one among equally late
            keep.append(max(mine, key=lambda p: (_when(p[1], latest_time), p[0])))
    return sorted(r["id"] for _, r in keep)


def _when(r: Mapping[Any, Any], missing: pd.Timestamp) -> pd.Timestamp:
    return missing if pd.isna(r["submitted_at"]) else r["submitted_at"]


@pytest.mark.parametrize("seed", range(20))
def test_best_per_user_agrees_with_a_user_by_user_reading(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    rows = [
        row(f"r{i}", f"u{rng.integers(0, 9)}", float(rng.integers(0, 6)), m=[0.1, 0.2, 0.3, None][rng.integers(0, 4)])
        for i in range(n)
    ]
    for index in rng.choice(n, size=n // 8, replace=False):
        r = rows[index]
        r["submitted_at"] = None  # unreadable time: sorts as the latest
    board = frame(*rows)
    for higher in (True, False):
        best = lb.best_per_user(board, "m", higher)
        assert sorted(best["id"]) == _best_per_user_by_hand(board, "m", higher)
        assert best["hf_username"].is_unique
        pd.testing.assert_frame_equal(best, lb.rank(best, "m", higher))  # ranked, in rank order


def test_best_so_far_higher_is_one_row_per_improvement_plus_closing_row() -> None:
    df = frame(
        row("f", "fay", 6, auc=0.5),
        row("e", "erin", 5, auc=0.9),  # equal to the record: not an improvement
        row("d", "dan", 4, auc=None),
        row("c", "carol", 3, auc=0.9),
        row("b", "bob", 2, auc=0.6),  # worse: not an improvement
        row("a", "alice", 1, auc=0.8),
    )
    record = lb.best_so_far(df, "auc", higher=True)
    assert list(record.columns) == ["submitted_at", "best", "hf_username", "id", "improved"]
    assert list(record["best"]) == [0.8, 0.9, 0.9]
    assert list(record["id"]) == ["a", "c", "c"]
    assert list(record["improved"]) == [True, True, False]
    assert record["submitted_at"].iloc[-1] == DAY0 + pd.Timedelta(hours=6)
    assert record["submitted_at"].is_monotonic_increasing


def test_best_so_far_lower_is_better() -> None:
    df = frame(
        row("c", "carol", 3, wallclock_s=1.5),
        row("b", "bob", 2, wallclock_s=3.0),
        row("a", "alice", 1, wallclock_s=2.0),
    )
    record = lb.best_so_far(df, "wallclock_s", higher=False)
    assert list(record["best"]) == [2.0, 1.5]
    assert list(record["hf_username"]) == ["alice", "carol"]
    assert list(record["improved"]) == [True, True]  # the last row is a record: no closing row


def test_best_so_far_without_values_is_empty() -> None:
    record = lb.best_so_far(frame(row("a", "alice", 1, auc=None)), "auc", higher=True)
    assert record.empty
    assert list(record.columns) == ["submitted_at", "best", "hf_username", "id", "improved"]


def test_pareto_front_with_mixed_directions() -> None:
    # x: efficiency (higher better), y: n_params (lower better).
    df = frame(
        row("big", "u1", 1, eff=0.95, n_params=1_000_000),
        row("mid", "u2", 2, eff=0.90, n_params=10_000),
        row("tiny", "u3", 3, eff=0.60, n_params=1_000),
        row("worse", "u4", 4, eff=0.85, n_params=50_000),  # dominated by mid
        row("twin", "u5", 5, eff=0.90, n_params=10_000),  # identical to mid: on the front too
        row("tie_x", "u6", 6, eff=0.95, n_params=2_000_000),  # same eff as big, more params
        row("nan", "u7", 7, eff=None, n_params=10),
    ).set_index(pd.Index([10, 11, 12, 13, 14, 15, 16]))
    front = lb.pareto_front(df, "eff", True, "n_params", False)
    assert front.index.equals(df.index)
    assert dict(zip(df["id"], front, strict=True)) == {
        "big": True,
        "mid": True,
        "tiny": True,
        "worse": False,
        "twin": True,
        "tie_x": False,
        "nan": False,
    }


def test_pareto_front_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    n = 400
    x = rng.integers(0, 20, n).astype(float)  # coarse values: plenty of ties
    y = rng.integers(0, 20, n).astype(float)
    x[rng.integers(0, n, 20)] = np.nan
    df = pd.DataFrame({"score.x": x, "score.y": y, "submitted_at": DAY0})
    for x_higher in (True, False):
        for y_higher in (True, False):
            gx = x if x_higher else -x
            gy = y if y_higher else -y
            expected = [
                not np.isnan(gx[i])
                and not np.isnan(gy[i])
                and not np.any((gx >= gx[i]) & (gy >= gy[i]) & ((gx > gx[i]) | (gy > gy[i])))
                for i in range(n)
            ]
            got = lb.pareto_front(df, "x", x_higher, "y", y_higher)
            assert list(got) == expected


@pytest.fixture
def days() -> pd.DataFrame:
    return frame(
        row("late", "Bob", 24 + 23.99, baseline=True, auc=0.1),  # 2026-05-02 23:59
        row("next", "bob", 24, auc=0.2),  # 2026-05-02 00:00
        row("eod", "alice", 23.99, auc=0.3),  # 2026-05-01 23:59
        row("noon", "ALICE", 12, auc=0.4),
    )


def test_as_of_a_date_means_the_end_of_that_day_utc(days: pd.DataFrame) -> None:
    assert list(lb.as_of(days, dt.date(2026, 5, 1))["id"]) == ["eod", "noon"]
    assert list(lb.as_of(days, dt.date(2026, 4, 30))["id"]) == []


def test_as_of_a_timestamp_is_inclusive_and_timezone_aware(days: pd.DataFrame) -> None:
    assert list(lb.as_of(days, pd.Timestamp("2026-05-02T00:00:00Z"))["id"]) == ["next", "eod", "noon"]
    # Naive means UTC; an aware time in another zone is converted.
    assert list(lb.as_of(days, dt.datetime(2026, 5, 1, 12))["id"]) == ["noon"]
    paris = pd.Timestamp("2026-05-01T14:00:00+02:00")
    assert list(lb.as_of(days, paris)["id"]) == ["noon"]


def test_filter_rows(days: pd.DataFrame) -> None:
    def ids(**kw: Any) -> list[str]:
        options: dict[str, Any] = {"include_baselines": True, "user_query": None, "start": None, "end": None}
        return list(lb.filter_rows(days, **{**options, **kw})["id"])

    assert ids() == ["late", "next", "eod", "noon"]
    assert ids(include_baselines=False) == ["next", "eod", "noon"]
    assert ids(user_query=" bo ") == ["late", "next"]
    assert ids(user_query="alice") == ["eod", "noon"]
    assert ids(user_query="a.*") == []  # a plain substring, not a pattern
    assert ids(start=dt.date(2026, 5, 2)) == ["late", "next"]
    assert ids(end=dt.date(2026, 5, 1)) == ["eod", "noon"]
    assert ids(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 1)) == ["eod", "noon"]
    assert ids(start=pd.Timestamp("2026-05-01T13:00Z"), end=pd.Timestamp("2026-05-02T00:00Z")) == [
        "next",
        "eod",
    ]


def test_current_bests() -> None:
    task = TaskInfo("tracking", "ttbar_pu200", ("eff", "fake_rate", "new"), {"fake_rate": False})
    df = frame(
        row("c", "carol", 3, eff=0.9, fake_rate=0.05),
        row("b", "bob", 2, eff=0.9, fake_rate="0.2"),
        row("a", "alice", 1, eff=0.8, fake_rate=None),
    )
    bests = lb.current_bests(df, task)
    assert list(bests.columns) == ["metric", "higher_is_better", "value", "hf_username", "submitted_at", "id"]
    assert list(bests["metric"]) == ["eff", "fake_rate", "new"]
    assert list(bests["higher_is_better"]) == [True, False, True]
    assert list(bests["id"][:2]) == ["b", "c"]  # eff tie: bob reached 0.9 first
    assert bests["value"][:2].tolist() == [0.9, 0.05]
    assert np.isnan(bests["value"][2]) and pd.isna(bests["hf_username"][2])
    assert pd.isna(bests["submitted_at"][2])
    assert str(bests["submitted_at"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (pd.Timedelta(seconds=5), "just now"),
        (pd.Timedelta(minutes=1), "1 minute ago"),
        (pd.Timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (pd.Timedelta(hours=2), "2 hours ago"),
        (pd.Timedelta(days=3, hours=5), "3 days ago"),
        (pd.Timedelta(days=14), "2 weeks ago"),
        (pd.Timedelta(days=65), "2 months ago"),
        (pd.Timedelta(days=400), "1 year ago"),
        (-pd.Timedelta(hours=3), "in 3 hours"),
    ],
)
def test_relative_time(ago: pd.Timedelta, text: str) -> None:
    now = pd.Timestamp("2026-05-10T12:00:00Z")
    assert lb.relative_time(now - ago, now) == text


def test_relative_time_mixes_naive_and_aware_and_handles_missing() -> None:
    now = dt.datetime(2026, 5, 10, 12, tzinfo=dt.UTC)
    assert lb.relative_time(dt.datetime(2026, 5, 10, 9), now) == "3 hours ago"
    assert lb.relative_time(None, now) == "unknown"
    assert lb.relative_time(pd.NaT, now) == "unknown"


def test_fifty_thousand_rows() -> None:
    rng = np.random.default_rng(1)
    n = 50_000
    df = pd.DataFrame(
        {
            "id": [f"id{i}" for i in range(n)],
            "hf_username": [f"user{i}" for i in rng.integers(0, 2_000, n)],
            "submitted_at": DAY0 + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
            "is_baseline": rng.random(n) < 0.01,
            "score.eff": np.where(rng.random(n) < 0.05, np.nan, rng.random(n).round(3)),
            "score.n_params": rng.integers(1_000, 10**6, n).astype(float),
        }
    )
    ranked = lb.rank(df, "eff", higher=True)
    assert ranked["score.eff"].dropna().is_monotonic_decreasing
    assert ranked["rank"].dropna().is_monotonic_increasing
    best = lb.best_per_user(df, "eff", higher=True)
    assert best["hf_username"].is_unique
    assert len(best) == df["hf_username"].nunique()
    record = lb.best_so_far(df, "eff", higher=True)
    assert record["best"].is_monotonic_increasing
    assert record["best"].iloc[-1] == df["score.eff"].max()
    front = lb.pareto_front(df, "eff", True, "n_params", False)
    assert 0 < front.sum() < 200
    assert len(lb.as_of(df, dt.date(2026, 5, 31))) < n


def test_every_function_accepts_an_empty_board() -> None:
    empty = leaderboard_frame([])
    task = TaskInfo("jets", "ttbar_pu0", ("auc",))
    assert lb.rank(empty, "auc", True).empty
    assert lb.best_per_user(empty, "auc", True).empty
    assert lb.best_so_far(empty, "auc", True).empty
    assert lb.pareto_front(empty, "auc", True, "rej", True).empty
    assert lb.as_of(empty, dt.date(2026, 5, 1)).empty
    assert lb.filter_rows(empty, include_baselines=False, user_query="a", start=None, end=None).empty
    bests = lb.current_bests(empty, task)
    assert bests["metric"].tolist() == ["auc"] and bests["value"].isna().all()


def _board_of(ids: list[str], metric: dict[str, float] | None = None) -> pd.DataFrame:
    """A board newest first: the first id is the newest."""
    start = pd.Timestamp("2026-11-01T00:00:00Z")
    return pd.DataFrame(
        {
            "id": ids,
            "submitted_at": [start - pd.Timedelta(hours=i) for i in range(len(ids))],
            "score.auc": [metric.get(i, 0.5) if metric else 0.5 for i in ids],
        }
    )


def test_with_newest_puts_new_rows_on_top_and_keeps_the_older_ones() -> None:
    known = _board_of(["c", "b", "a"])
    merged = lb.with_newest(known, _board_of(["e", "d", "c"]), limit=10)
    assert merged is not None and list(merged["id"]) == ["e", "d", "c", "b", "a"]


def test_with_newest_takes_the_fetched_version_and_drops_rows_gone_from_the_window() -> None:
    known = _board_of(["d", "c", "b", "a"], {"c": 0.1})
    merged = lb.with_newest(known, _board_of(["e", "c", "b"], {"c": 0.9}), limit=10)
    assert merged is not None
    assert list(merged["id"]) == ["e", "c", "b", "a"]  # d was removed upstream
    assert merged.loc[merged["id"] == "c", "score.auc"].item() == 0.9


def test_with_newest_keeps_the_limit() -> None:
    merged = lb.with_newest(_board_of(["c", "b", "a"]), _board_of(["e", "d", "c"]), limit=4)
    assert merged is not None and list(merged["id"]) == ["e", "d", "c", "b"]


@pytest.mark.parametrize(
    ("known", "newest"),
    [
        (["c", "b", "a"], ["f", "e", "d"]),  # more arrived than were fetched
        (["c", "b", "a"], []),  # the backend answered nothing
        ([], ["b", "a"]),  # nothing held yet
    ],
)
def test_with_newest_asks_for_a_full_fetch_when_the_rows_do_not_meet(known: list[str], newest: list[str]) -> None:
    assert lb.with_newest(_board_of(known), _board_of(newest), limit=10) is None


def test_with_newest_adds_metrics_only_the_new_rows_carry() -> None:
    newest = _board_of(["d", "c"]).assign(**{"score.new": [1.0, 2.0]})
    merged = lb.with_newest(_board_of(["c", "b"]), newest, limit=10)
    assert merged is not None
    assert merged["score.new"].tolist()[:2] == [1.0, 2.0] and merged["score.new"].isna().tolist()[2:] == [True]


def test_with_newest_returns_the_held_board_itself_when_nothing_changed() -> None:
    known = _board_of(["c", "b", "a"]).assign(**{"score.old": [float("nan"), float("nan"), 1.0]})
    assert lb.with_newest(known, _board_of(["c", "b"]), limit=10) is known


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.assign(**{"score.auc": [0.5, 0.7]}),  # a score changed
        lambda rows: rows.assign(**{"score.extra": [1.0, 2.0]}),  # a metric the board lacks
    ],
)
def test_with_newest_sees_a_changed_row_among_the_newest(change: Any) -> None:
    known = _board_of(["c", "b", "a"])
    merged = lb.with_newest(known, change(_board_of(["c", "b"])), limit=10)
    assert merged is not None and merged is not known and list(merged["id"]) == ["c", "b", "a"]
    pd.testing.assert_frame_equal(merged.iloc[:2], change(_board_of(["c", "b"])), check_like=True)
