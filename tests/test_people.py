"""The maths of the person and submission pages on small hand-made boards where the answer is clear:
rank over time, rank when submitted and now, percentiles in each metric's direction, credits per task.

Frames come from `components.api.leaderboard_frame` on rows shaped like the backend's.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from components import board_view as bv
from components import credits as cr
from components import people as pp
from components.api import leaderboard_frame
from components.tasks import FALLBACK_TASKS

TASKS = {t.name: t for t in FALLBACK_TASKS}
JETS, LATENCY = TASKS["jets"], TASKS["tracking_latency"]  # btag_auc ↑; wallclock_s ↓
DAY0 = pd.Timestamp("2026-05-01T10:00:00Z")


def _row(ident: str, user: str, day: float, credits: float = 0.0, **scores: float) -> dict[str, Any]:
    return {
        "id": ident,
        "hf_username": user,
        "submitted_at": (DAY0 + pd.Timedelta(days=day)).isoformat(),
        "scores": json.dumps(scores),
        "is_baseline": False,
        "credits_earned": f"{credits:.3f}",
    }


def _board(*rows: dict[str, Any]) -> pd.DataFrame:
    return leaderboard_frame(list(rows))


@pytest.fixture
def race() -> pd.DataFrame:
    """Day 0: ann 0.70. Day 1: bob 0.80 (ann falls to 2nd). Day 2: ann 0.60 (worse than her own best)
    and cat 0.75. Day 4: ann 0.90 (first again). Times are 10:00 UTC, later ones on a day later."""
    return _board(
        _row("a1", "ann", 0, 50, btag_auc=0.70),
        _row("b1", "bob", 1, 50, btag_auc=0.80),
        _row("a2", "ann", 2, 0, btag_auc=0.60),
        _row("c1", "cat", 2.1, 0, btag_auc=0.75),
        _row("a3", "ann", 4, 50, btag_auc=0.90),
    )


def test_rank_over_time_follows_the_best_of_each_day(race: pd.DataFrame) -> None:
    history = pp.rank_history(race, JETS)
    ann = pp.history_of(history, "ann")
    days = [DAY0.floor("D") + pd.Timedelta(days=d) for d in (0, 1, 2, 4)]
    assert ann["day"].tolist() == days, "only days a score arrived; from her first one on"
    assert ann["rank"].tolist() == [1, 2, 3, 1]
    assert ann["ranked"].tolist() == [1, 2, 3, 3]
    assert pp.history_of(history, "cat")["rank"].tolist() == [2, 3], "cat arrives on day 2"
    assert pp.history_of(history, "nobody").empty


def test_rank_over_time_is_the_as_of_board_of_each_day(race: pd.DataFrame) -> None:
    """Day by day, the same rank the task page shows "as of" that day (best per user)."""
    history = pp.rank_history(race, JETS)
    for user, day, rank in zip(history.index, history["day"], history["rank"], strict=True):
        board = bv.ranked_board(race, JETS, bv.ViewOptions(as_of=day.date()))
        assert board.loc[board["hf_username"] == user, "rank"].item() == rank


def test_rank_over_time_when_lower_is_better_with_ties_and_no_scores() -> None:
    rows = _board(
        _row("x1", "xia", 0, wallclock_s=5.0),
        _row("y1", "yan", 0, wallclock_s=5.0),
        _row("z1", "zed", 1, wallclock_s=9.0),
        _row("x2", "xia", 1, wallclock_s=7.0),  # worse than her own 5.0: she keeps it
        _row("q1", "quo", 1, events_per_sec=3.0),  # no wallclock_s: never ranked
    )
    history = pp.rank_history(rows, LATENCY)
    assert pp.history_of(history, "xia")["rank"].tolist() == [1, 1], "ties share the rank"
    assert pp.history_of(history, "yan")["rank"].tolist() == [1, 1]
    assert pp.history_of(history, "zed")["rank"].tolist() == [3]
    assert pp.history_of(history, "quo").empty
    assert pp.rank_history(_board(_row("q1", "quo", 1, events_per_sec=3.0)), LATENCY).empty


def test_rank_when_submitted_and_now(race: pd.DataFrame) -> None:
    # a1 was first when sent; now bob's 0.80 and cat's 0.75 are ahead of it (ann's own entries left out).
    assert pp.standing(race, JETS, "a1", race.loc[race["id"] == "a1", "submitted_at"].item()) == pp.Standing(1, 1)
    assert pp.standing(race, JETS, "a1") == pp.Standing(3, 3), "ann's 0.70 now stands behind bob and cat"
    # a2 (0.60) arrived behind bob (0.80); cat came later the same day, so not counted then.
    assert pp.standing(race, JETS, "a2", race.loc[race["id"] == "a2", "submitted_at"].item()) == pp.Standing(2, 2)
    assert pp.standing(race, JETS, "a2") == pp.Standing(3, 3)
    # Her best now holds her place on the task page's default board.
    board = bv.ranked_board(race, JETS, bv.ViewOptions())
    assert pp.standing(race, JETS, "a3").rank == board.loc[board["hf_username"] == "ann", "rank"].item() == 1
    with pytest.raises(KeyError):
        pp.standing(race, JETS, "nope")


def test_a_submission_without_the_primary_score_has_no_rank() -> None:
    rows = _board(_row("x1", "xia", 0, wallclock_s=5.0), _row("q1", "quo", 1, events_per_sec=3.0))
    assert pp.standing(rows, LATENCY, "q1") == pp.Standing(None, 1)


def test_percentiles_follow_each_metrics_direction_and_missing_values_come_last() -> None:
    rows = _board(
        _row("w", "w", 0, wallclock_s=1.0, events_per_sec=40.0),
        _row("x", "x", 0, wallclock_s=2.0, events_per_sec=30.0),
        _row("y", "y", 0, wallclock_s=2.0, events_per_sec=20.0),
        _row("z", "z", 0, wallclock_s=4.0),
    )
    x = pp.metric_standings(rows, LATENCY, ["wallclock_s", "events_per_sec"], "x").set_index("metric")
    # wallclock_s ↓: only w is faster; x ties y and beats z → at least as good as 2 of the other 3.
    assert x.loc["wallclock_s ↓", "rank"] == 2 and x.loc["wallclock_s ↓", "of"] == 4
    assert x.loc["wallclock_s ↓", "percentile"] == pytest.approx(100 * 2 / 3)
    # events_per_sec ↑: second of three valued entries (z has none and does not count).
    assert x.loc["events_per_sec ↑", "rank"] == 2 and x.loc["events_per_sec ↑", "of"] == 3
    assert x.loc["events_per_sec ↑", "percentile"] == pytest.approx(50.0)
    w = pp.metric_standings(rows, LATENCY, ["wallclock_s", "events_per_sec"], "w").set_index("metric")
    assert w["rank"].tolist() == [1, 1] and w["percentile"].tolist() == [100.0, 100.0]
    z = pp.metric_standings(rows, LATENCY, ["wallclock_s", "events_per_sec"], "z").set_index("metric")
    assert z.loc["wallclock_s ↓", "percentile"] == 0.0
    assert z.loc["events_per_sec ↑"].isna()[["rank", "percentile"]].all(), "no value: no rank, no percentile"
    alone = pp.metric_standings(_board(_row("s", "s", 0, wallclock_s=3.0)), LATENCY, ["wallclock_s"], "s")
    assert alone["percentile"].tolist() == [100.0]


def test_per_task_summary_sums_credits_and_names_the_place_now(race: pd.DataFrame) -> None:
    latency = _board(_row("l1", "ann", 3, 30, wallclock_s=2.0), _row("l2", "bob", 3, 30, wallclock_s=1.0))
    boards = {"jets": race, "tracking_latency": latency}
    mine = cr.my_submissions(boards, [LATENCY, JETS], "ann")
    summary = pp.per_task(mine, ["jets", "tracking_latency"]).set_index("task")
    assert summary.index.tolist() == ["jets", "tracking_latency"], "catalogue order"
    assert summary["submissions"].tolist() == [3, 1]
    assert summary["rank"].tolist() == [1, 2] and summary["ranked"].tolist() == [3, 2]
    assert summary["best score"].tolist() == [0.90, 2.0]
    assert summary["credits"].tolist() == [100.0, 30.0]
    assert pp.per_task(cr.my_submissions(boards, [JETS], "nobody"), ["jets"]).empty


def test_the_badge_links_to_the_persons_page_and_no_name_becomes_markdown() -> None:
    origin = "https://me-board.hf.space"
    assert pp.badge_markdown(origin, "jets", "ann") == (
        "[![ColliderML leaderboard: jets](https://me-board.hf.space/badge/jets/ann.svg)]"
        "(https://me-board.hf.space/user?name=ann)"
    )
    hostile = pp.badge_markdown(origin, "jets", "[x](javascript:alert(1)) <b>")
    assert "javascript:" not in hostile and "<b>" not in hostile and "(1)" not in hostile


def test_the_rank_chart_puts_first_place_on_top(race: pd.DataFrame) -> None:
    ann = pp.history_of(pp.rank_history(race, JETS), "ann")
    y = pp.rank_chart(ann).to_dict()["encoding"]["y"]
    assert y["scale"]["reverse"] is True and y["scale"]["domain"] == [1, 3]
    assert y["axis"]["values"] == [1, 2, 3]
    assert pp.rank_chart_spec(ann.head(0)) is None
