"""A signed-in user's credits: the ledger, the balance over time, earnings, and their submissions.

Pure pandas, no Streamlit. Ledger frames have the columns of `components.api.transactions_frame`
(id, delta, reason, task, submission_id, metadata, created_at) and come newest first, as the
backend sends them; `reconstructed_ledger` builds the same shape from public leaderboard rows
for when the backend's ledger route fails (it answers 500 for every user in production).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from components import economics, paths
from components import leaderboard as lb
from components.board_view import arrow
from components.tasks import TaskInfo

_LEDGER_DTYPES: dict[str, Any] = {
    "id": "str",
    "delta": float,
    "reason": "str",
    "task": object,
    "submission_id": object,
    "metadata": object,
    "created_at": "datetime64[ns, UTC]",
}
_LEDGER_TABLE_DTYPES: dict[str, Any] = {
    "date": "datetime64[ns, UTC]",
    "what": "str",
    "credits": float,
    "task": object,
    "open": object,
}
_MY_SUBMISSIONS_DTYPES: dict[str, Any] = {
    "task": "str",
    "rank": "Int64",
    "ranked": int,
    "metric": "str",
    "score": float,
    "credits": float,
    "submitted": "datetime64[ns, UTC]",
    "counts": bool,
    "open": object,
    "id": "str",
}


def submission_link(task: object, submission_id: object, known_tasks: Collection[str] | None = None) -> str | None:
    """The task page's deep link (`paths.task_submission_path`); None without both parts, or for a task
    the dashboard has no page for. Both parts are quoted: a task named `/evil.com` must not turn
    the relative link into an external one."""
    if not isinstance(task, str) or not isinstance(submission_id, str) or not task or not submission_id:
        return None
    if known_tasks is not None and task not in known_tasks:
        return None
    return paths.task_submission_path(task, submission_id)


def format_credits(value: float, *, signed: bool = False) -> str:
    """`1,250` or `12.5` (`+50` / `-20` when signed): whole credits without a decimal point."""
    if pd.isna(value):
        return "—"
    text = f"{value:{'+' if signed else ''},.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


def totals(ledger: pd.DataFrame) -> tuple[float, float]:
    """(credits earned, credits spent) over the entries: spent is the sum of negative deltas (<= 0)."""
    deltas = ledger["delta"].fillna(0.0).astype(float)
    return float(deltas[deltas > 0].sum()), float(deltas[deltas < 0].sum())


def _chronological(ledger: pd.DataFrame) -> pd.DataFrame:
    """Dated entries oldest first; entries of the same instant keep the backend's order
    (it sends newest first, so reversing before a stable sort gives oldest first)."""
    dated = ledger[ledger["created_at"].notna().to_numpy()]
    return dated.iloc[::-1].sort_values("created_at", kind="stable")


def balance_over_time(ledger: pd.DataFrame, current_balance: float, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The balance after each entry, anchored so that it ENDS at `current_balance`.

    Working backwards from the authoritative balance keeps the curve right at the end even
    when the ledger is partial (a `limit`, a reconstruction): what the shown entries do not
    explain appears as the opening balance, a first row at the time of the oldest entry.
    `until` (say, now) adds a closing row carrying the balance to that time. Entries without
    a time are left out; a missing delta counts as 0. Columns: created_at, balance.
    """
    entries = _chronological(ledger)
    if entries.empty:
        return pd.DataFrame({"created_at": pd.Series(dtype="datetime64[ns, UTC]"), "balance": pd.Series(dtype=float)})
    deltas = entries["delta"].fillna(0.0).to_numpy(dtype=float)
    # Sum of the deltas after each entry, exactly 0 after the last one: no rounding at the anchor.
    later = np.concatenate([np.cumsum(deltas[::-1])[::-1][1:], [0.0]])
    after = current_balance - later
    opening = current_balance - float(deltas.sum())
    times = entries["created_at"].tolist()
    rows = [(times[0], opening), *zip(times, after.tolist(), strict=True)]
    if until is not None and until > times[-1]:
        rows.append((until, current_balance))
    frame = pd.DataFrame(rows, columns=["created_at", "balance"])
    return frame.astype({"created_at": "datetime64[ns, UTC]", "balance": float})


def earnings_by(ledger: pd.DataFrame, column: str) -> pd.DataFrame:
    """Net credits and number of entries per value of `column` (reason, task), largest first.

    Entries with no value there (a signup has no task) are left out; spending shows as a
    negative total. Columns: `column`, credits, entries.
    """
    keyed = ledger[ledger[column].notna().to_numpy()]
    grouped = (
        keyed.assign(delta=keyed["delta"].fillna(0.0).astype(float))
        .groupby(column, sort=False)["delta"]
        .agg(credits="sum", entries="count")
        .reset_index()
    )
    ordered = grouped.sort_values(["credits", column], ascending=[False, True], kind="stable")
    return ordered.astype({column: "str", "credits": float, "entries": int}).reset_index(drop=True)


def reconstructed_ledger(leaderboards: Mapping[str, pd.DataFrame], user: str) -> pd.DataFrame:
    """The credits `user` earned by submissions, rebuilt from their public leaderboard rows.

    One `beat_<task>` entry per submission that earned credits (submitted_at, credits_earned),
    newest first, in the ledger's shape. It cannot know reproductions, signup credits, grants
    or spending: those never reach a leaderboard.
    """
    parts = []
    for task, rows in leaderboards.items():
        mine = rows[(rows["hf_username"] == user).to_numpy()]
        mine = mine[(mine["credits_earned"].fillna(0.0) > 0).to_numpy()]
        parts.append(
            pd.DataFrame(
                {
                    "id": mine["id"].astype("str").to_numpy(),
                    "delta": mine["credits_earned"].astype(float).to_numpy(),
                    "reason": f"beat_{task}",
                    "task": task,
                    "submission_id": mine["id"].astype("str").to_numpy(),
                    "metadata": [{} for _ in range(len(mine))],
                    "created_at": mine["submitted_at"].array,
                }
            )
        )
    frame = _typed(parts, _LEDGER_DTYPES)
    return frame.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


def ledger_table(ledger: pd.DataFrame, known_tasks: Collection[str] | None = None) -> pd.DataFrame:
    """The ledger as the page shows it: date, readable reason, signed credits, task, link."""
    table = pd.DataFrame(
        {
            "date": ledger["created_at"].array,
            "what": [economics.reason_label(reason) for reason in ledger["reason"]],
            "credits": ledger["delta"].astype(float).to_numpy(),
            "task": pd.Series(ledger["task"].to_numpy(), dtype=object),
            "open": pd.Series(
                [
                    submission_link(task, sid, known_tasks)
                    for task, sid in zip(ledger["task"], ledger["submission_id"], strict=True)
                ],
                dtype=object,
            ),
        }
    )
    return table.astype(_LEDGER_TABLE_DTYPES)


def my_submissions(
    leaderboards: Mapping[str, pd.DataFrame],
    tasks: list[TaskInfo],
    user: str,
    rankings: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every submission of `user` on the public leaderboards of `tasks`, newest first.

    `rank` is the user's current place in that task as its page shows it by default: by the
    primary metric among the best entry of every user (baselines included), ties sharing a
    rank; `ranked` is how many entries that ranking has, and `counts` marks the submission that
    holds the user's place. `score` is the submission's primary metric (named in `metric`).
    `rankings` are those default rankings where already worked out (the page shares them per
    board version); the others are worked out here.
    """
    parts = []
    for task in tasks:
        rows = leaderboards.get(task.name)
        if rows is None or rows.empty:
            continue
        mine = rows[(rows["hf_username"] == user).to_numpy()]
        if mine.empty:
            continue
        primary, higher = task.primary, task.direction(task.primary)
        board = rankings[task.name] if rankings and task.name in rankings else lb.best_per_user(rows, primary, higher)
        best = board[(board["hf_username"] == user).to_numpy()].iloc[0]
        column = lb.metric_column(primary)
        parts.append(
            pd.DataFrame(
                {
                    "task": task.name,
                    "rank": pd.array([best["rank"]] * len(mine), dtype="Int64"),
                    "ranked": int(board["rank"].notna().sum()),
                    "metric": f"{primary} {arrow(higher)}",
                    "score": mine[column].to_numpy(dtype=float) if column in mine else np.nan,
                    "credits": mine["credits_earned"].to_numpy(dtype=float),
                    "submitted": mine["submitted_at"].array,
                    "counts": (mine["id"] == best["id"]).to_numpy(),
                    "open": pd.Series([submission_link(task.name, sid) for sid in mine["id"]], dtype=object),
                    "id": mine["id"].astype("str").to_numpy(),
                }
            )
        )
    frame = _typed(parts, _MY_SUBMISSIONS_DTYPES)
    return frame.sort_values("submitted", ascending=False, kind="stable").reset_index(drop=True)


def _typed(parts: list[pd.DataFrame], dtypes: dict[str, Any]) -> pd.DataFrame:
    """The parts stacked with these columns and types (an empty frame of that shape if none)."""
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(dtypes))
    return frame[list(dtypes)].astype(dtypes)
