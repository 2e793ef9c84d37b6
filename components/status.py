"""How a page says the backend is failing: a warning over stale data, or a panel with a retry."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from components import data
from components import session_keys as keys
from components.leaderboard import relative_time
from components.text import inert


def show_snapshot_state(snapshot: data.Snapshot, task: str) -> None:
    """Warn when showing a stale copy; with no data at all, show what failed and offer a retry."""
    if snapshot.error is None:
        return
    now = datetime.now(UTC)
    since = relative_time(snapshot.failing_since, now) if snapshot.failing_since else "just now"
    if snapshot.rows is not None and snapshot.fetched_at is not None:
        st.warning(
            f"Showing the leaderboard as fetched {relative_time(snapshot.fetched_at, now)}: "
            f"the backend has been failing since {since}. {inert(snapshot.error)}",
            icon=":material/warning:",
        )
        return
    with st.container(border=True):
        message = f"The {inert(task)} leaderboard could not be loaded. {inert(snapshot.error)}"
        st.error(message, icon=":material/cloud_off:")
        st.caption(f"Backend: {data.backend_url()} · failing since {since}")
        if st.button("Retry", key=keys.TaskKeys(task).retry, icon=":material/refresh:"):
            data.refresh(task)
            st.rerun()
