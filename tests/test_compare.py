"""Comparing picked submissions, on a small hand-made board: which ids a URL or a grid selection
picks, each metric side by side with direction-aware marks against the first pick, missing values,
ranks on the view, and the chart that puts the entries on one axis."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from components import board_view as bv
from components import charts, compare, paths
from components.api import leaderboard_frame
from components.tasks import TaskInfo

#: One metric of each direction, and one only some rows carry.
TOY = TaskInfo("toy", "", ("acc", "loss", "extra"), {"acc": True, "loss": False, "extra": True})
DAY0 = pd.Timestamp("2026-05-01T12:00:00Z")


def _row(ident: str, user: str, day: int, **scores: float) -> dict[str, object]:
    return {
        "id": ident,
        "hf_username": user,
        "submitted_at": (DAY0 + pd.Timedelta(days=day)).isoformat(),
        "scores": json.dumps(scores),
        "is_baseline": False,
        "code_url": None,
        "credits_earned": "0.000",
    }


@pytest.fixture
def rows() -> pd.DataFrame:
    """Newest first, as the backend sends them; `dan` has no loss, only `cat` has `extra`."""
    return leaderboard_frame(
        [
            _row("dan-0001-aaaa", "dan", 4, acc=0.96),
            _row("cat-0001-aaaa", "cat", 3, acc=0.70, loss=0.10, extra=5.0),
            _row("bob-0001-aaaa", "bob", 2, acc=0.90, loss=0.30),
            _row("ann-0002-aaaa", "ann", 1, acc=0.80, loss=0.20),
            _row("ann-0001-aaaa", "ann", 0, acc=0.60, loss=0.50),
        ]
    )


def test_marks_follow_each_metrics_direction() -> None:
    assert compare.verdict(0.8, 0.9, higher=True) == "better"
    assert compare.verdict(0.8, 0.7, higher=True) == "worse"
    assert compare.verdict(0.2, 0.1, higher=False) == "better"
    assert compare.verdict(0.2, 0.3, higher=False) == "worse"
    assert compare.verdict(0.2, 0.2, higher=False) == "same"
    assert compare.difference(0.2, 0.3, higher=False) == "+0.1 (+50.0%) worse"
    assert compare.difference(0.0, 0.5, higher=True) == "+0.5 better", "no relative change from zero"


def test_missing_values_say_so() -> None:
    assert compare.verdict(0.8, math.nan, higher=True) == "missing"
    assert compare.verdict(math.nan, 0.8, higher=True) == "first missing"
    assert compare.difference(0.8, math.nan, higher=True) == "no value"
    assert compare.difference(math.nan, 0.8, higher=True) == "no value in the first"


def test_side_by_side_puts_each_entry_in_a_column_and_compares_it_with_the_first(rows: pd.DataFrame) -> None:
    entries, unknown = compare.find(rows, ["ann-0002-aaaa", "bob-0001-aaaa", "dan-0001-aaaa"])
    assert unknown == []
    names = compare.labels(entries)
    assert names == ["ann · ann-0002", "bob · bob-0001", "dan · dan-0001"]
    table = compare.side_by_side(entries, names, TOY, list(TOY.metrics))
    assert list(table.columns) == ["metric", *names[:2], "Δ bob · bob-0001", names[2], "Δ dan · dan-0001"]
    assert table["metric"].tolist() == ["acc ↑", "loss ↓", "extra ↑"]
    assert table["ann · ann-0002"].tolist()[:2] == [0.80, 0.20]
    assert math.isnan(table["dan · dan-0001"].iloc[1]), "a missing value stays missing, not 0"
    # bob: higher acc (better), higher loss (worse, since lower is better); nobody has `extra`.
    assert table["Δ bob · bob-0001"].tolist() == ["+0.1 (+12.5%) better", "+0.1 (+50.0%) worse", "no value"]
    assert table["Δ dan · dan-0001"].tolist() == ["+0.16 (+20.0%) better", "no value", "no value"]


def test_an_id_not_on_the_board_is_named_and_the_others_keep_their_order(rows: pd.DataFrame) -> None:
    entries, unknown = compare.find(rows, ["cat-0001-aaaa", "no-such-id", "ann-0001-aaaa"])
    assert entries["id"].tolist() == ["cat-0001-aaaa", "ann-0001-aaaa"]
    assert unknown == ["no-such-id"]


def test_labels_fall_back_to_whole_ids_when_short_ones_would_clash(rows: pd.DataFrame) -> None:
    entries, _ = compare.find(rows, ["ann-0002-aaaa", "ann-0001-aaaa"])
    assert compare.labels(entries) == ["ann · ann-0002", "ann · ann-0001"]
    same_start = entries.assign(id=["ann-0000-0002", "ann-0000-0001"])
    assert compare.labels(same_start) == ["ann · ann-0000-0002", "ann · ann-0000-0001"]


def test_ranks_are_on_the_view_shown_and_missing_where_it_leaves_an_entry_out(rows: pd.DataFrame) -> None:
    board = bv.ranked_board(rows, TOY, bv.ViewOptions())  # best per user: ann's older entry is not shown
    entries, _ = compare.find(rows, ["bob-0001-aaaa", "ann-0001-aaaa", "dan-0001-aaaa"])
    who = compare.who(entries, compare.labels(entries), board)
    assert who["rank"].tolist()[0] == 2 and pd.isna(who["rank"].iloc[1]) and who["rank"].iloc[2] == 1
    assert who["page"].tolist()[0] == paths.submission_path("bob-0001-aaaa")


def test_standing_is_the_share_of_the_board_beaten_in_each_metrics_direction(rows: pd.DataFrame) -> None:
    board = bv.ranked_board(rows, TOY, bv.ViewOptions())  # acc: .96 .90 .80 .70; loss: .30 .20 .10
    entries, _ = compare.find(rows, ["cat-0001-aaaa", "bob-0001-aaaa", "ann-0001-aaaa"])
    points = compare.standing(board, entries, compare.labels(entries), TOY, list(TOY.metrics))
    at = {
        (metric, entry.split(" ")[0]): position
        for metric, entry, position in zip(points["metric"], points["entry"], points["position"], strict=True)
    }
    # ann's older entry (0.60, 0.50) is not on the best-per-user view: it is counted in, last on both.
    assert at[("acc ↑", "cat")] == pytest.approx(1 / 4) and at[("acc ↑", "bob")] == pytest.approx(3 / 4)
    assert at[("acc ↑", "ann")] == 0
    assert at[("loss ↓", "cat")] == 1 and at[("loss ↓", "bob")] == pytest.approx(1 / 3)
    assert at[("extra ↑", "cat")] == 1, "alone with a value: the best"
    assert ("extra ↑", "bob") not in at, "no value, no point"
    assert set(points["better"]) == {"higher", "lower"}


def test_the_comparison_chart_is_valid_vega_lite_and_ordered_as_picked(rows: pd.DataFrame) -> None:
    ids = ("dan-0001-aaaa", "ann-0002-aaaa")
    spec = compare.comparison_spec(rows, TOY, bv.ViewOptions(), ids, TOY.metrics)
    assert spec is not None and spec["datasets"]
    entries, _ = compare.find(rows, list(ids))
    board = bv.ranked_board(rows, TOY, bv.ViewOptions())
    chart = charts.comparison_chart(compare.standing(board, entries, compare.labels(entries), TOY, list(TOY.metrics)))
    validated = chart.to_dict()  # validates against the Vega-Lite schema
    encoding = validated["encoding"]
    assert encoding["color"]["sort"] == {"field": "entry_order", "op": "min"}
    assert encoding["x"]["scale"]["domain"] == [0, 1]
    assert "right is better" in encoding["x"]["title"]


def test_urls_pick_one_submission_or_compare_several() -> None:
    assert compare.from_url("a", None) == ["a"]
    assert compare.from_url(None, " a, b,,a ,c") == ["a", "b", "c"], "order kept, blanks and repeats dropped"
    assert compare.from_url("x", "a,b") == ["x"], "what the submit form's link writes wins"
    assert compare.from_url(None, ",".join(f"id{i}" for i in range(100))) == [f"id{i}" for i in range(20)]
    assert compare.from_url(None, "y" * 1000) == ["y" * compare.MAX_ID_CHARS]
    assert compare.url_params(["a"]) == {"submission": "a"}
    assert compare.url_params(["a", "b"]) == {"compare": "a,b"}
    assert compare.url_params([]) == {}


def test_grid_clicks_add_after_earlier_picks_and_filters_do_not_unpick() -> None:
    ids = np.array(["r0", "r1", "r2", "r3"], dtype=object)
    board = {"r0", "r1", "r2", "r3", "hidden"}
    shown = compare.Shown(ids, ("r2",))
    assert compare.picked_ids(["r2"], shown, [0, 2], board) == ["r2", "r0"], "the first pick stays first"
    assert compare.picked_ids(["r2"], shown, [], board) == [], "unpicked"
    shown = compare.Shown(ids, ("hidden", "r1", "gone"))
    assert compare.picked_ids(["hidden", "r1", "gone"], shown, [1, 3], board) == ["hidden", "r1", "r3"], (
        "a pick the filters hide stays; an id on no board goes at the first click"
    )
    assert compare.picked_ids(["new"], shown, [1], board) == ["new"], "the URL changed elsewhere: it stands"
    assert compare.picked_ids(["r1"], None, None, board) == ["r1"]
    assert compare.positions(ids, ["r3", "r1"]) == [1, 3]
