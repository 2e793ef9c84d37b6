"""ColliderML Leaderboard: the entrypoint builds the navigation (one page per task) and the sidebar."""

from functools import partial

import streamlit as st

from components import data
from pages import home, task

st.set_page_config(page_title="ColliderML Leaderboard", page_icon="⚛️", layout="wide")

catalogue = data.catalogue()
task_pages = {
    info.name: st.Page(partial(task.render, info), title=info.name, url_path=info.name, icon="📊")
    for info in catalogue.tasks
}
home_page = st.Page(partial(home.render, catalogue, task_pages), title="Home", url_path="home", icon="🏠", default=True)
about_page = st.Page("pages/about.py", title="About", url_path="about", icon="ℹ️")

current = st.navigation({"": [home_page], "Leaderboards": list(task_pages.values()), "More": [about_page]})
with st.sidebar:
    st.caption(f"Backend: `{data.backend_url()}`")
current.run()
