"""Tables handed to `st.dataframe` as Arrow, converted once per board version.

`st.dataframe` converts a pandas DataFrame to Arrow on every view, the largest share of a
crowded server's time; a pyarrow Table it only serialises. Converted here with Streamlit's own
function, the browser gets the same bytes, dtypes and column order as from the DataFrame.
"""

from __future__ import annotations

import functools

import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from components import board_view as bv
from components import home_view as hv
from components import task_rules
from components.paths import person_path
from components.tasks import TaskInfo


def of(frame: pd.DataFrame) -> pa.Table:
    return dataframe_util.convert_pandas_df_to_arrow_table(frame)


def feed(boards: list[tuple[TaskInfo, pd.DataFrame]], limit: int) -> pa.Table:
    """Home's feed: the `limit` newest submissions across every board."""
    return of(hv.newest_of([hv.feed_rows(rows, info, limit) for info, rows in boards], limit))


def earnings(boards: list[tuple[TaskInfo, pd.DataFrame]]) -> pa.Table:
    """Home's "What can I earn?": every metric's record and the reward for beating it."""
    return of(hv.all_of([hv.earnings_rows(rows, info) for info, rows in boards], hv.EARNINGS_COLUMNS))


def board_grid(rows: pd.DataFrame, task: TaskInfo, opts: bv.ViewOptions, metrics: tuple[str, ...]) -> pa.Table:
    """A task page's grid before any user search: the ranked table, names as person links."""
    return grid(bv.board_table(rows, task, opts, metrics))


def grid(table: pd.DataFrame) -> pa.Table:
    """The ranked table as the grid shows it: each user name links to the person's page (the
    grid shows the name, `paths.PERSON_LINK_TEXT`)."""
    users = table["user"]
    return of(table.assign(user=users.map({user: person_path(user) for user in users.unique()})))


@functools.lru_cache(maxsize=64)
def glossary(task: TaskInfo, metrics: tuple[str, ...]) -> pa.Table:
    """A task page's metric glossary (`board_view.glossary`), the same for every view."""
    return of(bv.glossary(task, list(metrics)))


#: How the Get-started table names each kind of column.
KIND_WORDS = {"integer": "whole number", "number": "number", "text": "text"}


@functools.lru_cache(maxsize=64)
def file_columns(task_name: str) -> pa.Table:
    """The columns a known task's predictions file holds (`task_rules`), and what each holds."""
    rules = task_rules.of(task_name)
    columns = rules.columns if rules is not None else ()
    return of(pd.DataFrame([(name, KIND_WORDS[kind]) for name, kind in columns], columns=["column", "holds"]))
