"""Memory of the pre-check, measured in fresh subprocesses: big files and small hostile ones.

The promise: any upload under the size cap costs at most 256 MB of extra peak memory (peak
RSS above the RSS after the imports and a warm-up check of a tiny file, as bench/precheck.py
measures it), whatever its footer and statistics claim. Each hostile file below is a few kB
to a few hundred kB on disk and once cost gigabytes. No timing is asserted (the machines are
shared); a generous subprocess timeout guards against a hang.
"""

from __future__ import annotations

from pathlib import Path

from bench.precheck import Measurement, measure_in_subprocess, write_tracking_file
from tests import hostile_files as hostile

MiB = 1024 * 1024
BUDGET = 256 * MiB
#: The dashboard's upload cap (MAX_UPLOAD_MB's default): the hostile files are checked as the page checks them.
CAP = 200 * MiB
HANG_GUARD_S = 300
FIRST = hostile.FIRST_EVENT


def _check(path: Path, task: str, eval_range: tuple[int, int], warmup: Path | None = None) -> Measurement:
    measured = measure_in_subprocess("precheck", path, CAP, eval_range, task=task, warmup=warmup, timeout=HANG_GUARD_S)
    assert not measured.error, measured.error
    return measured


def test_checking_a_100_mb_tracking_file_stays_bounded(tmp_path: Path) -> None:
    """Peak RSS above the imports, in a fresh process: far below the decoded table.

    Reading the three columns whole would take rows x 24 bytes (about 2 GB here); the check
    holds a batch and a fixed budget of (event_id, hit_id) pairs instead.
    """
    path = tmp_path / "tracking-100MB.parquet"
    rows = write_tracking_file(path, 100 * 1024 * 1024, tolerance=0.5)  # one write: about is enough
    assert path.stat().st_size > 50 * 1024 * 1024
    decoded = rows * 3 * 8

    measured = measure_in_subprocess("precheck", path, max_bytes=1024 * 1024 * 1024)

    assert not measured.error, measured.error
    assert measured.outcome == "ok"
    assert measured.extra_bytes < 256 * 1024 * 1024
    assert measured.extra_bytes < decoded / 4


def test_long_text_between_tiny_statistics_is_never_materialised(tmp_path: Path) -> None:
    """1,998 channels of 256 kB between 'A' and 'Z': 512 MB of text in a 6 kB file. It once
    took colliderml's whole-table path (the statistics made it look tiny): +1.6 GB."""
    path = hostile.long_channels(tmp_path / "channels.parquet")
    assert path.stat().st_size < 16 * 1024

    measured = _check(path, "anomaly", (0, 1), hostile.tiny_file("anomaly", tmp_path / "tiny.parquet"))

    assert measured.outcome == "ok"  # the backend would take it: it only says which rows it labels SM
    unknown, not_scored = measured.warnings
    assert unknown.startswith("2,000 rows have a channel the installed colliderml does not know ('A', 'MMMM")
    assert "M" * 40 not in unknown and len(unknown) < 300  # the 256 kB value is quoted cut
    assert not_scored.startswith("The file was not scored locally: colliderml's scorer could need up to 1,0")
    assert measured.extra_bytes < BUDGET


def test_one_unsorted_event_of_20_million_hits_refused_for_coverage(tmp_path: Path) -> None:
    """The duplicate-hit pass once held the whole event (+826 MB) before the coverage refusal."""
    path = hostile.one_huge_event(tmp_path / "event.parquet")
    assert path.stat().st_size < 1024 * 1024

    measured = _check(path, "tracking", (FIRST, FIRST + 200))

    assert measured.outcome == "Only 1 of the 200 eval events (90000–90199) are covered; at least half are needed."
    assert measured.extra_bytes < BUDGET


def test_one_unsorted_event_of_20_million_hits_gets_a_bounded_duplicate_pass(tmp_path: Path) -> None:
    """The same event as the whole eval range: the duplicate pass runs, in hash partitions."""
    path = hostile.one_huge_event(tmp_path / "event.parquet")

    measured = _check(path, "tracking", (FIRST, FIRST + 1))

    assert measured.outcome.startswith(
        "19,999,998 rows repeat an (event_id, hit_id) pair already in the file (e.g. event 90000, hit "
    )
    assert measured.extra_bytes < BUDGET


def test_twenty_million_events_in_300_kb_are_counted_not_kept(tmp_path: Path) -> None:
    """Each event's row count was kept, and merged again and again: +1.6 GB, 9 s."""
    path = hostile.many_events(tmp_path / "events.parquet")
    assert path.stat().st_size < 1024 * 1024

    measured = _check(path, "tracking", (FIRST, FIRST + 200))

    assert measured.outcome == "ok"
    (outside,) = measured.warnings
    assert outside.startswith("19,999,800 rows in more than 1,0")  # the events dropped when MAX_EVENTS was passed
    assert outside.endswith("events lie outside the eval range 90000–90199; the backend does not score them.")
    assert measured.extra_bytes < BUDGET


def test_a_huge_column_the_task_does_not_need_is_never_decoded(tmp_path: Path) -> None:
    """One 128 MB value in an extra column, a page of 128 MB: the preview once decoded it
    (+851 MB for 400 MB; the benchmark checks that size, this test spares the machine)."""
    path = hostile.unneeded_huge_column(tmp_path / "notes.parquet", value_bytes=128 * MiB)
    assert path.stat().st_size < 64 * 1024

    measured = _check(path, "tracking", (FIRST, FIRST + 200))

    assert measured.outcome == "ok"
    assert measured.extra_bytes < BUDGET
