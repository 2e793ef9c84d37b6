"""Hits assigned to more than one track, in tracking files whose rows are out of order.

A second pass over (event_id, hit_id), bounded in memory and in time whatever the file: the
pairs are read a slice of events at a time, each slice within a row budget; an event too big
for one slice keeps only its distinct hits, and past a budget is split by a salted hash of
its hit ids into several passes; a file that would take too many reads is left unchecked.
"""

from __future__ import annotations

import math
import secrets
from typing import Any, NamedTuple

import numpy as np
import pyarrow.parquet as pq

from components.upload_checks.events import MAX_EVENTS, EventIds
from components.upload_checks.footprint import batches
from components.upload_checks.report import Findings, plural

#: Rows of (event_id, hit_id) held at once by the duplicate-hit check (about 50 MB of work).
DUPLICATE_BUDGET_ROWS = 1_000_000
#: Distinct hit ids kept at once when one event has more rows than the budget (8 bytes each,
#: under 100 MB at the peak of a merge); its hits are split into passes of about this many.
EVENT_PARTITION_HITS = 4_000_000
#: Rows the duplicate-hit check may read in all (a few seconds): beyond, it is skipped.
DUPLICATE_READ_ROWS = 300_000_000


def report_repeats(repeated: int, example: tuple[int, int] | None, findings: Findings) -> None:
    if repeated and example is not None:
        findings.problems.append(
            f"{plural(repeated, 'row')} repeat an (event_id, hit_id) pair already in the file "
            f"(e.g. event {example[0]}, hit {example[1]}); each hit may be assigned to one track only."
        )


def report_duplicate_hits(parquet: pq.ParquetFile, events: EventIds, findings: Findings) -> None:
    """Rows repeating an (event_id, hit_id) pair: each hit belongs to one track at most.

    The pairs are read again, a slice of events at a time, reading only the row groups whose
    event_id statistics overlap the slice (in a file of more than MAX_EVENTS events, only the
    eval events: the others are not scored). A file so out of order that this would read more
    than DUPLICATE_READ_ROWS rows in all is left unchecked, with a warning.
    """
    if not events.every_event and events.eval_range is None:  # no event kept to slice by
        findings.warnings.append(
            f"The file has more than {MAX_EVENTS:,} events, too many to check here for hits assigned twice."
        )
        return
    metadata = parquet.metadata
    bounds = _row_group_event_bounds(metadata)
    plan: list[_Slice] = []
    for low, high, rows in _event_slices(events.events, events.counts, DUPLICATE_BUDGET_ROWS):
        groups = [i for i, b in enumerate(bounds) if b is None or not (b[1] < low or b[0] > high)]
        plan.append(_Slice(low, high, rows, groups, sum(metadata.row_group(i).num_rows for i in groups)))
    reads = _Reads(DUPLICATE_READ_ROWS)
    counted = _count_repeats(parquet, plan, reads) if reads.take(sum(p.read for p in plan)) else None
    if counted is not None:
        report_repeats(*counted, findings)
        return
    findings.warnings.append(
        f"The file's {plural(metadata.num_rows, 'row')} are too many and too far out of "
        "(event_id, hit_id) order to check here for hits assigned twice; written in that order, as "
        "files usually are, they are checked in one pass."
    )


class _Slice(NamedTuple):
    """Events ``low`` to ``high`` (inclusive): their rows, the row groups that may hold them,
    and the rows of those groups (what reading the slice reads)."""

    low: int
    high: int
    rows: int
    groups: list[int]
    read: int


def _count_repeats(
    parquet: pq.ParquetFile, plan: list[_Slice], reads: _Reads
) -> tuple[int, tuple[int, int] | None] | None:
    """Repeated pairs over every slice, and one of them; None when ``reads`` runs out."""
    repeated, example = 0, None
    for low, high, rows, groups, read in plan:
        if low == high and rows > DUPLICATE_BUDGET_ROWS:
            counted = _repeats_in_one_event(parquet, groups, low, rows, read, reads)
        else:
            counted = _repeated_pairs(*_read_pairs(parquet, groups, low, high))
        if counted is None:
            return None
        repeated += counted[0]
        example = example or counted[1]
    return repeated, example


class _Reads:
    """Rows the duplicate-hit check may still read."""

    def __init__(self, rows: int) -> None:
        self.left = rows

    def take(self, rows: int) -> bool:
        """Spend ``rows`` if that many are left."""
        if rows > self.left:
            return False
        self.left -= rows
        return True


def _event_slices(events: np.ndarray, counts: np.ndarray, budget: int) -> list[tuple[int, int, int]]:
    """Consecutive event-id ranges (inclusive), with their rows, of about ``budget`` rows each
    (under twice that); an event with more rows than ``budget`` is a range of its own."""
    if len(events) == 0:
        return []
    big = counts > budget
    starts_at = (np.cumsum(counts) - counts) // budget
    boundary = np.diff(starts_at, prepend=-1) != 0
    boundary |= big
    boundary[1:] |= big[:-1]
    starts = np.flatnonzero(boundary)
    ends = np.append(starts[1:], len(events)) - 1
    rows = np.add.reduceat(counts, starts)
    return [(int(events[s]), int(events[e]), int(n)) for s, e, n in zip(starts, ends, rows, strict=True)]


def _row_group_event_bounds(metadata: pq.FileMetaData) -> list[tuple[Any, Any] | None]:
    """Per row group, event_id's (min, max) from the footer statistics; None when unknown.

    Used only to skip row groups: statistics that lie make the check read a group it could
    have skipped, or skip one it needed (a repeat then goes unseen here; the backend scores
    the file as it is).
    """
    paths = [metadata.schema.column(i).path for i in range(metadata.num_columns)]
    index = paths.index("event_id") if "event_id" in paths else None
    bounds: list[tuple[Any, Any] | None] = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics if index is not None else None
        bounds.append((stats.min, stats.max) if stats is not None and stats.has_min_max else None)
    return bounds


def _read_pairs(parquet: pq.ParquetFile, groups: list[int], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """The (event_id, hit_id) columns of the rows whose event lies in [low, high]."""
    events: list[np.ndarray] = []
    hits: list[np.ndarray] = []
    for event, hit in _pairs(parquet, groups):
        keep = (event >= low) & (event <= high)
        events.append(event[keep])
        hits.append(hit[keep])
    if not events:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(events), np.concatenate(hits)


def _pairs(parquet: pq.ParquetFile, groups: list[int]) -> Any:
    """(event_id, hit_id) of the row groups ``groups``, as numpy arrays, batch by batch."""
    if not groups:
        return
    for batch in batches(parquet, ["event_id", "hit_id"], row_groups=groups):
        yield batch.column(0).to_numpy(), batch.column(1).to_numpy()


def _repeats_in_one_event(
    parquet: pq.ParquetFile, groups: list[int], event: int, rows: int, read: int, reads: _Reads
) -> tuple[int, tuple[int, int] | None] | None:
    """Repeated hits of one event too big to hold; None when too big to check at all.

    Each pass keeps only the distinct hit ids (per batch, then merged), so repeats = rows -
    distinct, and millions of copies of one hit stay one value: the first pass, over the
    whole event, usually suffices (the pass reading ``read`` rows is already paid for). When
    the distinct hits outgrow EVENT_PARTITION_HITS, the event is split by a salted hash of
    its hit ids into passes of about half that many (the salt keeps a file from steering its hits
    into one pass), while ``reads`` allows.
    """
    passes = 1
    while True:
        counted = _count_in_passes(parquet, groups, event, passes)
        if counted is not None:
            return counted
        passes = max(2 * passes, math.ceil(2 * rows / EVENT_PARTITION_HITS))  # half the limit each
        if not reads.take(passes * read):
            return None


def _count_in_passes(
    parquet: pq.ParquetFile, groups: list[int], event: int, passes: int
) -> tuple[int, tuple[int, int] | None] | None:
    """Repeated hits of ``event`` over ``passes`` hash partitions; None when a partition holds
    more than EVENT_PARTITION_HITS distinct hits."""
    salt = np.uint64(secrets.randbits(64) | 1)
    repeated, example = 0, None
    for part in range(passes):
        distinct = _DistinctHits()
        for events, hits in _pairs(parquet, groups):
            mine = hits[events == event]
            if passes > 1:
                mine = mine[(mine.astype(np.uint64) * salt >> np.uint64(32)) % np.uint64(passes) == part]
            if not distinct.add(mine):
                return None
        n, repeat = distinct.repeats()
        repeated += n
        if example is None and repeat is not None:
            example = (event, repeat)
    return repeated, example


class _DistinctHits:
    """The distinct hit ids of one pass, kept per batch and merged once they pile up."""

    def __init__(self) -> None:
        self.seen = 0
        self.repeat: int | None = None
        self._kept: list[np.ndarray] = []
        self._pending = 0

    def add(self, hits: np.ndarray) -> bool:
        """Keep the distinct ``hits``; False once more than EVENT_PARTITION_HITS are kept."""
        self.seen += len(hits)
        self._kept.append(self._unique(hits))
        self._pending += len(self._kept[-1])
        if self._pending > EVENT_PARTITION_HITS:
            self._merge()
            return len(self._kept[0]) <= EVENT_PARTITION_HITS
        return True

    def _merge(self) -> None:
        # Merged only once there are arrays to merge, so uint64 ids are not promoted to float.
        if self._kept:
            kept, self._kept = np.concatenate(self._kept), []  # the parts are freed before the sort
            self._kept = [self._unique(kept)]
        self._pending = 0

    def _unique(self, keys: np.ndarray) -> np.ndarray:
        unique, repeat = _distinct(keys)
        if self.repeat is None:
            self.repeat = repeat
        return unique

    def repeats(self) -> tuple[int, int | None]:
        """Rows that repeat a hit already seen, and one such hit."""
        self._merge()
        return self.seen - sum(len(k) for k in self._kept), self.repeat


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, int | None]:
    """The distinct values of ``keys``, sorted, and one value that repeats (None if none).
    Sorts ``keys`` in place: callers pass arrays of their own."""
    keys.sort()
    repeat = keys[1:] == keys[:-1]
    if not repeat.any():
        return keys, None
    return keys[np.concatenate(([True], ~repeat))], int(keys[1:][repeat][0])


def _repeated_pairs(events: np.ndarray, hits: np.ndarray) -> tuple[int, tuple[int, int] | None]:
    """How many rows repeat an earlier (event, hit) pair, and one such pair.

    Both ids are packed into one int64 when their spans allow (a plain sort is several times
    faster than a two-key lexsort); otherwise the lexsort does it. Files written event by event
    in hit order, the usual case, need no sort at all.
    """
    if len(events) < 2:
        return 0, None
    event_low, hit_low = int(events.min()), int(hits.min())
    event_span, hit_span = int(events.max()) - event_low + 1, int(hits.max()) - hit_low + 1
    if event_span * hit_span < 2**63:
        keys = (events - event_low).astype(np.int64) * hit_span + (hits - hit_low).astype(np.int64)
        if np.all(keys[1:] > keys[:-1]):
            return 0, None
        keys, key = _distinct(keys)
        if key is None:
            return 0, None
        return len(events) - len(keys), (event_low + key // hit_span, hit_low + key % hit_span)
    order = np.lexsort((hits, events))
    sorted_events, sorted_hits = events[order], hits[order]
    repeat = (sorted_events[1:] == sorted_events[:-1]) & (sorted_hits[1:] == sorted_hits[:-1])
    if not repeat.any():
        return 0, None
    first = int(np.argmax(repeat)) + 1
    return int(np.count_nonzero(repeat)), (int(sorted_events[first]), int(sorted_hits[first]))
