"""The sample predictions file of every task: it passes the dashboard's check, the local backend
scores it over HTTP with finite scores, and it is small, fast to build and the same bytes every time.

Every task is tried with two catalogues: the local backend's (`/v1/benchmark/tasks`, whose
tracking eval range is its synthetic truth's 200 events) and the task table's fallback (the
production ranges, 10,000 tracking events), so the sample fits whichever backend answers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from components import samples, task_rules
from components.api import BackendClient
from components.tasks import FALLBACK_TASKS, TaskInfo
from components.upload_checks import check_predictions
from tests.conftest import LocalBackend

REPO_ROOT = Path(__file__).resolve().parents[1]
TASKS = list(task_rules.RULES)
MAX_BYTES = 200 * 2**20
#: "A few hundred kB at most".
SIZE_LIMIT = 400 * 1024
#: Building a sample happens when someone clicks Download: well under a second, on a busy machine too.
BUILD_SECONDS = 0.5
#: The primary metric a random-quality sample stays below (the local backend's seeded "very good"
#: files reach 0.9 and more): a sample must not look like copied truth.
RANDOM_QUALITY_CEILING = {"tracking": 0.6, "tracking_small": 0.6, "jets": 0.7, "anomaly": 0.7}

FALLBACK = {task.name: task for task in FALLBACK_TASKS}


@pytest.fixture(scope="module")
def backend_tasks(backend: LocalBackend) -> dict[str, TaskInfo]:
    """The local backend's catalogue, as the dashboard reads it."""
    return {task.name: task for task in BackendClient(backend.url).tasks()}


def _check(data: bytes, task: TaskInfo) -> None:
    """The dashboard's own check passes the sample with nothing to say: no problem and no warning."""
    result = check_predictions(data, task, max_bytes=MAX_BYTES)
    assert result.ok, result.problems
    assert result.problems == []
    assert result.warnings == []
    assert result.rows == pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
    if result.local_scores is not None:
        assert all(math.isfinite(v) for v in result.local_scores.values()), result.local_scores


@pytest.mark.parametrize("name", TASKS)
def test_the_sample_passes_the_check_with_the_backends_and_the_tables_ranges(
    name: str, backend_tasks: dict[str, TaskInfo]
) -> None:
    for task in (backend_tasks[name], FALLBACK[name]):
        data = samples.sample_predictions(task)
        assert data is not None
        _check(data, task)


@pytest.mark.parametrize("name", TASKS)
def test_the_local_backend_scores_the_sample_with_finite_scores_and_dedups_a_second_download(
    name: str, backend: LocalBackend, backend_tasks: dict[str, TaskInfo]
) -> None:
    task = backend_tasks[name]
    data = samples.sample_predictions(task)
    assert data is not None
    headers = {"Authorization": f"Bearer {backend.token(f'sample-{name}')}"}

    def submit(payload: bytes) -> dict:
        answer = httpx.post(
            f"{backend.url}/v1/benchmark/{name}/submit",
            files={"predictions": ("predictions.parquet", payload, "application/octet-stream")},
            headers=headers,
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        body: dict = answer.json()
        return body

    first = submit(data)
    scores = first["scores"]
    assert set(scores) == set(task.metrics)
    assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in scores.values()), scores
    if name in RANDOM_QUALITY_CEILING:
        assert scores[task.primary] < RANDOM_QUALITY_CEILING[name], scores
    assert first["deduplicated"] is False

    again = submit(samples.sample_predictions(task) or b"")
    assert again["deduplicated"] is True
    assert again["submission_id"] == first["submission_id"]


@pytest.mark.parametrize("name", TASKS)
def test_the_sample_is_small_fast_deterministic_and_laid_out_as_the_table_says(name: str) -> None:
    task = FALLBACK[name]  # the production ranges: the largest files
    samples._sample.cache_clear()
    started = time.perf_counter()
    data = samples.sample_predictions(task)
    took = time.perf_counter() - started
    assert data is not None
    assert took < BUILD_SECONDS, f"{name}: {took:.3f} s"
    assert len(data) < SIZE_LIMIT, f"{name}: {len(data):,} bytes"
    assert samples.sample_predictions(task) == data
    samples._sample.cache_clear()
    assert samples.sample_predictions(task) == data

    rules = task_rules.RULES[name]
    assert task.eval_event_range is not None
    start, end = task.eval_event_range
    table = pq.read_table(pa.BufferReader(data))
    assert tuple(table.column_names) == rules.column_names
    assert table.schema.metadata is None or b"pandas" not in table.schema.metadata
    if rules.layout == "one_row":
        assert table.num_rows == 1
        row = table.to_pylist()[0]
        assert all(value > 0 for value in row.values())
        assert row["n_events"] == end - start
    for column in rules.constant:
        assert len(set(table.column(column).to_pylist())) == 1
    if rules.layout == "per_hit":
        # Every eval event, hits numbered 0, 1, … in each, a few tracks per event.
        events = table.column("event_id").to_numpy()
        assert sorted(set(events.tolist())) == list(range(start, end))
        first = table.filter(pc.equal(table.column("event_id"), start))
        assert first.column("hit_id").to_pylist() == list(range(first.num_rows))
        assert 2 <= len(set(first.column("track_id").to_pylist())) <= samples.TRACKS_PER_EVENT


def test_the_samples_are_the_same_bytes_in_another_process() -> None:
    """What a second download gets after a restart (or from another replica) dedups too."""
    code = (
        "import hashlib\n"
        "from components import samples\n"
        "from components.tasks import FALLBACK_TASKS\n"
        "for t in FALLBACK_TASKS:\n"
        "    print(t.name, hashlib.sha256(samples.sample_predictions(t)).hexdigest())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    theirs = dict(line.split() for line in done.stdout.splitlines())
    ours = {t.name: hashlib.sha256(samples.sample_predictions(t) or b"").hexdigest() for t in FALLBACK_TASKS}
    assert theirs == ours


def test_a_task_the_table_does_not_know_has_no_sample() -> None:
    newer = TaskInfo(name="muon_id", dataset="muons", metrics=("muon_auc",), eval_event_range=(0, 1000))
    assert samples.sample_predictions(newer) is None
    assert samples.sample_filename(newer) == "muon_id_sample_predictions.parquet"


def test_a_tracking_range_too_large_for_a_small_file_has_no_sample_and_up_to_it_one_that_passes() -> None:
    tracking = FALLBACK["tracking"]
    limit = samples.MAX_TRACKING_EVENTS
    too_large = dataclasses.replace(tracking, eval_event_range=(0, limit + 1))
    assert samples.sample_predictions(too_large) is None

    largest = dataclasses.replace(tracking, eval_event_range=(0, limit))
    data = samples.sample_predictions(largest)
    assert data is not None
    assert len(data) < SIZE_LIMIT
    _check(data, largest)


def test_a_task_without_an_eval_range_gets_the_tables() -> None:
    """The catalogue left the range out: the sample covers the task table's range."""
    for name in TASKS:
        bare = dataclasses.replace(FALLBACK[name], eval_event_range=None)
        assert samples.sample_predictions(bare) == samples.sample_predictions(FALLBACK[name])


def test_importing_the_module_does_not_import_colliderml() -> None:
    """The dashboard's cold start must not pay for colliderml: it is imported when an anomaly sample is built."""
    done = subprocess.run(
        [sys.executable, "-c", "import components.samples, sys; print('colliderml' in sys.modules)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr
