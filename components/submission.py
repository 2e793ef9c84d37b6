"""What a submit or a reproduction means for the person: comparisons, checks before sending, failures.

Pure Python and pandas (no Streamlit), so the rules the page applies are tested on their own.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping

import pandas as pd

from components import api
from components.board_view import metric_label
from components.economics import REPRODUCTION_TOLERANCE
from components.tasks import TaskInfo
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


def failure_message(exc: BaseException, check: CheckResult | None) -> str:
    """The sentence shown when sending failed; for a bare 5xx, add what the local check found.

    The real backend answers a bare 500 for files that fail validation or score to infinity,
    so the local check is the only explanation a person can get.
    """
    message = api.error_message(exc)
    if isinstance(exc, api.BackendFailed) and check is not None:
        if check.problems:
            message += " The local check found: " + " ".join(check.problems)
        else:
            message += " The local check found no problem with the file, so try again in a moment."
    return message


def is_retryable(exc: BaseException) -> bool:
    """Transport failures and 5xx leave the file selected with a Retry; a rejection will not change."""
    return isinstance(exc, api.BackendUnreachable | api.BackendTimeout | api.BackendFailed | api.BackendBadResponse)
