"""From raw leaderboard rows to the table a task page shows: filters, ranking and display columns.

Pure pandas, no Streamlit: the page only lays out what these functions return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from components import leaderboard as lb
from components import task_rules
from components.tasks import TaskInfo
from components.text import model_url, safe_url


@dataclass(frozen=True)
class ViewOptions:
    """What the ranking depends on (the user search only picks rows out of a ranked board)."""

    best_per_user: bool = True
    include_baselines: bool = True
    start: date | None = None
    end: date | None = None
    as_of: date | None = None


def arrow(higher_is_better: bool) -> str:
    return "↑" if higher_is_better else "↓"


def metric_label(task: TaskInfo, metric: str) -> str:
    """A column title such as `fake_rate ↓`."""
    return f"{metric} {arrow(task.direction(metric))}"


def metric_help(task: TaskInfo, metric: str) -> str:
    """A metric column's tooltip: its direction, and what it measures where the glossary knows."""
    direction = f"{'Higher' if task.direction(metric) else 'Lower'} is better."
    meaning = task_rules.explain(metric)
    return f"{direction} {meaning[0].upper()}{meaning[1:]}." if meaning else direction


def glossary(task: TaskInfo, metrics: list[str]) -> pd.DataFrame:
    """Each metric, its direction and what it measures; a metric the glossary does not know keeps
    its name and direction."""
    return pd.DataFrame(
        {
            "metric": [metric_label(task, m) for m in metrics],
            "better": ["higher" if task.direction(m) else "lower" for m in metrics],
            "what it measures": [task_rules.explain(m) or "" for m in metrics],
        }
    )


def task_metrics(task: TaskInfo, rows: pd.DataFrame) -> list[str]:
    """The task's metrics, then any metric only some rows carry (older or newer releases)."""
    extra = [
        c.removeprefix(lb.METRIC_PREFIX)
        for c in rows.columns
        if c.startswith(lb.METRIC_PREFIX) and c.removeprefix(lb.METRIC_PREFIX) not in task.metrics
    ]
    return [*task.metrics, *sorted(extra)]


def ranked_board(rows: pd.DataFrame, task: TaskInfo, opts: ViewOptions) -> pd.DataFrame:
    """Rows ranked by the primary metric, as the options ask."""
    df = rows
    if opts.as_of is not None:
        df = lb.as_of(df, opts.as_of)
    df = lb.filter_rows(df, include_baselines=opts.include_baselines, start=opts.start, end=opts.end)
    primary, higher = task.primary, task.direction(task.primary)
    return lb.best_per_user(df, primary, higher) if opts.best_per_user else lb.rank(df, primary, higher)


def find_users(board: pd.DataFrame, user_query: str) -> pd.DataFrame:
    """The rows of a ranked board whose user name contains the query: searching for someone
    shows their real place, not 1."""
    return lb.filter_rows(board, user_query=user_query) if user_query.strip() else board


def trend_rows(rows: pd.DataFrame, opts: ViewOptions) -> pd.DataFrame:
    """The rows the trend charts draw: the board as of the chosen date, baselines if shown."""
    if opts.as_of is not None:
        rows = lb.as_of(rows, opts.as_of)
    return rows if opts.include_baselines else rows[~rows["is_baseline"].to_numpy(dtype=bool)]


@dataclass(frozen=True)
class Activity:
    """A board's header figures: how many submissions and people, and the newest submission."""

    submissions: int
    participants: int
    last_submitted: pd.Timestamp | None


def date_span(rows: pd.DataFrame) -> tuple[date, date] | None:
    """The first and last days (UTC) on which the board got a submission; None for an empty board."""
    if not len(rows):
        return None
    return rows["submitted_at"].min().date(), rows["submitted_at"].max().date()


def activity(rows: pd.DataFrame, opts: ViewOptions) -> Activity:
    """The header figures of the board now, or as of the chosen date (then as the trend charts
    count it, baselines as shown); worked out once per board version (`data.per_board`)."""
    shown = trend_rows(rows, opts) if opts.as_of else rows
    return Activity(
        submissions=len(shown),
        participants=int(shown["hf_username"].nunique()),
        last_submitted=shown["submitted_at"].max() if len(shown) else None,
    )


def record_line(rows: pd.DataFrame, metric: str, higher: bool, opts: ViewOptions) -> pd.DataFrame:
    """The state-of-the-art line of the trend chart (see `leaderboard.best_so_far`)."""
    return lb.best_so_far(trend_rows(rows, opts), metric, higher)


def metric_values(rows: pd.DataFrame, metric: str) -> pd.Series:
    """A metric's column, or all-NaN when no row carries that metric."""
    column = lb.metric_column(metric)
    return rows[column] if column in rows else pd.Series(np.nan, index=rows.index, dtype=float)


def best_values(board: pd.DataFrame, task: TaskInfo, metrics: list[str]) -> dict[str, float]:
    """The best value of each metric in the shown table, in that metric's direction."""
    out: dict[str, float] = {}
    for metric in metrics:
        values = metric_values(board, metric).dropna()
        if not values.empty:
            out[metric] = float(values.max() if task.direction(metric) else values.min())
    return out


def display_frame(board: pd.DataFrame, task: TaskInfo, metrics: list[str]) -> pd.DataFrame:
    """The columns a person reads: rank, who, which records the row holds, every metric, credits,
    when (twice: the date, and how long ago, which the browser words), links, id.

    Nothing in it depends on the moment or the visitor, so a page builds it once per board
    version and options (see `board_table`). The best value of each metric is named in
    `records`, a column the grid sorts like any other, rather than styled cell by cell.
    """
    best = best_values(board, task, metrics)
    out = pd.DataFrame(
        {
            "rank": board["rank"].astype("Int64"),
            "user": board["hf_username"].astype(str),
            "baseline": board["is_baseline"].astype(bool),
            "records": _records(board, task, metrics, best),
        },
        index=board.index,
    )
    for metric in metrics:
        out[metric_label(task, metric)] = metric_values(board, metric)
    out["credits"] = board["credits_earned"]
    out["submitted"] = board["submitted_at"]
    out["age"] = board["submitted_at"]
    out["code"] = _links(board["code_url"], safe_url)
    out["model"] = _links(board.get("model_repo_id", pd.Series(None, index=board.index)), model_url)
    out["id"] = board["id"].astype(str)
    return out.reset_index(drop=True)


def _records(board: pd.DataFrame, task: TaskInfo, metrics: list[str], best: dict[str, float]) -> pd.Series:
    """Per row, the metrics whose best value in this board it holds ("" for none)."""
    held = [(metric_label(task, m), metric_values(board, m).to_numpy() == best[m]) for m in metrics if m in best]
    words = [" · ".join(label for label, mask in held if mask[i]) for i in range(len(board))]
    return pd.Series(words, index=board.index, dtype=object)


#: Columns only some boards fill (links): left out when no row has one. The leaderboard API never
#: sends a model repo, so against the real backend that column would always be blank.
OPTIONAL_COLUMNS = ("code", "model")


def without_empty_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The table without the optional columns no row fills (metrics always show: a blank one says
    no submission carries that metric yet)."""
    return table.drop(columns=[c for c in OPTIONAL_COLUMNS if c in table and table[c].isna().all()])


def board_table(rows: pd.DataFrame, task: TaskInfo, opts: ViewOptions, metrics: tuple[str, ...]) -> pd.DataFrame:
    """The ranked board as a task page shows it: worked out once per board version and options
    (`data.per_board`) for every visitor."""
    return without_empty_columns(display_frame(ranked_board(rows, task, opts), task, list(metrics)))


def find_in_table(table: pd.DataFrame, user_query: str) -> pd.DataFrame:
    """The rows of a shown board whose user name contains the query (any case), in place."""
    query = user_query.strip().lower()
    if not query:
        return table
    return table[table["user"].str.lower().str.contains(query, regex=False).to_numpy(dtype=bool)]


def _links(values: pd.Series, to_url: Callable[[object], str | None]) -> pd.Series:
    """Safe URLs, None where there is none: `Series.map` would infer a str dtype and turn
    None into NaN, which is truthy (a page testing `if link:` would then draw a broken button)."""
    return pd.Series([to_url(v) for v in values], index=values.index, dtype=object)


def export_frame(board: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """The shown table with plain column names, for CSV and Parquet downloads."""
    data: dict[str, object] = {
        "rank": board["rank"].astype("Int64"),
        "hf_username": board["hf_username"].astype(str),
        "is_baseline": board["is_baseline"].astype(bool),
    }
    for metric in metrics:
        data[metric] = metric_values(board, metric)
    data["credits_earned"] = board["credits_earned"]
    data["submitted_at"] = board["submitted_at"]
    data["code_url"] = board["code_url"]
    data["submission_id"] = board["id"].astype(str)
    return pd.DataFrame(data).reset_index(drop=True)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_parquet(index=False)


def default_tradeoff(task: TaskInfo, metrics: list[str]) -> tuple[str, str]:
    """The pair of metrics whose trade-off matters most for a task (the task table's, else the first two)."""
    rules = task_rules.of(task.name)
    first_two = (metrics[0], metrics[1] if len(metrics) > 1 else metrics[0])
    x, y = rules.tradeoff if rules and rules.tradeoff else first_two
    if x in metrics and y in metrics:
        return x, y
    return metrics[0], metrics[-1]
