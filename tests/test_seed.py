"""The demo history: its shape, its ledger, and that seeding twice changes nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local_backend import db, scoring, seed

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, truth_dir: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("seed") / "colliderml.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BACKEND_DATA", str(truth_dir))
        assert seed.seed_demo_data(path, now=NOW) is True
        yield path


@pytest.fixture
def conn(seeded_db: Path) -> Iterator[sqlite3.Connection]:
    connection = db.connect(seeded_db)
    yield connection
    connection.close()


def test_users_are_a_handful_of_people_and_the_baselines(conn: sqlite3.Connection) -> None:
    names = {row["hf_username"] for row in conn.execute("SELECT hf_username FROM users")}
    assert seed.BASELINE_USER in names
    assert 6 <= len(names - {seed.BASELINE_USER}) <= 10
    baselines = conn.execute("SELECT hf_username FROM benchmark_submissions WHERE is_baseline").fetchall()
    baseline_owners = {row["hf_username"] for row in baselines}
    assert baseline_owners == {seed.BASELINE_USER}


def test_every_task_has_a_baseline_and_several_people(conn: sqlite3.Connection) -> None:
    total = 0
    for task in scoring.task_names():
        rows = conn.execute("SELECT * FROM benchmark_submissions WHERE task = ?", (task,)).fetchall()
        total += len(rows)
        assert any(row["is_baseline"] for row in rows), task
        assert len({row["hf_username"] for row in rows}) >= 3, task
        metrics = scoring.task_summary(task)["metrics"]
        stored_order = list(json.loads(db.jsonb(dict.fromkeys(metrics, 0.0))))  # PostgreSQL's, not the task's
        assert all(list(json.loads(row["scores"])) == stored_order for row in rows), task
    assert 150 <= total <= 250


def test_history_spans_ten_weeks_ending_now(conn: sqlite3.Connection) -> None:
    span = "SELECT MIN(submitted_at), MAX(submitted_at) FROM benchmark_submissions"
    first, last = conn.execute(span).fetchone()
    assert NOW - timedelta(weeks=10) <= datetime.fromisoformat(first) <= NOW - timedelta(weeks=9, days=5)
    assert NOW - timedelta(days=3) <= datetime.fromisoformat(last) <= NOW
    latest_entry = conn.execute("SELECT MAX(created_at) FROM credit_transactions").fetchone()[0]
    assert datetime.fromisoformat(latest_entry) <= NOW


def test_scores_improve_over_time(conn: sqlite3.Connection) -> None:
    """The best primary score of the last three weeks beats that of the first three, per task."""
    early_end = db.timestamp(NOW - timedelta(weeks=7))
    late_start = db.timestamp(NOW - timedelta(weeks=3))
    for task in scoring.task_names():
        summary = scoring.task_summary(task)
        primary, higher = summary["metrics"][0], summary["higher_is_better"][summary["metrics"][0]]
        rows = conn.execute("SELECT scores, submitted_at FROM benchmark_submissions WHERE task = ?", (task,)).fetchall()
        early = [json.loads(r["scores"])[primary] for r in rows if r["submitted_at"] <= early_end]
        late = [json.loads(r["scores"])[primary] for r in rows if r["submitted_at"] >= late_start]
        best = max if higher else min
        assert early and late, task
        assert best(late) == best(early + late) != best(early), (task, early, late)


def test_ledger_balances_for_every_user(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT u.hf_username, u.credits, COALESCE(SUM(t.delta), 0) AS total FROM users u"
        " LEFT JOIN credit_transactions t ON t.user_id = u.id GROUP BY u.id"
    ).fetchall()
    assert rows
    for row in rows:
        assert row["credits"] == pytest.approx(row["total"]), row["hf_username"]
    reasons = {row["reason"] for row in conn.execute("SELECT DISTINCT reason FROM credit_transactions")}
    assert {"signup", "reproduction"} <= reasons
    assert any(reason.startswith("beat_") for reason in reasons)


def test_reproductions_pass_on_the_same_file_and_fail_on_another(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT r.*, s.scores AS original_scores, s.user_id AS original_user FROM benchmark_reproductions r"
        " JOIN benchmark_submissions s ON s.id = r.submission_id"
    ).fetchall()
    passing = [row for row in rows if row["within_tolerance"]]
    failing = [row for row in rows if not row["within_tolerance"]]
    assert passing and failing
    for row in passing:
        assert json.loads(row["reproduced_scores"]) == json.loads(row["original_scores"])
        assert row["credits_earned"] == 20.0
    assert all(row["credits_earned"] == 0.0 for row in failing)
    assert all(row["user_id"] != row["original_user"] for row in rows)


def test_some_submissions_link_their_code(conn: sqlite3.Connection) -> None:
    linked = conn.execute("SELECT code_url FROM benchmark_submissions WHERE code_url IS NOT NULL").fetchall()
    urls = [row[0] for row in linked]
    assert urls and all(url.startswith("https://github.com/") for url in urls)
    n_params = conn.execute(
        "SELECT COUNT(*) FROM benchmark_submissions WHERE task = 'tracking_small' AND n_params IS NULL"
    ).fetchone()[0]
    assert n_params == 0


def test_demo_flag_is_set_and_seeding_again_changes_nothing(seeded_db: Path, conn: sqlite3.Connection) -> None:
    assert db.meta_value(conn, seed.DEMO_FLAG) == "1"
    before = _row_counts(conn)
    assert seed.seed_demo_data(seeded_db) is False
    assert _row_counts(conn) == before


def _row_counts(conn: sqlite3.Connection) -> list[int]:
    tables = ("users", "benchmark_submissions", "benchmark_reproductions", "credit_transactions")
    return [conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables]  # noqa: S608
