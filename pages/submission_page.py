"""A submission's page, `/submission?id=<id>`: who sent it and when, every metric with its rank and
percentile on its board, the rank it had when submitted and has now, its code and model, a badge,
and (signed in) the form to reproduce it.

The submission is looked for on every task's shared board; the id comes from the address and is
shown inert.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from components import auth, data, paths, status
from components import board_view as bv
from components import credits as cr
from components import leaderboard as lb
from components import people as pp
from components import session_keys as keys
from components.tasks import TaskInfo
from components.text import inert, model_url, safe_url
from pages import task_actions
from pages.links import Links


def render(links: Links) -> None:
    submission_id = st.query_params.get("id", "").strip()
    if not submission_id:
        st.title("Submission")
        st.info("This address names no submission: a submission's page is `/submission?id=<submission id>`.")
        return
    found, failing = _find(submission_id)
    if found is None:
        st.title("Submission")
        _not_found(submission_id, failing)
        return
    task, snapshot, rows = found
    row = rows[(rows["id"].astype(str) == submission_id).to_numpy()].iloc[0]
    user = str(row["hf_username"])
    st.title(f"{inert(user)} on {inert(task.name)}")
    st.caption(
        f"Submission {inert(submission_id)}{' · a baseline from the ColliderML team' if row['is_baseline'] else ''}"
    )
    status.show_snapshot_state(snapshot, task.name)
    _who_and_when(links, task, row, submission_id)
    _ranks(task, rows, row, submission_id)
    _links_out(row)
    with st.expander("Badge for a README", icon=":material/verified:"):
        origin = paths.app_origin(st.context.url, st.get_option("server.baseUrlPath"))
        st.code(pp.badge_markdown(origin, task.name, user), language="markdown")
    _reproduce(task, rows, submission_id)


def _find(submission_id: str) -> tuple[tuple[TaskInfo, data.Snapshot, pd.DataFrame] | None, list[tuple[str, str]]]:
    """The task, board and rows holding the submission, and the boards that could not be read
    (task, why) up to where it was found."""
    failing: list[tuple[str, str]] = []
    for task in data.catalogue().tasks:
        snapshot = data.leaderboard(task.name)
        if snapshot.error is not None:
            failing.append((task.name, snapshot.error))
        rows = snapshot.rows
        if rows is not None and (rows["id"].astype(str) == submission_id).any():
            return (task, snapshot, rows), failing
    return None, failing


def _not_found(submission_id: str, failing: list[tuple[str, str]]) -> None:
    if failing:
        names = ", ".join(task for task, _ in failing)
        st.error(
            f"Submission {inert(submission_id)} is on none of the leaderboards that could be loaded; those of "
            f"{inert(names)} could not be, so it may be there. {inert(failing[0][1])}",
            icon=":material/cloud_off:",
        )
        st.caption(f"Backend: {data.backend_url()}")
    else:
        st.warning(
            f"No submission with the id {inert(submission_id)} is on any leaderboard: check the address, "
            "or it may have been removed.",
            icon=":material/search_off:",
        )


def _who_and_when(links: Links, task: TaskInfo, row: pd.Series, submission_id: str) -> None:
    left, right = st.columns(2, vertical_alignment="center")
    with left:
        links.to_person(str(row["hf_username"]))
    when = row["submitted_at"]
    if pd.isna(when):
        right.caption("Submitted at an unknown time")
    else:
        right.caption(f"Submitted {when:%Y-%m-%d %H:%M} UTC ({lb.relative_time(when, datetime.now(UTC))})")
    links.to_board(task.name, submission_id)


def _ranks(task: TaskInfo, rows: pd.DataFrame, row: pd.Series, submission_id: str) -> None:
    then = None if pd.isna(row["submitted_at"]) else pp.standing(rows, task, submission_id, row["submitted_at"])
    now = pp.standing(rows, task, submission_id)
    c1, c2, c3 = st.columns(3)
    help_ = f"Among every user's best entry by {task.primary} (baselines included), this one standing for its sender"
    c1.metric("Rank when submitted", _place(then), help=f"{help_}, counting what had arrived by then")
    c2.metric("Rank now", _place(now), help=help_)
    c3.metric("Credits earned", cr.format_credits(float(row["credits_earned"])))
    metrics = bv.task_metrics(task, rows)
    st.dataframe(
        pp.metric_standings(rows, task, metrics, submission_id),
        hide_index=True,
        width="stretch",
        key=keys.SUBMISSION_METRICS,
        column_config={
            "value": st.column_config.NumberColumn(format="%.6g"),
            "rank": st.column_config.NumberColumn(help="Among every entry on the board; ties share a rank"),
            "of": st.column_config.NumberColumn(help="Entries on the board with a value for this metric"),
            "percentile": st.column_config.ProgressColumn(
                help="The share of the board's other entries it does at least as well as",
                format="%.0f",
                min_value=0,
                max_value=100,
            ),
        },
    )


def _place(standing: pp.Standing | None) -> str:
    if standing is None or standing.rank is None:
        return "—"
    return f"{standing.rank} of {standing.ranked}"


def _links_out(row: pd.Series) -> None:
    code, model = safe_url(row.get("code_url")), model_url(row.get("model_repo_id"))
    if code or model:
        with st.container(horizontal=True):
            if code:
                st.link_button("Code", code, icon=":material/code:")
            if model:
                st.link_button("Model on Hugging Face", model, icon=":material/model_training:")


def _reproduce(task: TaskInfo, rows: pd.DataFrame, submission_id: str) -> None:
    st.subheader("Reproduce it")
    session = auth.current()
    if session is None:
        st.info("Sign in (sidebar) to reproduce this submission and earn credits for it.")
        return
    st.caption(task_actions.REPRODUCE_HOW)
    task_actions.reproduce_form(task, rows, session, submission_id)
