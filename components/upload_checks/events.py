"""Tracking files: which events they cover, and, while their rows come in order, their
repeated hits (the other files get the second pass of :mod:`.duplicates`).

Memory stays bounded by a batch and a fixed number of events, whatever the file: events are
merged as (id, count) pairs, and past MAX_EVENTS only the eval range's are kept.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from components.upload_checks.report import Findings, plural

#: Distinct events kept with their row counts (16 bytes each, a few times that while merging):
#: past this many, only the eval range's are kept and the others are only counted.
MAX_EVENTS = 1_000_000
#: (event, rows) pairs gathered from batches before they are merged into the totals.
MERGE_EVERY = 1_000_000


class EventIds:
    """Which events the file covers, as (event id, row count) pairs merged batch by batch; and,
    while the rows come sorted by (event_id, hit_id), the repeated pairs too.

    Files written event by event in hit order, the usual case, are checked for duplicate hits
    in this same pass: in a sorted run a repeated pair sits right after its twin, so comparing
    each row with the one before it (across batch boundaries too) finds every repeat, with no
    sort and no second read. The first row out of order turns this off for the rest of the file;
    :func:`.duplicates.report_duplicate_hits` then reads the pairs again, a slice of events at a time.

    A file of more than MAX_EVENTS events (a few hundred kB can hold millions) keeps only its
    eval events one by one; the rows of the others are counted.
    """

    def __init__(self, eval_range: tuple[int, int] | None) -> None:
        self.eval_range = eval_range
        self.events = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        #: Whether ``events`` holds every event; once False, only the eval range's (or none,
        #: without one), the others being counted in ``dropped_rows`` and ``dropped_events``
        #: (the latter at least: an event met again later is not recognised).
        self.every_event = True
        self.dropped_rows = 0
        self.dropped_events = 0
        #: Whether every row so far has come in (event_id, hit_id) order, nulls aside.
        self.sorted = True
        #: While sorted: rows repeating the pair before them, and the first such pair.
        self.repeated = 0
        self.example: tuple[int, int] | None = None
        self._last: tuple[int, int] | None = None

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        event_array, hit_array = batch.column("event_id"), batch.column("hit_id")
        if event_array.null_count or hit_array.null_count:
            self.sorted = False  # the duplicate check is skipped for files with null ids anyway
        if self.sorted and len(event_array):
            runs = self._sorted_runs(event_array.to_numpy(), hit_array.to_numpy())
            if runs is not None:
                self._add(*runs)
                return
            self.sorted = False
        pairs = pc.value_counts(pc.drop_null(event_array))
        values = np.asarray(pairs.field("values").to_numpy(zero_copy_only=False))
        counts = np.asarray(pairs.field("counts").to_numpy(zero_copy_only=False), dtype=np.int64)
        self._add(values, counts)

    def _sorted_runs(self, events: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The batch's (event, rows) runs when it continues the sorted order, else None;
        counts the pairs that repeat the row before them on the way."""
        first = (int(events[0]), int(hits[0]))
        if self._last is not None and first < self._last:
            return None
        new_event = events[1:] != events[:-1]
        changes = np.flatnonzero(new_event)
        if not np.all(events[changes + 1] > events[changes]):
            return None
        in_order = hits[1:] > hits[:-1]
        in_order |= new_event
        repeated, example = 0, None
        if self._last is not None and first == self._last:
            repeated, example = 1, first
        if not in_order.all():
            # Same event, hit not increasing: a repeat when equal, out of order when lower.
            at = np.flatnonzero(~in_order)
            if np.any(hits[at + 1] < hits[at]):
                return None
            repeated += len(at)
            example = example or (int(events[at[0] + 1]), int(hits[at[0] + 1]))
        self.repeated += repeated
        self.example = self.example or example
        self._last = (int(events[-1]), int(hits[-1]))
        starts = np.concatenate((np.zeros(1, dtype=changes.dtype), changes + 1))
        counts = np.diff(starts, append=len(events)).astype(np.int64)
        return events[starts], counts

    def _add(self, values: np.ndarray, counts: np.ndarray) -> None:
        if not self.every_event:
            keep = self._in_range(values)
            self.dropped_rows += int(counts[~keep].sum())
            values, counts = values[keep], counts[keep]
        self._pending.append((values, counts))
        self._pending_rows += len(values)
        if self._pending_rows > MERGE_EVERY:
            self._merge()

    def _merge(self) -> None:
        """Fold pending per-batch counts into the sorted totals: memory stays per distinct event."""
        if not self._pending:
            return
        # Totals join only once they exist, so uint64 ids are not promoted to float.
        merged = [(self.events, self.counts)] if len(self.events) else []
        values = np.concatenate([v for v, _ in merged + self._pending])
        counts = np.concatenate([c for _, c in merged + self._pending])
        self.events, inverse = np.unique(values, return_inverse=True)
        self.counts = np.bincount(inverse.ravel(), weights=counts).astype(np.int64)
        self._pending, self._pending_rows = [], 0
        if len(self.events) > MAX_EVENTS:
            keep = self._in_range(self.events)
            self.dropped_rows += int(self.counts[~keep].sum())
            self.dropped_events += int(np.count_nonzero(~keep))
            self.events, self.counts, self.every_event = self.events[keep], self.counts[keep], False

    def _in_range(self, events: np.ndarray) -> np.ndarray:
        """Which of ``events`` lie in the eval range (none, without one)."""
        if self.eval_range is None:
            return np.zeros(len(events), dtype=bool)
        return (events >= self.eval_range[0]) & (events < self.eval_range[1])

    def report(self, findings: Findings) -> None:
        self._merge()
        if self.eval_range is None:
            findings.warnings.append("The backend gives no eval event range, so coverage was not checked.")
            return
        start, end = self.eval_range
        inside = (self.events >= start) & (self.events < end)
        expected, covered = end - start, int(np.count_nonzero(inside))
        shown = f"{start}–{end - 1}"
        if covered < expected * 0.5:
            findings.problems.append(
                f"Only {covered:,} of the {expected:,} eval events ({shown}) are covered; at least half are needed."
            )
        outside_events = int(np.count_nonzero(~inside)) + self.dropped_events
        if outside_events:
            outside_rows = int(self.counts[~inside].sum()) + self.dropped_rows
            events = plural(outside_events, "event") if self.every_event else f"more than {outside_events:,} events"
            findings.warnings.append(
                f"{plural(outside_rows, 'row')} in {events} lie outside the eval range {shown}; the backend "
                "does not score them."
            )
