"""The altair charts: they serialise at leaderboard sizes, draw the record as steps, pick log
axes only where a log axis can draw, and mark exactly the Pareto points."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from components import charts
from components import leaderboard as lb

N_POINTS = 20_000
DAY0 = pd.Timestamp("2026-03-01T00:00:00Z")


@pytest.fixture(scope="module")
def board() -> pd.DataFrame:
    """20,000 jets-like submissions over ten weeks: AUC up, rejection spanning two decades."""
    rng = np.random.default_rng(3)
    auc = rng.uniform(0.6, 0.95, N_POINTS)
    return pd.DataFrame(
        {
            "id": [f"s{i}" for i in range(N_POINTS)],
            "hf_username": [f"user{i}" for i in rng.integers(0, 300, N_POINTS)],
            "submitted_at": DAY0 + pd.to_timedelta(rng.integers(0, 70 * 86400, N_POINTS), unit="s"),
            "is_baseline": rng.random(N_POINTS) < 0.01,
            "score.btag_auc": auc,
            "score.light_rej_70": 10 ** (1 + 2 * (auc - 0.6) / 0.35 + rng.normal(0, 0.3, N_POINTS)),
        }
    )


def _trend(board: pd.DataFrame) -> dict[str, Any]:
    points = board.assign(value=board["score.btag_auc"])[["submitted_at", "value", "hf_username", "id", "is_baseline"]]
    best = lb.best_so_far(board, "btag_auc", True)
    return charts.trend_chart(points, best, "btag_auc", "↑").to_dict()


def _layer_rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = spec["datasets"][layer["data"]["name"]]
    return rows


def _tradeoff(board: pd.DataFrame) -> tuple[dict[str, Any], pd.Series]:
    front = lb.pareto_front(board, "btag_auc", True, "light_rej_70", True)
    pairs = pd.DataFrame(
        {
            "x": board["score.btag_auc"],
            "y": board["score.light_rej_70"],
            "hf_username": board["hf_username"],
            "id": board["id"],
        }
    )
    return charts.tradeoff_chart(pairs, "btag_auc", "light_rej_70", "↑", "↑", front).to_dict(), front


def test_trend_chart_with_twenty_thousand_points_serialises(board: pd.DataFrame) -> None:
    spec = _trend(board)  # altair's default would raise MaxRowsError above 5,000 rows
    dots, _ = spec["layer"]
    assert len(_layer_rows(spec, dots)) == N_POINTS


def test_trend_chart_draws_the_record_as_steps(board: pd.DataFrame) -> None:
    spec = _trend(board)
    record = next(layer for layer in spec["layer"] if layer["encoding"]["y"]["field"] == "best")
    assert record["mark"]["type"] == "line"
    assert record["mark"]["interpolate"].startswith("step")
    bests = [row["best"] for row in _layer_rows(spec, record)]
    assert bests == sorted(bests) and bests[-1] == board["score.btag_auc"].max()


def test_tradeoff_chart_with_twenty_thousand_points_marks_exactly_the_pareto_points(board: pd.DataFrame) -> None:
    spec, front = _tradeoff(board)
    dots, line = spec["layer"]
    rows = _layer_rows(spec, dots)
    assert len(rows) == N_POINTS
    expected = set(board.loc[front, "id"])
    assert 0 < len(expected) < 100
    assert {row["id"] for row in rows if row["front"]} == expected
    drawn = _layer_rows(spec, line)
    assert {row["id"] for row in drawn} == expected
    xs = [row["x"] for row in drawn]
    assert xs == sorted(xs), "the front is drawn left to right"
    assert spec["layer"][0]["encoding"]["y"]["scale"] == {"type": "log"}, "rejection reads on a log axis"


def test_sparkline_serialises() -> None:
    best = pd.DataFrame({"submitted_at": [DAY0, DAY0 + pd.Timedelta(days=1)], "best": [0.5, 0.6]})
    spec = charts.sparkline(best).to_dict()
    assert spec["mark"]["interpolate"].startswith("step")


@pytest.mark.parametrize(
    ("metric", "values", "log"),
    [
        ("light_rej_70", [5.0, 8.0, 12.0], True),  # a rejection, even over a narrow range
        ("c_rej_70", [2.0, np.inf, 3.0, np.nan], True),  # non-finite values are ignored
        ("wallclock_s", [0.03, 1.0, 31.0], True),  # three decades
        ("n_params", [4_000.0, 2_000_000.0], True),
        ("btag_auc", [0.61, 0.95], False),  # one decade at most: linear
        ("light_rej_70", [0.0, 5.0, 500.0], False),  # a zero cannot sit on a log axis
        ("wallclock_s", [-1.0, 1.0, 1000.0], False),  # nor a negative
        ("light_rej_70", [], False),
        ("light_rej_70", [np.nan], False),
    ],
)
def test_prefers_log_scale(metric: str, values: list[float], log: bool) -> None:
    assert charts.prefers_log_scale(metric, pd.Series(values, dtype=float)) is log


@pytest.mark.parametrize(
    ("seconds", "label_format"),
    [([0, 40, 95], "%b %d %H:%M:%S"), ([0, 3_600 * 30], "%b %d %H:%M"), ([0, 86_400 * 70], "%b %d")],
)
def test_balance_chart_labels_name_the_day_as_finely_as_the_span_needs(seconds: list[int], label_format: str) -> None:
    stamps = pd.Timestamp("2026-11-26T10:00:00Z") + pd.to_timedelta(seconds, unit="s")
    balance = pd.DataFrame({"created_at": stamps, "balance": [10.0 * (i + 1) for i in range(len(seconds))]})
    spec = charts.balance_chart(balance).to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == label_format
    assert spec["mark"]["interpolate"] == "step-after"
    assert len(next(iter(spec["datasets"].values()))) == len(seconds)
