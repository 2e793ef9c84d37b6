"""Reproductions: someone re-scores another person's submission from their own file.

Every attempt is recorded; one where every metric lands within 2 % of the original pays the
reproducer, again on every repeat, as the real backend does.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from local_backend import db
from local_backend.service import (
    BadRequest,
    NotFound,
    Unhandled,
    User,
    credit,
    load_task,
    parse_predictions,
    score_predictions,
)

REPRODUCTION_REWARD = 20.0
#: Largest relative difference per metric for a reproduction to count.
REPRODUCTION_TOLERANCE = 0.02
#: Below this magnitude an original score is compared by absolute difference.
NEAR_ZERO = 1e-9


def reproduce(
    conn: sqlite3.Connection,
    user: User,
    task: str,
    submission_id: str,
    data: bytes,
    *,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """Re-score someone else's submission from the reproducer's file.

    Every attempt is recorded; one within the tolerance band earns the
    reproduction reward (again on every repeat, as the real backend does).
    """
    load_task(task)
    original = _find_submission(conn, task, submission_id)
    if original["user_id"] == user.id:
        raise BadRequest("You cannot reproduce your own submission")
    reproduced = score_predictions(task, parse_predictions(data))
    original_scores: dict[str, Any] = json.loads(original["scores"])
    within = within_tolerance(original_scores, reproduced)
    credits = REPRODUCTION_REWARD if within else 0.0
    stamp = db.timestamp(created_at)
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO benchmark_reproductions (id, task, submission_id, user_id,"
            " reproduced_scores, within_tolerance, credits_earned, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(uuid.uuid4()),
                task,
                original["id"],
                user.id,
                db.jsonb(reproduced),
                int(within),
                credits,
                stamp,
            ),
        )
        if credits > 0:
            credit(
                conn,
                user.id,
                credits,
                "reproduction",
                {"submission_id": original["id"], "task": task},
                stamp,
            )
    return {
        "within_tolerance": within,
        "reproduced_scores": reproduced,
        "original_scores": original_scores,
        "credits_earned": credits,
    }


def _find_submission(conn: sqlite3.Connection, task: str, submission_id: str) -> sqlite3.Row:
    """The submission, NotFound, or Unhandled for an id that is not a UUID (the real
    backend's database refuses to compare it with its uuid column)."""
    try:
        canonical = str(uuid.UUID(submission_id))
    except ValueError:
        raise Unhandled(f"invalid input for type uuid: {submission_id!r}") from None
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, user_id, scores FROM benchmark_submissions WHERE id = ? AND task = ?",
        (canonical, task),
    ).fetchone()
    if row is None:
        raise NotFound(f"Submission {submission_id} not found for task {task}")
    return row


def within_tolerance(original: Mapping[str, Any], reproduced: Mapping[str, float]) -> bool:
    """True when every metric of the original is matched within 2% (absolute near zero)."""
    for metric, value in original.items():
        if value is None:
            continue
        if metric not in reproduced:
            return False
        difference = abs(reproduced[metric] - value)
        if abs(value) >= NEAR_ZERO:
            difference /= abs(value)
        if difference > REPRODUCTION_TOLERANCE:
            return False
    return True
