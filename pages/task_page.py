"""A task's leaderboard page: header, controls, ranked table, detail panel, trends and exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from components import board_view as bv
from components import charts, data, status
from components import leaderboard as lb
from components import session_keys as keys
from components.tasks import TaskInfo
from components.text import inert
from pages import task_actions

PAGE_SIZE = 100


def render(task: TaskInfo) -> None:
    st.title(f"📊 {inert(task.name)}")
    st.caption(task.description)
    snapshot = data.leaderboard(task.name)
    status.show_snapshot_state(snapshot, task.name)
    if snapshot.rows is None:
        return
    rows = snapshot.rows
    metrics = bv.task_metrics(task, rows)
    _header(task, rows, metrics)

    opts, user_query = _controls(task, rows)
    # Ranked once per board version and options for every visitor, then searched.
    board = bv.find_users(data.per_board(snapshot, bv.ranked_board, task, opts), user_query)
    selected_id = st.query_params.get("submission")
    _table(task, board, metrics, selected_id)
    if selected_id:
        _detail_panel(task, rows, board, metrics, selected_id)
    _exports(task, board, metrics)
    task_actions.render(task, rows)
    _charts(task, snapshot, metrics, opts)


def _header(task: TaskInfo, rows: pd.DataFrame, metrics: list[str]) -> None:
    cols = st.columns(4)
    cols[0].metric("Submissions", f"{len(rows):,}")
    cols[1].metric("Participants", f"{rows['hf_username'].nunique():,}")
    last = rows["submitted_at"].max() if len(rows) else None
    cols[2].metric("Last activity", lb.relative_time(last, datetime.now(UTC)) if last is not None else "—")
    cols[3].metric("Dataset", inert(task.dataset) if task.dataset else "—")
    eval_range = f"events {task.eval_event_range[0]:,}–{task.eval_event_range[1]:,}" if task.eval_event_range else "—"
    directions = " · ".join(bv.metric_label(task, m) for m in metrics)
    st.caption(f"Eval range: {eval_range}  ·  Metrics (↑ higher is better, ↓ lower is better): {inert(directions)}")


def _controls(task: TaskInfo, rows: pd.DataFrame) -> tuple[bv.ViewOptions, str]:
    """The view options and the user search, from the widgets (and the URL's `user`)."""
    k = keys.TaskKeys(task.name)
    c1, c2, c3, c4 = st.columns([2, 1.3, 2, 1.2])
    view = c1.segmented_control("Show", ["Best per user", "All submissions"], default="Best per user", key=k.view)
    baselines = c2.toggle("Baselines", value=True, key=k.baselines)
    _follow_link_param("user", k.user)
    user_query = c3.text_input(
        "Search user", key=k.user, placeholder="user name", on_change=_link_param, args=("user", k.user)
    )
    if c4.button("Refresh", key=k.refresh, icon="🔄", help="Fetch this leaderboard again now"):
        data.refresh(task.name)
        st.rerun()
    start = end = as_of = None
    if len(rows):
        first, last = rows["submitted_at"].min().date(), rows["submitted_at"].max().date()
        # The bounds are part of the keys: when a new submission moves the last date, the range
        # starts over at the full span instead of silently hiding the newest rows.
        bounds = f"{first}.{last}"
        with st.expander("Date range and “as of”"):
            picked = st.date_input(
                "Submitted between", value=(first, last), min_value=first, max_value=last, key=k.dates(bounds)
            )
            if isinstance(picked, tuple) and len(picked) == 2:
                start, end = picked
            if st.toggle("Show the board as it stood on a past date", key=k.as_of_on):
                as_of = st.date_input("As of", value=last, min_value=first, max_value=last, key=k.as_of(bounds))
    opts = bv.ViewOptions(
        best_per_user=view != "All submissions", include_baselines=baselines, start=start, end=end, as_of=as_of
    )
    return opts, user_query


def _follow_link_param(param: str, widget_key: str) -> None:
    """A deep link (`?user=alice`) sets the widget once; the widget then owns the value."""
    value = st.query_params.get(param)
    applied_key = keys.from_link(widget_key)
    if value is not None and st.session_state.get(applied_key) != value:
        st.session_state[widget_key] = value
        st.session_state[applied_key] = value


def _link_param(param: str, widget_key: str) -> None:
    """Keep the URL shareable: typing a filter writes it into the query string."""
    value = st.session_state.get(widget_key, "")
    if value:
        st.query_params[param] = value
    else:
        st.query_params.pop(param, None)
    st.session_state[keys.from_link(widget_key)] = value or None


def _table(task: TaskInfo, board: pd.DataFrame, metrics: list[str], selected_id: str | None) -> None:
    if board.empty:
        st.info("No submissions match these filters yet.")
        return
    pages = max(1, -(-len(board) // PAGE_SIZE))
    page = bv.page_of(board, selected_id, PAGE_SIZE)
    if pages > 1:
        page = int(
            st.number_input(
                f"Page (of {pages}, {PAGE_SIZE} rows each)", 1, pages, value=page, key=keys.TaskKeys(task.name).page
            )
        )
    shown = bv.display_frame(board.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], task, metrics, datetime.now(UTC))
    best = bv.best_values(board, task, metrics)
    styled = shown.style.apply(_highlight(task, best, selected_id), axis=None)
    event = st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key=keys.TaskKeys(task.name).table,
        column_config=_column_config(task, metrics),
        on_select="rerun",
        selection_mode="single-row",
    )
    picked = event.selection.rows
    if picked:
        _select(task, str(shown["id"].iloc[picked[0]]))
    ranked_by = inert(bv.metric_label(task, task.primary))
    st.caption(
        f"{len(board):,} rows · ranked by {ranked_by} · best value of each metric in bold"
        " · pick a row for its details or to reproduce it"
    )


def _select(task: TaskInfo, submission_id: str) -> None:
    """A picked row opens its detail panel (a shareable link) and becomes the reproduce target."""
    if st.query_params.get("submission") != submission_id:
        st.query_params["submission"] = submission_id
        task_actions.pick_for_reproduction(task.name, submission_id)
        st.rerun()


def _highlight(task: TaskInfo, best: dict[str, float], selected_id: str | None):
    def styles(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for metric, value in best.items():
            col = bv.metric_label(task, metric)
            if col in frame:
                out.loc[frame[col] == value, col] = "font-weight: bold; color: #1a7f37"
        if selected_id:
            out.loc[frame["id"] == selected_id, :] += "; background-color: rgba(255, 196, 0, 0.25)"
        return out

    return styles


def _column_config(task: TaskInfo, metrics: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "rank": st.column_config.NumberColumn("rank", help="Ties share a rank; missing values come last"),
        "user": st.column_config.TextColumn("user"),
        "baseline": st.column_config.TextColumn("", help="Reference baseline from the ColliderML team"),
        "credits": st.column_config.NumberColumn("credits", format="%.0f"),
        "submitted": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm", timezone="UTC"),
        "age": st.column_config.TextColumn("age"),
        "code": st.column_config.LinkColumn("code", display_text="code"),
        "model": st.column_config.LinkColumn("model", display_text="model"),
        "id": st.column_config.TextColumn("submission id"),
    }
    for metric in metrics:
        label = bv.metric_label(task, metric)
        config[label] = st.column_config.NumberColumn(
            label, format="%.4g", help=f"{'Higher' if task.direction(metric) else 'Lower'} is better"
        )
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
        links = bv.display_frame(match.assign(rank=rank), task, metrics, datetime.now(UTC)).iloc[0]
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


@st.fragment
def _charts(task: TaskInfo, snapshot: data.Snapshot, metrics: list[str], opts: bv.ViewOptions) -> None:
    """Trend and trade-off charts; a fragment, so picking a metric redraws only the charts."""
    if snapshot.rows is None:
        return
    rows = bv.trend_rows(snapshot.rows, opts)
    if rows.empty:
        return
    # A metric no row carries yet (new in the catalogue, or unreadable scores) has no column: add it blank.
    rows = rows.assign(**{lb.metric_column(m): bv.metric_values(rows, m) for m in metrics})
    st.subheader("State of the art over time")
    metric = st.selectbox("Metric", metrics, key=keys.TaskKeys(task.name).trend_metric)
    higher = task.direction(metric)
    points = rows.assign(value=rows[lb.metric_column(metric)])[
        ["submitted_at", "value", "hf_username", "id", "is_baseline"]
    ].dropna(subset=["value"])
    best = data.per_board(snapshot, bv.record_line, metric, higher, opts)
    st.altair_chart(charts.trend_chart(points, best, metric, bv.arrow(higher)), key=keys.TaskKeys(task.name).trend)

    if len(metrics) < 2:
        return
    st.subheader("Trade-off")
    x_default, y_default = bv.default_tradeoff(task, metrics)
    c1, c2 = st.columns(2)
    x = c1.selectbox("x", metrics, index=metrics.index(x_default), key=keys.TaskKeys(task.name).tradeoff_x)
    y = c2.selectbox("y", metrics, index=metrics.index(y_default), key=keys.TaskKeys(task.name).tradeoff_y)
    if x == y:
        st.info("Pick two different metrics to see their trade-off.")
        return
    both = rows.dropna(subset=[lb.metric_column(x), lb.metric_column(y)])
    front = lb.pareto_front(both, x, task.direction(x), y, task.direction(y))
    pairs = pd.DataFrame(
        {
            "x": both[lb.metric_column(x)],
            "y": both[lb.metric_column(y)],
            "hf_username": both["hf_username"],
            "id": both["id"],
        }
    )
    st.altair_chart(
        charts.tradeoff_chart(pairs, x, y, bv.arrow(task.direction(x)), bv.arrow(task.direction(y)), front),
        key=keys.TaskKeys(task.name).tradeoff,
    )
