"""A task's leaderboard page: header, controls, ranked table, a picked entry's details or a
comparison of several, exports, trends; the board part updates itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from components import arrow_tables, board_charts, compare, data, paths, status
from components import board_view as bv
from components import leaderboard as lb
from components import session_keys as keys
from components.config import settings
from components.tasks import TaskInfo
from components.text import inert, plural
from pages import task_actions, task_get_started

#: Past this many rows the grid scrolls within a fixed height (it holds every row, sortable as a whole).
TABLE_ROWS = 10
TABLE_HEIGHT = 420


#: The board part of an open page reads the shared board again this often, on its own: twice per
#: cache TTL, so it lags the cache by half a TTL at most, and every tab's reads still cost one
#: backend request per task per TTL (the cache's). Read once, at import, like the cache's TTL.
LIVE_EVERY_S = max(1.0, settings().cache_ttl_s / 2)


def render(task: TaskInfo) -> None:
    st.title(inert(task.name))
    st.caption(task.description)
    snapshot = data.leaderboard(task.name)
    if snapshot.rows is None:
        status.show_snapshot_state(snapshot, task.name)
        return
    rows = snapshot.rows
    metrics = bv.task_metrics(task, rows)
    opts, user_query = _controls(task, data.per_board(snapshot, bv.date_span))
    _board(task, opts, user_query)
    task_get_started.render(task, metrics)
    task_actions.render(task, rows)
    _charts(task, metrics, opts)


@st.fragment(run_every=LIVE_EVERY_S)
def _board(task: TaskInfo, opts: bv.ViewOptions, user_query: str) -> None:
    """The live part: header, table, the picked entry or comparison, exports. A fragment that
    reruns by itself (and on a pick in the grid) with the options of the page's last full run:
    the filters, the rest of the page and a kept upload stay as they are."""
    snapshot = data.leaderboard(task.name)
    status.show_snapshot_state(snapshot, task.name)
    if snapshot.rows is None:
        return
    rows = snapshot.rows
    metrics = bv.task_metrics(task, rows)
    _header(task, data.per_board(snapshot, bv.activity, opts), opts)
    # Built once per board version and options for every visitor, then searched.
    ranked = data.per_board(snapshot, bv.ranked_board, task, opts)
    table = bv.find_in_table(data.per_board(snapshot, bv.board_table, task, opts, tuple(metrics)), user_query)
    # The grid as Arrow: the unsearched one once per board version, a searched one per view.
    grid = (
        arrow_tables.grid(table)
        if user_query
        else data.per_board(snapshot, arrow_tables.board_grid, task, opts, tuple(metrics))
    )
    url_ids = compare.from_url(st.query_params.get("submission"), st.query_params.get("compare"))
    picked = _table(task, table, grid, metrics, url_ids, pd.Index(rows["id"]))
    _show_picked_in_url(task, picked, url_ids)
    _picked(task, snapshot, rows, opts, ranked, metrics, picked)
    _exports(task, bv.find_users(ranked, user_query), metrics)
    if snapshot.fetched_at is not None:
        st.caption(
            f":material/autorenew: Updated {snapshot.fetched_at:%H:%M:%S} UTC · this board checks for new "
            f"submissions by itself every {LIVE_EVERY_S:g} s"
        )


def _header(task: TaskInfo, activity: bv.Activity, opts: bv.ViewOptions) -> None:
    """The board's figures, as of the chosen date, in one line that stays one line on a phone."""
    last = activity.last_submitted
    now = _as_of_moment(opts.as_of) if opts.as_of else datetime.now(UTC)
    figures = [
        f"**{plural(activity.submissions, 'submission')}**",
        f"**{plural(activity.participants, 'participant')}**",
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


def _controls(task: TaskInfo, span: tuple[date, date] | None) -> tuple[bv.ViewOptions, str]:
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
            if span is not None:
                first, last = span
                # The bounds are part of the key: when a new submission moves the last date, the
                # range starts over at the full span instead of silently hiding the newest rows.
                picked = st.date_input(
                    "Submitted between",
                    value=(first, last),
                    min_value=first,
                    max_value=last,
                    key=k.dates(f"{first}.{last}"),
                )
                # The whole span filters nothing, so a live board shows submissions made after it too.
                if isinstance(picked, tuple) and len(picked) == 2 and picked != (first, last):
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


def _table(
    task: TaskInfo, table: pd.DataFrame, grid: pa.Table, metrics: list[str], url_ids: list[str], on_board: pd.Index
) -> list[str]:
    """The ranked grid, rows picked as the URL says; returns the ids picked once the person's
    clicks are taken in (`compare.picked_ids`). A selection is row positions, so when the table
    changes under it (a new submission, a filter) it is moved to the rows of the same ids."""
    k = keys.TaskKeys(task.name)
    if table.empty:
        st.session_state.pop(k.shown, None)
        st.info("No submissions match these filters yet.")
        return url_ids
    state = st.session_state.get(k.table)
    selected = list(state["selection"]["rows"]) if state is not None else None
    picked = compare.picked_ids(url_ids, st.session_state.get(k.shown), selected, on_board)
    ids = table["id"].to_numpy()
    at = compare.positions(ids, picked)
    if selected is not None and selected != at:
        st.session_state[k.table] = {"selection": {"rows": at, "columns": []}}
    st.session_state[k.shown] = compare.Shown(ids, tuple(picked))
    st.dataframe(
        grid,
        hide_index=True,
        width="stretch",
        height=TABLE_HEIGHT if len(table) > TABLE_ROWS else "auto",
        key=k.table,
        column_config=_column_config(task, metrics),
        on_select="rerun",
        selection_mode="multi-row",
        selection_default={"selection": {"rows": at}} if at else None,
        placeholder="",
    )
    ranked_by = inert(bv.metric_label(task, task.primary))
    st.caption(
        f"{plural(len(table), 'row')} · ranked by {ranked_by} · “records” names the best value of each metric"
        f" · sort by any column · pick a row for its details, 2 to {compare.MAX_COMPARED} to compare them"
    )
    return picked


def _show_picked_in_url(task: TaskInfo, picked: list[str], url_ids: list[str]) -> None:
    """Picks live in the URL, so a link shares them: `?submission=<id>`, `?compare=<id>,<id>`. A newly
    picked single row also becomes the reproduce target, which the full rerun shows."""
    params = compare.url_params(picked)
    if {n: st.query_params[n] for n in ("submission", "compare") if n in st.query_params} == params:
        return
    for name in ("submission", "compare"):
        if name in st.query_params and name not in params:
            del st.query_params[name]
    st.query_params.update(params)
    if len(picked) == 1 and picked != url_ids:
        task_actions.pick_for_reproduction(task.name, picked[0])
        st.rerun()


def _column_config(task: TaskInfo, metrics: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "rank": st.column_config.NumberColumn("rank", help="Ties share a rank; missing values come last"),
        "user": st.column_config.LinkColumn(
            "user", display_text=paths.PERSON_LINK_TEXT, help="Open this person's page: their entries on every task"
        ),
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


def _picked(
    task: TaskInfo,
    snapshot: data.Snapshot,
    rows: pd.DataFrame,
    opts: bv.ViewOptions,
    ranked: pd.DataFrame,
    metrics: list[str],
    picked: list[str],
) -> None:
    """One pick: its details; two to four: a comparison; more: a note. Ids not on this board are named."""
    if not picked:
        return
    if len(picked) > compare.MAX_COMPARED:
        st.info(
            f"Pick at most {compare.MAX_COMPARED} rows to compare ({len(picked)} are picked): "
            "unpick some in the table.",
            icon=":material/checklist:",
        )
        return
    entries, unknown = compare.find(rows, picked)
    if unknown:
        st.warning(
            f"Not on this leaderboard (it may belong to another task): {', '.join(inert(i) for i in unknown)}",
            icon=":material/search_off:",
        )
    if len(entries) == 1:
        _detail_panel(task, entries, ranked, metrics)
    elif len(entries) > 1:
        _comparison(task, snapshot, opts, entries, ranked, metrics)


def _detail_panel(task: TaskInfo, match: pd.DataFrame, ranked: pd.DataFrame, metrics: list[str]) -> None:
    row = match.iloc[0]
    submission_id = str(row["id"])
    with st.container(border=True, key=keys.TaskKeys(task.name).detail):
        place = ranked[ranked["id"].astype(str) == submission_id]
        rank = place["rank"].iloc[0] if len(place) else None
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
        with st.container(horizontal=True):
            st.link_button(
                "Open the submission's page", paths.submission_path(submission_id), icon=":material/description:"
            )
            if links["code"]:
                st.link_button("Code", links["code"])
            if links["model"]:
                st.link_button("Model on Hugging Face", links["model"])


def _comparison(
    task: TaskInfo,
    snapshot: data.Snapshot,
    opts: bv.ViewOptions,
    entries: pd.DataFrame,
    ranked: pd.DataFrame,
    metrics: list[str],
) -> None:
    """The picked entries side by side, each against the first picked, and on one chart."""
    k = keys.TaskKeys(task.name)
    names = compare.labels(entries)
    with st.container(border=True, key=k.compare):
        st.subheader("Comparison")
        st.caption(
            f"Differences are to {inert(names[0])}, picked first · ↑ higher is better, ↓ lower is better"
            " · rank: the place on the board as shown (— where this view leaves the entry out)"
        )
        st.dataframe(
            compare.who(entries, names, ranked),
            hide_index=True,
            placeholder="—",
            column_config={
                "rank": st.column_config.NumberColumn("rank (current view)"),
                "credits": st.column_config.NumberColumn(format="%.0f"),
                "submitted": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
                "page": st.column_config.LinkColumn("page", display_text="open"),
            },
        )
        st.dataframe(
            compare.side_by_side(entries, names, task, metrics),
            hide_index=True,
            placeholder="missing",
            column_config={name: st.column_config.NumberColumn(format="%.6g") for name in names},
        )
        spec = data.per_board(snapshot, compare.comparison_spec, task, opts, tuple(entries["id"]), tuple(metrics))
        _draw(spec, k.compare_chart, "None of these carries a metric value to draw.")


def _exports(task: TaskInfo, board: pd.DataFrame, metrics: list[str]) -> None:
    """CSV and Parquet of the shown table, built only when clicked (50,000 rows take ~0.5 s)."""
    row = st.container(horizontal=True)  # one block, where columns would send three
    row.download_button(
        "Download CSV",
        lambda: bv.to_csv_bytes(bv.export_frame(board, metrics)),
        f"{task.name}-leaderboard.csv",
        "text/csv",
        key=keys.TaskKeys(task.name).csv,
    )
    row.download_button(
        "Download Parquet",
        lambda: bv.to_parquet_bytes(bv.export_frame(board, metrics)),
        f"{task.name}-leaderboard.parquet",
        "application/vnd.apache.parquet",
        key=keys.TaskKeys(task.name).parquet,
    )


@st.fragment(run_every=LIVE_EVERY_S)
def _charts(task: TaskInfo, metrics: list[str], opts: bv.ViewOptions) -> None:
    """Trend and trade-off charts, their specs built once per board version; a fragment, so
    picking a metric redraws only the charts, and live like the board, which they would
    otherwise contradict after a new record."""
    snapshot = data.leaderboard(task.name)
    if snapshot.rows is None or bv.trend_rows(snapshot.rows, opts).empty:
        return
    k = keys.TaskKeys(task.name)
    st.subheader("State of the art over time")
    metric = st.selectbox("Metric", metrics, key=k.trend_metric)
    spec = data.per_board(snapshot, board_charts.trend_spec, task, metric, opts)
    _draw(spec, k.trend, f"No submission shown carries {inert(metric)} yet.")

    if len(metrics) < 2:
        return
    st.subheader("Trade-off")
    x_default, y_default = bv.default_tradeoff(task, metrics)
    axes = st.container(horizontal=True)  # side by side, in one block where columns would send three
    x = axes.selectbox("x", metrics, index=metrics.index(x_default), key=k.tradeoff_x)
    y = axes.selectbox("y", metrics, index=metrics.index(y_default), key=k.tradeoff_y)
    if x == y:
        st.info("Pick two different metrics to see their trade-off.")
        return
    spec = data.per_board(snapshot, board_charts.tradeoff_spec, task, x, y, opts)
    _draw(spec, k.tradeoff, f"No submission shown carries {inert(x)} and {inert(y)} yet.")


def _draw(spec: dict[str, Any] | None, key: str, missing: str) -> None:
    if spec is None:
        st.caption(missing)
    else:
        st.vega_lite_chart(spec=spec, key=key)
