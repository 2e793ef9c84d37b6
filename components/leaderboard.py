"""Pure pandas functions behind the leaderboard pages (no Streamlit).

They take the frame `components.api.leaderboard_frame` builds (columns id, hf_username,
submitted_at, is_baseline, ... and one float column `metric_column(metric)` per metric) and a
metric name with its direction. A metric with no column (no row ever reported it) reads
as all-NaN rather than failing. Everything is vectorised: 50,000 rows take milliseconds.

Ordering rule shared by all of them: better value first in the metric's direction, then
the earlier submission (the first to reach a score keeps it), NaN values last.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.api.typing import NaTType

from components.tasks import TaskInfo

METRIC_PREFIX = "score."

TimeBound = dt.date | dt.datetime | pd.Timestamp
_BEST_COLUMNS = ("metric", "higher_is_better", "value", "hf_username", "submitted_at", "id")


def metric_column(metric: str) -> str:
    """The frame column holding a metric's scores."""
    return f"{METRIC_PREFIX}{metric}"


def _values(df: pd.DataFrame, metric: str) -> np.ndarray:
    """The metric's values as a float array aligned with the rows (positions, not labels,
    so frames with a repeated index work too)."""
    column = metric_column(metric)
    if column in df.columns:
        return df[column].to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(df), np.nan)


def _time_key(df: pd.DataFrame) -> np.ndarray:
    """submitted_at as int64 nanoseconds, NaT as the latest possible time (sorts last).
    Going through datetime64 keeps this fast: an object array of Timestamps is not."""
    nanos = df["submitted_at"].to_numpy(dtype="datetime64[ns]").view("int64").copy()
    nanos[nanos == np.iinfo(np.int64).min] = np.iinfo(np.int64).max
    return nanos


def _order(df: pd.DataFrame, values: np.ndarray, higher: bool) -> np.ndarray:
    """Row positions in ranking order (see the module docstring); NaT times go last."""
    missing = np.isnan(values)
    value_key = np.where(missing, 0.0, -values if higher else values)
    # lexsort is stable and sorts by the last key first.
    return np.lexsort((_time_key(df), value_key, missing))


def rank(df: pd.DataFrame, metric: str, higher: bool) -> pd.DataFrame:
    """`df` sorted best first with a nullable-integer `rank` column: ties share the lowest
    rank ("min": 1, 2, 2, 4), rows without a value come last with rank <NA>."""
    values = _values(df, metric)
    order = _order(df, values, higher)
    ordered = values[order]
    # In ranking order equal values sit together: each row takes the position where its run starts.
    run_starts = np.ones(len(order), dtype=bool)
    run_starts[1:] = ordered[1:] != ordered[:-1]
    ranks = np.maximum.accumulate(np.where(run_starts, np.arange(len(order)), 0)) + 1
    return df.iloc[order].assign(rank=pd.arrays.IntegerArray(ranks.astype("int64"), np.isnan(ordered)))


def best_per_user(df: pd.DataFrame, metric: str, higher: bool) -> pd.DataFrame:
    """One row per hf_username, ranked (with `rank`): each user's best submission by
    `metric`, the earliest among equal bests; a user with no value for the metric keeps
    their latest submission (ranked last, rank <NA>)."""
    values = _values(df, metric)
    users = pd.factorize(df["hf_username"])[0]
    order = _order(df, values, higher)
    scored = order[~np.isnan(values[order])]
    bests = scored[_first_of_each(users[scored])]
    has_best = np.zeros(users.max(initial=-1) + 1, dtype=bool)
    has_best[users[bests]] = True
    unscored = np.flatnonzero(~has_best[users])
    by_time = unscored[np.argsort(_time_key(df)[unscored], kind="stable")]
    latest = by_time[::-1][_first_of_each(users[by_time][::-1])][::-1]
    return rank(df.take(np.r_[bests, latest]), metric, higher)


def _first_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each key, in the order they occur."""
    return np.sort(np.unique(keys, return_index=True)[1])


def best_so_far(df: pd.DataFrame, metric: str, higher: bool) -> pd.DataFrame:
    """The record over time, one row per improvement, for an altair step line.

    Columns: submitted_at, best (the record from then on), hf_username and id (who set
    it), improved. One row per improvement rather than per submission keeps the chart
    small (altair refuses more than 5,000 rows by default) and an `interpolate=
    "step-after"` line draws the flat stretches itself. A closing row (improved=False) at
    the latest submission time carries the record to the end of the timeline. Rows
    without a value or a time are ignored; an equal score is not an improvement.
    """
    values, times = _values(df, metric), _time_key(df)
    usable = np.flatnonzero(~np.isnan(values) & (times != np.iinfo(np.int64).max))
    order = usable[np.argsort(times[usable], kind="stable")]
    record = (np.maximum if higher else np.minimum).accumulate(values[order])
    changes = np.ones(len(record), dtype=bool)
    changes[1:] = record[1:] != record[:-1]
    picked, best, improved = order[changes], record[changes], np.ones(int(changes.sum()), dtype=bool)
    end = df["submitted_at"].max()
    closing = len(picked) > 0 and end > df["submitted_at"].iloc[picked[-1]]
    if closing:
        picked, best, improved = np.r_[picked, picked[-1]], np.r_[best, best[-1]], np.r_[improved, False]
    when = df["submitted_at"].array.take(picked)
    if closing:
        when[-1] = end
    return pd.DataFrame(
        {
            "submitted_at": when,
            "best": best,
            "hf_username": df["hf_username"].array.take(picked),
            "id": df["id"].array.take(picked),
            "improved": improved,
        }
    )


def pareto_front(df: pd.DataFrame, x: str, x_higher: bool, y: str, y_higher: bool) -> pd.Series:
    """Boolean Series (aligned with `df`): True for rows no other row dominates on the
    metrics x and y, each in its own direction. Identical points are all on the front;
    rows missing either value never are."""
    gx = _values(df, x) if x_higher else -_values(df, x)
    gy = _values(df, y) if y_higher else -_values(df, y)
    front = np.zeros(len(df), dtype=bool)
    usable = np.flatnonzero(~np.isnan(gx) & ~np.isnan(gy))
    if usable.size:
        points = pd.DataFrame({"x": gx[usable], "y": gy[usable], "row": usable})
        points = points.sort_values(["x", "y"], ascending=False, kind="stable")
        # Best y among points with a strictly greater x: the running max just before
        # each group of equal x starts.
        before = points["y"].cummax().shift(fill_value=-np.inf)
        best_greater_x = before.groupby(points["x"]).transform("first")
        best_same_x = points["y"].groupby(points["x"]).transform("max")
        on_front = points["y"].eq(best_same_x) & points["y"].gt(best_greater_x)
        front[points.loc[on_front, "row"].to_numpy()] = True
    return pd.Series(front, index=df.index, name="pareto")


def _utc(when: TimeBound) -> pd.Timestamp:
    stamp = pd.Timestamp(when)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _is_day(when: TimeBound) -> bool:
    return isinstance(when, dt.date) and not isinstance(when, dt.datetime)


def _end_bound(when: TimeBound) -> pd.Timestamp:
    """Exclusive upper bound: a date means the whole of that day (UTC)."""
    if _is_day(when):
        return _utc(when) + pd.Timedelta(days=1)
    return _utc(when) + pd.Timedelta(1, unit="ns")


def as_of(df: pd.DataFrame, when: TimeBound) -> pd.DataFrame:
    """Rows submitted at or before `when` (a date means the end of that day, UTC; a naive
    timestamp is UTC): the leaderboard as it stood then."""
    return df[(df["submitted_at"] < _end_bound(when)).to_numpy()]


def filter_rows(
    df: pd.DataFrame,
    *,
    include_baselines: bool = True,
    user_query: str | None = None,
    start: TimeBound | None = None,
    end: TimeBound | None = None,
) -> pd.DataFrame:
    """The rows a page's filters keep: baselines or not, users whose name contains
    `user_query` (case-insensitive), submitted within [start, end] (dates are whole
    days, UTC)."""
    keep = np.ones(len(df), dtype=bool)
    if not include_baselines:
        keep &= ~df["is_baseline"].to_numpy(dtype=bool)
    query = (user_query or "").strip()
    if query:
        names = df["hf_username"].astype("str")
        keep &= names.str.contains(query, case=False, regex=False, na=False).to_numpy(bool)
    if start is not None:
        keep &= (df["submitted_at"] >= _utc(start)).to_numpy()
    if end is not None:
        keep &= (df["submitted_at"] < _end_bound(end)).to_numpy()
    return df[keep]


def with_newest(known: pd.DataFrame, newest: pd.DataFrame, limit: int) -> pd.DataFrame | None:
    """The board after a refresh that fetched only its newest rows, or None when they do not
    reach back to a row already known (more arrived than were fetched: fetch everything).

    Both frames come newest first, as the backend sends them. The fetched rows replace the
    known ones down to the oldest fetched row, so a row changed or gone in that window is
    changed or gone here too; rows older than that window are kept as they were."""
    if newest.empty or known.empty:
        return None
    found = np.flatnonzero(known["id"].to_numpy() == newest["id"].iloc[-1])
    if not len(found):
        return None
    if found[0] == len(newest) - 1 and _same_rows(known.iloc[: len(newest)], newest):
        return known  # the same values, sent differently: the held board itself, so work on it is kept
    older = known.iloc[found[0] + 1 :]
    return pd.concat([newest, older], ignore_index=True).head(limit)


def _same_rows(held: pd.DataFrame, fetched: pd.DataFrame) -> bool:
    """Whether the fetched rows equal the held ones, value for value (a metric only the held
    frame has must be missing from these rows too)."""
    if not set(fetched.columns) <= set(held.columns):
        return False
    return held.reset_index(drop=True).equals(fetched.reindex(columns=held.columns))


def current_bests(df: pd.DataFrame, task: TaskInfo) -> pd.DataFrame:
    """One row per metric of `task`: its record value and who set it first.

    Columns: metric, higher_is_better, value, hf_username, submitted_at, id; a metric
    nobody reported has value NaN and no holder.
    """
    times = _time_key(df)
    rows = []
    for metric in task.metrics:
        higher = task.direction(metric)
        values = _values(df, metric)
        row: dict[str, object] = {"metric": metric, "higher_is_better": higher, "value": np.nan}
        if not np.isnan(values).all():
            best = np.nanmax(values) if higher else np.nanmin(values)
            tied = np.flatnonzero(values == best)
            holder = int(tied[np.argmin(times[tied])])  # the first to reach the record
            row["value"] = values[holder]
            for column in ("hf_username", "submitted_at", "id"):
                row[column] = df[column].iat[holder]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(_BEST_COLUMNS))
    return frame.astype(
        {
            "higher_is_better": bool,
            "value": float,
            "hf_username": "str",
            "submitted_at": "datetime64[ns, UTC]",
            "id": "str",
        }
    )


def relative_time(ts: TimeBound | NaTType | None, now: TimeBound | None = None) -> str:
    """ "3 days ago", "in 2 hours", "just now"; "unknown" for a missing time. Naive times
    are UTC; `now` defaults to the current time."""
    if ts is None or pd.isna(ts):
        return "unknown"
    reference = _utc(now) if now is not None else pd.Timestamp.now(tz="UTC")
    seconds = (reference - _utc(ts)).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    unit, size = next(
        (unit, size)
        for unit, size in (
            ("year", 365 * 86400),
            ("month", 30 * 86400),
            ("week", 7 * 86400),
            ("day", 86400),
            ("hour", 3600),
            ("minute", 60),
        )
        if seconds >= size
    )
    count = int(seconds // size)
    phrase = f"{count} {unit}{'s' if count != 1 else ''}"
    return f"in {phrase}" if future else f"{phrase} ago"
