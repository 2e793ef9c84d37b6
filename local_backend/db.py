"""The SQLite store behind the local backend: schema, connections, transactions.

One short-lived connection per request keeps threads independent; WAL lets
readers carry on while a submission is being written, and `BEGIN IMMEDIATE`
serialises writers so a check-then-insert cannot interleave with another.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request

DEFAULT_DB_PATH = Path(".local_backend/colliderml.sqlite3")

#: How long a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    hf_username TEXT UNIQUE NOT NULL,
    email TEXT,
    credits REAL NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT,
    last_seen_at TEXT
);
CREATE TABLE IF NOT EXISTS credit_transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES users(id),
    delta REAL,
    reason TEXT,
    metadata TEXT,
    created_at TEXT
);
CREATE INDEX IF NOT EXISTS credit_transactions_by_user
    ON credit_transactions(user_id, created_at);
CREATE TABLE IF NOT EXISTS benchmark_submissions (
    id TEXT PRIMARY KEY,
    task TEXT,
    user_id INTEGER REFERENCES users(id),
    hf_username TEXT,
    predictions_sha256 TEXT,
    scores TEXT,
    local_scores TEXT,
    is_baseline INTEGER,
    n_params INTEGER,
    code_url TEXT,
    model_repo_id TEXT,
    credits_earned REAL,
    submitted_at TEXT,
    UNIQUE(task, user_id, predictions_sha256)
);
CREATE INDEX IF NOT EXISTS benchmark_submissions_by_task
    ON benchmark_submissions(task, submitted_at);
CREATE TABLE IF NOT EXISTS benchmark_bests (
    task TEXT,
    metric TEXT,
    value REAL,
    submission_id TEXT,
    updated_at TEXT,
    PRIMARY KEY (task, metric)
);
CREATE TABLE IF NOT EXISTS benchmark_reproductions (
    id TEXT PRIMARY KEY,
    task TEXT,
    submission_id TEXT,
    user_id INTEGER REFERENCES users(id),
    reproduced_scores TEXT,
    within_tolerance INTEGER,
    credits_earned REAL,
    created_at TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
-- The sign-in stand-in's one-time codes and access tokens, stored as SHA-256 digests only.
CREATE TABLE IF NOT EXISTS oauth_codes (
    code_sha256 TEXT PRIMARY KEY,
    hf_username TEXT NOT NULL,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS oauth_tokens (
    token_sha256 TEXT PRIMARY KEY,
    hf_username TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""


def default_db_path() -> Path:
    """The database file named by LOCAL_BACKEND_DB, or the project default."""
    return Path(os.environ.get("LOCAL_BACKEND_DB", str(DEFAULT_DB_PATH)))


def timestamp(moment: datetime | None = None) -> str:
    """ISO-8601 UTC with microseconds and a `Z`, as the real backend sends them; text order is time order."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect(path: Path | str) -> sqlite3.Connection:
    """Open the database in autocommit mode; writes group themselves with `transaction`.

    `check_same_thread` is off because FastAPI may open a request's
    connection in one worker thread and use it in another; a connection is
    still only ever used by one request at a time.
    """
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def init_db(path: Path | str) -> None:
    """Create the database file and every table (the backend's and the sign-in stand-in's)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction, taking the write lock up front."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_conn(request: Request) -> Iterator[sqlite3.Connection]:
    """FastAPI dependency: a connection to the app's database for one request."""
    conn = connect(request.app.state.db_path)
    try:
        yield conn
    finally:
        conn.close()


def jsonb(value: dict[str, Any]) -> str:
    """JSON text with every object's keys in the order PostgreSQL's jsonb keeps them (shorter keys
    first, then bytewise): the order the real backend's stored scores come back in."""

    def ordered(item: Any) -> Any:
        if isinstance(item, dict):
            names = sorted(item, key=lambda name: (len(name.encode()), name.encode()))
            return {name: ordered(item[name]) for name in names}
        if isinstance(item, list):
            return [ordered(element) for element in item]
        return item

    return json.dumps(ordered(value))


def meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    """A value from the meta table (e.g. "demo_data"), or None."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])
