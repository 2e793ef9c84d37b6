"""What the benchmarks run against: a local backend database of any size, and the backend itself.

`bulk_leaderboard` writes leaderboard rows straight into SQLite through `local_backend.db`:
scoring 50,000 real files would take hours and measure the scorer, not the dashboard. The
rows still look real (jets-like scores that improve over ten weeks, several users, a
baseline, code links) and keep the backend's invariants: credits follow the "beat the best"
rule, every credit has its ledger entry, and `benchmark_bests` holds the final records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from local_backend import db, service
from tests.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
HISTORY = timedelta(weeks=10)
BASELINE_USER = "colliderml-baselines"
JETS_METRICS = ("btag_auc", "light_rej_70", "c_rej_70")


def users_for(n_rows: int) -> int:
    """Several users, more on busier boards: 8 at 100 rows, 100 at 10,000, 300 at 50,000."""
    return int(np.clip(n_rows // 100, 8, 300))


def _jets_scores(quality: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scores of the shape colliderml's jets task gives: AUC 0.6-0.95, rejections over decades."""
    n = len(quality)
    return {
        "btag_auc": np.round(np.clip(0.6 + 0.35 * quality + rng.normal(0, 0.01, n), 0.5, 0.999), 6),
        "light_rej_70": np.round(10 ** (0.8 + 1.7 * quality + rng.normal(0, 0.05, n)), 4),
        "c_rej_70": np.round(10 ** (0.3 + 0.8 * quality + rng.normal(0, 0.04, n)), 4),
    }


def bulk_leaderboard(db_path: Path, task: str, n_rows: int, *, end: datetime | None = None, seed: int = 0) -> None:
    """Add `n_rows` submissions to `task` (jets-like metrics) over the ten weeks before `end`."""
    rng = np.random.default_rng(seed)
    end = end or datetime.now(UTC)
    start = end - HISTORY
    names = [BASELINE_USER, *(f"bench-user-{i:03d}" for i in range(users_for(n_rows)))]
    skill = rng.uniform(0.1, 0.6, len(names))
    who = np.where(rng.random(n_rows) < 0.005, 0, rng.integers(1, len(names), n_rows))
    when = np.sort(rng.uniform(0, 1, n_rows))
    quality = np.clip(skill[who] + 0.35 * when + rng.normal(0, 0.05, n_rows), 0, 1)
    scores = _jets_scores(quality, rng)
    times = [start + HISTORY * float(f) for f in when]

    conn = db.connect(db_path)
    try:
        user_ids = {name: service.get_or_create_user(conn, name, now=start).id for name in names}
        bests = {
            row["metric"]: row["value"]
            for row in conn.execute("SELECT metric, value FROM benchmark_bests WHERE task = ?", (task,))
        }
        reward = service.reward(task)
        submissions, ledger, new_bests = [], [], {}
        for i in range(n_rows):
            name = names[who[i]]
            row_scores = {metric: float(scores[metric][i]) for metric in JETS_METRICS}
            beaten = [m for m, v in row_scores.items() if m not in bests or v > bests[m]]
            stamp = db.timestamp(times[i])
            submission_id = str(uuid.uuid4())
            for metric in beaten:
                bests[metric] = row_scores[metric]
                new_bests[metric] = (row_scores[metric], submission_id, stamp)
            credits = reward * len(beaten)
            repo = f"{name}/jets-tagger"
            submissions.append(
                (
                    submission_id,
                    task,
                    user_ids[name],
                    name,
                    f"bench-{seed}-{i}",
                    json.dumps(row_scores),
                    "{}",
                    int(who[i] == 0),
                    None,
                    f"https://github.com/{repo}" if who[i] % 3 else None,
                    repo if who[i] % 5 == 0 else None,
                    credits,
                    stamp,
                )
            )
            if credits:
                ledger.append(
                    (
                        user_ids[name],
                        credits,
                        f"beat_{task}",
                        json.dumps({"submission_id": submission_id, "metrics_beaten": beaten}),
                        stamp,
                    )
                )
        with db.transaction(conn):
            conn.executemany(
                "INSERT INTO benchmark_submissions (id, task, user_id, hf_username, predictions_sha256, scores,"
                " local_scores, is_baseline, n_params, code_url, model_repo_id, credits_earned, submitted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                submissions,
            )
            conn.executemany(
                "INSERT INTO credit_transactions (user_id, delta, reason, metadata, created_at) VALUES (?, ?, ?, ?, ?)",
                ledger,
            )
            conn.executemany(
                "UPDATE users SET credits = credits + ? WHERE id = ?", [(delta, uid) for uid, delta, *_ in ledger]
            )
            conn.executemany(
                "INSERT INTO benchmark_bests (task, metric, value, submission_id, updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(task, metric) DO UPDATE SET value = excluded.value,"
                " submission_id = excluded.submission_id, updated_at = excluded.updated_at",
                [(task, metric, *best) for metric, best in new_bests.items()],
            )
    finally:
        conn.close()


@dataclass(frozen=True)
class Backend:
    url: str
    db_path: Path


@contextmanager
def serving(db_path: Path, data_dir: Path) -> Iterator[Backend]:
    """`python -m local_backend serve` on a free port until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = ServerProcess(
        name="The local backend",
        command=[sys.executable, "-m", "local_backend", "serve", "--port", str(port), "--db", str(db_path)],
        health_url=f"{url}/healthz",
        cwd=ROOT,
        env={**os.environ, "LOCAL_BACKEND_DATA": str(data_dir)},
        log_path=db_path.with_suffix(".log"),
    )
    server.start()
    try:
        yield Backend(url, db_path)
    finally:
        server.stop()


def app_env(backend: Backend) -> dict[str, str]:
    """The dashboard's environment as `make run` and a Space give it: the backend, and sign-in
    configured (the local backend's stand-in), so the sidebar is the one visitors get."""
    return {
        **os.environ,
        "COLLIDERML_BACKEND": backend.url,
        "OPENID_PROVIDER_URL": backend.url,
        "OAUTH_CLIENT_ID": "colliderml-local",
        "OAUTH_CLIENT_SECRET": "colliderml-local-secret",
        "OAUTH_SCOPES": "openid profile",
    }


def seed(db_path: Path, data_dir: Path) -> None:
    """`python -m local_backend seed`: the demo history, scored for real (about 20 s)."""
    env = {**os.environ, "LOCAL_BACKEND_DATA": str(data_dir)}
    subprocess.run(
        [sys.executable, "-m", "local_backend", "seed", "--db", str(db_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(samples, q))
