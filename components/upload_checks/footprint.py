"""What decoding a file would cost, known before a single page is decompressed.

The footer gives the shape; the page headers of the columns the check will decode give the
real sizes (see :mod:`pages`): the largest pages, the dictionaries, and a bound on the text
once decoded. A text value is at most the size of its dictionary page (dictionary-encoded)
or of its data page (plain), so decoded text is bounded by what the file really holds. The
footer's min/max statistics are never used: a 256 kB string can hide between "A" and "Z".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from components.upload_checks.pages import (
    CONTIGUOUS_ENCODINGS,
    DATA_PAGE,
    DATA_PAGE_V2,
    DICTIONARY_ENCODINGS,
    DICTIONARY_PAGE,
    Layouts,
    PageHeader,
    PageHeaderError,
    TooManyPages,
    chunk_pages,
)
from components.upload_checks.report import ERROR_CHARS, MiB, cut, size, sizes
from components.upload_checks.source import Source

MAX_COLUMNS = 1_000
#: A file may decode to at most this many times the upload cap, and never more than 4 GiB.
DECODED_FACTOR = 20
DECODED_CEILING = 4 * 1024 * MiB
#: Page buffers held at once while the checked columns are decoded (each column's largest
#: page, compressed and decompressed, and its dictionary). pyarrow, polars and pandas write
#: pages of about 1 MB; a page of hundreds of MB would cost that much to decode.
PAGE_BUDGET = 48 * MiB
#: Page headers read per file, at most: pyarrow writes a page per 20,000 values of a column,
#: about 10,000 pages for a 200 MB tracking file; each header takes microseconds to read.
MAX_PAGES = 100_000
BATCH_ROWS = 128 * 1024
#: Decoded bytes of one batch of the value pass, at most (rows of long text come fewer at a time).
BATCH_BYTES = 32 * MiB
#: Bytes of a text value's offset once decoded (Arrow's string type).
OFFSET_BYTES = 4
_PHYSICAL_WIDTH: dict[str, float] = {"BOOLEAN": 0.125, "INT32": 4, "INT64": 8, "INT96": 12, "FLOAT": 4, "DOUBLE": 8}


@dataclass
class ColumnCost:
    """One leaf column's decoding cost over all row groups, from its page headers."""

    name: str
    #: Largest page once decompressed (data or dictionary).
    largest_page: int = 0
    #: Largest data page, compressed plus decompressed: what decompressing it holds.
    page_bytes: int = 0
    #: Largest dictionary page, held while its column chunk is decoded.
    dictionary_bytes: int = 0
    #: Most bytes a decoded row takes on average within any page (a dictionary-read text
    #: value takes its index only); a batch of n rows takes about n times this.
    row_bytes: float = 0
    #: The column once decoded with every value materialised (text values in full).
    decoded: int = 0
    values: int = 0


@dataclass
class Footprint:
    """The decoding cost of the columns a check reads, and the whole file's decoded size."""

    columns: list[ColumnCost]
    #: Bytes the whole file takes once decoded: walked columns by their pages, the others
    #: by their footer sizes.
    decoded: int

    def _of(self, names: Iterable[str] | None) -> list[ColumnCost]:
        wanted = None if names is None else set(names)
        return [c for c in self.columns if wanted is None or c.name in wanted]

    def decoded_of(self, names: Iterable[str] | None = None) -> int:
        return sum(c.decoded for c in self._of(names))

    def values_of(self, names: Iterable[str] | None = None) -> int:
        return sum(c.values for c in self._of(names))

    def row_bytes(self, names: Iterable[str] | None = None) -> float:
        return sum(c.row_bytes for c in self._of(names))

    def held(self) -> int:
        return sum(c.page_bytes + c.dictionary_bytes for c in self.columns)


def column_count_problem(n_columns: int) -> str | None:
    """Read off the footer's schema; checked before anything else walks the columns."""
    if n_columns == 0:
        return "The file has no columns."
    if n_columns > MAX_COLUMNS:
        return f"The file has {n_columns:,} columns; at most {MAX_COLUMNS:,} are accepted."
    return None


def measure(
    parquet: pq.ParquetFile, source: Source, names: Iterable[str] | None, as_dictionary: Iterable[str]
) -> Footprint:
    """Walk the pages of the columns called ``names`` (every column for None); the columns in
    ``as_dictionary`` are costed as read as dictionaries. Raises PageHeaderError."""
    metadata = parquet.metadata
    leaves = _leaf_owners(parquet.schema.to_arrow_schema(), metadata.schema)
    wanted = None if names is None else set(names)
    walked = {i: ColumnCost(name) for i, name in enumerate(leaves) if wanted is None or name in wanted}
    dictionary_read = set(as_dictionary)
    columns = [metadata.schema.column(leaf) for leaf in range(metadata.num_columns)]
    widths = [_width(column) for column in columns]
    texts = [column.physical_type == "BYTE_ARRAY" for column in columns]
    decoded, budget, layouts = 0, MAX_PAGES, Layouts()
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        for leaf in range(metadata.num_columns):
            chunk = group.column(leaf)
            if leaf not in walked:  # never decoded here: the footer says what the backend decodes, the
                # values times their width counting too (run-length encoding keeps a repeat tiny)
                decoded += int(max(chunk.total_uncompressed_size, chunk.num_values * widths[leaf]))
                continue
            start = chunk.data_page_offset
            if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                start = min(start, chunk.dictionary_page_offset)
            cost = walked[leaf]
            pages = chunk_pages(source.read, start, chunk.total_compressed_size, chunk.num_values, budget, layouts)
            before = cost.decoded
            try:
                budget -= _add_chunk(cost, pages, texts[leaf], widths[leaf], cost.name in dictionary_read)
            except PageHeaderError as exc:
                raise type(exc)(f"column '{cut(cost.name)}', row group {group_index}: {exc}") from None
            decoded += cost.decoded - before
    return Footprint(list(walked.values()), decoded)


def _leaf_owners(schema: pa.Schema, metadata_schema: pq.ParquetSchema) -> list[str]:
    """The top-level column name of each leaf column, in the footer's leaf order."""

    def leaves(arrow_type: pa.DataType) -> int:
        if pa.types.is_struct(arrow_type):
            return sum(leaves(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
        if pa.types.is_map(arrow_type):
            return leaves(arrow_type.key_type) + leaves(arrow_type.item_type)
        if (
            pa.types.is_list(arrow_type)
            or pa.types.is_large_list(arrow_type)
            or pa.types.is_fixed_size_list(arrow_type)
        ):
            return leaves(arrow_type.value_type)
        return 1

    owners = [f.name for f in schema for _ in range(leaves(f.type))]
    if len(owners) == len(metadata_schema):
        return owners
    return [column.path.split(".")[0] for column in metadata_schema]  # a layout Arrow maps otherwise


def _width(column: pq.ColumnSchema) -> float:
    """Decoded bytes of one value (of its offset only, for text)."""
    if column.physical_type == "FIXED_LEN_BYTE_ARRAY":
        return float(column.length)
    return _PHYSICAL_WIDTH.get(column.physical_type, OFFSET_BYTES)


def _add_chunk(cost: ColumnCost, pages: Iterable[PageHeader], text: bool, width: float, as_dictionary: bool) -> int:
    """Add one column chunk's pages to ``cost`` (a column of ``text`` or of values ``width``
    bytes wide); returns how many pages it has. Sums are kept in locals: a large file has
    thousands of pages."""
    largest = page_bytes = dictionary_bytes = decoded = values = count = 0
    row_bytes = 0.0
    dictionary_value = 0  # a dictionary value is at most its page
    for page_type, uncompressed, compressed, _, num_values, encoding in pages:
        count += 1
        largest = max(largest, uncompressed)
        if page_type == DICTIONARY_PAGE:
            dictionary_bytes = max(dictionary_bytes, uncompressed + compressed)
            dictionary_value = uncompressed
            continue
        if page_type != DATA_PAGE and page_type != DATA_PAGE_V2:
            continue
        page_bytes = max(page_bytes, uncompressed + compressed)
        values += num_values
        if not text:
            decoded += num_values
        elif encoding in DICTIONARY_ENCODINGS:
            row_bytes = max(row_bytes, OFFSET_BYTES if as_dictionary else dictionary_value + OFFSET_BYTES)
            decoded += num_values * (dictionary_value + OFFSET_BYTES)
        elif encoding in CONTIGUOUS_ENCODINGS:  # the values lie in the page, one after another
            row_bytes = max(row_bytes, uncompressed / max(num_values, 1) + OFFSET_BYTES)
            decoded += uncompressed + num_values * OFFSET_BYTES
        else:  # prefix-shared encodings: each value at most the page
            row_bytes = max(row_bytes, uncompressed + OFFSET_BYTES)
            decoded += num_values * (uncompressed + OFFSET_BYTES)
    if not text:  # fixed width: ``decoded`` counted values
        row_bytes, decoded = width if values else 0.0, int(decoded * width)
    cost.largest_page = max(cost.largest_page, largest)
    cost.page_bytes = max(cost.page_bytes, page_bytes)
    cost.dictionary_bytes = max(cost.dictionary_bytes, dictionary_bytes)
    cost.row_bytes = max(cost.row_bytes, row_bytes)
    cost.decoded += decoded
    cost.values += values
    return count


def bomb_problem(decoded: int, file_size: int, limit: int) -> str | None:
    """Refuse before decoding a page what would not fit in memory once decompressed."""
    if decoded <= limit:
        return None
    decoded_text, limit_text = sizes(decoded, limit)
    return (
        f"The file would take about {decoded_text} once decompressed (the file itself is "
        f"{size(file_size)}); the limit is {limit_text}. It looks like a decompression bomb, "
        "e.g. one value repeated over a huge number of rows."
    )


def page_problem(footprint: Footprint) -> str | None:
    """Refuse files whose pages are too large to decode here, naming the worst column."""
    if footprint.held() <= PAGE_BUDGET:
        return None
    worst = max(footprint.columns, key=lambda c: c.largest_page)
    return (
        f"Column '{cut(worst.name)}' has a page of {size(worst.largest_page)} once decompressed: decoding "
        f"the columns checked here would hold {size(footprint.held())} of pages at once, more than the "
        f"{size(PAGE_BUDGET)} this check allows. pyarrow, polars and pandas write pages of about 1 MB; "
        "write the file with one of them (default page size)."
    )


def pages_problem(error: PageHeaderError) -> str:
    """The sentence refusing a file whose page headers cannot be walked."""
    if isinstance(error, TooManyPages):
        return (
            f"The file is split into more than {MAX_PAGES:,} pages in the columns checked here; "
            "pyarrow, polars and pandas write pages of about 1 MB: write it with one of them."
        )
    return f"The Parquet file is damaged: {cut(error, ERROR_CHARS)}."


def batch_rows(footprint: Footprint, names: Iterable[str]) -> int:
    """Rows per batch for reading ``names``: BATCH_ROWS, fewer when their rows are wide."""
    return int(min(BATCH_ROWS, max(1, BATCH_BYTES // max(footprint.row_bytes(names), 1))))


def batches(
    parquet: pq.ParquetFile, columns: list[str], rows: int = BATCH_ROWS, row_groups: list[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """Record batches of ``columns``, decoded one at a time: parallel decoding bought no speed
    on these narrow reads and cost tens of MB of per-thread allocator heaps."""
    return parquet.iter_batches(batch_size=rows, row_groups=row_groups, columns=columns, use_threads=False)
