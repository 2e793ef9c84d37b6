"""A task page's charts, as Vega-Lite specs built from the board rows alone.

Every visitor of one board version sees the same charts for the same metric and options, so the
page builds each spec once per board version (`data.per_board`) instead of once per view: the
Altair objects, their conversion and the Pareto front cost more than drawing a cached spec.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from components import board_view as bv
from components import charts
from components import leaderboard as lb
from components.tasks import TaskInfo


def _with_metrics(rows: pd.DataFrame, *metrics: str) -> pd.DataFrame:
    """The rows with a column for each metric, blank where no row carries it yet."""
    return rows.assign(**{lb.metric_column(m): bv.metric_values(rows, m) for m in metrics})


def trend_spec(rows: pd.DataFrame, task: TaskInfo, metric: str, opts: bv.ViewOptions) -> dict[str, Any] | None:
    """Every submission's `metric` over time and the record line; None when nothing carries it."""
    shown = _with_metrics(bv.trend_rows(rows, opts), metric)
    points = shown.assign(value=shown[lb.metric_column(metric)])[
        ["submitted_at", "value", "hf_username", "id", "is_baseline"]
    ].dropna(subset=["value"])
    if points.empty:
        return None
    higher = task.direction(metric)
    best = bv.record_line(rows, metric, higher, opts)
    return charts.spec(charts.trend_chart(points, best, metric, bv.arrow(higher)))


def tradeoff_spec(rows: pd.DataFrame, task: TaskInfo, x: str, y: str, opts: bv.ViewOptions) -> dict[str, Any] | None:
    """Two metrics against each other with their Pareto front; None when no row carries both."""
    shown = _with_metrics(bv.trend_rows(rows, opts), x, y)
    both = shown.dropna(subset=[lb.metric_column(x), lb.metric_column(y)])
    if both.empty:
        return None
    front = lb.pareto_front(both, x, task.direction(x), y, task.direction(y))
    pairs = pd.DataFrame(
        {
            "x": both[lb.metric_column(x)],
            "y": both[lb.metric_column(y)],
            "hf_username": both["hf_username"],
            "id": both["id"],
        }
    )
    arrows = bv.arrow(task.direction(x)), bv.arrow(task.direction(y))
    return charts.spec(charts.tradeoff_chart(pairs, x, y, *arrows, front))
