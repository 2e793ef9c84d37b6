"""The dashboard's logic, as plain Python that tests call directly.

Only three modules touch Streamlit: `data` (the public reads every session shares, in its caches),
`auth` (the signed-in person, in their session state, and the sign-in widgets) and `status` (how a
page says the backend is failing). Everything else (the backend client in `api`, the task table in
`task_rules`, the leaderboard maths, the upload check, sends and per-session reads) takes and
returns plain values, so it is tested without a running app.
"""
