"""The backend's business rules: users, the ledger, submissions (reproductions.py adds theirs).

Everything that writes goes through here or reproductions.py (the HTTP routes and the demo
seed alike), so the ledger invariant `users.credits == SUM(delta)` holds
for every row ever written. Scoring runs before any transaction is opened;
each write is one `BEGIN IMMEDIATE` transaction, so a failure leaves
nothing half-written and two identical uploads cannot both be recorded.

Errors are small typed exceptions; app.py maps them to HTTP status codes. Input the real
backend does not handle (predictions that fail validation, a score it cannot store, an id
that is not a UUID, a negative limit) raises `Unhandled`, which app.py lets escape exactly
as the real backend's exceptions escape: a bare 500, and the connection dropped.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from colliderml.tasks import BenchmarkTask

from local_backend import db, scoring

#: Credits per metric beaten, by task; tasks not listed earn DEFAULT_REWARD.
REWARDS: dict[str, float] = {
    "tracking": 50.0,
    "jets": 50.0,
    "anomaly": 50.0,
    "tracking_small": 50.0,
    "tracking_latency": 30.0,
    "data_loading": 30.0,
}
DEFAULT_REWARD = 50.0
SIGNUP_CREDITS = 10.0
#: The largest LIMIT PostgreSQL takes (a bigint); beyond it, or below 0, the real backend fails.
MAX_LIMIT = 2**63 - 1


class ServiceError(Exception):
    """A request the backend refuses; the message is shown to the user."""


class UnknownTask(ServiceError):
    """The task is not registered in the installed colliderml."""


class NotFound(ServiceError):
    """The submission does not exist (for that task)."""


class BadRequest(ServiceError):
    """The input cannot be read at all (not Parquet, malformed field, own submission)."""


class Unhandled(Exception):
    """Input the real backend crashes on (answering 500): deliberately not a ServiceError, so
    no handler turns it into a friendlier answer."""


class InvalidPredictions(Unhandled):
    """The predictions parse but cannot be scored (schema, empty, non-finite score)."""


@dataclass(frozen=True)
class User:
    """A row of `users` as the routes need it (a snapshot: credits do not follow later writes)."""

    id: int
    hf_username: str
    email: str | None
    credits: float
    revoked: bool
    created_at: str
    last_seen_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> User:
        return cls(
            id=row["id"],
            hf_username=row["hf_username"],
            email=row["email"],
            credits=float(row["credits"]),
            revoked=bool(row["revoked"]),
            created_at=row["created_at"],
            last_seen_at=row["last_seen_at"],
        )


# --- tasks -------------------------------------------------------------------


def load_task(name: str) -> BenchmarkTask:
    """The task instance the backend scores with, or UnknownTask."""
    try:
        return scoring.get_task(name)
    except ValueError as exc:  # colliderml's "Unknown task '<name>'. Available: ..."
        raise UnknownTask(str(exc)) from None


def reward(task: str) -> float:
    """Credits per metric a new submission to `task` beats."""
    return REWARDS.get(task, DEFAULT_REWARD)


# --- users and the ledger ----------------------------------------------------


def get_or_create_user(conn: sqlite3.Connection, name: str, *, now: datetime | None = None) -> User:
    """The user called `name`, created with signup credits on first sight.

    Also records `now` as the user's last_seen_at.
    """
    stamp = db.timestamp(now)
    with db.transaction(conn):
        created = conn.execute(
            "INSERT INTO users (hf_username, credits, created_at, last_seen_at)"
            " VALUES (?, 0, ?, ?) ON CONFLICT(hf_username) DO NOTHING",
            (name, stamp, stamp),
        )
        if created.rowcount == 1:
            assert created.lastrowid is not None
            credit(conn, created.lastrowid, SIGNUP_CREDITS, "signup", {"source": "local"}, stamp)
        else:
            conn.execute("UPDATE users SET last_seen_at = ? WHERE hf_username = ?", (stamp, name))
        row = conn.execute("SELECT * FROM users WHERE hf_username = ?", (name,)).fetchone()
    return User.from_row(row)


def credit(
    conn: sqlite3.Connection,
    user_id: int,
    delta: float,
    reason: str,
    metadata: Mapping[str, Any],
    created_at: str,
) -> None:
    """Append a ledger entry and move the balance with it (inside a transaction)."""
    conn.execute(
        "INSERT INTO credit_transactions (user_id, delta, reason, metadata, created_at) VALUES (?, ?, ?, ?, ?)",
        (user_id, delta, reason, db.jsonb(dict(metadata)), created_at),
    )
    conn.execute("UPDATE users SET credits = credits + ? WHERE id = ?", (delta, user_id))


def transactions(conn: sqlite3.Connection, user: User, limit: int) -> list[sqlite3.Row]:
    """The user's ledger, newest first."""
    return conn.execute(
        "SELECT * FROM credit_transactions WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        (user.id, check_limit(limit)),
    ).fetchall()


# --- predictions -------------------------------------------------------------


def parse_predictions(data: bytes) -> pa.Table:
    """The uploaded bytes as a Parquet table, or BadRequest."""
    try:
        return pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise BadRequest(f"Could not parse predictions as Parquet: {exc}") from None


def score_predictions(task: str, table: pa.Table) -> dict[str, float]:
    """Validate and score like the real backend; every score must be storable."""
    try:
        scoring.validate(task, table)
        scores = scoring.score(task, table)
    except ValueError as exc:
        raise InvalidPredictions(str(exc)) from None
    for metric, value in scores.items():
        if not math.isfinite(value):
            raise InvalidPredictions(f"Score {metric} is not finite ({value}); the backend cannot store it")
    return scores


def check_limit(limit: int) -> int:
    """A LIMIT PostgreSQL would take; the real backend passes it through and fails otherwise."""
    if not 0 <= limit <= MAX_LIMIT:
        raise Unhandled(f"limit {limit} is out of range for a bigint LIMIT")
    return limit


# --- submissions -------------------------------------------------------------


def submit(
    conn: sqlite3.Connection,
    user: User,
    task: str,
    data: bytes,
    local_scores: Mapping[str, Any] | None = None,
    model_repo_id: str | None = None,
    *,
    submitted_at: datetime | None = None,
    is_baseline: bool = False,
    code_url: str | None = None,
    n_params: int | None = None,
) -> dict[str, Any]:
    """Score an upload, record it, and pay the submitter for every metric it beats.

    Byte-identical predictions from the same user for the same task give the
    earlier submission back (`deduplicated`) and earn nothing.
    """
    task_instance = load_task(task)
    scores = score_predictions(task, parse_predictions(data))
    sha = hashlib.sha256(data).hexdigest()
    try:
        with db.transaction(conn):
            existing = _find_duplicate(conn, task, user, sha)
            if existing is not None:
                return _deduplicated(existing)
            return _record_submission(
                conn,
                task_instance,
                user,
                scores,
                sha=sha,
                local_scores=dict(local_scores or {}),
                model_repo_id=model_repo_id,
                submitted_at=db.timestamp(submitted_at),
                is_baseline=is_baseline,
                code_url=code_url,
                n_params=n_params,
            )
    except sqlite3.IntegrityError:
        # Another writer recorded the same upload first; answer as its duplicate.
        existing = _find_duplicate(conn, task, user, sha)
        if existing is None:
            raise
        return _deduplicated(existing)


def _find_duplicate(conn: sqlite3.Connection, task: str, user: User, sha: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, scores, credits_earned FROM benchmark_submissions"
        " WHERE task = ? AND user_id = ? AND predictions_sha256 = ?",
        (task, user.id, sha),
    ).fetchone()
    return row


def _deduplicated(row: sqlite3.Row) -> dict[str, Any]:
    """The earlier submission, with what it earned then (as the real backend answers), although
    nothing new is paid: clients must read `deduplicated`, not the number."""
    return {
        "submission_id": row["id"],
        "scores": json.loads(row["scores"]),
        "credits_earned": float(row["credits_earned"]),
        "deduplicated": True,
    }


def _record_submission(
    conn: sqlite3.Connection,
    task: BenchmarkTask,
    user: User,
    scores: dict[str, float],
    *,
    sha: str,
    local_scores: dict[str, Any],
    model_repo_id: str | None,
    submitted_at: str,
    is_baseline: bool,
    code_url: str | None,
    n_params: int | None,
) -> dict[str, Any]:
    """Insert the submission, move the task's bests and pay (inside a transaction)."""
    submission_id = str(uuid.uuid4())
    beaten = _metrics_beaten(conn, task, scores)
    credits = reward(task.name) * len(beaten)
    conn.execute(
        "INSERT INTO benchmark_submissions (id, task, user_id, hf_username, predictions_sha256,"
        " scores, local_scores, is_baseline, n_params, code_url, model_repo_id, credits_earned,"
        " submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission_id,
            task.name,
            user.id,
            user.hf_username,
            sha,
            db.jsonb(scores),
            json.dumps(local_scores),
            int(is_baseline),
            n_params,
            code_url,
            model_repo_id,
            credits,
            submitted_at,
        ),
    )
    conn.executemany(
        "INSERT INTO benchmark_bests (task, metric, value, submission_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(task, metric) DO UPDATE SET"
        " value = excluded.value, submission_id = excluded.submission_id,"
        " updated_at = excluded.updated_at",
        [(task.name, metric, scores[metric], submission_id, submitted_at) for metric in beaten],
    )
    if credits > 0:
        credit(
            conn,
            user.id,
            credits,
            f"beat_{task.name}",
            {"submission_id": submission_id, "scores": scores},
            submitted_at,
        )
    return {
        "submission_id": submission_id,
        "scores": scores,
        "credits_earned": credits,
        "deduplicated": False,
    }


def _metrics_beaten(conn: sqlite3.Connection, task: BenchmarkTask, scores: dict[str, float]) -> list[str]:
    """Metrics where `scores` beats the task's best so far (no best yet: beaten)."""
    bests = {
        row["metric"]: row["value"]
        for row in conn.execute("SELECT metric, value FROM benchmark_bests WHERE task = ?", (task.name,)).fetchall()
    }
    return [
        metric
        for metric, value in scores.items()
        if metric not in bests or task.is_better(metric, value, bests[metric])
    ]


def leaderboard(conn: sqlite3.Connection, task: str, limit: int) -> list[sqlite3.Row]:
    """The task's submissions, newest first (not ranked: the contract says so)."""
    load_task(task)
    return conn.execute(
        "SELECT * FROM benchmark_submissions WHERE task = ? ORDER BY submitted_at DESC, rowid DESC LIMIT ?",
        (task, check_limit(limit)),
    ).fetchall()
