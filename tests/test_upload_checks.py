"""The pre-upload check on real Parquet files: valid files pass, and what it warns about.

No mocks: every file is written with pyarrow. One test registers an extra task class in
colliderml's registry, the way a newer colliderml release would add one, and removes it
afterwards. Bad files are in test_upload_bad_files.py, limits in test_upload_limits.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import colliderml.tasks
import pyarrow as pa
import pytest

from components import upload_checks
from components.upload_checks import check_predictions
from tests.upload_tables import (
    ALL_TASKS,
    CAP,
    EVAL_RANGE,
    VALID,
    anomaly,
    check,
    parquet_bytes,
    task_info,
    tracking,
    with_values,
)

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
