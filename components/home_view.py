"""The home page's summaries: one card per task, a feed across tasks, and what beating a record pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pandas as pd

from components import charts, economics
from components import leaderboard as lb
from components.board_view import metric_label, metric_values
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


def latest_feed(frames: dict[str, pd.DataFrame], tasks: dict[str, TaskInfo], now: datetime, limit: int) -> pd.DataFrame:
    """The newest submissions across every task, with each one's primary score and a deep link."""
    parts = []
    for name, rows in frames.items():
        if rows.empty or name not in tasks:
            continue
        primary = tasks[name].primary
        newest = rows.nlargest(limit, "submitted_at")
        parts.append(
            pd.DataFrame(
                {
                    "submitted": newest["submitted_at"],
                    "task": name,
                    "user": newest["hf_username"].astype(str),
                    "metric": primary,
                    "score": metric_values(newest, primary),
                    "age": newest["submitted_at"].map(lambda ts: lb.relative_time(ts, now)),
                    "open": [f"/{quote(name, safe='')}?submission={quote(str(sid), safe='')}" for sid in newest["id"]],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["submitted", "task", "user", "metric", "score", "age", "open"])
    return pd.concat(parts).nlargest(limit, "submitted").reset_index(drop=True)


def earnings_table(tasks: list[TaskInfo], frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """For every task and metric: the record, its holder, and the credits for beating it."""
    parts = []
    for task in tasks:
        bests = lb.current_bests(frames[task.name], task)
        reward = economics.beat_reward(task.name)
        parts.append(
            pd.DataFrame(
                {
                    "task": task.name,
                    "metric": [metric_label(task, m) for m in bests["metric"]],
                    "current best": bests["value"],
                    "held by": bests["hf_username"],
                    "since": bests["submitted_at"],
                    "credits for beating it": reward,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["task", "metric", "current best", "held by", "since", "credits for beating it"])
    return pd.concat(parts).reset_index(drop=True)
