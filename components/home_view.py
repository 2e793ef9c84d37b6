"""The home page's summaries: one card per task, a feed across tasks, and what beating a record pays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from components import charts, economics
from components import leaderboard as lb
from components.board_view import metric_label, metric_values
from components.paths import person_path, task_submission_path
from components.tasks import TaskInfo
from components.text import plural


@dataclass(frozen=True)
class CardSummary:
    """A task's card as every visitor of one board version sees it; only "last …" is per view."""

    best_text: str
    caption: str  # who holds the record since when, and how many submissions
    last_at: pd.Timestamp | None
    sparkline: dict[str, Any] | None  # a Vega-Lite spec, shared: read only


def card_summary(rows: pd.DataFrame, task: TaskInfo) -> CardSummary:
    """The current best primary score, who holds it and since when, how busy the task is, and the
    record's history (built once per board version: `data.per_board`)."""
    if rows.empty:
        return CardSummary("—", "No submissions yet.", None, None)
    bests = lb.current_bests(rows, task)
    primary = bests[bests["metric"] == task.primary]
    last_at = rows["submitted_at"].max()
    count = plural(len(rows), "submission")
    if primary.empty or pd.isna(primary["value"].iloc[0]):
        return CardSummary("—", count, last_at, None)
    best = primary.iloc[0]
    record = lb.best_so_far(rows, task.primary, task.direction(task.primary))
    return CardSummary(
        f"{best['value']:.4g}",
        f"held by {best['hf_username']} since {best['submitted_at']:%Y-%m-%d} · {count}",
        last_at,
        charts.spec(charts.sparkline(record)) if len(record) > 1 else None,
    )


FEED_COLUMNS = ["submitted", "task", "user", "metric", "score", "age", "open"]
EARNINGS_COLUMNS = ["task", "metric", "current best", "held by", "since", "credits for beating it"]


def feed_rows(rows: pd.DataFrame, task: TaskInfo, limit: int) -> pd.DataFrame:
    """A board's newest submissions for the feed, with the primary score and a deep link; `age`
    is the time itself, which the browser words ("2 hours ago"); `user` links to the person's page."""
    newest = rows.nlargest(limit, "submitted_at")
    return pd.DataFrame(
        {
            "submitted": newest["submitted_at"],
            "task": task.name,
            "user": [person_path(str(name)) for name in newest["hf_username"]],  # shown as the name
            "metric": task.primary,
            "score": metric_values(newest, task.primary),
            "age": newest["submitted_at"],
            "open": [task_submission_path(task.name, str(sid)) for sid in newest["id"]],
        },
        columns=FEED_COLUMNS,
    )


def newest_of(parts: list[pd.DataFrame], limit: int) -> pd.DataFrame:
    """The `limit` newest rows of several boards' feeds (each built once per board version)."""
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=FEED_COLUMNS)
    return pd.concat(parts).nlargest(limit, "submitted").reset_index(drop=True)


def earnings_rows(rows: pd.DataFrame, task: TaskInfo) -> pd.DataFrame:
    """For each of a task's metrics: the record, its holder, and the credits for beating it."""
    bests = lb.current_bests(rows, task)
    return pd.DataFrame(
        {
            "task": task.name,
            "metric": [metric_label(task, m) for m in bests["metric"]],
            "current best": bests["value"],
            "held by": bests["hf_username"],
            "since": bests["submitted_at"],
            "credits for beating it": economics.beat_reward(task.name),
        },
        columns=EARNINGS_COLUMNS,
    )


def all_of(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts).reset_index(drop=True) if parts else pd.DataFrame(columns=columns)
