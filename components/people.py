"""A person's and a submission's standing: ranks over time, ranks at a moment, percentiles, credits.

Pure pandas and Altair, no Streamlit; the person and submission pages lay out what these return.
"The default board" is what a task page shows first: the best entry of every user (baselines
included), ranked by the task's primary metric, ties sharing a rank (see `leaderboard.rank`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from components import charts
from components import leaderboard as lb
from components.board_view import metric_label, metric_values
from components.paths import badge_path, person_path
from components.tasks import TaskInfo

RANK_HISTORY_COLUMNS = ["day", "rank", "ranked"]
DAY_MS = 86_400_000
RANK_TICKS = 5


def rank_history(rows: pd.DataFrame, task: TaskInfo) -> pd.DataFrame:
    """Every user's rank on the default board at the end of each day (UTC) a score arrived, from
    their first scored submission on; worked out for all users at once, once per board version.

    Indexed by hf_username (sorted, so `history_of` finds a person by binary search); columns
    day, rank and ranked (the entries ranked that day). A rank moves only when a score arrives,
    so the days between are left out. Matches the task page's "as of" view day by day.
    """
    primary, higher = task.primary, task.direction(task.primary)
    scored = pd.DataFrame(
        {
            "hf_username": rows["hf_username"].astype(str).to_numpy(),
            "day": rows["submitted_at"].dt.floor("D").array,
            "value": metric_values(rows, primary).to_numpy(dtype=float),
        }
    ).dropna()
    if scored.empty:
        empty = pd.DataFrame({"day": pd.Series(dtype="datetime64[ns, UTC]"), "rank": [], "ranked": []})
        return empty.astype({"rank": "int64", "ranked": "int64"}).set_index(pd.Index([], name="hf_username"))
    daily = scored.groupby(["hf_username", "day"])["value"].agg("max" if higher else "min").unstack("day")
    # Each user's best so far, carried over the days they sent nothing.
    best = (daily.cummax(axis=1) if higher else daily.cummin(axis=1)).ffill(axis=1)
    ranks = best.rank(axis=0, method="min", ascending=not higher).stack().dropna()
    ranked = best.notna().sum(axis=0)
    days = ranks.index.get_level_values("day")
    history = pd.DataFrame(
        {"day": days, "rank": ranks.to_numpy(dtype="int64"), "ranked": ranked.reindex(days).to_numpy(dtype="int64")},
        index=ranks.index.get_level_values("hf_username"),
    )
    return history


def history_of(history: pd.DataFrame, username: str) -> pd.DataFrame:
    """One person's part of `rank_history` (empty when they have no score on that board)."""
    return history.loc[username:username].reset_index(drop=True)


def rank_chart(history: pd.DataFrame) -> alt.Chart:
    """A person's rank over time on one task, #1 at the top: a step line, as a rank holds until
    the next day a score arrives."""
    span = history["day"].max() - history["day"].min()
    day_format = "%b %d" if span <= pd.Timedelta(days=300) else "%b %Y"
    bottom = max(int(history["ranked"].max()), 2)
    step = math.ceil(bottom / RANK_TICKS)
    return (
        alt.Chart(history)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format=day_format, tickMinStep=DAY_MS, labelOverlap=True)),
            y=alt.Y(
                "rank:Q",
                title="rank",
                scale=alt.Scale(reverse=True, domain=[1, bottom], nice=False),
                # First place is always labelled: Vega's own ticks would start at 0 or 2.
                axis=alt.Axis(values=sorted({1, *range(step, bottom + 1, step)}), format="d"),
            ),
            tooltip=[
                alt.Tooltip("day:T", title="end of", format="%Y-%m-%d"),
                alt.Tooltip("rank:Q", title="rank"),
                alt.Tooltip("ranked:Q", title="of"),
            ],
        )
        .properties(height=160)
    )


def rank_chart_spec(history: pd.DataFrame) -> dict | None:
    """`rank_chart` as a spec to draw; None without a point to draw."""
    return charts.spec(rank_chart(history)) if len(history) else None


@dataclass(frozen=True)
class Standing:
    """A place on a ranking: None when the entry has no value to rank by; `ranked` entries have one."""

    rank: int | None
    ranked: int


def standing(rows: pd.DataFrame, task: TaskInfo, submission_id: str, until: pd.Timestamp | None = None) -> Standing:
    """Where one submission places on the default board standing in for its submitter (their other
    entries left out): among the rows submitted up to `until` (its own time: the rank it had when
    submitted), or among every row (its rank now). For a person's best entry now, that is their
    place on the task page."""
    this = rows[(rows["id"].astype(str) == submission_id).to_numpy()].head(1)
    if this.empty:
        raise KeyError(submission_id)
    others = rows[(rows["hf_username"] != this["hf_username"].iloc[0]).to_numpy()]
    if until is not None:
        others = others[(others["submitted_at"] <= until).to_numpy()]
    board = lb.best_per_user(pd.concat([others, this]), task.primary, task.direction(task.primary))
    rank = board["rank"].to_numpy()[(board["id"].astype(str) == submission_id).to_numpy()][0]
    return Standing(None if pd.isna(rank) else int(rank), int(board["rank"].notna().sum()))


def metric_standings(rows: pd.DataFrame, task: TaskInfo, metrics: list[str], submission_id: str) -> pd.DataFrame:
    """Each metric of one submission among every entry of its board, in the metric's direction:
    value, rank (ties share it; no value, no rank: such entries come last), `of` (the entries with
    a value) and percentile, the share of the other valued entries it does at least as well as
    (100: none better; alone on the board it is 100)."""
    at = np.flatnonzero((rows["id"].astype(str) == submission_id).to_numpy())
    if not len(at):
        raise KeyError(submission_id)
    out: list[tuple[str, float, object, int, float]] = []
    for metric in metrics:
        values = metric_values(rows, metric).to_numpy(dtype=float)
        value, of = values[at[0]], int(np.count_nonzero(~np.isnan(values)))
        if np.isnan(value):
            out.append((metric_label(task, metric), value, pd.NA, of, np.nan))
            continue
        better = np.count_nonzero(values > value if task.direction(metric) else values < value)
        rank = int(better) + 1
        out.append((metric_label(task, metric), value, rank, of, 100.0 * (of - rank) / (of - 1) if of > 1 else 100.0))
    frame = pd.DataFrame(out, columns=["metric", "value", "rank", "of", "percentile"])
    return frame.astype({"metric": "str", "value": float, "rank": "Int64", "of": int, "percentile": float})


PER_TASK_COLUMNS = ["task", "submissions", "rank", "ranked", "metric", "best score", "credits"]


def per_task(mine: pd.DataFrame, task_order: list[str]) -> pd.DataFrame:
    """One row per task of a person's submissions (`credits.my_submissions`' frame), in catalogue
    order: how many, their place now and of how many, the score that holds it, and the credits
    their submissions earned there."""
    if mine.empty:
        return pd.DataFrame(columns=PER_TASK_COLUMNS)
    grouped = mine.groupby("task", sort=False)
    best = mine[mine["counts"].to_numpy(dtype=bool)].drop_duplicates("task").set_index("task")
    summary = pd.DataFrame(
        {
            "submissions": grouped.size(),
            "rank": grouped["rank"].first(),
            "ranked": grouped["ranked"].first(),
            "metric": grouped["metric"].first(),
            "best score": best["score"],
            "credits": grouped["credits"].sum(),
        }
    )
    order = [name for name in task_order if name in summary.index]
    return summary.loc[order].rename_axis("task").reset_index()[PER_TASK_COLUMNS]


_LINK_TEXT_SPECIAL = re.compile(r"([\\\[\]])")


def badge_markdown(origin: str, task: str, username: str) -> str:
    """The Markdown to paste into a README: the person's badge for a task, linking to their page.
    The name is only in the (quoted) addresses, so no name can turn into Markdown there."""
    alt_text = _LINK_TEXT_SPECIAL.sub(r"\\\1", f"ColliderML leaderboard: {task}")
    return f"[![{alt_text}]({origin}{badge_path(task, username)})]({origin}{person_path(username)})"
