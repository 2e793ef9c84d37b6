"""A person's page, `/user?name=<hf_username>`: their submissions across every task, where they
stand on each now and how that moved, the credits their submissions earned, and badges to paste.

Everything here is public: it comes from the leaderboards every visitor shares, whoever is signed
in. The name comes from the address, so it is shown inert wherever it is shown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import board_view as bv
from components import credits as cr
from components import data, paths
from components import people as pp
from components import session_keys as keys
from components.tasks import TaskInfo
from components.text import inert, plural
from pages.links import Links

CHARTS_PER_ROW = 2


def render(links: Links) -> None:
    name = st.query_params.get("name", "").strip()
    if not name:
        st.title("Person")
        st.info("This address names no one: a person's page is `/user?name=<Hugging Face user name>`.")
        return
    st.title(inert(name))
    st.caption("Submissions on the public ColliderML leaderboards, across every task.")
    tasks = data.catalogue().tasks
    snapshots = {task.name: data.leaderboard(task.name) for task in tasks}
    held = {task: snap.rows for task, snap in snapshots.items() if snap.rows is not None}
    # The task pages' default ranking, shared by every visitor of a board version.
    rankings = {
        task.name: data.per_board(snapshots[task.name], bv.ranked_board, task, bv.ViewOptions())
        for task in tasks
        if task.name in held
    }
    failing = [task.name for task in tasks if snapshots[task.name].error is not None]
    if failing:
        first = snapshots[failing[0]].error
        st.warning(
            f"The leaderboards of {inert(', '.join(failing))} could not be loaded: this page may miss or show "
            f"stale rows of them. {inert(first)}",
            icon=":material/cloud_off:",
        )
    mine = cr.my_submissions(held, tasks, name, rankings)
    if mine.empty:
        where = "the leaderboards that could be loaded" if failing else "any public leaderboard"
        st.info(f"No submission by {inert(name)} on {where}.", icon=":material/person_search:")
        return
    summary = pp.per_task(mine, [task.name for task in tasks])
    _summary(summary)
    _rank_over_time(links, [task for task in tasks if task.name in set(summary["task"])], snapshots, mine, name)
    _submissions(mine)
    _badges([str(task) for task in summary["task"]], name)


def _summary(summary: pd.DataFrame) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Tasks", len(summary))
    c2.metric("Submissions", f"{int(summary['submissions'].sum()):,}")
    c3.metric("Credits earned by submissions", cr.format_credits(float(summary["credits"].sum())))
    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        key=keys.PERSON_TASKS,
        column_config={
            "rank": st.column_config.NumberColumn(
                "rank now", help="Their place on the task's board as it shows first: best entry per user"
            ),
            "ranked": st.column_config.NumberColumn("of", help="Entries ranked on that board"),
            "metric": st.column_config.TextColumn("metric", help="The task's primary metric"),
            "best score": st.column_config.NumberColumn(format="%.4g"),
            "credits": st.column_config.NumberColumn("credits earned", format="%g"),
        },
    )


def _rank_over_time(
    links: Links, tasks: list[TaskInfo], snapshots: dict[str, data.Snapshot], mine: pd.DataFrame, name: str
) -> None:
    st.subheader("Rank over time")
    st.caption("Their place on each board at the end of every day a score arrived (UTC), best entry per user.")
    with st.grid(CHARTS_PER_ROW):  # fewer columns on a narrow screen
        for task in tasks:
            with st.container(border=True):
                st.markdown(f"**{inert(task.name)}** · by {inert(bv.metric_label(task, task.primary))}")
                # Every user's history is worked out once per board version, then looked up.
                history = pp.history_of(data.per_board(snapshots[task.name], pp.rank_history, task), name)
                spec = pp.rank_chart_spec(history)
                if spec is None:
                    st.caption(f"No submission of theirs carries {inert(task.primary)}, so no rank yet.")
                else:
                    st.vega_lite_chart(spec=spec, key=keys.person_rank(task.name))
                best = mine[(mine["task"] == task.name).to_numpy() & mine["counts"].to_numpy(dtype=bool)]
                if len(best):
                    links.to_submission(str(best["id"].iloc[0]), "The submission that holds their place")


def _submissions(mine: pd.DataFrame) -> None:
    st.subheader("Submissions")
    table = mine.assign(open=[paths.submission_path(sid) for sid in mine["id"]]).drop(columns=["rank", "ranked"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=keys.PERSON_SUBMISSIONS,
        column_config={
            "metric": st.column_config.TextColumn("metric", help="The task's primary metric"),
            "score": st.column_config.NumberColumn(format="%.4g"),
            "credits": st.column_config.NumberColumn(format="%g"),
            "submitted": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "counts": st.column_config.CheckboxColumn("their best", help="The submission that holds their place"),
            "open": st.column_config.LinkColumn("open", display_text="details"),
            "id": st.column_config.TextColumn("submission id"),
        },
    )
    st.caption(f"{plural(len(mine), 'submission')}, newest first")


def _badges(task_names: list[str], name: str) -> None:
    with st.expander("Badges for a README", icon=":material/verified:"):
        st.caption("Paste one into a README: it shows the current rank on that task and links to this page.")
        origin = paths.app_origin(st.context.url, st.get_option("server.baseUrlPath"))
        for task in task_names:
            st.code(pp.badge_markdown(origin, task, name), language="markdown")
