"""Local demo data: ten weeks of leaderboard history, so the dashboard has something to show.

Everything is made the way real data is made: prediction files are generated
(:mod:`local_backend.predictions`), scored by colliderml through :mod:`local_backend.scoring`,
and recorded by :mod:`local_backend.service` in time order, so bests, credits and the ledger
follow the backend's own rules. No score is typed in.

The history is deterministic apart from its end, which is the moment the seed runs. The meta
flag ("demo_data", "1") marks the database as holding demo data; /healthz reports it.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from local_backend import db, predictions, scoring, service
from local_backend.reproductions import reproduce

HISTORY = timedelta(weeks=10)
DEMO_FLAG = "demo_data"
BASELINE_USER = "colliderml-baselines"
_SEED = 7

logger = logging.getLogger(__name__)

#: Who works on what: plausible handles, each on a few tasks (every task gets several people).
_PEOPLE: dict[str, tuple[str, ...]] = {
    "mkowalski": ("tracking", "tracking_small", "tracking_latency"),
    "lheinrich": ("tracking", "tracking_latency", "data_loading"),
    "atanaka-hep": ("jets", "anomaly"),
    "pmoreau": ("jets", "tracking"),
    "vertex-vera": ("tracking", "tracking_small"),
    "jet-clustering-jo": ("jets", "anomaly", "data_loading"),
    "sbrandt": ("anomaly", "tracking_latency", "data_loading"),
    "qcd-quinn": ("jets", "anomaly", "tracking_small"),
    "rgarcia-ml": ("anomaly", "jets"),
    "nyoung": ("data_loading", "tracking_latency"),
}
#: Submissions per person and task: tracking files are big and slow to score (here as for real),
#: so people send fewer of them.
_EFFORT: dict[str, tuple[int, int]] = {"tracking": (3, 6), "tracking_small": (3, 6)}
_DEFAULT_EFFORT = (5, 11)
#: Tasks whose baseline gets an update half-way through the history.
_SECOND_BASELINE = ("tracking", "jets")


@dataclass(frozen=True)
class _Submission:
    when: datetime
    user: str
    task: str
    quality: float
    seed: int
    is_baseline: bool = False
    code_url: str | None = None
    model_repo_id: str | None = None


@dataclass(frozen=True)
class _Reproduction:
    when: datetime
    user: str
    original: _Submission
    #: True: the reproducer runs the original's file (passes); False: a different model (fails).
    same_file: bool


def seed_demo_data(db_path: Path | str, *, now: datetime | None = None) -> bool:
    """Fill the database with demo history ending at ``now``; False if it already holds it."""
    db.init_db(db_path)
    conn = db.connect(db_path)
    try:
        if db.meta_value(conn, DEMO_FLAG) is not None:
            return False
        end = now or datetime.now(UTC)
        submissions, reproductions = _plan(end)
        _run(conn, submissions, reproductions)
        with db.transaction(conn):
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (DEMO_FLAG,),
            )
        return True
    finally:
        conn.close()


def _plan(end: datetime) -> tuple[list[_Submission], list[_Reproduction]]:
    """Who submits what and when: people join at different times and improve as they go."""
    rng = np.random.default_rng(_SEED)
    start = end - HISTORY
    tasks = demo_tasks()
    plan: list[_Submission] = []
    for task in tasks:
        first_day = start + timedelta(hours=float(rng.uniform(1, 30)))
        plan.append(_baseline(task, first_day, quality=0.3, version=1))
        if task in _SECOND_BASELINE:
            sixth_week = start + timedelta(days=float(rng.uniform(38, 45)))
            plan.append(_baseline(task, sixth_week, quality=0.55, version=2))

    for user, user_tasks in _PEOPLE.items():
        joined = start + timedelta(days=float(rng.uniform(2, 35)))
        for task in (task for task in user_tasks if task in tasks):
            first, last = float(rng.uniform(0.15, 0.4)), float(rng.uniform(0.65, 0.95))
            n = int(rng.integers(*_EFFORT.get(task, _DEFAULT_EFFORT)))
            offsets = np.sort(rng.uniform(0.0, 1.0, n))
            repo = task.replace("_", "-")
            with_code = rng.random() < 0.6
            for k, offset in enumerate(offsets):
                when = joined + (end - joined - timedelta(hours=1)) * float(offset)
                quality = float(np.clip(first + (last - first) * offset + rng.normal(0.0, 0.05), 0.0, 1.0))
                plan.append(
                    _Submission(
                        when=when,
                        user=user,
                        task=task,
                        quality=round(quality, 4),
                        seed=int(rng.integers(1_000_000)),
                        code_url=f"https://github.com/{user}/colliderml-{repo}" if with_code else None,
                        model_repo_id=f"{user}/{repo}-v{k + 1}" if with_code and k == n - 1 else None,
                    )
                )

    plan.sort(key=lambda s: s.when)
    return plan, _reproductions(plan, end, rng)


def demo_tasks() -> list[str]:
    """The registry's tasks (colliderml's, through scoring) that predictions can be generated for."""
    registered = scoring.task_names()
    unsupported = [task for task in registered if task not in predictions.TASKS]
    if unsupported:
        logger.warning("No demo data for tasks without a prediction generator: %s", ", ".join(unsupported))
    return [task for task in registered if task in predictions.TASKS]


def _baseline(task: str, when: datetime, *, quality: float, version: int) -> _Submission:
    return _Submission(
        when=when,
        user=BASELINE_USER,
        task=task,
        quality=quality,
        seed=version,
        is_baseline=True,
        code_url=f"https://github.com/{BASELINE_USER}/colliderml-{task.replace('_', '-')}/tree/v{version}",
    )


def _reproductions(plan: list[_Submission], end: datetime, rng: np.random.Generator) -> list[_Reproduction]:
    """About three reproductions per task, a few days after the original, most of them passing."""
    people = sorted(_PEOPLE)
    out: list[_Reproduction] = []
    for task in sorted({s.task for s in plan}):
        settled = end - timedelta(days=4)
        candidates = [s for s in plan if s.task == task and not s.is_baseline and s.when < settled]
        for index in rng.choice(len(candidates), size=min(3, len(candidates)), replace=False):
            original = candidates[int(index)]
            reproducer = str(rng.choice([p for p in people if p != original.user]))
            when = original.when + timedelta(days=float(rng.uniform(0.5, 4.0)))
            out.append(_Reproduction(when, reproducer, original, same_file=bool(rng.random() < 0.65)))
    return out


def _reproducer_file(reproduction: _Reproduction, files: dict[_Submission, bytes]) -> bytes:
    """The original's bytes, or a clearly different model's: far enough off in quality that every
    metric leaves the 2% band."""
    original = reproduction.original
    if reproduction.same_file:
        return files[original]
    quality = original.quality - 0.3 if original.quality >= 0.5 else original.quality + 0.3
    table = predictions.make_predictions(original.task, round(quality, 4), original.seed + 1)
    return predictions.to_parquet_bytes(table)


def _run(conn: sqlite3.Connection, plan: list[_Submission], reproductions: list[_Reproduction]) -> None:
    """Replay the plan in time order through the service, as the HTTP routes would."""
    events: list[_Submission | _Reproduction] = [*plan, *reproductions]
    events.sort(key=lambda event: event.when)
    submission_ids: dict[_Submission, str] = {}
    files: dict[_Submission, bytes] = {}
    for event in events:
        user = service.get_or_create_user(conn, event.user, now=event.when - timedelta(minutes=5))
        if isinstance(event, _Submission):
            table = predictions.make_predictions(event.task, event.quality, event.seed)
            files[event] = predictions.to_parquet_bytes(table)
            answer = service.submit(
                conn,
                user,
                event.task,
                files[event],
                model_repo_id=event.model_repo_id,
                submitted_at=event.when,
                is_baseline=event.is_baseline,
                code_url=event.code_url,
                n_params=_n_params(table),
            )
            submission_ids[event] = answer["submission_id"]
        else:
            task, submission_id = event.original.task, submission_ids[event.original]
            data = _reproducer_file(event, files)
            reproduce(conn, user, task, submission_id, data, created_at=event.when)


def _n_params(table: pa.Table) -> int | None:
    """The model size a tracking_small file declares (the leaderboard shows it)."""
    if "n_params" not in table.column_names:
        return None
    return int(table.column("n_params")[0].as_py())
