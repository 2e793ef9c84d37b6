"""What the pre-upload check costs: on big valid tracking files, and on small hostile ones.

Generates tracking prediction files of about 10 MB and 100 MB (and 1 GB with ``--big``) in a
temporary directory, then runs, each in a fresh subprocess so peak memory is its own:

* ``precheck``: ``components.upload_checks.check_predictions(path, task, ...)``;
* ``colliderml``: ``colliderml.tasks.get("tracking").validate_predictions(pq.read_table(path))``,
  what the backend does before scoring;
* ``floor``: ``pq.read_table(path, columns=<the task's required columns>)``, the least any
  check that reads the values could cost.

Both use the same eval event range. Only files that decode to under 4 MiB (about 170,000 rows)
also get colliderml's validation inside the pre-check, as a cross-check; the files here are bigger.

Then the hostile files of tests/hostile_files.py (a few kB on disk, gigabytes to a naive
check), checked with the dashboard's own limits (a 200 MB upload cap): the pre-check's time
and extra memory, its verdict, and the floor.

    .venv/bin/python bench/precheck.py [--big] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from components.tasks import TaskInfo

ROOT = Path(__file__).resolve().parent.parent
EVAL_RANGE = (90_000, 100_000)
EVENTS_PER_CHUNK = 100
MiB = 1024 * 1024
#: Peak memory of colliderml's validation per byte of these files (measured: 27 to 30).
COLLIDERML_BYTES_PER_FILE_BYTE = 32
SIZES = {"10 MB": 10 * MiB, "100 MB": 100 * MiB, "1 GB": 1024 * MiB}
#: The dashboard's upload cap (MAX_UPLOAD_MB's default), for the hostile files.
APP_MAX_BYTES = 200 * MiB


def _event_chunk(events: np.ndarray, hits_per_event: int, rng: np.random.Generator) -> pa.Table:
    """Hits numbered from 0 in each event, grouped into tracks of about ten hits (-1: no track)."""
    event_id = np.repeat(events, hits_per_event)
    hit_id = np.tile(np.arange(hits_per_event, dtype=np.int64), len(events))
    track_id = rng.integers(-1, max(hits_per_event // 10, 1), size=len(event_id))
    return pa.table({"event_id": event_id, "hit_id": hit_id, "track_id": track_id})


def _write_events(path: str | os.PathLike[str], events: np.ndarray, hits_per_event: int, seed: int) -> int:
    """Write the file a few events at a time (a 1 GB file costs no more memory than a small one)."""
    rng = np.random.default_rng(seed)
    schema = _event_chunk(events[:1], 1, rng).schema
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(events), EVENTS_PER_CHUNK):
            writer.write_table(_event_chunk(events[start : start + EVENTS_PER_CHUNK], hits_per_event, rng))
    return os.path.getsize(path)


def write_tracking_file(
    path: str | os.PathLike[str],
    target_bytes: int,
    eval_range: tuple[int, int] = EVAL_RANGE,
    seed: int = 0,
    tolerance: float = 0.1,
) -> int:
    """Write valid tracking predictions of ``target_bytes`` (give or take ``tolerance``)
    covering every eval event; returns the number of rows.

    Bytes per row jump where the dictionary bit width of hit and track ids steps up (every
    power of two), so some sizes cannot be hit exactly: the file is written, measured and
    rewritten with a corrected event size a few times, keeping the closest.
    """
    events = np.arange(*eval_range, dtype=np.int64)
    hits_per_event = max(target_bytes // (2 * len(events)), 1)  # about 2 bytes a row
    tried: dict[int, int] = {}
    for _ in range(4):
        tried[hits_per_event] = _write_events(path, events, hits_per_event, seed)
        if abs(tried[hits_per_event] - target_bytes) <= tolerance * target_bytes:
            return hits_per_event * len(events)
        hits_per_event = max(round(hits_per_event * target_bytes / tried[hits_per_event]), 1)
        if hits_per_event in tried:
            break
    best = min(tried, key=lambda hits: abs(tried[hits] - target_bytes))
    _write_events(path, events, best, seed)
    return best * len(events)


def _available_bytes() -> int:
    """Memory the kernel can hand out now (MemAvailable), 0 when unknown."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _status_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def _peak_rss_bytes() -> int:
    """Peak RSS of this process image. Not ``getrusage().ru_maxrss``: Linux carries that over
    from the parent across fork and exec, so a child of a big pytest process reports the
    parent's peak. VmHWM belongs to the process's own address space; ru_maxrss is the
    fallback off Linux."""
    return _status_bytes("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current_rss_bytes() -> int:
    return _status_bytes("VmRSS")


@dataclass
class Measurement:
    """One method on one file, in a process of its own."""

    seconds: float = 0.0
    peak_bytes: int = 0
    baseline_bytes: int = 0
    #: "ok", or the check's problems (colliderml's exception) joined.
    outcome: str = "ok"
    warnings: list[str] = dataclasses.field(default_factory=list)
    error: str = ""

    @property
    def extra_bytes(self) -> int:
        """Peak RSS above what the interpreter held after its imports and a warm-up check."""
        return self.peak_bytes - self.baseline_bytes


def _task(name: str, eval_range: tuple[int, int]) -> TaskInfo:
    """The contract's task; tracking tasks get ``eval_range`` (the backend advertises theirs)."""
    from components.tasks import FALLBACK_TASKS

    task = next(t for t in FALLBACK_TASKS if t.name == name)
    return dataclasses.replace(task, eval_event_range=eval_range) if name in ("tracking", "tracking_small") else task


def measure(
    method: str,
    path: str,
    max_bytes: int,
    eval_range: tuple[int, int],
    task_name: str = "tracking",
    warmup: str | None = None,
    max_decoded_bytes: int | None = None,
) -> Measurement:
    """Run one method on ``path`` in this process; time and memory above the baseline taken
    after one run on a tiny file (``warmup``, or a tiny tracking file written here)."""
    import colliderml.tasks

    from components.upload_checks import REQUIRED_COLUMNS, check_predictions

    task = _task(task_name, eval_range)
    validator = colliderml.tasks.get(task_name)
    if task_name == "tracking":
        validator.eval_event_range = eval_range
    warnings: list[str] = []

    def run(file: str | os.PathLike[str]) -> str:
        if method == "precheck":
            result = check_predictions(file, task, max_bytes=max_bytes, max_decoded_bytes=max_decoded_bytes)
            warnings[:] = result.warnings
            return "ok" if result.ok else "; ".join(result.problems)
        if method == "floor":
            pq.read_table(file, columns=[name for name, _ in REQUIRED_COLUMNS[task_name]])
            return "ok"
        try:
            validator.validate_predictions(pq.read_table(file))
        except ValueError as exc:
            return str(exc)
        return "ok"

    # One run on a tiny file first: what a server pays once (lazy imports, allocator pools,
    # about 24 MB for the pre-check) is not memory this file needs.
    with tempfile.TemporaryDirectory(prefix="precheck-warmup-") as tmp:
        if warmup is None:
            warmup = str(Path(tmp) / "tiny.parquet")
            write_tracking_file(warmup, 200_000, eval_range)
        run(warmup)
    baseline = _current_rss_bytes()
    started = time.perf_counter()
    outcome = run(path)
    seconds = time.perf_counter() - started
    return Measurement(seconds, _peak_rss_bytes(), baseline, outcome, warnings)


def measure_in_subprocess(
    method: str,
    path: str | os.PathLike[str],
    max_bytes: int,
    eval_range: tuple[int, int] = EVAL_RANGE,
    *,
    task: str = "tracking",
    warmup: str | os.PathLike[str] | None = None,
    max_decoded_bytes: int | None = None,
    timeout: float | None = None,
) -> Measurement:
    """:func:`measure` in a fresh interpreter, so the peak RSS belongs to that method alone.
    ``warmup`` is a tiny file of ``task`` (needed for tasks other than tracking)."""
    command = [
        sys.executable, str(Path(__file__).resolve()), "--measure", method, os.fspath(path),
        "--max-bytes", str(max_bytes), "--range", str(eval_range[0]), str(eval_range[1]), "--task", task,
    ]  # fmt: skip
    if warmup is not None:
        command += ["--warmup", os.fspath(warmup)]
    if max_decoded_bytes is not None:
        command += ["--max-decoded-bytes", str(max_decoded_bytes)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False, timeout=timeout)
    if done.returncode != 0:
        return Measurement(error=f"exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))


def _mb(n: float) -> str:
    return f"{n / MiB:,.0f}"


def _seconds(m: Measurement) -> str:
    return "failed" if m.error else f"{m.seconds:.2f}"


def _memory(m: Measurement) -> str:
    return "failed" if m.error else _mb(m.extra_bytes)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "-"


def _row(label: str, size: int, rows: int, ours: Measurement, theirs: Measurement, floor: Measurement) -> str:
    ratio_t = ratio_m = floor_ratio = "-"
    if not (ours.error or theirs.error):
        ratio_t = _ratio(ours.seconds, theirs.seconds)
        ratio_m = _ratio(ours.extra_bytes, max(theirs.extra_bytes, 1))
    if not (ours.error or floor.error):
        floor_ratio = _ratio(ours.seconds, floor.seconds)
    return (
        f"{label:>7} {_mb(size):>8} {rows:>12,} | {_seconds(ours):>8} {_seconds(theirs):>8} {ratio_t:>6} | "
        f"{_seconds(floor):>8} {floor_ratio:>6} | {_memory(ours):>8} {_memory(theirs):>8} {ratio_m:>6}"
    )


def _valid_files(directory: Path, big: bool, max_bytes: int) -> None:
    """The table of valid tracking files: the check against colliderml and against the floor."""
    sizes = {k: v for k, v in SIZES.items() if big or k != "1 GB"}
    print(f"{'file':>7} {'MB':>8} {'rows':>12} | {'check s':>8} {'cml s':>8} {'ratio':>6} | "
          f"{'floor s':>8} {'x floor':>6} | {'check MB':>8} {'cml MB':>8} {'ratio':>6}")  # fmt: skip
    for label, target in sizes.items():
        path = directory / f"tracking-{label.replace(' ', '')}.parquet"
        rows = write_tracking_file(path, target)
        size = path.stat().st_size
        limit = max(max_bytes, size + 1)
        ours = measure_in_subprocess("precheck", path, limit, max_decoded_bytes=64 * limit)
        floor = measure_in_subprocess("floor", path, limit)
        needed = COLLIDERML_BYTES_PER_FILE_BYTE * size
        if needed < 0.8 * _available_bytes():
            theirs = measure_in_subprocess("colliderml", path, max_bytes)
        else:  # on a shared machine, the OOM killer might pick someone else's process
            theirs = Measurement(error=f"skipped: would need about {_mb(needed)} MB of memory")
        print(_row(label, size, rows, ours, theirs, floor), flush=True)
        for name, m in (("check", ours), ("colliderml", theirs)):
            if m.error or m.outcome != "ok":
                print(f"        {name}: {m.error or m.outcome}")


def _hostile_files(directory: Path) -> None:
    """The hostile corpus: what the check costs and says, with the dashboard's limits."""
    from tests import hostile_files as hostile

    first = hostile.FIRST_EVENT
    warmups = {task: hostile.tiny_file(task, directory / f"tiny-{task}.parquet") for task in ("anomaly",)}
    cases: list[tuple[str, str, tuple[int, int], Callable[[Path], Path]]] = [
        ("long channels (512 MB of text)", "anomaly", EVAL_RANGE, hostile.long_channels),
        ("one event of 20 M hits", "tracking", (first, first + 200), hostile.one_huge_event),
        ("the same, its event the eval range", "tracking", (first, first + 1), hostile.one_huge_event),
        ("one event of 40 M hits, eval range", "tracking", (first, first + 1),
         lambda p: hostile.one_huge_event(p, hits=40_000_000)),
        ("20 M distinct hits, eval range", "tracking", (first, first + 1),
         lambda p: hostile.one_huge_event(p, distinct=True)),
        ("20 M events of one hit", "tracking", (first, first + 200), hostile.many_events),
        ("an unneeded 400 MB column", "tracking", (first, first + 200), hostile.unneeded_huge_column),
    ]  # fmt: skip
    print(f"\n{'hostile file':<36} {'task':<9} {'disk kB':>8} | {'check s':>8} {'floor s':>8} | "
          f"{'check MB':>8} {'floor MB':>8} | verdict")  # fmt: skip
    for index, (label, task, eval_range, build) in enumerate(cases):
        path = build(directory / f"hostile-{index}.parquet")
        warmup = warmups.get(task)
        ours = measure_in_subprocess("precheck", path, APP_MAX_BYTES, eval_range, task=task, warmup=warmup)
        floor = measure_in_subprocess("floor", path, APP_MAX_BYTES, eval_range, task=task, warmup=warmup)
        verdict = ours.error or ("passed" if ours.outcome == "ok" else f"refused: {ours.outcome}")
        times, memory = f"{_seconds(ours):>8} {_seconds(floor):>8}", f"{_memory(ours):>8} {_memory(floor):>8}"
        print(f"{label:<36} {task:<9} {path.stat().st_size / 1024:>8,.0f} | {times} | {memory} | {verdict[:100]}")
        for warning in ours.warnings:
            print(f"{'':<36} warning: {warning[:120]}")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true", help="also a 1 GB file")
    parser.add_argument("--keep", help="write the files here and keep them")
    parser.add_argument("--measure", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--max-bytes", type=int, default=2 * 1024 * MiB, help=argparse.SUPPRESS)
    parser.add_argument("--max-decoded-bytes", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--range", nargs=2, type=int, default=list(EVAL_RANGE), help=argparse.SUPPRESS)
    parser.add_argument("--task", default="tracking", help=argparse.SUPPRESS)
    parser.add_argument("--warmup", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # run as a script: components/ and tests/ come from the checkout
    if args.measure:
        method, path = args.measure
        measured = measure(
            method, path, args.max_bytes, tuple(args.range), args.task, args.warmup, args.max_decoded_bytes
        )
        print(json.dumps(dataclasses.asdict(measured)))
        return 0

    with tempfile.TemporaryDirectory(prefix="precheck-bench-") as scratch:
        directory = Path(args.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        _valid_files(directory, args.big, args.max_bytes)
        _hostile_files(directory)
    print("MB columns of memory: peak RSS above the RSS after imports and one warm-up check of a tiny file "
          "(fresh process each). x floor: the check's time over the floor's.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
