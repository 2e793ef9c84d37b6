"""The pre-check's limits, in process: local jets scores, page sizes, previews, quoted values,
and duplicate hits within one huge event. (Their memory is measured in test_upload_memory.py.)"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import colliderml.tasks
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from components.upload_checks import duplicates, events, footprint, source
from tests import hostile_files as hostile
from tests.upload_tables import anomaly, check, jets, parquet_bytes, tracking


def test_a_near_perfect_jets_file_is_refused_for_its_infinite_rejection() -> None:
    """The backend would answer 500 and store nothing: PostgreSQL refuses Infinity."""
    result = check(parquet_bytes(hostile.near_perfect_jets()), "jets")

    assert not result.ok
    assert result.local_scores is None
    assert (
        "The local light_rej_70 is inf: the backend cannot store an infinite light_rej_70 and refuses "
        "the file (it answers 500 and stores nothing)."
    ) in result.problems


def test_an_ordinary_jets_file_gets_three_finite_local_scores_from_colliderml() -> None:
    table = jets()

    result = check(parquet_bytes(table), "jets")

    assert result.ok, result.problems
    assert result.local_scores == colliderml.tasks.get("jets").score(table)
    assert result.local_scores is not None
    assert list(result.local_scores) == ["btag_auc", "light_rej_70", "c_rej_70"]
    assert all(math.isfinite(v) for v in result.local_scores.values())


def test_a_nan_local_score_is_a_problem_too(monkeypatch: pytest.MonkeyPatch) -> None:
    task_class = type(colliderml.tasks.get("anomaly"))
    monkeypatch.setattr(task_class, "score", lambda self, preds: {"auroc": float("nan"), "sig_eff_1fpr": 0.5})

    result = check(parquet_bytes(anomaly()), "anomaly")

    assert result.problems == [
        "The local auroc is nan: the backend cannot store a NaN auroc and refuses the file "
        "(it answers 500 and stores nothing)."
    ]


# --------------------------------------------------------------------------------------------
# Text bounded by its pages, not its statistics; the preview; quoted values
# --------------------------------------------------------------------------------------------


def test_long_text_between_tiny_statistics_passes_unscored_and_quoted_short(tmp_path: Path) -> None:
    """512 MB of text between 'A' and 'Z': the dictionary page says how long the values are."""
    result = check(hostile.long_channels(tmp_path / "channels.parquet"), "anomaly")

    assert result.ok and result.local_scores is None
    assert result.warnings[1].startswith("The file was not scored locally: colliderml's scorer could need up to 1,0")
    assert result.warnings[1].endswith("MB of memory for it, more than the 128 MB allowed here. The backend scores it.")
    assert all(len(sentence) < 300 for sentence in result.warnings)
    channels = result.preview["channel"].tolist()
    assert channels[:2] == ["A", "M" * 39 + "…"]


def test_the_preview_holds_the_required_columns_only_and_a_refused_file_has_none() -> None:
    extra = tracking().append_column("notes", pa.array(["n" * 100] * 1_000))
    refused = tracking(range(90_000, 90_010)).append_column("notes", pa.array(["n"] * 50))

    passed = check(parquet_bytes(extra), "tracking")
    failed = check(parquet_bytes(refused), "tracking")

    assert passed.ok and list(passed.preview.columns) == ["event_id", "hit_id", "track_id"]
    assert len(passed.preview) == 20
    assert not failed.ok and failed.preview.empty


def test_a_page_too_big_to_decode_here_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 MB against a budget of 1 MB (the real budget is 48 MB: the same rule)."""
    monkeypatch.setattr(footprint, "PAGE_BUDGET", 1024 * 1024)
    table = anomaly(rows=4)
    table = table.set_column(1, "channel", pa.array(["x" * 2_000_000, "ttbar_pu0", "ttbar_pu0", "ttbar_pu0"]))

    result = check(parquet_bytes(table, use_dictionary=False, compression="zstd"), "anomaly")

    assert result.problems == [
        "Column 'channel' has a page of 1.9 MB once decompressed: decoding the columns checked here would "
        "hold 1.9 MB of pages at once, more than the 1.0 MB this check allows. pyarrow, polars and pandas "
        "write pages of about 1 MB; write the file with one of them (default page size)."
    ]


def test_a_footer_too_large_to_parse_here_is_refused_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing a footer costs about 8 times its size: a 32 MB one took 260 MB. (The real
    limit is 8 MB; a file with a footer that large takes seconds to write.)"""
    monkeypatch.setattr(source, "FOOTER_LIMIT", 1_000)

    result = check(parquet_bytes(tracking(), row_group_size=100), "tracking")  # ten row groups

    assert result.problems[0].startswith("The Parquet footer alone is ")
    assert result.problems[0].endswith(
        "(more than 1,000 bytes): the file has far too many row groups or columns. Write it with larger row groups."
    )


def test_a_file_split_into_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(footprint, "MAX_PAGES", 10)

    result = check(parquet_bytes(tracking(), row_group_size=100), "tracking")  # 30 pages

    assert result.problems[0].startswith("The file is split into more than 10 pages in the columns checked here")


def test_a_damaged_page_header_is_refused_before_any_page_is_decoded() -> None:
    data = bytearray(parquet_bytes(tracking(), compression="none"))
    chunk = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(1)  # hit_id
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data[start : start + 3] = b"\x0d\x0d\x0d"  # type 13: no such Thrift type

    result = check(bytes(data), "tracking")

    assert result.problems == ["The Parquet file is damaged: column 'hit_id', row group 0: unknown Thrift type 13."]


def test_values_quoted_in_messages_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    long_name = "Event" + "-" * 5_000 + "ID"  # the same name, once dashes are ignored
    near_miss = (
        tracking().rename_columns(["event_id_", "hit_id", "track_id"]).append_column(long_name, pa.array([1] * 1_000))
    )
    struct_type = pa.struct([(f"field_{i}", pa.int64()) for i in range(50)])
    structs = pa.array([{f"field_{i}": i for i in range(50)}] * 1_000, struct_type)
    task_class = type(colliderml.tasks.get("jets"))

    def refuse(self: Any, preds: pa.Table) -> None:
        raise ValueError("Jets are wrong: " + "y" * 5_000)

    monkeypatch.setattr(task_class, "validate_predictions", refuse)

    sentences = [
        *check(parquet_bytes(near_miss.drop_columns(["event_id_"])), "tracking").problems,
        *check(parquet_bytes(tracking().set_column(2, "track_id", structs)), "tracking").problems,
        *check(parquet_bytes(jets()), "jets").problems,
    ]

    assert len(sentences) == 3
    assert sentences[0].endswith("(The file has 'Event" + "-" * 34 + "…'; column names must match exactly.)")
    assert "holds records (struct<field_0: int64, field_1: int64, …);" in sentences[1]
    assert sentences[2] == "colliderml rejects the file: Jets are wrong: " + "y" * 63 + "…"


# --------------------------------------------------------------------------------------------
# Duplicate hits: one event too big for a slice; no second read for a file already refused
# --------------------------------------------------------------------------------------------


def test_repeats_within_one_event_too_big_for_a_slice_are_counted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Budgets of 300 rows and 100 hits per pass: the big event is split by hash over passes."""
    monkeypatch.setattr(duplicates, "DUPLICATE_BUDGET_ROWS", 300)
    monkeypatch.setattr(duplicates, "EVENT_PARTITION_HITS", 100)
    big = pa.table({"event_id": np.full(1_000, 90_100), "hit_id": np.arange(1_000), "track_id": np.zeros(1_000)})
    repeats = pa.table({"event_id": np.full(37, 90_100), "hit_id": np.arange(37) * 3, "track_id": np.zeros(37)})
    copies = pa.table({"event_id": np.full(500, 90_100), "hit_id": np.full(500, 7), "track_id": np.zeros(500)})
    table = pa.concat_tables([tracking(), *(t.cast(tracking().schema) for t in (big, repeats, copies))])
    table = table.take(np.random.default_rng(6).permutation(table.num_rows))

    result = check(parquet_bytes(table, row_group_size=256), "tracking")

    assert len(result.problems) == 1
    assert result.problems[0].startswith("542 rows repeat an (event_id, hit_id) pair already in the file (e.g. event ")


def test_the_duplicate_pass_is_skipped_for_a_file_already_refused() -> None:
    """It is the one pass that reads the file again: not worth it for a file that cannot go."""
    few = pa.concat_tables([tracking(range(90_000, 90_050)), tracking(range(90_000, 90_002))])
    unsorted = few.take(np.random.default_rng(7).permutation(few.num_rows))

    result = check(parquet_bytes(unsorted), "tracking")

    assert result.problems == ["Only 50 of the 200 eval events (90000–90199) are covered; at least half are needed."]


def test_a_file_too_far_out_of_order_is_left_unchecked_for_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each slice of 300 rows reads every row group of a shuffled file: 4 x 1,012 rows > 2,000."""
    monkeypatch.setattr(duplicates, "DUPLICATE_BUDGET_ROWS", 300)
    monkeypatch.setattr(duplicates, "DUPLICATE_READ_ROWS", 2_000)
    table = pa.concat_tables([tracking(), tracking(range(90_000, 90_006), hits=2)])
    shuffled = table.take(np.random.default_rng(8).permutation(table.num_rows))

    result = check(parquet_bytes(shuffled, row_group_size=256), "tracking")

    assert result.ok
    assert result.warnings == [
        "The file's 1,012 rows are too many and too far out of (event_id, hit_id) order to check here for hits "
        "assigned twice; written in that order, as files usually are, they are checked in one pass."
    ]


def test_a_file_of_too_many_events_keeps_only_the_eval_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events past MAX_EVENTS (here 300, merged every 100 pairs) are counted, not kept, unless
    they are eval events: a few hundred kB can hold millions. Repeats are still found among
    the eval events, in sorted files and in shuffled ones."""
    monkeypatch.setattr(events, "MAX_EVENTS", 300)
    monkeypatch.setattr(events, "MERGE_EVERY", 100)
    outside = pa.table({"event_id": np.arange(1_000, 2_000), "hit_id": np.zeros(1_000), "track_id": np.zeros(1_000)})
    table = pa.concat_tables([outside.cast(tracking().schema), tracking(), tracking(range(90_100, 90_101))])

    for rows in (table.sort_by([("event_id", "ascending"), ("hit_id", "ascending")]), shuffled(table)):
        result = check(parquet_bytes(rows, row_group_size=256), "tracking")

        assert result.problems == [
            "5 rows repeat an (event_id, hit_id) pair already in the file (e.g. event 90100, hit 0); "
            "each hit may be assigned to one track only."
        ]
        assert result.warnings[0].startswith("1,000 rows in more than ")
        assert result.warnings[0].endswith(
            " events lie outside the eval range 90000–90199; the backend does not score them."
        )


def shuffled(table: pa.Table) -> pa.Table:
    return table.take(np.random.default_rng(9).permutation(table.num_rows))
