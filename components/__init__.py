"""Building blocks of the dashboard that do not depend on Streamlit.

`tasks` is the task catalogue, `api` the HTTP client of the ColliderML backend and
`leaderboard` the pure pandas functions behind the leaderboard pages. Keeping them free
of Streamlit lets them be tested, and reused, without a running app.
"""
