"""Tables handed to `st.dataframe` as Arrow, converted once per board version.

`st.dataframe` converts a pandas DataFrame to Arrow on every view, the largest share of a
crowded server's time; a pyarrow Table it only serialises. Converted here with Streamlit's own
function, the browser gets the same bytes, dtypes and column order as from the DataFrame.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from components import home_view as hv
from components.tasks import TaskInfo


def of(frame: pd.DataFrame) -> pa.Table:
    return dataframe_util.convert_pandas_df_to_arrow_table(frame)


def feed(boards: list[tuple[TaskInfo, pd.DataFrame]], limit: int) -> pa.Table:
    """Home's feed: the `limit` newest submissions across every board."""
    return of(hv.newest_of([hv.feed_rows(rows, info, limit) for info, rows in boards], limit))


def earnings(boards: list[tuple[TaskInfo, pd.DataFrame]]) -> pa.Table:
    """Home's "What can I earn?": every metric's record and the reward for beating it."""
    return of(hv.all_of([hv.earnings_rows(rows, info) for info, rows in boards], hv.EARNINGS_COLUMNS))
