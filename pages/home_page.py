"""Home: where every task stands, the latest submissions, and what beating each record earns."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from components import arrow_tables, data, paths
from components import board_view as bv
from components import home_view as hv
from components import leaderboard as lb
from components import session_keys as keys
from components.data import Catalogue
from components.tasks import TaskInfo
from components.text import inert

CARDS_PER_ROW = 3
FEED_ROWS = 15


def render(catalogue: Catalogue, task_pages: dict[str, st.Page]) -> None:
    st.title("ColliderML Leaderboard")
    st.write(
        "The public benchmark of the `colliderml` library: every submission is re-scored by the "
        "ColliderML backend against held-out truth. Pick a task to explore its leaderboard."
    )
    if st.button("Refresh", key=keys.HOME_REFRESH, icon=":material/refresh:", help="Fetch every leaderboard again now"):
        for info in catalogue.tasks:  # before the reads below, so this run shows the fresh data
            data.refresh(info.name)
    if catalogue.error:
        st.warning(
            f"The task list comes from the installed colliderml only: {inert(catalogue.error)}",
            icon=":material/warning:",
        )
    snapshots = {info.name: data.leaderboard(info.name) for info in catalogue.tasks}
    failing = [name for name, snap in snapshots.items() if snap.error]
    if failing:
        st.warning(
            f"The backend at {inert(data.backend_url())} is not answering for: {inert(', '.join(failing))}. "
            f"Cards show the last data fetched, if any. {inert(snapshots[failing[0]].error)}",
            icon=":material/warning:",
        )
    now = datetime.now(UTC)
    with st.grid(CARDS_PER_ROW):  # one block for every card; fewer columns on a narrow screen
        for info in catalogue.tasks:
            _card(info, snapshots[info.name], task_pages[info.name], now)

    # The feed and the earnings table are built once per combination of board versions.
    held = [(info, snapshots[info.name]) for info in catalogue.tasks]
    st.subheader("Latest submissions")
    feed = data.per_boards(held, arrow_tables.feed, FEED_ROWS)
    if feed.num_rows == 0:
        st.info("No submissions to show yet.")
    else:
        st.dataframe(
            feed,
            hide_index=True,
            width="stretch",
            key=keys.HOME_FEED,
            column_config={
                "submitted": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
                "age": st.column_config.DatetimeColumn(format="distance", timezone="UTC"),
                "user": st.column_config.LinkColumn("user", display_text=paths.PERSON_LINK_TEXT),
                "score": st.column_config.NumberColumn(format="%.4g"),
                "open": st.column_config.LinkColumn("open", display_text="details"),
            },
        )

    st.subheader("What can I earn?")
    st.caption("Beat the current best of any metric and the backend pays the task's reward for each metric beaten.")
    st.dataframe(
        data.per_boards(held, arrow_tables.earnings),
        hide_index=True,
        width="stretch",
        key=keys.HOME_EARN,
        column_config={
            "current best": st.column_config.NumberColumn(format="%.4g"),
            "credits for beating it": st.column_config.NumberColumn(format="%.0f"),
            "since": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
        },
    )


def _card(info: TaskInfo, snapshot: data.Snapshot, page: st.Page, now: datetime) -> None:
    with st.container(border=True, key=keys.home_card(info.name)):
        st.markdown(f"**{inert(info.name)}**")
        st.caption(info.description)
        if snapshot.rows is None:
            st.caption("No data yet.")
        else:
            summary = data.per_board(snapshot, hv.card_summary, info)
            st.metric(
                inert(bv.metric_label(info, info.primary)), summary.best_text, help=bv.metric_help(info, info.primary)
            )
            last = f" · last {lb.relative_time(summary.last_at, now)}" if summary.last_at is not None else ""
            st.caption(inert(summary.caption + last))
            if summary.sparkline is not None:
                st.vega_lite_chart(spec=summary.sparkline, key=keys.home_sparkline(info.name))
        st.page_link(page, label="Open leaderboard", icon=":material/arrow_forward:")
