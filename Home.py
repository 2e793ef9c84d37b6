"""ColliderML Leaderboard: the script every session runs; it builds the navigation (one page per
task) and the sidebar. The server is started as `streamlit run app.py`, which serves this file.

No file in pages/ is named after a URL path (home, about, a task): Streamlit's pages/-folder
fallback would otherwise run that file instead of this script on the first run of AppTest, or of
a server started as `streamlit run Home.py` (app.py explains that fallback and turns it off).
"""

from functools import partial

import streamlit as st

from components import auth, data, paths
from pages import about_page, credits_page, home_page, not_found_page, person_page, submission_page, task_page
from pages.links import Links

st.set_page_config(page_title="ColliderML Leaderboard", page_icon="⚛️", layout="wide")

catalogue = data.catalogue()
task_pages = {
    info.name: st.Page(
        partial(task_page.render, info),
        title=info.name,
        url_path=paths.task_url_path(info.name),
        icon=":material/leaderboard:",
    )
    for info in catalogue.tasks
}
overview = st.Page(
    partial(home_page.render, catalogue, task_pages),
    title="Home",
    url_path="home",
    icon=":material/home:",
    default=True,
)
# What pages link to; the person and submission pages are reached by links and addresses, not the sidebar.
links = Links(task_pages)
my_credits = st.Page(
    partial(credits_page.render, links), title="My credits", url_path="credits", icon=":material/toll:"
)
about = st.Page(about_page.render, title="About", url_path="about", icon=":material/info:")
person = st.Page(partial(person_page.render, links), title="Person", url_path="user", visibility="hidden")
submission = st.Page(
    partial(submission_page.render, links), title="Submission", url_path="submission", visibility="hidden"
)
links.person, links.submission = person, submission

current = st.navigation(
    {"": [overview], "Leaderboards": list(task_pages.values()), "More": [my_credits, about, person, submission]}
)
with st.sidebar:
    auth.sidebar()
    st.caption(f"Backend: {data.backend_url()}")
    if data.serves_demo_data():
        st.caption(":material/science: Local demo data: generated users and scores, not the public benchmark.")
pages = [overview, *task_pages.values(), my_credits, about, person, submission]
requested = paths.requested_page(st.context.url, st.get_option("server.baseUrlPath"))
if paths.is_unknown(requested, {page.url_path for page in pages}):
    not_found_page.render(requested, overview, task_pages)
else:
    current.run()
