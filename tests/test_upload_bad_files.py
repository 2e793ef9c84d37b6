"""The bad-file corpus of the pre-upload check: each bad file gets its own sentence.

No mocks: every file is written with pyarrow, or is a real CSV, ZIP, truncated copy, sparse
file...
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from components import upload_checks
from tests.upload_tables import (
    ALL_TASKS,
    CAP,
    VALID,
    anomaly,
    check,
    data_loading,
    jets,
    latency,
    parquet_bytes,
    replace,
    tracking,
    tracking_small,
    with_values,
)

# ------------------------------------------------------------------------------------------
# The bad-file corpus: one specific sentence each
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """A bad file for ``task`` and the fragments its problem sentence must contain."""

    id: str
    task: str
    build: Callable[[Path], bytes | Path]
    expected: tuple[str, ...]
    max_bytes: int = CAP


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return build


def _table(make: Callable[[], pa.Table], **options: Any) -> Callable[[Path], bytes]:
    return lambda _tmp: parquet_bytes(make(), **options)


def _zip_of_parquet() -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr("predictions.parquet", parquet_bytes(tracking()))
    return sink.getvalue()


def _feather() -> bytes:
    sink = io.BytesIO()
    feather.write_feather(tracking(), sink)
    return sink.getvalue()


def _damaged_footer() -> bytes:
    data = bytearray(parquet_bytes(tracking()))
    footer_length = int.from_bytes(data[-8:-4], "little")
    data[-8 - footer_length : -8] = b"\xff" * footer_length
    return bytes(data)


def _footer_longer_than_file() -> bytes:
    data = parquet_bytes(tracking())
    return data[:-8] + (10**9).to_bytes(4, "little") + b"PAR1"


def _sparse_file(size: int) -> Callable[[Path], Path]:
    """A file of ``size`` bytes that takes no disk space (the size check never reads it)."""

    def build(tmp_path: Path) -> Path:
        path = tmp_path / "big.parquet"
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return build


def _constant_bomb(tmp_path: Path) -> Path:
    """~1 GiB of int64 once decoded, a few hundred kB on disk: one value, 134 million times."""
    chunk = pa.table({"wallclock_s": pa.array(np.zeros(2**24, dtype=np.int64))})
    path = tmp_path / "bomb.parquet"
    with pq.ParquetWriter(path, chunk.schema) as writer:
        for _ in range(8):
            writer.write_table(chunk, row_group_size=2**24)
    return path


def _list_bomb(_tmp: Path) -> bytes:
    """One row holding a list of 16 million zeros: tiny on disk, 128 MiB once read."""
    values = pa.array(np.zeros(2**24, dtype=np.int64))
    column = pa.ListArray.from_arrays(pa.array([0, 2**24], pa.int32()), values)
    return parquet_bytes(pa.table({"event_id": column, "hit_id": [1], "track_id": [1]}))


def _wide() -> pa.Table:
    return pa.table({f"c{i}": pa.array([1], pa.int8()) for i in range(10_000)})


def _missing(task: str, column: str) -> Bad:
    needed = ", ".join(name for name, _ in upload_checks.REQUIRED_COLUMNS[task])
    return Bad(
        f"{task}-missing-{column}",
        task,
        _table(lambda: VALID[task]().drop_columns([column])),
        (f"Column '{column}' is missing: {task} predictions need {needed}.",),
    )


def _unsorted_with_duplicates() -> pa.Table:
    table = pa.concat_tables([tracking(), tracking(range(90_010, 90_013), hits=2)])
    order = np.random.default_rng(4).permutation(table.num_rows)
    return table.take(order)


def _jets_off_sum() -> pa.Table:
    table = jets()
    prob_b = table.column("prob_b").to_numpy().copy()
    off = np.zeros(1_000, dtype=bool)
    off[17::2][:412] = True
    prob_b[off] += 0.5
    return replace(table, "prob_b", prob_b)


# fmt: off
BAD_FILES: list[Bad] = [
    # Not Parquet at all
    Bad("empty", "tracking", _file("p.parquet", b""), ("The file is empty (0 bytes).",)),
    Bad("csv-renamed", "tracking", _file("p.parquet", b"event_id,hit_id,track_id\n90000,0,0\n"),
        ("The file is not a Parquet file (it starts like a CSV text file).",)),
    Bad("json", "jets", _file("p.parquet", b' [{"event_id": 1}]'), ("it starts like a JSON text file",)),
    Bad("text", "jets", _file("p.parquet", b"hello world\n"), ("it starts like a text file",)),
    Bad("zip", "tracking", lambda _t: _zip_of_parquet(), ("it starts like a ZIP archive",)),
    Bad("gzip", "tracking", _file("p.parquet.gz", b"\x1f\x8b\x08\x00rest"), ("gzip-compressed",)),
    Bad("feather", "tracking", lambda _t: _feather(), ("Arrow IPC / Feather file",)),
    # Broken Parquet
    Bad("truncated-half", "tracking", lambda _t: parquet_bytes(tracking())[:1_000],
        ("The Parquet file is truncated",)),
    Bad("truncated-last-byte", "tracking", lambda _t: parquet_bytes(tracking())[:-1],
        ("The Parquet file is truncated",)),
    Bad("damaged-footer", "tracking", lambda _t: _damaged_footer(), ("The Parquet footer cannot be read",)),
    Bad("footer-longer-than-file", "tracking", lambda _t: _footer_longer_than_file(),
        ("its footer claims 1,000,000,000 bytes",)),
    Bad("encrypted", "tracking", lambda _t: parquet_bytes(tracking())[:-4] + b"PARE", ("encrypted",)),
    # Shape
    Bad("zero-rows", "tracking", _table(lambda: tracking().slice(0, 0)), ("The file has no rows",)),
    Bad("zero-columns", "tracking", _table(lambda: pa.table({})), ("The file has no columns.",)),
    Bad("10000-columns", "tracking", _table(_wide),
        ("The file has 10,000 columns; at most 1,000 are accepted.",)),
    Bad("over-the-cap", "tracking", _sparse_file(250 * 1024 * 1024), ("The file is 250 MB; the limit is 200 MB.",)),
    Bad("over-the-cap-small", "jets", _table(jets), ("The file is", "the limit is 10 kB."), max_bytes=10 * 1024),
    Bad("constant-bomb", "tracking_latency", _constant_bomb,
        ("about 1,024 MB once decompressed", "the limit is 200 MB", "decompression bomb"),
        max_bytes=10 * 1024 * 1024),
    Bad("list-bomb", "tracking", _list_bomb, ("about 128 MB once decompressed", "decompression bomb"),
        max_bytes=1024 * 1024),
    # Missing columns: every required column of every task
    *[_missing(task, name) for task in ALL_TASKS for name, _ in upload_checks.REQUIRED_COLUMNS[task]],
    Bad("near-miss-name", "tracking", _table(lambda: tracking().rename_columns(["Event_ID", "hit_id", "track_id"])),
        ("Column 'event_id' is missing", "(The file has 'Event_ID'; column names must match exactly.)")),
    Bad("duplicate-column", "tracking",
        _table(lambda: tracking().append_column("event_id", pa.array([1] * 1_000, pa.int64()))),
        ("Column 'event_id' appears 2 times; it must appear once.",)),
    # Wrong types
    Bad("string-ids", "tracking", _table(lambda: replace(tracking(), "event_id", [str(v) for v in range(1_000)])),
        ("Column 'event_id' holds text (string); tracking predictions need whole numbers there.",)),
    Bad("float-ids", "tracking", _table(lambda: replace(tracking(), "hit_id", np.zeros(1_000))),
        ("Column 'hit_id' holds floating-point numbers (double)", "Cast it with .astype('int64')")),
    Bad("string-probabilities", "jets", _table(lambda: replace(jets(), "prob_c", ["0.3"] * 1_000)),
        ("Column 'prob_c' holds text (string); jets predictions need numbers there.",)),
    Bad("numeric-channel", "anomaly", _table(lambda: replace(anomaly(), "channel", list(range(400)))),
        ("Column 'channel' holds whole numbers (int64); anomaly predictions need text there.",)),
    Bad("nested-list-ids", "tracking",
        _table(lambda: replace(tracking(), "event_id", [[90_000, 90_001]] * 1_000)),
        ("Column 'event_id' holds a list per row (list<", "need a single whole number per row")),
    # Values
    Bad("null-ids", "tracking", _table(lambda: with_values(tracking(), "hit_id", {4: None, 9: None})),
        ("Column 'hit_id' has 2 empty (null) values (first at row 4); every row needs one.",)),
    Bad("nan-probabilities", "jets", _table(lambda: with_values(jets(), "prob_b", {3: float("nan"), 8: float("nan")})),
        ("Column 'prob_b' has 2 NaN values (first at row 3); probabilities must be finite numbers.",)),
    Bad("inf-probabilities", "jets", _table(lambda: with_values(jets(), "prob_light", {11: float("inf")})),
        ("Column 'prob_light' has 1 infinite value (first at row 11)",)),
    Bad("nan-and-inf", "jets",
        _table(lambda: with_values(jets(), "prob_c", {5: float("-inf"), 2: float("nan")})),
        ("Column 'prob_c' has 1 NaN value and 1 infinite value (first at row 2)",)),
    Bad("probabilities-off-sum", "jets", _table(_jets_off_sum),
        ("412 of 1,000 rows have prob_b + prob_c + prob_light outside 1 ± 0.02 (first at row 17).",)),
    Bad("probability-above-one", "jets",
        _table(lambda: with_values(with_values(jets(), "prob_b", {7: 1.5}), "prob_c", {7: -0.5})),
        ("Column 'prob_b' has 1 value outside [0, 1] (first at row 7)",
         "Column 'prob_c' has 1 value outside [0, 1] (first at row 7)")),
    Bad("infinite-anomaly-score", "anomaly",
        _table(lambda: with_values(anomaly(), "anomaly_score", {42: float("inf")})),
        ("Column 'anomaly_score' has 1 infinite value (first at row 42); anomaly scores must be finite",)),
    Bad("duplicate-hits", "tracking", _table(lambda: pa.concat_tables([tracking(), tracking(range(90_005, 90_006))])),
        ("5 rows repeat an (event_id, hit_id) pair already in the file (e.g. event 90005, hit 0)",)),
    Bad("duplicate-hits-unsorted", "tracking", _table(_unsorted_with_duplicates, row_group_size=100),
        ("6 rows repeat an (event_id, hit_id) pair",)),
    Bad("too-few-eval-events", "tracking", _table(lambda: tracking(range(90_000, 90_080))),
        ("Only 80 of the 200 eval events (90000–90199) are covered; at least half are needed.",)),
    Bad("all-events-outside", "tracking", _table(lambda: tracking(range(1_000, 1_200))),
        ("Only 0 of the 200 eval events (90000–90199) are covered",)),
    Bad("n-params-varies", "tracking_small",
        _table(lambda: replace(tracking_small(), "n_params", [1_000, 2_000] * 500)),
        ("Column 'n_params' must hold the same value on every row; it ranges from 1,000 to 2,000.",)),
    Bad("n-params-zero", "tracking_small", _table(lambda: tracking_small(0)),
        ("Column 'n_params' is 0; it must be positive.",)),
    Bad("latency-zero-wallclock", "tracking_latency", _table(lambda: latency(0.0)),
        ("Column 'wallclock_s' is 0.0; it must be a positive number "
         "(a zero wallclock would make an infinite score).",)),
    Bad("latency-zero-events", "tracking_latency", _table(lambda: latency(n_events=0)),
        ("Column 'n_events' is 0; it must be a positive number.",)),
    Bad("latency-two-rows", "tracking_latency", _table(lambda: pa.concat_tables([latency(), latency()])),
        ("A tracking_latency file must have exactly one row (one measurement); this one has 2.",)),
    Bad("latency-null", "tracking_latency", _table(lambda: latency(None)),
        ("Column 'wallclock_s' is empty (null); it needs a value.",)),
    Bad("all-null-column", "tracking_latency",
        _table(lambda: pa.table({"wallclock_s": [None], "n_events": [1_000]})),
        ("Column 'wallclock_s' holds only empty values (null); tracking_latency predictions need numbers there.",)),
    Bad("data-loading-negative", "data_loading", _table(lambda: data_loading(local=-1.0)),
        ("Column 'local_seconds' is -1.0; it must be a positive number.",)),
    Bad("data-loading-nan", "data_loading", _table(lambda: data_loading(streaming=float("nan"))),
        ("Column 'streaming_seconds' is nan; it must be a positive number.",)),
    Bad("data-loading-three-rows", "data_loading",
        _table(lambda: pa.concat_tables([data_loading()] * 3)),
        ("A data_loading file must have exactly one row (one measurement); this one has 3.",)),
]
# fmt: on


@pytest.mark.parametrize("bad", BAD_FILES, ids=[b.id for b in BAD_FILES])
def test_a_bad_file_is_refused_with_a_specific_sentence(bad: Bad, tmp_path: Path) -> None:
    result = check(bad.build(tmp_path), bad.task, max_bytes=bad.max_bytes)

    assert not result.ok
    assert result.local_scores is None
    text = "\n".join(result.problems)
    for fragment in bad.expected:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


def test_the_corpus_is_big_enough() -> None:
    assert len(BAD_FILES) >= 30


def test_refusals_before_parsing_report_the_size_and_skip_the_preview(tmp_path: Path) -> None:
    result = check(_sparse_file(250 * 1024 * 1024)(tmp_path), "tracking")

    assert (result.rows, result.columns, result.sha256) == (0, [], "")  # never hashed: never read
    assert result.size_bytes == 250 * 1024 * 1024
    assert result.preview.empty


def test_structural_refusals_still_list_the_columns() -> None:
    result = check(parquet_bytes(tracking().slice(0, 0)), "tracking")

    assert result.columns == [("event_id", "int64"), ("hit_id", "int64"), ("track_id", "int64")]
    assert result.rows == 0


def test_duplicates_are_found_across_event_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget of 300 rows splits the 1,000-hit file into several slices and row groups."""
    monkeypatch.setattr(upload_checks.duplicates, "DUPLICATE_BUDGET_ROWS", 300)
    table = pa.concat_tables([tracking(), tracking(range(90_000, 90_002)), tracking(range(90_150, 90_151))])
    order = np.random.default_rng(5).permutation(table.num_rows)

    result = check(parquet_bytes(table.take(order), row_group_size=128), "tracking")

    assert any(p.startswith("15 rows repeat an (event_id, hit_id) pair") for p in result.problems), result.problems
