"""Altair charts for the leaderboards: pure functions from DataFrames to chart specs."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

# Streamlit ships chart data as Arrow, but `to_dict()` (tests, exports) would refuse
# more than 5,000 rows; a leaderboard with 50,000 submissions must still draw.
alt.data_transformers.disable_max_rows()

BASELINE_LABEL = "baseline"
SUBMISSION_LABEL = "submission"


def prefers_log_scale(metric: str, values: pd.Series) -> bool:
    """Rejection rates and values spanning several decades read better on a log axis."""
    finite = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if finite.empty or (finite <= 0).any():
        return False
    return "_rej" in metric or bool(finite.max() / finite.min() >= 100)


def _y_scale(metric: str, values: pd.Series) -> alt.Scale:
    if prefers_log_scale(metric, values):
        return alt.Scale(type="log")
    return alt.Scale(zero=False)


def trend_chart(points: pd.DataFrame, best: pd.DataFrame, metric: str, arrow: str) -> alt.LayerChart | alt.FacetChart:
    """Every submission over time, and the best-so-far step line: the state of the art.

    `points` has submitted_at, value, hf_username, id and is_baseline; `best` has
    submitted_at and best (one row per change of the record).
    """
    data = points.assign(kind=np.where(points["is_baseline"], BASELINE_LABEL, SUBMISSION_LABEL))
    scale = _y_scale(metric, data["value"])
    title = f"{metric} {arrow}"
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=45, opacity=0.7)
        .encode(
            x=alt.X("submitted_at:T", title="submitted"),
            y=alt.Y("value:Q", title=title, scale=scale),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=[SUBMISSION_LABEL, BASELINE_LABEL])),
            shape=alt.Shape("kind:N", title=None, scale=alt.Scale(domain=[SUBMISSION_LABEL, BASELINE_LABEL])),
            tooltip=[
                alt.Tooltip("hf_username:N", title="user"),
                alt.Tooltip("value:Q", title=metric, format=".4~g"),
                alt.Tooltip("submitted_at:T", title="submitted", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("id:N", title="submission"),
            ],
        )
    )
    record = (
        alt.Chart(best)
        .mark_line(interpolate="step-after", strokeWidth=2, color="#e45756")
        .encode(x="submitted_at:T", y=alt.Y("best:Q", scale=scale), tooltip=[alt.Tooltip("best:Q", format=".4~g")])
    )
    return alt.layer(dots, record).properties(height=320)


def tradeoff_chart(
    points: pd.DataFrame, x: str, y: str, x_arrow: str, y_arrow: str, on_front: pd.Series
) -> alt.LayerChart | alt.FacetChart:
    """Two metrics against each other (`points` columns x, y, hf_username, id; `x` and `y` name
    the metrics), with the Pareto front (in both directions) drawn as a line.

    The metric names only title the axes: as Vega field names, a `.` or `:` in a name from the
    backend would read as a nested field or a type."""
    data = points.assign(front=on_front.to_numpy())
    front = data[data["front"]].sort_values("x")
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=f"{x} {x_arrow}", scale=_y_scale(x, data["x"])),
        y=alt.Y("y:Q", title=f"{y} {y_arrow}", scale=_y_scale(y, data["y"])),
    )
    dots = base.mark_point(filled=True, size=45, opacity=0.6).encode(
        color=alt.Color("front:N", title="Pareto front", scale=alt.Scale(domain=[True, False])),
        tooltip=[
            alt.Tooltip("hf_username:N", title="user"),
            alt.Tooltip("x:Q", title=x, format=".4~g"),
            alt.Tooltip("y:Q", title=y, format=".4~g"),
            alt.Tooltip("id:N", title="submission"),
        ],
    )
    line = alt.Chart(front).mark_line(interpolate="step-after", color="#e45756").encode(x="x:Q", y="y:Q")
    return alt.layer(dots, line).properties(height=320)


def sparkline(best: pd.DataFrame) -> alt.Chart:
    """A tiny best-so-far line for a home-page card."""
    return (
        alt.Chart(best)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("submitted_at:T", axis=None),
            y=alt.Y("best:Q", axis=None, scale=alt.Scale(zero=False)),
        )
        .properties(height=60)
    )


def _day_and_time_format(times: pd.Series) -> str:
    """Axis labels that name the day and are as fine as the span needs: a new account's entries
    are seconds apart (Vega's defaults would read as bare clock times or milliseconds, and
    minutes alone would repeat one label), a long history spans months."""
    span = times.max() - times.min() if len(times) else pd.Timedelta(0)
    if span <= pd.Timedelta(hours=1):
        return "%b %d %H:%M:%S"
    if span <= pd.Timedelta(days=3):
        return "%b %d %H:%M"
    return "%b %d"


def balance_chart(balance: pd.DataFrame) -> alt.Chart:
    """A user's balance over time (created_at, balance) as a step line: it moves only at ledger entries."""
    return (
        alt.Chart(balance)
        .mark_line(interpolate="step-after", strokeWidth=2, point=True)
        .encode(
            x=alt.X("created_at:T", title="date", axis=alt.Axis(format=_day_and_time_format(balance["created_at"]))),
            y=alt.Y("balance:Q", title="credits"),
            tooltip=[
                alt.Tooltip("created_at:T", title="date", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("balance:Q", title="balance", format=",.2~f"),
            ],
        )
        .properties(height=280)
    )


def credits_bars(totals: pd.DataFrame, category: str, title: str) -> alt.Chart:
    """Net credits per `category` (columns: category, credits, entries); spending in red."""
    return (
        alt.Chart(totals)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=title, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("credits:Q", title="credits"),
            color=alt.when(alt.datum.credits >= 0).then(alt.value("#1a7f37")).otherwise(alt.value("#d1242f")),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=title),
                alt.Tooltip("credits:Q", format=",.2~f"),
                alt.Tooltip("entries:Q", title="entries"),
            ],
        )
        .properties(height=alt.Step(28))
    )
