"""A small sample predictions file per task: what a first-time user downloads from a task page.

Built from the task table (:mod:`components.task_rules`: the columns and their kinds, the layout,
the probability and constant columns) and the catalogue's eval event range, so the sample fits
whichever backend the dashboard talks to. Each sample passes the dashboard's own check
(:func:`components.upload_checks.check_predictions`) and is scored by the backend with finite
scores. Its values are random-quality predictions from a fixed seed: plainly a sample, never
copied truth, and the same bytes on every call (a second download that is submitted again is
deduplicated by the backend).

* ``per_hit`` (tracking): every eval event, its first hits (``hit_id`` 0, 1, …, as colliderml
  numbers them per event) split at random among a few tracks. A range too large for a small file
  gets fewer hits per event; past :data:`MAX_TRACKING_EVENTS` events there is no sample.
* ``per_object`` (jets, anomaly): a few objects per event from the start of the eval range;
  probabilities drawn at random and normalised; anomaly rows spread over the channels the
  installed colliderml knows, half Standard Model and half new physics.
* ``one_row`` (tracking_latency, data_loading): one measurement of round, positive numbers,
  ``n_events`` being the eval range's size.

A task the table does not know gets None: the page then says there is no sample for it.
colliderml is imported only when an anomaly sample is built (for its channel names), never at
import time: the dashboard's cold start must not pay for it.
"""

from __future__ import annotations

import functools
import io
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from components import task_rules
from components.task_rules import Kind, TaskRules
from components.tasks import TaskInfo

#: Tracks per event in a tracking sample, and hits per track at most.
TRACKS_PER_EVENT = 3
HITS_PER_TRACK = 4
#: Rows a tracking sample holds at most: an eval range of more events gets fewer hits per event.
MAX_TRACKING_ROWS = 120_000
#: Eval events a tracking sample covers at most (2.5 times the 10,000 of colliderml 0.4.x, about
#: 300 kB with pyarrow's default encoding); a larger range gets no sample.
MAX_TRACKING_EVENTS = 25_000
#: Rows of a per-object sample (jets, anomaly events), and objects per event.
OBJECT_ROWS = 2_000
OBJECTS_PER_EVENT = 4
#: tracking_small's constant: a model of tier 2 (under 100 k parameters).
SAMPLE_N_PARAMS = 50_000
#: The seconds a one-row sample reports for each timed column.
SAMPLE_SECONDS = 100.0
#: colliderml 0.4.2's anomaly channels, for when colliderml cannot be imported.
_ANOMALY_CHANNELS = (
    ("ttbar_pu0", "zmumu_pu0", "zee_pu0"),
    ("higgs_portal_pu0", "susy_gmsb_pu0", "hidden_valley_pu0", "zprime_pu0"),
)
_SEED = 20_260_601


def sample_predictions(task: TaskInfo) -> bytes | None:
    """A small Parquet file of sample predictions for ``task``; None when none can be made.

    None for a task the task table does not know (its columns are unknown here) and for a
    tracking task whose eval range holds more than :data:`MAX_TRACKING_EVENTS` events. The same
    task and eval range give the same bytes on every call (kept for the process's lifetime).
    """
    rules = task_rules.of(task.name)
    if rules is None:
        return None
    return _sample(task.name, _eval_range(task, rules))


def sample_filename(task: TaskInfo) -> str:
    """The name a downloaded sample is saved under."""
    return f"{task.name}_sample_predictions.parquet"


def _eval_range(task: TaskInfo, rules: TaskRules) -> tuple[int, int]:
    """The catalogue's eval range; the table's when the catalogue gives none (or an empty one)."""
    given = task.eval_event_range
    if given is not None and given[1] > given[0]:
        return given
    return rules.eval_event_range


@functools.lru_cache(maxsize=32)
def _sample(name: str, eval_range: tuple[int, int]) -> bytes | None:
    rules = task_rules.RULES[name]
    rng = np.random.default_rng([_SEED, zlib.crc32(name.encode())])
    if rules.layout == "per_hit":
        table = _per_hit(rules, eval_range, rng)
    elif rules.layout == "per_object":
        table = _per_object(rules, eval_range, rng)
    else:
        table = _one_row(rules, eval_range)
    if table is None:
        return None
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _per_hit(rules: TaskRules, eval_range: tuple[int, int], rng: np.random.Generator) -> pa.Table | None:
    """Every eval event with its first hits, each hit on one of a few random tracks."""
    start, end = eval_range
    n_events = end - start
    if n_events > MAX_TRACKING_EVENTS:
        return None
    hits = max(1, min(TRACKS_PER_EVENT * HITS_PER_TRACK, MAX_TRACKING_ROWS // n_events))
    tracks = min(TRACKS_PER_EVENT, hits)
    columns: dict[str, pa.Array] = {
        "event_id": pa.array(np.repeat(np.arange(start, end, dtype=np.int64), hits)),
        "hit_id": pa.array(np.tile(np.arange(hits, dtype=np.int64), n_events)),
        "track_id": pa.array(rng.integers(0, tracks, size=n_events * hits, dtype=np.int64)),
    }
    return _complete(rules, columns, n_events * hits, rng)


def _per_object(rules: TaskRules, eval_range: tuple[int, int], rng: np.random.Generator) -> pa.Table:
    """A few objects per event from the start of the eval range (anomaly: events per channel)."""
    start, end = eval_range
    names = rules.column_names
    columns: dict[str, pa.Array] = {}
    if "channel" in names:
        # Half the rows Standard Model, half new physics, spread evenly over each kind's channels;
        # events numbered per channel, as colliderml reads each channel's first events.
        per_channel = [(c, OBJECT_ROWS // 2 // len(group)) for group in _anomaly_channels() for c in group]
        rows = sum(n for _, n in per_channel)
        columns["channel"] = pa.array([c for c, n in per_channel for _ in range(n)], pa.string())
        numbers = np.concatenate([np.arange(n, dtype=np.int64) for _, n in per_channel])
        columns["event_id"] = pa.array(start + numbers % (end - start))
    else:
        rows = OBJECT_ROWS
        n_events = min(-(-rows // OBJECTS_PER_EVENT), end - start)
        per_event = -(-rows // n_events)
        columns["event_id"] = pa.array(np.repeat(np.arange(start, start + n_events, dtype=np.int64), per_event)[:rows])
        object_id = next(
            (n for n, kind in rules.columns if n != "event_id" and n.endswith("_id") and kind != "text"), None
        )
        if object_id is not None:
            columns[object_id] = pa.array(np.tile(np.arange(per_event, dtype=np.int64), n_events)[:rows])
    if rules.probabilities:
        drawn = rng.dirichlet(np.ones(len(rules.probabilities)), size=rows)
        columns.update({name: pa.array(drawn[:, i]) for i, name in enumerate(rules.probabilities)})
    return _complete(rules, columns, rows, rng)


def _complete(rules: TaskRules, columns: dict[str, pa.Array], rows: int, rng: np.random.Generator) -> pa.Table:
    """The remaining columns (constants, random scores), in the table's column order."""
    for name, kind in rules.columns:
        if name in columns:
            continue
        if name in rules.constant:
            columns[name] = pa.array(np.full(rows, _constant(name), dtype=np.int64))
        else:
            columns[name] = _random(kind, rows, rng)
    return pa.table({name: columns[name] for name in rules.column_names})


def _constant(name: str) -> int:
    return SAMPLE_N_PARAMS if name == "n_params" else 1


def _random(kind: Kind, rows: int, rng: np.random.Generator) -> pa.Array:
    if kind == "integer":
        return pa.array(rng.integers(0, 1000, size=rows, dtype=np.int64))
    if kind == "number":
        return pa.array(rng.random(rows))
    return pa.array([f"sample_{i % 10}" for i in range(rows)], pa.string())


def _one_row(rules: TaskRules, eval_range: tuple[int, int]) -> pa.Table:
    """One measurement: the eval range's events, each timed column at round seconds."""
    n_events = eval_range[1] - eval_range[0]
    columns: dict[str, pa.Array] = {}
    for name, kind in rules.columns:
        if name == "n_events":
            columns[name] = pa.array([n_events], pa.int64())
        elif kind == "integer":
            columns[name] = pa.array([1], pa.int64())
        else:
            columns[name] = pa.array([SAMPLE_SECONDS], pa.float64())
    return pa.table(columns)


def _anomaly_channels() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Standard Model, new physics) channels of the installed colliderml, imported only now."""
    try:
        import colliderml.tasks as registry

        task = registry.get("anomaly")
        standard = tuple(str(c) for c in task.SM_CHANNELS)
        new_physics = tuple(str(c) for c in task.BSM_CHANNELS)
    except Exception:  # no colliderml, or one without the task: the channels of 0.4.2
        return _ANOMALY_CHANNELS
    if not standard or not new_physics:
        return _ANOMALY_CHANNELS
    return standard, new_physics
