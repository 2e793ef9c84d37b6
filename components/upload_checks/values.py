"""The value rules: one pass over the required columns, every rule fed each batch in turn.

Row numbers in messages count from 0, like the preview's index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from components import task_rules
from components.tasks import TaskInfo
from components.upload_checks.duplicates import report_duplicate_hits, report_repeats
from components.upload_checks.events import EventIds
from components.upload_checks.footprint import Footprint, batch_rows, batches
from components.upload_checks.report import Findings, cut_all, plural
from components.upload_checks.schema import Kind

PROBABILITY_TOLERANCE = 0.02
TRACKING_TASKS: frozenset[str] = frozenset(name for name, r in task_rules.RULES.items() if r.layout == "per_hit")
ONE_ROW_TASKS: frozenset[str] = frozenset(name for name, r in task_rules.RULES.items() if r.layout == "one_row")


class _Rule(Protocol):
    """One value check: sees every batch once, then reports."""

    def feed(self, batch: pa.RecordBatch, offset: int) -> None: ...

    def report(self, findings: Findings) -> None: ...


def check_values(
    parquet: pq.ParquetFile,
    required: tuple[tuple[str, Kind], ...],
    task: TaskInfo,
    installed: Any,
    footprint: Footprint,
    findings: Findings,
) -> None:
    """One pass over the required columns, then the duplicate-hit pass for tracking tasks
    (only for a file not refused already: it is the one pass that reads the file again)."""
    names = [name for name, _ in required]
    if task.name in ONE_ROW_TASKS:
        _check_single_row(parquet, names, task.name, findings)
        return
    nulls = _Nulls(names)
    events = EventIds(task.eval_event_range) if task.name in TRACKING_TASKS else None
    rules: list[_Rule] = [nulls, *([events] if events else []), *_task_rules(task, installed)]
    offset = 0
    for batch in batches(parquet, names, batch_rows(footprint, names)):
        for rule in rules:
            rule.feed(batch, offset)
        offset += batch.num_rows
    for rule in rules:
        rule.report(findings)
    if events is None or not nulls.clean("event_id", "hit_id"):
        return
    if events.sorted:  # already counted in the pass above
        report_repeats(events.repeated, events.example, findings)
    elif not findings.problems:
        report_duplicate_hits(parquet, events, findings)


def _task_rules(task: TaskInfo, installed: Any) -> list[_Rule]:
    """The value rules particular to one task (beyond nulls and event coverage)."""
    rules: list[_Rule] = []
    table = task_rules.of(task.name)
    if table is None:
        return rules
    rules += [_Constant(name) for name in table.constant]
    if table.probabilities:
        rules += [_Finite(name, "probabilities") for name in table.probabilities]
        rules += [_UnitInterval(name) for name in table.probabilities]
        rules.append(_SumsToOne(table.probabilities, PROBABILITY_TOLERANCE))
    if task.name == "anomaly":
        rules.append(_Finite("anomaly_score", "anomaly scores"))
        known = list(getattr(installed, "SM_CHANNELS", [])) + list(getattr(installed, "BSM_CHANNELS", []))
        if known:
            rules.append(_KnownValues("channel", known, "it scores those rows as Standard Model events."))
    return rules


def _check_single_row(parquet: pq.ParquetFile, names: list[str], task_name: str, findings: Findings) -> None:
    """Measurement tasks: exactly one row, every value positive (a zero makes an infinite score)."""
    rows = parquet.metadata.num_rows
    if rows != 1:
        findings.problems.append(
            f"A {task_name} file must have exactly one row (one measurement); this one has {rows:,}."
        )
        return
    row = parquet.read(columns=names, use_threads=False).to_pylist()[0]
    for name in names:
        value = row[name]
        if value is None:
            findings.problems.append(f"Column '{name}' is empty (null); it needs a value.")
        elif not (math.isfinite(value) and value > 0):
            why = " (a zero wallclock would make an infinite score)" if name == "wallclock_s" else ""
            findings.problems.append(f"Column '{name}' is {value}; it must be a positive number{why}.")
        elif name == "n_events" and value < 1:
            findings.problems.append(f"Column 'n_events' is {value}; it must be at least 1.")


@dataclass
class _Tally:
    """Rows breaking one rule across batches: how many, and the first."""

    count: int = 0
    first: int | None = None

    def add(self, mask: np.ndarray, offset: int) -> None:
        n = int(np.count_nonzero(mask))
        if n:
            self.count += n
            if self.first is None:
                self.first = offset + int(np.argmax(mask))

    def where(self) -> str:
        return f"first at row {self.first:,}"


def _floats(array: pa.Array) -> np.ndarray:
    """Values as float64 with NaN for nulls: nulls are reported by their own rule."""
    return np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _valid(array: pa.Array) -> np.ndarray:
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


class _Nulls:
    """Empty cells in required columns: colliderml would crash or score them as garbage."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.tallies = {name: _Tally() for name in columns}

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        for name, tally in self.tallies.items():
            array = batch.column(name)
            if array.null_count:
                tally.add(~_valid(array), offset)

    def report(self, findings: Findings) -> None:
        for name, tally in self.tallies.items():
            if tally.count:
                findings.problems.append(
                    f"Column '{name}' has {plural(tally.count, 'empty (null) value')} "
                    f"({tally.where()}); every row needs one."
                )

    def clean(self, *names: str) -> bool:
        return all(self.tallies[name].count == 0 for name in names)


class _Finite:
    """NaN and infinity, named separately: each points at a different bug upstream."""

    def __init__(self, column: str, what: str) -> None:
        self.column, self.what = column, what
        self.nan, self.inf, self.any = _Tally(), _Tally(), _Tally()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        array = batch.column(self.column)
        if not pa.types.is_floating(array.type):
            return
        values, valid = _floats(array), _valid(array)
        nan, inf = np.isnan(values) & valid, np.isinf(values)
        self.nan.add(nan, offset)
        self.inf.add(inf, offset)
        self.any.add(nan | inf, offset)

    def report(self, findings: Findings) -> None:
        if not self.any.count:
            return
        labelled = ((self.nan, "NaN value"), (self.inf, "infinite value"))
        parts = [plural(tally.count, label) for tally, label in labelled if tally.count]
        findings.problems.append(
            f"Column '{self.column}' has {' and '.join(parts)} ({self.any.where()}); "
            f"{self.what} must be finite numbers."
        )


class _UnitInterval:
    """Probabilities below 0 or above 1 (finite ones: non-finite values have their own rule)."""

    def __init__(self, column: str) -> None:
        self.column, self.outside = column, _Tally()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        values = _floats(batch.column(self.column))
        with np.errstate(invalid="ignore"):
            self.outside.add(np.isfinite(values) & ((values < 0) | (values > 1)), offset)

    def report(self, findings: Findings) -> None:
        if self.outside.count:
            findings.problems.append(
                f"Column '{self.column}' has {plural(self.outside.count, 'value')} outside [0, 1] "
                f"({self.outside.where()}); probabilities must lie between 0 and 1."
            )


class _SumsToOne:
    """Rows whose probabilities do not add up to 1 within the tolerance colliderml allows."""

    def __init__(self, columns: tuple[str, ...], tolerance: float) -> None:
        self.columns, self.tolerance = columns, tolerance
        self.off, self.rows = _Tally(), 0

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        total = sum((_floats(batch.column(name)) for name in self.columns), np.zeros(batch.num_rows))
        with np.errstate(invalid="ignore"):
            self.off.add(np.isfinite(total) & (np.abs(total - 1.0) > self.tolerance), offset)
        self.rows += batch.num_rows

    def report(self, findings: Findings) -> None:
        if self.off.count:
            findings.problems.append(
                f"{self.off.count:,} of {self.rows:,} rows have {' + '.join(self.columns)} outside "
                f"1 ± {self.tolerance:g} ({self.off.where()})."
            )


class _Constant:
    """A column meant to hold one positive value on every row (tracking_small's n_params)."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.low: float | None = None
        self.high: float | None = None

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        extremes = pc.min_max(batch.column(self.column))
        low, high = extremes["min"].as_py(), extremes["max"].as_py()
        if low is not None:
            self.low = low if self.low is None else min(self.low, low)
            self.high = high if self.high is None else max(self.high, high)

    def report(self, findings: Findings) -> None:
        if self.low is None or self.high is None:
            return
        if self.low != self.high:
            findings.problems.append(
                f"Column '{self.column}' must hold the same value on every row; it ranges from "
                f"{self.low:,} to {self.high:,}."
            )
        elif not self.low > 0:
            findings.problems.append(f"Column '{self.column}' is {self.low:,}; it must be positive.")


class _KnownValues:
    """Values the installed colliderml does not know (anomaly channels it would label SM).

    Works on the column's dictionary (it is read as one), then maps it onto the rows by their
    indices: a long value repeated on every row is looked at once, never copied per row.
    """

    def __init__(self, column: str, known: list[str], consequence: str) -> None:
        self.column, self.known, self.consequence = column, pa.array(known, pa.string()), consequence
        self.unknown, self.examples = _Tally(), set[str]()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        array = batch.column(self.column)
        if not pa.types.is_dictionary(array.type):
            array = pc.dictionary_encode(array)
        dictionary = pc.cast(array.dictionary, pa.string())
        unknown = pc.invert(pc.is_in(dictionary, value_set=self.known))
        mask = pc.fill_null(pc.take(unknown, array.indices), False)
        mask_np = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
        self.unknown.add(mask_np, offset)
        if mask_np.any() and len(self.examples) < 3:
            used = pc.unique(array.indices.filter(mask)).slice(0, 3)
            self.examples.update(value for value in cut_all(dictionary, used) if value is not None)

    def report(self, findings: Findings) -> None:
        if self.unknown.count:
            examples = ", ".join(repr(v) for v in sorted(self.examples)[:3])
            findings.warnings.append(
                f"{plural(self.unknown.count, 'row')} have a {self.column} the installed colliderml "
                f"does not know ({examples}; {self.unknown.where()}): {self.consequence}"
            )
