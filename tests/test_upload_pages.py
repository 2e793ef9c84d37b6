"""The page-header reader of the pre-check, against pyarrow's own metadata on honest files.

For a file written by pyarrow, polars or pandas the page headers of a column chunk add up to
the footer's sizes: headers plus compressed pages make total_compressed_size, headers plus
uncompressed pages total_uncompressed_size, and the data pages hold the chunk's values. The
reader must agree on every writer option, and refuse headers that make no sense.
"""

from __future__ import annotations

import io
import itertools
from typing import Any, Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from components.upload_checks.pages import (
    DATA_PAGE,
    DICTIONARY_PAGE,
    Layouts,
    PageHeader,
    PageHeaderError,
    TooManyPages,
    chunk_pages,
    parse_page_header,
)


def _table(rows: int = 30_000) -> pa.Table:
    """Every physical type the check may meet, with nulls, lists and repeated text."""
    return pa.table(
        {
            "ints": np.arange(rows, dtype=np.int64),
            "floats": np.random.default_rng(0).normal(size=rows),
            "channels": pa.array([f"channel-{i % 300}" for i in range(rows)]),
            "sparse": pa.array([f"unique-{i}" if i % 7 else None for i in range(rows)]),
            "flags": np.arange(rows) % 3 == 0,
            "lists": pa.array([[i, i + 1] if i % 5 else [] for i in range(rows)]),
            "fixed": pa.array([b"abcd"] * rows, pa.binary(4)),
        }
    )


def _pages_of_every_chunk(data: bytes) -> list[tuple[Any, list[PageHeader]]]:
    metadata = pq.ParquetFile(pa.BufferReader(data)).metadata
    chunks = []
    for group in range(metadata.num_row_groups):
        for leaf in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(leaf)
            start = chunk.data_page_offset
            if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                start = min(start, chunk.dictionary_page_offset)
            read = lambda offset, n: data[offset : offset + n]  # noqa: E731
            chunks.append((chunk, list(chunk_pages(read, start, chunk.total_compressed_size, chunk.num_values, 10**6))))
    return chunks


def _assert_pages_add_up(data: bytes) -> None:
    for chunk, pages in _pages_of_every_chunk(data):
        where = chunk.path_in_schema
        assert sum(p.header_size + p.compressed_size for p in pages) == chunk.total_compressed_size, where
        assert sum(p.header_size + p.uncompressed_size for p in pages) == chunk.total_uncompressed_size, where
        assert sum(p.num_values for p in pages if p.type != DICTIONARY_PAGE) == chunk.num_values, where
        assert [p.type == DICTIONARY_PAGE for p in pages].count(True) == int(chunk.has_dictionary_page), where


PYARROW_OPTIONS = list(
    itertools.product(["none", "snappy", "zstd", "gzip", "lz4", "brotli"], [True, False], ["1.0", "2.0"], [True, False])
)


@pytest.mark.parametrize(("compression", "dictionary", "version", "statistics"), PYARROW_OPTIONS)
def test_pyarrow_pages_add_up_to_the_footer(compression: str, dictionary: bool, version: str, statistics: bool) -> None:
    sink = io.BytesIO()
    pq.write_table(
        _table(),
        sink,
        compression=compression,
        use_dictionary=dictionary,
        data_page_version=version,
        write_statistics=statistics,
        row_group_size=12_000,
        data_page_size=16_000,  # several pages per chunk
    )
    _assert_pages_add_up(sink.getvalue())


def test_other_encodings_and_the_page_index_add_up() -> None:
    sink = io.BytesIO()
    encodings = {
        "ints": "DELTA_BINARY_PACKED",
        "sparse": "DELTA_BYTE_ARRAY",
        "channels": "DELTA_LENGTH_BYTE_ARRAY",
        "floats": "BYTE_STREAM_SPLIT",
    }
    pq.write_table(_table(), sink, use_dictionary=False, column_encoding=encodings, write_page_index=True)
    _assert_pages_add_up(sink.getvalue())


@pytest.mark.parametrize("compression", ["zstd", "snappy", "uncompressed"])
def test_polars_pages_add_up(compression: Literal["zstd", "snappy", "uncompressed"]) -> None:
    sink = io.BytesIO()
    pl.from_arrow(_table().drop_columns(["fixed"])).write_parquet(sink, compression=compression)  # type: ignore[union-attr]
    _assert_pages_add_up(sink.getvalue())


def test_pandas_pages_add_up() -> None:
    sink = io.BytesIO()
    _table().drop_columns(["fixed", "lists"]).to_pandas().to_parquet(sink)
    _assert_pages_add_up(sink.getvalue())


def test_a_data_page_header_reads_its_values_and_encoding() -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table({"x": pa.array(["a", "b"] * 500)}), sink, compression="none")
    ((_, pages),) = _pages_of_every_chunk(sink.getvalue())
    dictionary, data = pages
    assert (dictionary.type, dictionary.num_values) == (DICTIONARY_PAGE, 2)
    assert (data.type, data.num_values, data.encoding) == (DATA_PAGE, 1_000, 8)  # RLE_DICTIONARY


# --------------------------------------------------------------------------------------------
# Hand-made headers: the compact protocol, fields the reader does not know, damage
# --------------------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _i32(field_delta: int, value: int) -> bytes:
    return bytes([field_delta << 4 | 5]) + _varint((value << 1) ^ (value >> 63))


def _header() -> bytes:
    """A data page header: type 0, sizes 1000 / 400, and a data page header (field 5) of 250
    values in encoding 0 (PLAIN), its levels in encoding 3 (RLE)."""
    data_page = _i32(1, 250) + _i32(1, 0) + _i32(1, 3) + _i32(1, 3) + b"\x00"
    return _i32(1, 0) + _i32(1, 1_000) + _i32(1, 400) + bytes([2 << 4 | 0x0C]) + data_page + b"\x00"


def test_a_hand_made_header_is_read() -> None:
    header = parse_page_header(_header() + b"page data")
    assert header == PageHeader(DATA_PAGE, 1_000, 400, len(_header()), 250, 0)


def test_fields_the_reader_does_not_know_are_skipped() -> None:
    """A crc (field 4), then, under long-form field ids 30 to 32, a list of two strings, a map
    of one int to a double and a true: all skipped by their type."""
    crc = _i32(1, 12345)
    long_list = bytes([0x09]) + _varint(30 << 1) + bytes([2 << 4 | 8]) + b"\x01a\x01b"
    long_map = bytes([0x0B]) + _varint(31 << 1) + _varint(1) + bytes([5 << 4 | 7]) + _varint(2) + b"\x00" * 8
    true = bytes([0x01]) + _varint(32 << 1)
    header = _i32(1, 0) + _i32(1, 1_000) + _i32(1, 400) + crc + long_list + long_map + true
    # Field 5 follows field 32 as a long-form id: a short delta cannot go backwards.
    header += bytes([0x0C]) + _varint(5 << 1) + _i32(1, 250) + _i32(1, 0) + b"\x00\x00"
    assert parse_page_header(header) == PageHeader(DATA_PAGE, 1_000, 400, len(header), 250, 0)


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # nothing at all
        b"\x15",  # a field header and no value
        b"\x15\x00\x15\x80\x80",  # a varint that never ends
        b"\x15\x00\x00",  # stops before its sizes
        b"\x0d",  # type 13 does not exist
        _i32(1, 0) + _i32(1, -5) + _i32(1, 400) + b"\x00",  # a negative size
    ],
    ids=["empty", "field-without-value", "unfinished-varint", "no-sizes", "unknown-type", "negative-size"],
)
def test_a_damaged_header_is_refused(damage: bytes) -> None:
    with pytest.raises(PageHeaderError):
        parse_page_header(damage)


def test_nesting_is_bounded() -> None:
    deep = _i32(1, 0) + bytes([0x1C]) * 100  # struct in struct in struct ...
    with pytest.raises(PageHeaderError):
        parse_page_header(deep)


def test_a_list_claiming_more_elements_than_bytes_is_refused_at_once() -> None:
    huge_list = bytes([0x09]) + _varint(30 << 1) + bytes([0xF5]) + _varint(2**40)
    with pytest.raises(PageHeaderError):
        parse_page_header(_i32(1, 0) + huge_list)


def test_pages_must_fit_their_chunk_and_its_values() -> None:
    header = _header()
    data = header + b"x" * 400
    read = lambda offset, n: data[offset : offset + n]  # noqa: E731
    assert [p.num_values for p in chunk_pages(read, 0, len(data), 250, 10)] == [250]
    with pytest.raises(PageHeaderError, match="past the end"):
        list(chunk_pages(read, 0, len(data) - 1, 250, 10))
    with pytest.raises(PageHeaderError, match="hold 250 values where the footer says 200"):
        list(chunk_pages(read, 0, len(data), 200, 10))
    with pytest.raises(PageHeaderError, match="header runs past the end"):  # looks for the 251st value
        list(chunk_pages(read, 0, len(data), 251, 10))


def test_pages_are_counted_against_a_limit() -> None:
    data = (_header() + b"x" * 400) * 3
    read = lambda offset, n: data[offset : offset + n]  # noqa: E731
    assert len(list(chunk_pages(read, 0, len(data), 750, 3))) == 3
    with pytest.raises(TooManyPages):
        list(chunk_pages(read, 0, len(data), 750, 2))


def test_a_long_header_is_read_in_growing_windows() -> None:
    """Statistics can make a header long (here a 100 kB binary field): the reader reads more."""
    long_field = bytes([0x08]) + _varint(29 << 1) + _varint(100_000) + b"s" * 100_000
    header = _i32(1, 0) + _i32(1, 1_000) + _i32(1, 400) + long_field
    header += bytes([0x0C]) + _varint(5 << 1) + _i32(1, 250) + _i32(1, 0) + b"\x00\x00"
    data = header + b"x" * 400
    reads: list[int] = []

    def read(offset: int, n: int) -> bytes:
        reads.append(n)
        return data[offset : offset + n]

    (page,) = chunk_pages(read, 0, len(data), 250, 10)
    assert page.header_size == len(header)
    assert len(reads) > 1


# --------------------------------------------------------------------------------------------
# Layouts: a header matched against an earlier one's layout reads as the parser reads it
# --------------------------------------------------------------------------------------------


def test_headers_read_through_layouts_read_as_parsed() -> None:
    """Every header of a file of every kind of column, read in file order through one set of
    layouts (most are matched, a few parsed and learnt), equals its plain parse."""
    sink = io.BytesIO()
    pq.write_table(_table(), sink, row_group_size=10_000, max_rows_per_page=1_000)
    data = sink.getvalue()
    windows: list[bytes] = []

    def read(offset: int, n: int) -> bytes:
        windows.append(data[offset : offset + n])
        return windows[-1]

    metadata = pq.ParquetFile(pa.BufferReader(data)).metadata
    for group in range(metadata.num_row_groups):
        for leaf in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(leaf)
            start = min(chunk.data_page_offset, chunk.dictionary_page_offset or chunk.data_page_offset)
            list(chunk_pages(read, start, chunk.total_compressed_size, chunk.num_values, 10**6))
    layouts = Layouts()
    assert len(windows) > 100
    assert [layouts.read(w) for w in windows] == [parse_page_header(w) for w in windows]


def test_a_layout_matches_other_integers_but_not_another_shape() -> None:
    """Learnt from one header, a layout reads a header whose integers differ, even in length;
    a binary field one byte longer is another shape, parsed afresh."""

    def header(uncompressed: int, values: int, statistic: bytes) -> bytes:
        statistics = bytes([0x18]) + _varint(len(statistic)) + statistic + b"\x00"
        data_page = _i32(1, values) + _i32(1, 0) + _i32(1, 3) + _i32(1, 3) + bytes([0x1C]) + statistics + b"\x00"
        return _i32(1, 0) + _i32(1, uncompressed) + _i32(1, 400) + bytes([0x2C]) + data_page + b"\x00"

    layouts = Layouts()
    first, longer_ints, longer_binary = (
        header(1_000, 250, b"12345678"),
        header(10**9, 20_000, b"abcdefgh"),
        header(1_000, 250, b"123456789"),
    )
    for data in (first, longer_ints, longer_binary, first):
        assert layouts.read(data + b"page") == parse_page_header(data + b"page")
    assert layouts.read(longer_ints).uncompressed_size == 10**9
