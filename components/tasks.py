"""The benchmark task catalogue: what each task is, its metrics and their directions.

The backend's `/v1/benchmark/tasks` is the catalogue whenever it answers (it is the truth for
scoring and credits), completed from `FALLBACK_TASKS` (the six tasks of colliderml 0.4.x) where
it leaves a field out. While it does not answer, the installed `colliderml` package stands in,
imported only then, and `FALLBACK_TASKS` when that fails too (see `components.data.catalogue`).
New tasks and metrics arrive through the backend, so the dashboard shows them without code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from components import task_rules

#: A task name becomes a page's URL path segment (Streamlit refuses a `/` there and the whole app
#: fails to start) and a page title: letters, digits, `_`, `.` and `-`, as colliderml names them.
_TASK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: The order of the tasks colliderml 0.4.x ships (the contract's); newer tasks follow by name.
KNOWN_TASK_ORDER: tuple[str, ...] = tuple(task_rules.RULES)
GENERIC_DESCRIPTION = task_rules.GENERIC_DESCRIPTION


@dataclass(frozen=True)
class TaskInfo:
    """One benchmark task as the dashboard shows it.

    `higher_is_better` is completed in `__post_init__` so that it holds every metric
    (missing ones are higher-is-better, as in colliderml and the backend). It is left out
    of the hash so that a TaskInfo stays hashable despite holding a dict.
    """

    name: str
    dataset: str
    metrics: tuple[str, ...]
    higher_is_better: dict[str, bool] = field(default_factory=dict, hash=False)
    eval_event_range: tuple[int, int] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        metrics = tuple(self.metrics)
        if not metrics:
            raise ValueError(f"task {self.name!r} has no metrics: nothing to rank it by")
        given = dict(self.higher_is_better)
        object.__setattr__(self, "metrics", metrics)
        object.__setattr__(self, "higher_is_better", {m: bool(given.get(m, True)) for m in metrics})
        if not self.description:
            object.__setattr__(self, "description", task_rules.describe(self.name))

    def direction(self, metric: str) -> bool:
        """True when a higher value of `metric` is better (also for metrics not listed)."""
        return self.higher_is_better.get(metric, True)

    @property
    def primary(self) -> str:
        """The primary metric: the first one."""
        return self.metrics[0]


#: The six tasks of colliderml 0.4.x, from the task table: the catalogue while the backend gives none.
FALLBACK_TASKS: tuple[TaskInfo, ...] = tuple(
    TaskInfo(
        name=rules.name,
        dataset=rules.dataset,
        metrics=tuple(rules.directions),
        higher_is_better=dict(rules.directions),
        eval_event_range=rules.eval_event_range,
    )
    for rules in task_rules.RULES.values()
)


def _as_bool(value: Any) -> bool | None:
    """A direction flag from JSON: booleans, 0/1 and "true"/"false"; None for garbage."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _as_range(value: Any) -> tuple[int, int] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        start, end = value
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            return (start, end)
    return None


def from_backend(obj: Any) -> TaskInfo:
    """Parse one entry of `/v1/benchmark/tasks`, tolerating missing or odd fields.

    Raises ValueError when the entry is not an object with a non-empty string `name` and
    at least one metric: callers skip such entries. Non-string metrics and unreadable
    directions are dropped (an unreadable direction then defaults to higher-is-better).
    """
    if not isinstance(obj, dict):
        raise ValueError(f"task entry is a {type(obj).__name__}, not an object")
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("task entry has no name")
    if not _TASK_NAME.match(name.strip()):
        raise ValueError("task name cannot be a page URL path")
    raw_metrics = obj.get("metrics")
    metrics = (
        tuple(dict.fromkeys(m for m in raw_metrics if isinstance(m, str) and m))
        if isinstance(raw_metrics, list)
        else ()
    )
    raw_directions = obj.get("higher_is_better")
    directions: dict[str, bool] = {}
    if isinstance(raw_directions, dict):
        for metric, flag in raw_directions.items():
            parsed = _as_bool(flag)
            if isinstance(metric, str) and parsed is not None:
                directions[metric] = parsed
    dataset = obj.get("dataset")
    return TaskInfo(
        name=name.strip(),
        dataset=dataset if isinstance(dataset, str) else "",
        metrics=metrics,
        higher_is_better=directions,
        eval_event_range=_as_range(obj.get("eval_event_range")),
    )


def installed_tasks() -> list[TaskInfo]:
    """The tasks registered in the installed colliderml, [] when it cannot be imported.

    The first call imports colliderml (0.3-3 s): only for when the backend gives no catalogue, so
    that a cold start does not wait for it. A task class that cannot be read is skipped rather
    than breaking the catalogue.
    """
    try:
        import colliderml.tasks as registry
    except ImportError:
        return []
    found: list[TaskInfo] = []
    for name in registry.list_tasks():
        try:
            task = registry.get(name)
            found.append(
                TaskInfo(
                    name=name,
                    dataset=str(getattr(task, "dataset", "") or ""),
                    metrics=tuple(str(m) for m in getattr(task, "metrics", ())),
                    higher_is_better=dict(getattr(task, "higher_is_better", {}) or {}),
                    eval_event_range=_as_range(getattr(task, "eval_event_range", None)),
                )
            )
        except Exception:  # noqa: S112 - a broken task must not hide the others
            continue
    return found


def _merge_one(installed: TaskInfo | None, backend: TaskInfo | None) -> TaskInfo:
    """Backend fields win where the backend provides them; the rest comes from colliderml."""
    if backend is None:
        assert installed is not None
        return installed
    if installed is None:
        return backend
    # Metrics and directions are the backend's: it scores (and pays credits) with its own
    # directions, a metric it leaves out being higher-is-better.
    return TaskInfo(
        name=backend.name,
        dataset=backend.dataset or installed.dataset,
        metrics=backend.metrics,
        higher_is_better=backend.higher_is_better,
        eval_event_range=backend.eval_event_range or installed.eval_event_range,
        description=installed.description,
    )


def _order_key(name: str) -> tuple[int, str]:
    if name in KNOWN_TASK_ORDER:
        return (KNOWN_TASK_ORDER.index(name), "")
    return (len(KNOWN_TASK_ORDER), name)


def merge_catalogue(installed: Iterable[TaskInfo], backend: Iterable[TaskInfo]) -> list[TaskInfo]:
    """Union of both lists by name: the six known tasks first (contract order), then the
    others alphabetically."""
    by_installed = {t.name: t for t in installed}
    by_backend = {t.name: t for t in backend}
    names = sorted(set(by_installed) | set(by_backend), key=_order_key)
    return [_merge_one(by_installed.get(n), by_backend.get(n)) for n in names]
