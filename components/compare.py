"""Picking submissions on a task's board and comparing them: which ids a URL or a grid selection
picks, and what sets them apart, metric by metric, in each metric's direction.

Pure pandas, no Streamlit: the task page lays out what these functions return. Ids come from
the URL, so they are only ever looked up and shown through `components.text.inert`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components import board_view as bv
from components import charts, paths
from components.tasks import TaskInfo

#: A comparison shows this many entries at most: beyond that the table and chart stop reading at a glance.
MAX_COMPARED = 4
#: A URL is read for this many ids at most (more only ever gets the "pick at most" note).
MAX_URL_IDS = 20
#: Ids this long are nobody's: the backend's are UUIDs (36 characters).
MAX_ID_CHARS = 100
SHORT_ID_CHARS = 8


def from_url(submission: str | None, compare: str | None) -> list[str]:
    """The ids a task page's URL picks: `?submission=<id>`, else `?compare=<id>,<id>,…` (order kept,
    repeats and blanks dropped). `submission` wins when both are there: it is what the submit
    form's "Show it on the board" writes."""
    raw = [submission] if submission and submission.strip() else (compare or "").split(",")[:MAX_URL_IDS]
    ids = (i.strip()[:MAX_ID_CHARS] for i in raw)
    return list(dict.fromkeys(i for i in ids if i))


def url_params(ids: Sequence[str]) -> dict[str, str]:
    """The query parameters that pick `ids`: one is a submission, two or more a comparison."""
    if len(ids) == 1:
        return {"submission": ids[0]}
    return {"compare": ",".join(ids)} if ids else {}


@dataclass(frozen=True)
class Shown:
    """What a board's grid showed on the last run: its submission ids in row order (a selection
    is row positions in that table) and the ids picked then."""

    ids: np.ndarray
    picked: tuple[str, ...]


def picked_ids(
    url_ids: list[str], shown: Shown | None, rows: Sequence[int] | None, on_board: Collection[str]
) -> list[str]:
    """The ids picked once the grid's selection (`rows`, positions in the table `shown`) is taken in.

    When the URL changed since that table was shown (a shared link, "Show it on the board"),
    the URL stands. Otherwise the person may have picked or unpicked rows: the earlier picks keep
    their order (the first stays the one the others are compared with), new ones follow in table
    order, and picks the table did not show (hidden by the filters) stay if they are on the board."""
    if shown is None or rows is None or list(shown.picked) != url_ids:
        return url_ids
    selected = [str(shown.ids[i]) for i in sorted(rows) if 0 <= i < len(shown.ids)]
    visible = set(shown.ids)
    kept = [i for i in url_ids if i in selected or (i not in visible and i in on_board)]
    return kept + [i for i in selected if i not in kept]


def positions(ids: np.ndarray, picked: Sequence[str]) -> list[int]:
    """The rows of a table (its submission ids in order) that hold the picked ids."""
    return np.flatnonzero(np.isin(ids, list(picked))).tolist() if picked else []


def find(rows: pd.DataFrame, ids: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """The board's rows of the picked ids, in pick order, and the ids that are not on this board.
    Only the picked rows are indexed, not the whole board."""
    ids_on_board = rows["id"].astype(str)
    hit = ids_on_board.isin(ids).to_numpy(dtype=bool)
    by_id = rows[hit].assign(id=ids_on_board[hit].to_numpy()).drop_duplicates("id").set_index("id", drop=False)
    known = [i for i in ids if i in by_id.index]
    return by_id.loc[known].reset_index(drop=True), [i for i in ids if i not in by_id.index]


def labels(entries: pd.DataFrame) -> list[str]:
    """A column title per entry, `user · 1a2b3c4d` (user and short id); the whole id where two would match."""
    pairs = list(zip(entries["hf_username"], entries["id"], strict=True))
    short = [f"{user} · {ident[:SHORT_ID_CHARS]}" for user, ident in pairs]
    return short if len(set(short)) == len(short) else [f"{user} · {ident}" for user, ident in pairs]


def verdict(first: float, other: float, higher: bool) -> str:
    """How `other` fares against `first` on a metric where higher (or lower) is better."""
    if pd.isna(other):
        return "missing"
    if pd.isna(first):
        return "first missing"
    if other == first:
        return "same"
    return "better" if (other > first) == higher else "worse"


def difference(first: float, other: float, higher: bool) -> str:
    """`other - first`, relative too, with its verdict: `+0.0123 (+1.3%) better`; or why there is none."""
    mark = verdict(first, other, higher)
    if mark == "missing":
        return "no value"
    if mark == "first missing":
        return "no value in the first"
    if mark == "same":
        return "same"
    diff = other - first
    relative = f" ({diff / abs(first):+.1%})" if first != 0 else ""
    return f"{diff:+.4g}{relative} {mark}"


def _values(entries: pd.DataFrame, metric: str) -> np.ndarray:
    return bv.metric_values(entries, metric).to_numpy(dtype=float, na_value=np.nan)


def side_by_side(entries: pd.DataFrame, names: list[str], task: TaskInfo, metrics: list[str]) -> pd.DataFrame:
    """One row per metric: each entry's value in a column of its own, and after each entry but the
    first, its difference to the first (`Δ <entry>`)."""
    out: dict[str, Any] = {"metric": [bv.metric_label(task, m) for m in metrics]}
    values = [_values(entries, m) for m in metrics]
    for i, name in enumerate(names):
        out[name] = [v[i] for v in values]
        if i:
            out[f"Δ {name}"] = [difference(v[0], v[i], task.direction(m)) for m, v in zip(metrics, values, strict=True)]
    return pd.DataFrame(out)


def who(entries: pd.DataFrame, names: list[str], board: pd.DataFrame) -> pd.DataFrame:
    """Each entry: its rank on the board as the page shows it (missing when the view leaves it
    out), when it came, what it earned, and its own page."""
    ranks = pd.Series(board["rank"].to_numpy(), index=board["id"].astype(str))
    return pd.DataFrame(
        {
            "entry": names,
            "baseline": entries["is_baseline"].astype(bool).to_numpy(),
            "rank": ranks.reindex(entries["id"]).astype("Int64").to_numpy(),
            "submitted": entries["submitted_at"].to_numpy(),
            "credits": entries["credits_earned"].to_numpy(),
            "page": [paths.submission_path(i) for i in entries["id"]],
        }
    )


def _beaten(pool: np.ndarray, value: float, higher: bool) -> float:
    """The share of the other values in `pool` (sorted, no NaN) that `value` beats; 1 when alone."""
    if len(pool) < 2:
        return 1.0
    worse = np.searchsorted(pool, value, "left") if higher else len(pool) - np.searchsorted(pool, value, "right")
    return min(1.0, worse / (len(pool) - 1))


def standing(
    board: pd.DataFrame, entries: pd.DataFrame, names: list[str], task: TaskInfo, metrics: list[str]
) -> pd.DataFrame:
    """Where each entry stands on the board shown, per metric: the share of the board's other
    values it beats in that metric's direction (1 the best, 0 the worst), which puts metrics of
    any scale and direction on one axis. An entry the view leaves out is counted in as well.
    One row per entry and metric it has a value for."""
    pool = pd.concat([board, entries[~entries["id"].isin(board["id"].astype(str))]], ignore_index=True)
    points = []
    for m_order, metric in enumerate(metrics):
        higher = task.direction(metric)
        values = _values(pool, metric)
        values = np.sort(values[~np.isnan(values)])
        for e_order, (name, value) in enumerate(zip(names, _values(entries, metric), strict=True)):
            if not np.isnan(value):
                label = bv.metric_label(task, metric)
                better = "higher" if higher else "lower"
                points.append((label, m_order, name, e_order, value, _beaten(values, value, higher), better))
    columns = ["metric", "metric_order", "entry", "entry_order", "value", "position", "better"]
    return pd.DataFrame(points, columns=columns)


def comparison_spec(
    rows: pd.DataFrame, task: TaskInfo, opts: bv.ViewOptions, ids: tuple[str, ...], metrics: tuple[str, ...]
) -> dict[str, Any] | None:
    """The comparison chart's spec, worked out once per board version and pick (`data.per_board`);
    None when no entry has a value to draw."""
    entries, _ = find(rows, ids)
    points = standing(bv.ranked_board(rows, task, opts), entries, labels(entries), task, list(metrics))
    return None if points.empty else charts.spec(charts.comparison_chart(points))
