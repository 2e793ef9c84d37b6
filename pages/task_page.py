"""A task's leaderboard page: header, controls, ranked table, detail panel, trends and exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import board_charts, data, samples, status, task_rules
from components import board_view as bv
from components import leaderboard as lb
from components import session_keys as keys
from components.tasks import TaskInfo
from components.text import inert, plural
from pages import task_actions

#: Past this many rows the grid scrolls within a fixed height (it holds every row, sortable as a whole).
TABLE_ROWS = 10
TABLE_HEIGHT = 420


def render(task: TaskInfo) -> None:
    st.title(inert(task.name))
    st.caption(task.description)
    snapshot = data.leaderboard(task.name)
    status.show_snapshot_state(snapshot, task.name)
    if snapshot.rows is None:
        return
    rows = snapshot.rows
    metrics = bv.task_metrics(task, rows)
    opts, user_query = _controls(task, rows)
    _header(task, bv.trend_rows(rows, opts) if opts.as_of else rows, opts)
    # Built once per board version and options for every visitor, then searched.
    table = bv.find_in_table(data.per_board(snapshot, bv.board_table, task, opts, tuple(metrics)), user_query)
    selected_id = st.query_params.get("submission")
    _table(task, table, metrics, selected_id)
    board = bv.find_users(data.per_board(snapshot, bv.ranked_board, task, opts), user_query)
    if selected_id:
        _detail_panel(task, rows, board, metrics, selected_id)
    _exports(task, board, metrics)
    _get_started(task, metrics)
    task_actions.render(task, rows)
    _charts(task, snapshot, metrics, opts)


def _header(task: TaskInfo, rows: pd.DataFrame, opts: bv.ViewOptions) -> None:
    """The board's figures, as of the chosen date, in one line that stays one line on a phone."""
    last = rows["submitted_at"].max() if len(rows) else None
    now = _as_of_moment(opts.as_of) if opts.as_of else datetime.now(UTC)
    figures = [
        f"**{plural(len(rows), 'submission')}**",
        f"**{plural(rows['hf_username'].nunique(), 'participant')}**",
        f"last activity **{lb.relative_time(last, now) if last is not None else '—'}**",
    ]
    if task.dataset:
        figures.append(f"dataset **{inert(task.dataset)}**")
    if task.eval_event_range:
        figures.append(f"eval events {task.eval_event_range[0]:,}–{task.eval_event_range[1] - 1:,}")
    as_of = f"As of the end of {opts.as_of:%Y-%m-%d} (UTC): " if opts.as_of else ""
    st.markdown(as_of + " · ".join(figures))


def _as_of_moment(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def _controls(task: TaskInfo, rows: pd.DataFrame) -> tuple[bv.ViewOptions, str]:
    """The view, the user search and the rest of the filters in a popover: one row on a desktop,
    two on a phone, so the table stays on the first screen. The view, baselines, user and "as
    of" live in the URL too (`?view=All+submissions&user=alice&as_of=2026-11-15`)."""
    k = keys.TaskKeys(task.name)
    start = end = None
    with st.container(horizontal=True, vertical_alignment="center"):
        view = st.segmented_control(
            "Show",
            VIEWS,
            default=VIEWS[0],
            required=True,
            key=keys.BOUND_VIEW,
            bind="query-params",
            label_visibility="collapsed",
        )
        user_query = st.text_input(
            "Search user",
            key=keys.BOUND_USER,
            placeholder="Search user",
            bind="query-params",
            label_visibility="collapsed",
            width=180,
        )
        with st.popover("Filters", icon=":material/filter_list:"):
            baselines = st.toggle("Baselines", value=True, key=keys.BOUND_BASELINES, bind="query-params")
            as_of = st.date_input(
                "As it stood at the end of (UTC; empty: now)", value=None, key=keys.BOUND_AS_OF, bind="query-params"
            )
            if len(rows):
                first, last = rows["submitted_at"].min().date(), rows["submitted_at"].max().date()
                # The bounds are part of the key: when a new submission moves the last date, the
                # range starts over at the full span instead of silently hiding the newest rows.
                span = k.dates(f"{first}.{last}")
                picked = st.date_input(
                    "Submitted between", value=(first, last), min_value=first, max_value=last, key=span
                )
                if isinstance(picked, tuple) and len(picked) == 2:
                    start, end = picked
        if st.button("Refresh", key=k.refresh, icon=":material/refresh:", help="Fetch this leaderboard again now"):
            data.refresh(task.name)
            st.rerun()
    opts = bv.ViewOptions(
        best_per_user=view != VIEWS[1],
        include_baselines=baselines,
        start=start,
        end=end,
        as_of=as_of if isinstance(as_of, date) else None,
    )
    return opts, user_query or ""


VIEWS = ("Best per user", "All submissions")


def _table(task: TaskInfo, table: pd.DataFrame, metrics: list[str], selected_id: str | None) -> None:
    if table.empty:
        st.info("No submissions match these filters yet.")
        return
    at = np.flatnonzero(table["id"].to_numpy() == selected_id) if selected_id else np.zeros(0, dtype=int)
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=TABLE_HEIGHT if len(table) > TABLE_ROWS else "auto",
        key=keys.TaskKeys(task.name).table,
        column_config=_column_config(task, metrics),
        on_select="rerun",
        selection_mode="single-row",
        selection_default={"selection": {"rows": [int(at[0])]}} if len(at) else None,
        placeholder="",
    )
    picked = event.selection.rows
    if picked:
        _select(task, str(table["id"].iloc[picked[0]]))
    ranked_by = inert(bv.metric_label(task, task.primary))
    st.caption(
        f"{plural(len(table), 'row')} · ranked by {ranked_by} · “records” names the best value of each metric"
        " · sort by any column · pick a row for its details or to reproduce it"
    )


def _select(task: TaskInfo, submission_id: str) -> None:
    """A picked row opens its detail panel (a shareable link) and becomes the reproduce target."""
    if st.query_params.get("submission") != submission_id:
        st.query_params["submission"] = submission_id
        task_actions.pick_for_reproduction(task.name, submission_id)
        st.rerun()


def _column_config(task: TaskInfo, metrics: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "rank": st.column_config.NumberColumn("rank", help="Ties share a rank; missing values come last"),
        "user": st.column_config.TextColumn("user"),
        "baseline": st.column_config.CheckboxColumn("baseline", help="Reference baseline from the ColliderML team"),
        "records": st.column_config.TextColumn(
            "records", width="medium", help="The metrics on which this entry holds the best value of the board shown"
        ),
        "credits": st.column_config.NumberColumn("credits", format="%.0f"),
        "submitted": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm", timezone="UTC"),
        "age": st.column_config.DatetimeColumn("age", format="distance", timezone="UTC"),
        "code": st.column_config.LinkColumn("code", display_text="code"),
        "model": st.column_config.LinkColumn("model", display_text="model"),
        "id": st.column_config.TextColumn("submission id"),
    }
    for metric in metrics:
        label = bv.metric_label(task, metric)
        config[label] = st.column_config.NumberColumn(label, format="%.4g", help=bv.metric_help(task, metric))
    return config


def _detail_panel(
    task: TaskInfo, rows: pd.DataFrame, board: pd.DataFrame, metrics: list[str], submission_id: str
) -> None:
    match = rows[rows["id"].astype(str) == submission_id]
    with st.container(border=True, key=keys.TaskKeys(task.name).detail):
        if match.empty:
            st.warning("The linked submission is not on this leaderboard (it may belong to another task).")
            return
        row = match.iloc[0]
        ranked = board[board["id"].astype(str) == submission_id]
        rank = ranked["rank"].iloc[0] if len(ranked) else None
        st.subheader("Submission")
        st.text(f"{row['hf_username']}{'  (baseline)' if row['is_baseline'] else ''}")
        st.caption(f"id {inert(submission_id)} · submitted {row['submitted_at']:%Y-%m-%d %H:%M} UTC")
        c1, c2 = st.columns(2)
        c1.metric("Rank (current view)", "—" if rank is None or pd.isna(rank) else int(rank))
        c2.metric("Credits earned", f"{row['credits_earned']:.0f}")
        scores = pd.DataFrame(
            {
                "metric": [bv.metric_label(task, m) for m in metrics],
                "value": [row.get(lb.metric_column(m)) for m in metrics],
            }
        )
        st.dataframe(scores, hide_index=True, column_config={"value": st.column_config.NumberColumn(format="%.6g")})
        links = bv.display_frame(match.assign(rank=rank), task, metrics).iloc[0]
        if links["code"]:
            st.link_button("Code", links["code"])
        if links["model"]:
            st.link_button("Model on Hugging Face", links["model"])


def _exports(task: TaskInfo, board: pd.DataFrame, metrics: list[str]) -> None:
    """CSV and Parquet of the shown table, built only when clicked (50,000 rows take ~0.5 s)."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "Download CSV",
        lambda: bv.to_csv_bytes(bv.export_frame(board, metrics)),
        f"{task.name}-leaderboard.csv",
        "text/csv",
        key=keys.TaskKeys(task.name).csv,
    )
    c2.download_button(
        "Download Parquet",
        lambda: bv.to_parquet_bytes(bv.export_frame(board, metrics)),
        f"{task.name}-leaderboard.parquet",
        "application/vnd.apache.parquet",
        key=keys.TaskKeys(task.name).parquet,
    )


DATASET_URL = "https://huggingface.co/datasets/CERN/ColliderML-Release-1"


def _get_started(task: TaskInfo, metrics: list[str]) -> None:
    """How to make a file to submit: its columns, a sample, the one line of Python, the input data,
    and what each metric means."""
    rules = task_rules.of(task.name)
    with st.expander("Get started: make a predictions file", icon=":material/rocket_launch:"):
        if rules is None:
            st.markdown(
                "This task is newer than this dashboard: its columns are in the colliderml documentation "
                "for the release that added it. The backend checks files on arrival."
            )
        else:
            st.markdown(f"A Parquet file with these columns, {inert(rules.file_rules)}:")
            kinds = {"integer": "whole number", "number": "number", "text": "text"}
            columns = pd.DataFrame([(name, kinds[kind]) for name, kind in rules.columns], columns=["column", "holds"])
            st.dataframe(columns, hide_index=True, width="content")
            st.download_button(
                "Download a sample file",
                lambda: samples.sample_predictions(task) or b"",
                samples.sample_filename(task),
                "application/vnd.apache.parquet",
                key=keys.TaskKeys(task.name).sample,
                icon=":material/download:",
                help="Random predictions in the right shape: they pass the check and score poorly on purpose",
            )
            if not rules.scored_locally:
                st.caption(
                    "No local preview of scores for this task: scoring it needs the held-out truth, which only "
                    "the backend has. The check here still covers the columns, the eval events and repeated hits."
                )
        st.markdown(
            "Submit from Python with the official client (your Hugging Face token in `HF_TOKEN`):\n\n"
            f"```python\nimport colliderml.tasks\ncolliderml.tasks.submit({task.name!r}, 'predictions.parquet')\n```"
        )
        where = [f"dataset {inert(task.dataset)}"] if task.dataset else []
        if task.eval_event_range:
            where.append(f"events {task.eval_event_range[0]:,}–{task.eval_event_range[1] - 1:,} are scored")
        st.markdown(
            f"The input events are the [ColliderML dataset on Hugging Face]({DATASET_URL})"
            + (f" ({', '.join(where)})." if where else ".")
        )
        st.dataframe(bv.glossary(task, metrics), hide_index=True, width="stretch")


@st.fragment
def _charts(task: TaskInfo, snapshot: data.Snapshot, metrics: list[str], opts: bv.ViewOptions) -> None:
    """Trend and trade-off charts, their specs built once per board version; a fragment, so
    picking a metric redraws only the charts."""
    if snapshot.rows is None or bv.trend_rows(snapshot.rows, opts).empty:
        return
    k = keys.TaskKeys(task.name)
    st.subheader("State of the art over time")
    metric = st.selectbox("Metric", metrics, key=k.trend_metric)
    _draw(data.per_board(snapshot, board_charts.trend_spec, task, metric, opts), k.trend, metric)

    if len(metrics) < 2:
        return
    st.subheader("Trade-off")
    x_default, y_default = bv.default_tradeoff(task, metrics)
    c1, c2 = st.columns(2)
    x = c1.selectbox("x", metrics, index=metrics.index(x_default), key=k.tradeoff_x)
    y = c2.selectbox("y", metrics, index=metrics.index(y_default), key=k.tradeoff_y)
    if x == y:
        st.info("Pick two different metrics to see their trade-off.")
        return
    _draw(data.per_board(snapshot, board_charts.tradeoff_spec, task, x, y, opts), k.tradeoff, f"{x} and {y}")


def _draw(spec: dict[str, Any] | None, key: str, what: str) -> None:
    if spec is None:
        st.caption(f"No submission shown carries {inert(what)} yet.")
    else:
        st.vega_lite_chart(spec=spec, key=key)
