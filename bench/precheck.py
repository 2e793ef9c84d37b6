"""How the pre-upload check compares with colliderml's own validation on big tracking files.

Generates tracking prediction files of about 10 MB and 100 MB (and 1 GB with ``--big``) in a
temporary directory, then runs, each in a fresh subprocess so peak memory is its own:

* ``precheck``: ``components.upload_checks.check_predictions(path, task, ...)``;
* ``colliderml``: ``colliderml.tasks.get("tracking").validate_predictions(pq.read_table(path))``,
  what the backend does before scoring.

Both use the same eval event range. Only files that decode to under 4 MiB (about 170,000 rows)
also get colliderml's validation inside the pre-check, as a cross-check; the files here are bigger.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
EVAL_RANGE = (90_000, 100_000)
EVENTS_PER_CHUNK = 100
MiB = 1024 * 1024
#: Peak memory of colliderml's validation per byte of these files (measured: 27 to 30).
COLLIDERML_BYTES_PER_FILE_BYTE = 32
SIZES = {"10 MB": 10 * MiB, "100 MB": 100 * MiB, "1 GB": 1024 * MiB}


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
    outcome: str = "ok"
    error: str = ""

    @property
    def extra_bytes(self) -> int:
        """Peak RSS above what the interpreter held after its imports."""
        return self.peak_bytes - self.baseline_bytes


def measure(method: str, path: str, max_bytes: int, eval_range: tuple[int, int]) -> Measurement:
    """Run one method on ``path`` in this process; time and memory above the imports' baseline."""
    import colliderml.tasks

    from components.tasks import FALLBACK_TASKS
    from components.upload_checks import check_predictions

    task = dataclasses.replace(
        next(t for t in FALLBACK_TASKS if t.name == "tracking"), eval_event_range=eval_range
    )
    validator = colliderml.tasks.get("tracking")
    validator.eval_event_range = eval_range

    def run(file: str | os.PathLike[str]) -> str:
        if method == "precheck":
            result = check_predictions(file, task, max_bytes=max_bytes, max_decoded_bytes=64 * max_bytes)
            return "ok" if result.ok else "; ".join(result.problems)
        try:
            validator.validate_predictions(pq.read_table(file))
        except ValueError as exc:
            return str(exc)
        return "ok"

    # One check of a tiny file first: what a server pays once (lazy imports, allocator pools,
    # about 24 MB for the pre-check) is not memory this file needs.
    with tempfile.TemporaryDirectory(prefix="precheck-warmup-") as tmp:
        tiny = Path(tmp) / "tiny.parquet"
        write_tracking_file(tiny, 200_000, eval_range)
        run(tiny)
    baseline = _current_rss_bytes()
    started = time.perf_counter()
    outcome = run(path)
    seconds = time.perf_counter() - started
    return Measurement(seconds, _peak_rss_bytes(), baseline, outcome)


def measure_in_subprocess(
    method: str, path: str | os.PathLike[str], max_bytes: int, eval_range: tuple[int, int] = EVAL_RANGE
) -> Measurement:
    """:func:`measure` in a fresh interpreter, so the peak RSS belongs to that method alone."""
    command = [
        sys.executable, str(Path(__file__).resolve()), "--measure", method, os.fspath(path),
        "--max-bytes", str(max_bytes), "--range", str(eval_range[0]), str(eval_range[1]),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        return Measurement(error=f"exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))


def _mb(n: float) -> str:
    return f"{n / MiB:,.0f}"


def _row(label: str, size: int, rows: int, ours: Measurement, theirs: Measurement) -> str:
    def seconds(m: Measurement) -> str:
        return "failed" if m.error else f"{m.seconds:.2f}"

    def memory(m: Measurement) -> str:
        return "failed" if m.error else _mb(m.extra_bytes)

    ratio_t = ratio_m = "-"
    if not (ours.error or theirs.error):
        ratio_t = f"{ours.seconds / theirs.seconds:.2f}"
        ratio_m = f"{ours.extra_bytes / max(theirs.extra_bytes, 1):.2f}"
    return (
        f"{label:>7} {_mb(size):>8} {rows:>12,} | {seconds(ours):>8} {seconds(theirs):>8} {ratio_t:>6} | "
        f"{memory(ours):>8} {memory(theirs):>8} {ratio_m:>6}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big", action="store_true", help="also a 1 GB file")
    parser.add_argument("--keep", help="write the files here and keep them")
    parser.add_argument("--measure", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--max-bytes", type=int, default=2 * 1024 * MiB, help=argparse.SUPPRESS)
    parser.add_argument("--range", nargs=2, type=int, default=list(EVAL_RANGE), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        sys.path.insert(0, str(ROOT))
        method, path = args.measure
        print(json.dumps(dataclasses.asdict(measure(method, path, args.max_bytes, tuple(args.range)))))
        return 0

    sizes = {k: v for k, v in SIZES.items() if args.big or k != "1 GB"}
    with tempfile.TemporaryDirectory(prefix="precheck-bench-") as scratch:
        directory = Path(args.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        print(f"{'file':>7} {'MB':>8} {'rows':>12} | {'check s':>8} {'cml s':>8} {'ratio':>6} | "
              f"{'check MB':>8} {'cml MB':>8} {'ratio':>6}")
        for label, target in sizes.items():
            path = directory / f"tracking-{label.replace(' ', '')}.parquet"
            rows = write_tracking_file(path, target)
            size = path.stat().st_size
            ours = measure_in_subprocess("precheck", path, max(args.max_bytes, size + 1))
            needed = COLLIDERML_BYTES_PER_FILE_BYTE * size
            if needed < 0.8 * _available_bytes():
                theirs = measure_in_subprocess("colliderml", path, args.max_bytes)
            else:  # on a shared machine, the OOM killer might pick someone else's process
                theirs = Measurement(error=f"skipped: would need about {_mb(needed)} MB of memory")
            print(_row(label, size, rows, ours, theirs), flush=True)
            for name, m in (("check", ours), ("colliderml", theirs)):
                if m.error or m.outcome != "ok":
                    print(f"        {name}: {m.error or m.outcome}")
    print("MB columns of memory: peak RSS above the RSS after imports and one warm-up check of a tiny file "
          "(fresh process each).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
