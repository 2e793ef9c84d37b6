"""The installed colliderml: the last word where it is cheap, local scores where it needs no truth.

colliderml's ``validate_predictions`` and ``score`` turn columns into Python lists, several
times their Arrow size; they run here only when that fits in memory, judged from the real
decoded size of the columns they get (text by its pages, never by footer statistics).
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from components import task_rules
from components.tasks import TaskInfo
from components.upload_checks.footprint import Footprint
from components.upload_checks.report import ERROR_CHARS, Findings, MiB, cut, size
from components.upload_checks.values import TRACKING_TASKS

#: Tasks whose colliderml scorer needs no held-out truth and matches the backend's score
#: (colliderml 0.4.2 scores jets from a placeholder truth, as the backend does today).
SCORED_LOCALLY: frozenset[str] = frozenset(name for name, r in task_rules.RULES.items() if r.scored_locally)
#: For tasks checked here column by column (every rule colliderml's validate_predictions applies,
#: and more), its validation is only a cross-check: run where it is cheap, i.e. on files whose
#: columns decode to less than this (about 170,000 tracking rows, tens of milliseconds).
CROSS_CHECK_DECODED_LIMIT = 4 * MiB
#: Memory colliderml's Python lists take per value, text aside (measured: jets scoring 55
#: bytes, anomaly scoring 76 with 10-character channels).
PYTHON_BYTES_PER_VALUE = 80
#: What colliderml's validation or scoring may take here, at most.
COLLIDERML_MEMORY = 128 * MiB


def installed_task(name: str) -> Any:
    """A fresh colliderml task instance, None when colliderml is missing or lacks the task."""
    try:
        import colliderml.tasks as registry

        return registry.get(name)
    except (ImportError, ValueError):
        return None


def python_memory(footprint: Footprint, names: list[str] | None) -> int:
    """At most what colliderml's work on these columns takes: the table in Arrow, and its
    values again as Python objects (text in full in both)."""
    return footprint.values_of(names) * PYTHON_BYTES_PER_VALUE + 2 * footprint.decoded_of(names)


def validate(
    parquet: pq.ParquetFile,
    task: TaskInfo,
    installed: Any,
    footprint: Footprint,
    names: list[str] | None,
    findings: Findings,
) -> None:
    """colliderml's validate_predictions on the columns ``names`` (every column for a task
    known only to colliderml, None), as the backend runs it, where cheap: on small files,
    and for tasks with their own rules here, on tiny files only.

    For tracking tasks the eval range is the backend's (the TaskInfo's), not the installed
    package's default. Any exception is the file's fault from the user's point of view.
    """
    checked_here = names is not None
    if checked_here and footprint.decoded_of(names) >= CROSS_CHECK_DECODED_LIMIT:
        return  # the checks here cover what it checks
    needed = python_memory(footprint, names)
    if needed > COLLIDERML_MEMORY:
        if not checked_here:
            findings.warnings.append(
                f"The file is too large (about {size(footprint.decoded_of(names))} decompressed) to run "
                f"colliderml's checks for '{cut(task.name)}' here; the backend will check it."
            )
        return
    if task.name in TRACKING_TASKS and task.eval_event_range is not None:
        installed.eval_event_range = task.eval_event_range
    try:
        installed.validate_predictions(_read_plain(parquet, names))
    except Exception as exc:
        findings.problems.append(f"colliderml rejects the file: {cut(exc, ERROR_CHARS)}")


def local_scores(
    parquet: pq.ParquetFile, task: TaskInfo, installed: Any, footprint: Footprint, names: list[str], findings: Findings
) -> dict[str, float] | None:
    """colliderml's score() on the required columns (all its scorer reads). A score the
    backend cannot store (infinite or NaN) is a problem: the backend would answer 500."""
    needed = python_memory(footprint, names)
    if needed > COLLIDERML_MEMORY:
        findings.warnings.append(
            f"The file was not scored locally: colliderml's scorer could need up to {size(needed)} of "
            f"memory for it, more than the {size(COLLIDERML_MEMORY)} allowed here. The backend scores it."
        )
        return None
    try:
        raw = installed.score(_read_plain(parquet, names))
    except Exception as exc:
        findings.warnings.append(f"colliderml could not score the file locally: {cut(exc, ERROR_CHARS)}")
        return None
    scores = {str(metric): float(value) for metric, value in raw.items()}
    for metric, value in scores.items():
        if not math.isfinite(value):
            what = "a NaN" if math.isnan(value) else "an infinite"
            findings.problems.append(
                f"The local {cut(metric)} is {value}: the backend cannot store {what} {cut(metric)} and "
                "refuses the file (it answers 500 and stores nothing)."
            )
    return None if findings.problems else scores


def _read_plain(parquet: pq.ParquetFile, names: list[str] | None) -> pa.Table:
    """The columns as the backend reads them: text columns read here as dictionaries are
    handed over as plain text."""
    table = parquet.read(columns=names, use_threads=False)
    if not any(pa.types.is_dictionary(f.type) for f in table.schema):
        return table
    plain = parquet.schema.to_arrow_schema()
    return table.cast(pa.schema([plain.field(name) for name in table.column_names]))
