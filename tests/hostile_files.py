"""Small files that cost gigabytes to check naively: the pre-check's hostile corpus.

Each is a few kB to a few hundred kB on disk and written without ever holding its decoded
size in memory. Shared by the tests (tests/test_upload_memory.py) and the benchmark
(bench/precheck.py), which measure what checking them costs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from local_backend.predictions import _jets_placeholder_truth, make_predictions

KB = 1024
MB = 1024 * 1024
#: The first eval event of the tracking files here (tasks are given a range starting here).
FIRST_EVENT = 90_000


def long_channels(path: str | os.PathLike[str], rows: int = 2_000, value_bytes: int = 256 * KB) -> Path:
    """An anomaly file whose channel column holds one 'A', one 'Z' and, in between, the same
    ``value_bytes`` string of 'M' on every other row (zstd: about 6 kB on disk).

    The footer's min/max statistics are honest and tiny ('A', 'Z'); the rows decode to
    ``rows * value_bytes`` of text (512 MB by default).
    """
    channels = pa.DictionaryArray.from_arrays(
        pa.array([0] + [1] * (rows - 2) + [2], pa.int32()), pa.array(["A", "M" * value_bytes, "Z"])
    )
    table = pa.table(
        {
            "event_id": np.arange(rows, dtype=np.int64),
            "channel": channels,
            "anomaly_score": np.zeros(rows),
        }
    )
    # Without the Arrow schema, readers take the column as plain text, as if it had been written
    # from 2,000 Python strings (building those would take 512 MB here).
    pq.write_table(table, path, compression="zstd", store_schema=False)
    return Path(path)


def one_huge_event(
    path: str | os.PathLike[str], hits: int = 20_000_000, chunk: int = 1_000_000, distinct: bool = False
) -> Path:
    """A tracking file holding one event of ``hits`` rows, out of order: hit 1 before hit 0,
    again and again (zstd: a few hundred kB for 20 million rows), or with ``distinct`` every
    hit once, counting down (about 25 MB). Written a chunk at a time."""
    schema = pa.schema([("event_id", pa.int64()), ("hit_id", pa.int64()), ("track_id", pa.int64())])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for start in range(0, hits, chunk):
            n = min(chunk, hits - start)
            rows = np.arange(start, start + n, dtype=np.int64)
            writer.write_table(
                pa.table(
                    {
                        "event_id": np.full(n, FIRST_EVENT, dtype=np.int64),
                        "hit_id": hits - 1 - rows if distinct else (rows + 1) % 2,
                        "track_id": np.zeros(n, dtype=np.int64),
                    },
                    schema=schema,
                )
            )
    return Path(path)


def many_events(path: str | os.PathLike[str], events: int = 20_000_000, chunk: int = 1_000_000) -> Path:
    """A tracking file of ``events`` events of one hit each, numbered from 0 (so all but 200
    outside an eval range at FIRST_EVENT): delta-encoded, about 300 kB for 20 million."""
    schema = pa.schema([("event_id", pa.int64()), ("hit_id", pa.int64()), ("track_id", pa.int64())])
    delta = dict.fromkeys(schema.names, "DELTA_BINARY_PACKED")
    with pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=False, column_encoding=delta) as writer:
        for start in range(0, events, chunk):
            event_id = np.arange(start, min(start + chunk, events), dtype=np.int64)
            zeros = np.zeros(len(event_id), dtype=np.int64)
            writer.write_table(pa.table({"event_id": event_id, "hit_id": zeros, "track_id": zeros}, schema=schema))
    return Path(path)


def unneeded_huge_column(path: str | os.PathLike[str], value_bytes: int = 400 * MB, events: int = 200) -> Path:
    """A valid tracking file (``events`` events from FIRST_EVENT, 5 hits each) with an extra
    'notes' column the task does not need, whose first row is one ``value_bytes`` string
    (zstd: about 13 kB on disk for 400 MB; writing it takes about 5 times the value)."""
    rows = events * 5
    hit_id = np.tile(np.arange(5, dtype=np.int64), events)
    offsets = pa.array(np.r_[0, np.full(rows, value_bytes)], pa.int32()).buffers()[1]
    notes = pa.StringArray.from_buffers(rows, offsets, pa.py_buffer(b"N" * value_bytes))
    table = pa.table(
        {
            "event_id": np.repeat(np.arange(FIRST_EVENT, FIRST_EVENT + events, dtype=np.int64), 5),
            "hit_id": hit_id,
            "track_id": hit_id // 2,
            "notes": notes,
        }
    )
    pq.write_table(table, path, compression="zstd")
    return Path(path)


def near_perfect_jets(rows: int = 2_000) -> pa.Table:
    """Jets whose true class (colliderml's placeholder truth, the one jets.score() draws) gets
    0.97 and the others 0.01 each: no light jet passes the 70 % b-tag cut, so the light-jet
    rejection is infinite."""
    labels = _jets_placeholder_truth(rows)
    probabilities = np.full((rows, 3), 0.01)
    probabilities[np.arange(rows), labels] = 0.97
    return pa.table(
        {
            "event_id": np.arange(rows, dtype=np.int64) // 4 + FIRST_EVENT,
            "jet_id": np.arange(rows, dtype=np.int64) % 4,
            "prob_b": probabilities[:, 0],
            "prob_c": probabilities[:, 1],
            "prob_light": probabilities[:, 2],
        }
    )


def tiny_file(task: str, path: str | os.PathLike[str]) -> Path:
    """A small valid file of ``task`` (not tracking: that needs the synthetic truth), for
    warming a process up before measuring."""
    pq.write_table(make_predictions(task, 0.5, seed=1), path)
    return Path(path)
