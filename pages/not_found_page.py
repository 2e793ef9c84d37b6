"""What a visitor sees for an address no page serves (a mistyped or retired task)."""

from __future__ import annotations

import streamlit as st

from components.text import inert


def render(requested: str, home: st.Page, task_pages: dict[str, st.Page]) -> None:
    st.title("No such page")
    st.error(
        f"There is no task or page called “{inert(requested[:80])}” on this leaderboard.", icon=":material/search_off:"
    )
    st.markdown("These are the leaderboards:")
    for page in task_pages.values():
        st.page_link(page, label=page.title, icon=":material/leaderboard:")
    st.page_link(home, label="Home", icon=":material/home:")
