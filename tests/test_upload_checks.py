"""The pre-upload check on real Parquet files: valid files pass, each bad file gets its sentence.

No mocks: every file is written with pyarrow (or is a real CSV, ZIP, truncated copy, sparse
file...). One test registers an extra task class in colliderml's registry, the way a newer
colliderml release would add one, and removes it afterwards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import colliderml.tasks
import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from components import upload_checks
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


# ------------------------------------------------------------------------------------------
# Valid tables, built by hand (small, readable) and mutated into bad ones
# ------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------
# Valid files
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"not parquet at all", b"PAR1" + b"\0" * 64 + b"PAR1", parquet_bytes(pa.table({"x": pa.array([], pa.int64())}))],
    ids=["not-parquet", "broken-footer", "no-rows"],
)
def test_a_refused_file_under_the_cap_still_carries_its_hash(data: bytes) -> None:
    """Refused before parsing, at the footer, or after it: the page keys its state on the hash."""
    result = check(data, "tracking")
    assert not result.ok and result.problems
    assert result.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("task", ALL_TASKS)
def test_a_valid_hand_built_file_passes_from_bytes_and_from_a_path(task: str, tmp_path: Path) -> None:
    data = parquet_bytes(VALID[task]())
    path = tmp_path / "predictions.parquet"
    path.write_bytes(data)

    from_bytes, from_path = check(data, task), check(path, task)

    assert from_bytes.ok, from_bytes.problems
    assert from_bytes.problems == [] and from_bytes.warnings == []
    assert from_bytes.sha256 == hashlib.sha256(data).hexdigest() == from_path.sha256
    assert from_bytes.size_bytes == len(data) == from_path.size_bytes
    assert (from_bytes.ok, from_bytes.rows, from_bytes.columns, from_bytes.local_scores) == (
        from_path.ok,
        from_path.rows,
        from_path.columns,
        from_path.local_scores,
    )
    assert len(from_bytes.preview) == min(20, from_bytes.rows)


@pytest.mark.parametrize("task", ALL_TASKS)
def test_generated_predictions_pass_and_local_scores_match_colliderml(
    task: str, truth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_BACKEND_DATA", str(truth_dir))
    from local_backend import truth
    from local_backend.predictions import make_predictions

    table = make_predictions(task, 0.6, seed=3)
    result = check_predictions(parquet_bytes(table), task_info(task, truth.EVAL_RANGE), max_bytes=CAP)

    assert result.ok, result.problems
    assert result.rows == table.num_rows
    assert result.columns == [(f.name, str(f.type)) for f in table.schema]
    # Only the columns the task needs: a column it does not need is never decoded.
    assert list(result.preview.columns) == [name for name, _ in upload_checks.REQUIRED_COLUMNS[task]]
    if task in upload_checks.SCORED_LOCALLY:
        assert result.local_scores == colliderml.tasks.get(task).score(table)
    else:
        assert result.local_scores is None  # scored against held-out truth: only the backend can


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
    monkeypatch.setattr(upload_checks.events, "DUPLICATE_BUDGET_ROWS", 300)
    table = pa.concat_tables([tracking(), tracking(range(90_000, 90_002)), tracking(range(90_150, 90_151))])
    order = np.random.default_rng(5).permutation(table.num_rows)

    result = check(parquet_bytes(table.take(order), row_group_size=128), "tracking")

    assert any(p.startswith("15 rows repeat an (event_id, hit_id) pair") for p in result.problems), result.problems


# ------------------------------------------------------------------------------------------
# Warnings: the backend would accept the file, but the user should know
# ------------------------------------------------------------------------------------------


def test_events_outside_the_eval_range_are_counted_but_allowed() -> None:
    table = pa.concat_tables([tracking(), tracking(range(1_000, 1_012), hits=3)])

    result = check(parquet_bytes(table), "tracking")

    assert result.ok, result.problems
    assert result.warnings == [
        "36 rows in 12 events lie outside the eval range 90000–90199; the backend does not score them."
    ]


def test_unknown_anomaly_channels_are_flagged() -> None:
    table = with_values(anomaly(), "channel", {3: "ttbar", 5: "ttbar"})

    result = check(parquet_bytes(table), "anomaly")

    assert result.ok
    assert result.warnings[0].startswith("2 rows have a channel the installed colliderml does not know ('ttbar'")


def test_a_task_nobody_here_knows_gets_only_the_generic_checks() -> None:
    result = check(parquet_bytes(pa.table({"anything": [1, 2, 3]})), "quantum_gravity")

    assert result.ok
    assert result.rows == 3
    assert result.local_scores is None
    assert "could not be checked here; the backend will check them" in result.warnings[0]


def test_a_task_nobody_here_knows_still_needs_rows() -> None:
    result = check(parquet_bytes(pa.table({"anything": pa.array([], pa.int64())})), "quantum_gravity")

    assert result.problems == ["The file has no rows: there is nothing to score."]


@pytest.fixture
def newer_colliderml_task() -> Iterator[str]:
    """A task registered in colliderml's registry, as a newer colliderml release would ship it."""

    class FutureTask(colliderml.tasks.BenchmarkTask):
        name = "future_calorimetry"
        dataset = "ttbar_pu0"
        eval_event_range = (0, 10)
        inputs: list[str] = []
        metrics = ["energy_resolution"]

        def load_eval_inputs(self) -> dict[str, pa.Table]:
            return {}

        def validate_predictions(self, preds: pa.Table) -> None:
            if "energy" not in preds.column_names:
                raise ValueError("Calorimetry predictions need an 'energy' column.")

        def score(self, preds: pa.Table) -> dict[str, float]:
            return {"energy_resolution": 0.1}

    colliderml.tasks.register(FutureTask)
    yield FutureTask.name
    colliderml.tasks._TASKS.pop(FutureTask.name)


def test_a_task_only_colliderml_knows_is_checked_by_colliderml(newer_colliderml_task: str) -> None:
    good = check(parquet_bytes(pa.table({"energy": [1.0, 2.0]})), newer_colliderml_task)
    bad = check(parquet_bytes(pa.table({"momentum": [1.0, 2.0]})), newer_colliderml_task)

    assert good.ok and good.warnings == [] and good.local_scores is None
    assert bad.problems == ["colliderml rejects the file: Calorimetry predictions need an 'energy' column."]


def test_tracking_coverage_uses_the_backends_range_not_colliderml_default() -> None:
    """colliderml 0.4.2 defaults to 90000-99999; the backend's advertised range wins."""
    data = parquet_bytes(tracking())

    narrow = check_predictions(data, task_info("tracking", EVAL_RANGE), max_bytes=CAP)
    default = check_predictions(data, task_info("tracking", (90_000, 100_000)), max_bytes=CAP)

    assert narrow.ok
    assert default.problems == [
        "Only 200 of the 10,000 eval events (90000–99999) are covered; at least half are needed."
    ]
