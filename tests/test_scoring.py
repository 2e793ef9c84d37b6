"""Synthetic truth, prediction generators and scoring through colliderml, without the network."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import colliderml.tasks._loading as colliderml_loading
import huggingface_hub.constants
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from local_backend import predictions, scoring, truth

REPO_ROOT = Path(__file__).resolve().parents[1]
SIX_TASKS = ("tracking", "jets", "anomaly", "tracking_latency", "tracking_small", "data_loading")


@pytest.fixture(autouse=True)
def local_truth(truth_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Score against the session's truth directory, never the repository's .local_backend."""
    monkeypatch.setenv("LOCAL_BACKEND_DATA", str(truth_dir))
    return truth_dir


@pytest.fixture
def network_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every attempt to load remote data or open a connection, and keep the Hub offline.

    The wrappers only observe: they call straight through to the real functions.
    """
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    calls: list[str] = []

    def observed(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    for name in ("load_task_data", "download_config"):
        monkeypatch.setattr(colliderml_loading, name, observed(name, getattr(colliderml_loading, name)))
    monkeypatch.setattr(socket.socket, "connect", observed("socket.connect", socket.socket.connect))
    yield calls


# --- truth ---------------------------------------------------------------------------------------


def test_truth_has_the_loader_shape_and_plausible_events(local_truth: Path) -> None:
    tables = truth.load_truth()
    hits, particles = tables["tracker_hits"], tables["particles"]
    start, end = truth.EVAL_RANGE
    for table in (hits, particles):
        assert table.column("event_id").to_pylist() == list(range(start, end))
        assert table.schema.field("event_id").type == pa.int64()
        lengths = [pc.list_value_length(table.column(name)) for name in table.column_names[1:]]
        assert all(length.equals(lengths[0]) for length in lengths), "list columns must be parallel"
    assert {"particle_id", "x", "y", "z", "weight"} <= set(hits.column_names)
    assert {"particle_id", "px", "py", "pz", "primary"} <= set(particles.column_names)

    per_event = pc.list_value_length(particles.column("particle_id")).to_pylist()
    assert min(per_event) >= 10 and max(per_event) <= 20
    hit_particles = pc.list_flatten(hits.column("particle_id")).to_pylist()
    noise = [pid for pid in hit_particles if pid == 0]
    assert 0 < len(noise) < 0.2 * len(hit_particles)
    hits_per_particle: dict[int, int] = {}
    for pid in hit_particles:
        if pid:
            hits_per_particle[pid] = hits_per_particle.get(pid, 0) + 1
    assert min(hits_per_particle.values()) >= 5 and max(hits_per_particle.values()) <= 12
    primary = pc.list_flatten(particles.column("primary")).to_pylist()
    assert 0 < primary.count(False) < primary.count(True)
    weights = pc.list_flatten(hits.column("weight")).to_numpy()
    assert weights[[i for i, pid in enumerate(hit_particles) if pid == 0]].max() == 0.0
    assert {path.name for path in local_truth.iterdir()} == {
        f"{name}-v{truth.TRUTH_VERSION}.parquet" for name in truth.TABLE_NAMES
    }


def test_truth_is_deterministic(tmp_path: Path) -> None:
    first = truth.load_truth(tmp_path / "a")
    second = truth.load_truth(tmp_path / "b")
    for name in truth.TABLE_NAMES:
        assert first[name].equals(second[name])
        assert first[name].equals(truth.generate_truth()[name])


def test_data_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_BACKEND_DATA", str(tmp_path / "elsewhere"))
    assert truth.data_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("LOCAL_BACKEND_DATA")
    assert truth.data_dir() == Path(".local_backend/truth")


def test_two_processes_writing_the_truth_at_once_both_succeed(tmp_path: Path) -> None:
    script = (
        "import sys; from local_backend import truth; "
        "t = truth.load_truth(sys.argv[1]); print(t['tracker_hits'].num_rows)"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert {out for out, _ in outputs} == {f"{truth.EVAL_RANGE[1] - truth.EVAL_RANGE[0]}\n"}
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{name}-v{truth.TRUTH_VERSION}.parquet" for name in truth.TABLE_NAMES
    ), "no temporary file may be left behind"
    read_back = truth.load_truth(tmp_path)
    assert read_back["tracker_hits"].equals(truth.generate_truth()["tracker_hits"])


# --- scoring -------------------------------------------------------------------------------------


def test_every_task_scores_without_touching_the_network(network_calls: list[str]) -> None:
    for task in scoring.task_names():
        table = predictions.make_predictions(task, 0.5)
        scoring.validate(task, table)
        scoring.score(task, table)
    # Tasks without local data refuse to load instead of downloading (anomaly skips channels).
    assert scoring.get_task("anomaly").load_eval_inputs() == {}
    assert network_calls == []


def test_the_network_observation_is_live(network_calls: list[str]) -> None:
    """colliderml's own loader, unwired, does go through the observed function (a reversed range
    fails before any download), so the empty record above means something."""
    import colliderml.tasks

    with pytest.raises(ValueError, match="event_range"):
        colliderml.tasks.get("tracking").load(tables=["tracker_hits"], event_range=(10, 5))
    assert network_calls == ["load_task_data"]


def test_the_registry_is_the_task_list() -> None:
    assert set(SIX_TASKS) <= set(scoring.task_names())
    assert frozenset(SIX_TASKS) == predictions.TASKS


@pytest.mark.parametrize("task", SIX_TASKS)
def test_generated_predictions_validate_and_score_finite(task: str) -> None:
    task_metrics = scoring.task_summary(task)["metrics"]
    for quality in (0.0, 0.5, 1.0):
        table = predictions.make_predictions(task, quality, seed=3)
        scoring.validate(task, table)
        scores = scoring.score(task, table)
        assert list(scores) == task_metrics
        assert all(isinstance(value, float) and math.isfinite(value) for value in scores.values()), scores


@pytest.mark.parametrize("task", SIX_TASKS)
def test_higher_quality_scores_better_on_the_primary_metric(task: str) -> None:
    summary = scoring.task_summary(task)
    primary = summary["metrics"][0]
    low = scoring.score(task, predictions.make_predictions(task, 0.1))[primary]
    high = scoring.score(task, predictions.make_predictions(task, 0.9))[primary]
    assert (high > low) if summary["higher_is_better"][primary] else (high < low), (low, high)


def test_tracking_predictions_reach_the_physics_efficiency() -> None:
    scores = scoring.score("tracking", predictions.make_predictions("tracking", 0.9))
    assert scores["physics_eff_pt1"] > 0.5
    worse = scoring.score("tracking", predictions.make_predictions("tracking", 0.1))
    assert worse["fake_rate"] >= scores["fake_rate"] and worse["dup_rate"] > scores["dup_rate"]


def test_tracking_small_declares_its_model_size() -> None:
    table = predictions.make_predictions("tracking_small", 0.5, n_params=5_000)
    scores = scoring.score("tracking_small", table)
    assert (scores["n_params"], scores["tier"]) == (5_000.0, 1.0)
    default_small = predictions.make_predictions("tracking_small", 1.0).column("n_params")[0].as_py()
    default_large = predictions.make_predictions("tracking_small", 0.0).column("n_params")[0].as_py()
    assert default_small < default_large


def test_predictions_are_deterministic_per_task_quality_and_seed() -> None:
    for task in SIX_TASKS:
        same = predictions.to_parquet_bytes(predictions.make_predictions(task, 0.4, seed=9))
        assert same == predictions.to_parquet_bytes(predictions.make_predictions(task, 0.4, seed=9))
        assert same != predictions.to_parquet_bytes(predictions.make_predictions(task, 0.4, seed=10))


def test_unknown_tasks_and_bad_quality_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Unknown task 'nope'\. Available: .*tracking"):
        scoring.get_task("nope")
    with pytest.raises(ValueError, match="Unknown task"):
        scoring.validate("nope", pa.table({"x": [1]}))
    with pytest.raises(ValueError, match="No prediction generator"):
        predictions.make_predictions("nope", 0.5)
    with pytest.raises(ValueError, match="quality"):
        predictions.make_predictions("jets", 1.5)


def test_validation_reports_colliderml_messages() -> None:
    with pytest.raises(ValueError, match="no rows"):
        scoring.validate("jets", predictions.make_predictions("jets", 0.5).slice(0, 0))
    with pytest.raises(ValueError, match="Tracking predictions must have columns"):
        scoring.validate("tracking", pa.table({"event_id": [90_000], "hit_id": [0]}))
    tracking = predictions.make_predictions("tracking", 0.5)
    first_events = pc.less(tracking.column("event_id"), truth.EVAL_RANGE[0] + 50)
    with pytest.raises(ValueError, match="miss too many eval events"):
        scoring.validate("tracking", tracking.filter(first_events))
    jets = predictions.make_predictions("jets", 0.5)
    with pytest.raises(ValueError, match="must sum to 1"):
        scoring.validate("jets", jets.set_column(2, "prob_b", pa.array([0.9] * jets.num_rows)))
    with pytest.raises(ValueError, match="Predictions do not fit task 'tracking'"):
        scoring.validate("tracking", pa.table({"event_id": [None, 90_000], "hit_id": [0, 1], "track_id": [1, 1]}))


def test_task_summaries_are_complete() -> None:
    for task in scoring.task_names():
        summary = scoring.task_summary(task)
        assert summary["name"] == task
        assert summary["dataset"]
        assert set(summary["higher_is_better"]) == set(summary["metrics"])
        assert isinstance(summary["eval_event_range"], list)
    tracking = scoring.task_summary("tracking")
    assert tracking["eval_event_range"] == list(truth.EVAL_RANGE)
    assert tracking["higher_is_better"]["fake_rate"] is False


def test_each_task_instance_is_fresh() -> None:
    assert scoring.get_task("tracking") is not scoring.get_task("tracking")
