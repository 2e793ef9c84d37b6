"""What a submit or a reproduction means for the person: comparisons, checks before sending, failures.

Pure Python and pandas (no Streamlit), so the rules the page applies are tested on their own.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from components import api
from components.board_view import metric_label
from components.economics import REPRODUCTION_TOLERANCE
from components.tasks import TaskInfo

if TYPE_CHECKING:  # the check itself is imported only where a file is checked
    from components.upload_checks import CheckResult


def beats(value: float | None, best: float | None, higher: bool) -> bool:
    """Whether `value` beats `best` in the metric's direction; no best yet is always beaten."""
    if value is None or not math.isfinite(value):
        return False
    if best is None or not math.isfinite(best):
        return True
    return value > best if higher else value < best


def would_beat(scores: Mapping[str, float], bests: Mapping[str, float], task: TaskInfo) -> list[str]:
    """The metrics on which locally computed scores would beat the current bests."""
    ordered = [*task.metrics, *[m for m in scores if m not in task.metrics]]
    return [m for m in ordered if m in scores and beats(scores[m], bests.get(m), task.direction(m))]


def submit_outcome(task: TaskInfo, scores: Mapping[str, float], bests_before: Mapping[str, float]) -> pd.DataFrame:
    """Per metric: the backend's score, the best it had to beat, and whether it did."""
    metrics = [*task.metrics, *[m for m in scores if m not in task.metrics]]
    return pd.DataFrame(
        {
            "metric": [metric_label(task, m) for m in metrics],
            "your score": [scores.get(m) for m in metrics],
            "best before": [bests_before.get(m) for m in metrics],
            "beaten": [beats(scores.get(m), bests_before.get(m), task.direction(m)) for m in metrics],
        }
    )


def relative_difference(new: float | None, original: float | None) -> float | None:
    """|new - orig| / |orig| as the backend measures it (absolute when the original is ~0)."""
    if new is None or original is None or not (math.isfinite(new) and math.isfinite(original)):
        return None
    if abs(original) < 1e-9:
        return abs(new - original)
    return abs(new - original) / abs(original)


def reproduction_table(task: TaskInfo, result: api.ReproduceResult) -> pd.DataFrame:
    """Metric, original, yours, relative difference and whether it is inside the 2 % band."""
    metrics = list(result.original_scores) or list(task.metrics)
    diffs = [relative_difference(result.reproduced_scores.get(m), result.original_scores.get(m)) for m in metrics]
    return pd.DataFrame(
        {
            "metric": [metric_label(task, m) for m in metrics],
            "original": [result.original_scores.get(m) for m in metrics],
            "yours": [result.reproduced_scores.get(m) for m in metrics],
            "relative difference": diffs,
            "within 2 %": [d is not None and d <= REPRODUCTION_TOLERANCE for d in diffs],
        }
    )


def reproduce_target_problem(submission_id: str, rows: pd.DataFrame, task: str, username: str) -> str | None:
    """Why a pasted id cannot be reproduced, checked before anything is sent; None when it can."""
    value = submission_id.strip()
    try:
        uuid.UUID(value)
    except ValueError:
        return f"“{value[:60]}” is not a submission id (ids look like 6f1c2a3b-…-…)."
    match = rows[rows["id"].astype(str).str.lower() == value.lower()]
    if match.empty:
        return f"Submission {value} is not on the {task} leaderboard."
    if str(match["hf_username"].iloc[0]) == username:
        return "This is your own submission: reproductions must come from someone else."
    return None


Action = Literal["submit", "reproduce"]


@dataclass(frozen=True)
class Failure:
    """A send of one file that did not go through: what to tell the person, whether a Retry
    is worth offering, and how many times the backend crashed (500) on this same file."""

    message: str
    retryable: bool
    crashes: int = 0


def is_retryable(exc: BaseException) -> bool:
    """Only failures that trying again can cure: the connection, a timeout, a gateway or a restart.

    A 500 is not one: the real backend answers it for files it cannot validate or store, and
    it answers the same for the same file every time. A pause by an admin (503 with its
    reason) lasts until the admin lifts it.
    """
    if isinstance(exc, api.BackendUnreachable | api.BackendTimeout):
        return True
    return isinstance(exc, api.BackendFailed) and exc.status in api.TRANSIENT_STATUSES


def _crashed(exc: BaseException) -> bool:
    return isinstance(exc, api.BackendFailed) and exc.status == 500


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _what_is_known(exc: BaseException, check: CheckResult | None, action: Action, crashes_before: int) -> str:
    """What the person can know after the failure, beyond the backend's own words."""
    if _crashed(exc):
        if check is not None and check.warnings:
            known = " The local check passed with warnings: " + " ".join(check.warnings)
        else:
            known = " The local check found no problem with the file, so the reason is not known here."
        if crashes_before:
            known += f" The backend answered 500 for this same file {_times(crashes_before)} before in this session."
        return known
    if isinstance(exc, api.BackendTimeout | api.ConnectionLost):
        if action == "submit":
            return (
                " The backend may still score and store it: look for it on the board before sending it again. "
                "Sending the same file again is safe: the backend recognises it and pays nothing twice."
            )
        return (
            " The backend may still re-score it and pay: look at your credits before sending it again, "
            "since every reproduction that goes through pays."
        )
    if isinstance(exc, api.BackendUnreachable):
        return " Nothing was sent."
    return ""


def failed(exc: BaseException, check: CheckResult | None, action: Action, previous: Failure | None = None) -> Failure:
    """The failure to show for a send of `check`'s file, given the last failure of the same file."""
    crashes_before = previous.crashes if previous is not None else 0
    message = api.error_message(exc) + _what_is_known(exc, check, action, crashes_before)
    return Failure(message, is_retryable(exc), crashes_before + int(_crashed(exc)))
