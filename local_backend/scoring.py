"""Score predictions the way the real backend does: through colliderml's own task classes.

The only thing swapped out is where held-out truth comes from. colliderml offers one seam for
that, ``BenchmarkTask.load``; every task instance handed out here has it replaced by a loader
that serves the synthetic tables of :mod:`local_backend.truth` and never touches the network.
Validation and metrics stay colliderml's, so a new colliderml release brings its tasks and
metrics here unchanged.
"""

from __future__ import annotations

from typing import Any

import colliderml.tasks
import pyarrow as pa
import pyarrow.compute as pc

from local_backend import truth

#: Tasks scored against held-out tracker truth; the others score from the file alone.
TRUTH_TASKS: frozenset[str] = frozenset({"tracking", "tracking_small"})
#: What colliderml's checks and metrics raise, besides ValueError, on malformed columns (a null
#: event_id, text where numbers belong, an infinite n_params): the file's fault, not the server's.
_FILE_FAULTS = (TypeError, KeyError, IndexError, ArithmeticError, pa.ArrowException)


def task_names() -> list[str]:
    """Every task colliderml registers (sorted), the same list the real backend serves."""
    return colliderml.tasks.list_tasks()


def get_task(name: str) -> Any:
    """A fresh colliderml task instance wired to local truth.

    Raises ValueError (colliderml's message, listing the available tasks) for an unknown name.
    Typed ``Any`` because colliderml ships no type information.
    """
    task = colliderml.tasks.get(name)
    if name in TRUTH_TASKS:
        task.eval_event_range = truth.EVAL_RANGE

    def load_local(
        *,
        tables: list[str],
        dataset: str | None = None,
        max_events: int | None = None,
        event_range: tuple[int, int] | None = None,
    ) -> dict[str, pa.Table]:
        """Stand-in for BenchmarkTask.load: the synthetic truth, whatever the dataset name."""
        if name not in TRUTH_TASKS:
            raise LookupError(
                f"The local backend has no {dataset or task.dataset} data for task '{name}' and never downloads any."
            )
        available = truth.load_truth()
        unknown = sorted(set(tables) - set(available))
        if unknown:
            raise LookupError(f"The local backend's synthetic truth has no tables {unknown}")
        return {table: _select_events(available[table], event_range, max_events) for table in tables}

    task.load = load_local
    return task


def _select_events(table: pa.Table, event_range: tuple[int, int] | None, max_events: int | None) -> pa.Table:
    """Mirror colliderml's load_task_data: keep the range, then the first max_events rows."""
    if event_range is not None:
        start, end = event_range
        event_id = table.column("event_id")
        table = table.filter(pc.and_(pc.greater_equal(event_id, start), pc.less(event_id, end)))
    if max_events is not None:
        table = table.slice(0, int(max_events))
    return table


def validate(task_name: str, table: pa.Table) -> None:
    """Raise ValueError with colliderml's message when the predictions do not fit the task.

    colliderml accepts an empty table for some tasks and then scores it as 0 or fails deep
    inside a metric; an empty file is never a meaningful submission, so it is refused here.
    The other errors colliderml raises on malformed columns are reported as ValueError too.
    """
    task = get_task(task_name)
    if table.num_rows == 0:
        raise ValueError(f"The predictions file has no rows: nothing to score for task '{task_name}'.")
    try:
        task.validate_predictions(table)
    except _FILE_FAULTS as exc:
        raise ValueError(f"Predictions do not fit task '{task_name}': {exc}") from exc


def score(task_name: str, table: pa.Table) -> dict[str, float]:
    """colliderml's score() on ``table``, every value a float (possibly inf or nan: callers decide).

    Call :func:`validate` first; like colliderml, this assumes a valid table.
    """
    task = get_task(task_name)
    try:
        raw = task.score(table)
    except _FILE_FAULTS as exc:
        raise ValueError(f"Predictions could not be scored for task '{task_name}': {exc}") from exc
    return {str(metric): float(value) for metric, value in raw.items()}


def task_summary(name: str) -> dict[str, Any]:
    """The /v1/benchmark/tasks entry for one task, with the local eval range."""
    task = get_task(name)
    metrics = [str(metric) for metric in task.metrics]
    directions = dict(task.higher_is_better)
    return {
        "name": task.name,
        "dataset": task.dataset,
        "metrics": metrics,
        "higher_is_better": {metric: bool(directions.get(metric, True)) for metric in metrics},
        "eval_event_range": list(task.eval_event_range),
    }
