"""Links between the person, submission and task pages, as `st.page_link`s: they open in the same
tab and session, where a plain relative link would start a new session.

A callable page can only be linked to through its `st.Page`, and the person and submission
pages link to each other: Home.py makes a `Links` with the task pages, builds both pages with it,
then hands it them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from components.text import inert


@dataclass
class Links:
    tasks: dict[str, st.Page]
    person: st.Page = field(init=False)
    submission: st.Page = field(init=False)

    def to_person(self, username: str, label: str | None = None) -> None:
        st.page_link(
            self.person,
            label=label or inert(username),
            icon=":material/person:",
            query_params={"name": username},
        )

    def to_submission(self, submission_id: str, label: str) -> None:
        st.page_link(self.submission, label=label, icon=":material/description:", query_params={"id": submission_id})

    def to_board(self, task: str, submission_id: str) -> None:
        """The submission picked on its task's board, when the dashboard has a page for that task."""
        if task in self.tasks:
            st.page_link(
                self.tasks[task],
                label=f"See it on the {inert(task)} board",
                icon=":material/leaderboard:",
                query_params={"submission": submission_id},
            )
