"""The backend's answers as the dashboard uses them: every quirk of the contract normalised.

Scores may come as a JSON string, credits as a decimal string, metadata as an object, null or a
string, timestamps with or without microseconds; rows without an id are dropped. Pure Python and
pandas: the client (client.py) feeds these the decoded JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components.leaderboard import METRIC_PREFIX

LEADERBOARD_COLUMNS: tuple[str, ...] = (
    "id",
    "hf_username",
    "submitted_at",
    "is_baseline",
    "n_params",
    "code_url",
    "model_repo_id",
    "credits_earned",
)
TRANSACTION_COLUMNS: tuple[str, ...] = (
    "id",
    "delta",
    "reason",
    "task",
    "submission_id",
    "metadata",
    "created_at",
)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Me:
    hf_username: str
    credits: float
    email: str | None
    created_at: pd.Timestamp | None
    last_seen_at: pd.Timestamp | None


@dataclass(frozen=True)
class SubmitResult:
    submission_id: str
    scores: dict[str, float]
    credits_earned: float
    deduplicated: bool


@dataclass(frozen=True)
class ReproduceResult:
    within_tolerance: bool
    reproduced_scores: dict[str, float]
    original_scores: dict[str, float]
    credits_earned: float


# ---------------------------------------------------------------------------
# Normalisation of the contract's quirks
# ---------------------------------------------------------------------------


def _maybe_json(value: Any) -> Any:
    """Decode a value the backend may send JSON-encoded (scores, metadata); else as is."""
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def as_float(value: Any) -> float:
    """A number from a JSON number or a decimal string; NaN for null, bools and garbage."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


def as_flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "t")
    return value is True or (isinstance(value, (int, float)) and value == 1)


def as_optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_scores(value: Any) -> dict[str, float]:
    """Scores as an object or a JSON string -> {metric: float}; null values become NaN."""
    decoded = _maybe_json(value)
    if not isinstance(decoded, dict):
        return {}
    return {str(k): as_float(v) for k, v in decoded.items()}


def _metadata(value: Any) -> dict[str, Any]:
    decoded = _maybe_json(value)
    return decoded if isinstance(decoded, dict) else {}


def to_utc(values: Any) -> pd.Series:
    """ISO-8601 strings (with or without microseconds, 'Z' or an offset; naive means UTC)
    -> datetime64[ns, UTC]; unreadable values become NaT."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, errors="coerce", format="ISO8601")
    return parsed.astype("datetime64[ns, UTC]")


def one_timestamp(value: Any) -> pd.Timestamp | None:
    stamp = to_utc([value]).iloc[0]
    return None if pd.isna(stamp) else stamp


def _keyed_rows(payload: list[Any]) -> list[dict[str, Any]]:
    """Rows that are objects with a usable id; anything else is dropped."""
    return [row for row in payload if isinstance(row, dict) and as_optional_str(row.get("id")) is not None]


def leaderboard_frame(payload: list[Any]) -> pd.DataFrame:
    """Leaderboard rows -> the normalised frame (see LEADERBOARD_COLUMNS, plus one float
    column `leaderboard.metric_column(metric)` per metric seen, in order of first
    appearance)."""
    rows = _keyed_rows(payload)
    scores = [parse_scores(r.get("scores")) for r in rows]
    metrics = dict.fromkeys(metric for row_scores in scores for metric in row_scores)
    # Arrays where the dtype allows (Series keep None as None in the object columns): a refresh
    # runs this, and aligning a Series per column costs more than the rest.
    columns: dict[str, Any] = {
        "id": pd.array([str(r["id"]).strip() for r in rows], dtype="str"),
        "hf_username": pd.array([as_optional_str(r.get("hf_username")) or "" for r in rows], dtype="str"),
        "submitted_at": to_utc([r.get("submitted_at") for r in rows]).array,
        "is_baseline": np.array([as_flag(r.get("is_baseline")) for r in rows], dtype=bool),
        "n_params": np.array([as_float(r.get("n_params")) for r in rows], dtype=float),
        "code_url": pd.Series([as_optional_str(r.get("code_url")) for r in rows], dtype=object),
        "model_repo_id": pd.Series([as_optional_str(r.get("model_repo_id")) for r in rows], dtype=object),
        "credits_earned": np.array([as_float(r.get("credits_earned")) for r in rows], dtype=float),
    }
    for metric in metrics:
        columns[f"{METRIC_PREFIX}{metric}"] = np.array([s.get(metric, math.nan) for s in scores], dtype=float)
    return pd.DataFrame(columns)


def _transaction_task(reason: str, metadata: dict[str, Any]) -> str | None:
    if reason.startswith("beat_") and len(reason) > len("beat_"):
        return reason[len("beat_") :]
    return as_optional_str(metadata.get("task"))


def transactions_frame(payload: list[Any]) -> pd.DataFrame:
    """Ledger rows -> DataFrame(TRANSACTION_COLUMNS); `task` comes from a `beat_<task>`
    reason or from metadata, `submission_id` from metadata."""
    rows = _keyed_rows(payload)
    metadata = [_metadata(r.get("metadata")) for r in rows]
    reasons = [as_optional_str(r.get("reason")) or "" for r in rows]
    return pd.DataFrame(
        {
            "id": pd.Series([str(r["id"]).strip() for r in rows], dtype="str"),
            "delta": pd.Series([as_float(r.get("delta")) for r in rows], dtype=float),
            "reason": pd.Series(reasons, dtype="str"),
            "task": pd.Series([_transaction_task(r, m) for r, m in zip(reasons, metadata, strict=True)], dtype=object),
            "submission_id": pd.Series([as_optional_str(m.get("submission_id")) for m in metadata], dtype=object),
            "metadata": pd.Series(metadata, dtype=object),
            "created_at": to_utc([r.get("created_at") for r in rows]),
        }
    )
