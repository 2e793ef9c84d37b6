"""Prediction tables for the pre-check's tests: valid ones built by hand, small and readable,
to be mutated into bad ones, and the check as the page runs it."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from components.tasks import FALLBACK_TASKS, TaskInfo
from components.upload_checks import CheckResult, check_predictions

CAP = 200 * 1024 * 1024
EVAL_RANGE = (90_000, 90_200)
SM, BSM = "ttbar_pu0", "zprime_pu0"
ALL_TASKS = ("tracking", "jets", "anomaly", "tracking_latency", "tracking_small", "data_loading")


def task_info(name: str, eval_range: tuple[int, int] | None = EVAL_RANGE) -> TaskInfo:
    """The contract's task; tracking tasks get the small eval range the test files cover."""
    known = {t.name: t for t in FALLBACK_TASKS}
    if name not in known:
        return TaskInfo(name=name, dataset="", metrics=("score",))
    task = known[name]
    if name in ("tracking", "tracking_small"):
        task = dataclasses.replace(task, eval_event_range=eval_range)
    return task


def tracking(events: range = range(*EVAL_RANGE), hits: int = 5) -> pa.Table:
    event_id = np.repeat(np.array(events, dtype=np.int64), hits)
    hit_id = np.tile(np.arange(hits, dtype=np.int64), len(events))
    return pa.table({"event_id": event_id, "hit_id": hit_id, "track_id": hit_id // 2})


def tracking_small(n_params: Any = 5_000) -> pa.Table:
    table = tracking()
    return table.append_column("n_params", pa.array([n_params] * table.num_rows))


def jets(rows: int = 1_000) -> pa.Table:
    probabilities = np.random.default_rng(1).dirichlet([1.0, 1.0, 1.0], size=rows)
    return pa.table(
        {
            "event_id": np.arange(rows, dtype=np.int64) // 4 + 90_000,
            "jet_id": np.arange(rows, dtype=np.int64) % 4,
            "prob_b": probabilities[:, 0],
            "prob_c": probabilities[:, 1],
            "prob_light": probabilities[:, 2],
        }
    )


def anomaly(rows: int = 400) -> pa.Table:
    rng = np.random.default_rng(2)
    is_bsm = np.arange(rows) % 4 == 0
    return pa.table(
        {
            "event_id": np.arange(rows, dtype=np.int64),
            "channel": pa.array(np.where(is_bsm, BSM, SM).tolist()),
            "anomaly_score": rng.normal(size=rows) + 2.0 * is_bsm,
        }
    )


def latency(wallclock_s: float | None = 120.5, n_events: int = 1_000) -> pa.Table:
    return pa.table({"wallclock_s": pa.array([wallclock_s], pa.float64()), "n_events": [n_events]})


def data_loading(local: float = 20.0, streaming: float = 50.0, n_events: int = 10_000) -> pa.Table:
    return pa.table({"local_seconds": [local], "streaming_seconds": [streaming], "n_events": [n_events]})


VALID: dict[str, Callable[[], pa.Table]] = {
    "tracking": tracking,
    "jets": jets,
    "anomaly": anomaly,
    "tracking_latency": latency,
    "tracking_small": tracking_small,
    "data_loading": data_loading,
}


def parquet_bytes(table: pa.Table, **options: Any) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return sink.getvalue()


def replace(table: pa.Table, name: str, values: Any) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, pa.array(values))


def with_values(table: pa.Table, name: str, rows: dict[int, Any]) -> pa.Table:
    """``table`` with some cells of one column overwritten."""
    values = table.column(name).to_pylist()
    for row, value in rows.items():
        values[row] = value
    return replace(table, name, values)


def check(data: bytes | Path, task: str, max_bytes: int = CAP) -> CheckResult:
    return check_predictions(data, task_info(task), max_bytes=max_bytes)
