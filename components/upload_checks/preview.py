"""The first rows of a file that passed, for the page: the columns the task needs, text cut short.

The preview sits in the user's session for as long as the file is chosen: it holds at most
PREVIEW_ROWS rows, every text value cut to a few dozen characters, and is read only when its
rows are known (from the page headers) to decode to little.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from components.upload_checks.footprint import Footprint, batches
from components.upload_checks.report import QUOTE_CHARS, MiB, cut_all

PREVIEW_ROWS = 20
#: The decoded preview rows may take at most this before their text is cut.
PREVIEW_BYTES = 4 * MiB


def read_preview(parquet: pq.ParquetFile, footprint: Footprint, names: list[str]) -> pd.DataFrame:
    """The first rows of the flat columns among ``names``; empty when they would decode to
    too much, or when their types do not make a frame."""
    schema = parquet.schema_arrow
    flat = [name for name in dict.fromkeys(names) if not pa.types.is_nested(schema.field(name).type)]
    if not flat or PREVIEW_ROWS * footprint.row_bytes(flat) > PREVIEW_BYTES:
        return pd.DataFrame()
    try:
        batch = next(batches(parquet, flat, PREVIEW_ROWS), None)
        if batch is None:
            return pd.DataFrame()
        columns = [_short(batch.column(i)) for i in range(batch.num_columns)]
        return pa.table(columns, names=batch.schema.names).slice(0, PREVIEW_ROWS).to_pandas()
    except (pa.ArrowException, ValueError, TypeError):
        return pd.DataFrame()


def _short(array: pa.Array) -> pa.Array:
    """Text values cut to a few dozen characters (a dictionary's before it is decoded), binary
    ones to as many bytes."""
    rows = None
    if pa.types.is_dictionary(array.type):
        array, rows = array.dictionary, array.indices
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pa.array(cut_all(array, rows), pa.string())
    if pa.types.is_binary(array.type) or pa.types.is_large_binary(array.type):
        array = pc.binary_slice(array, 0, QUOTE_CHARS)
    return array if rows is None else array.take(rows)
