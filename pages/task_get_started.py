"""A task page's "Get started" panel: how to make a predictions file for the task and send it."""

from __future__ import annotations

import streamlit as st

from components import arrow_tables, samples, task_rules
from components import session_keys as keys
from components.tasks import TaskInfo
from components.text import inert

#: Where the input events live (linked from every task page).
DATASET_URL = "https://huggingface.co/datasets/CERN/ColliderML-Release-1"


def render(task: TaskInfo, metrics: list[str]) -> None:
    """How to make a file to submit: its columns, a sample, the one line of Python, the input data,
    and what each metric means. Drawn only while open (opening it reruns the page): most views
    leave it closed, and a crowd's views are cheaper by every element not sent."""
    panel = st.expander(
        "Get started: make a predictions file",
        icon=":material/rocket_launch:",
        key=keys.TaskKeys(task.name).get_started,
        on_change="rerun",
    )
    if not panel.open:
        return
    rules = task_rules.of(task.name)
    with panel:
        if rules is None:
            st.markdown(
                "This task is newer than this dashboard: its columns are in the colliderml documentation "
                "for the release that added it. The backend checks files on arrival."
            )
        else:
            st.markdown(f"A Parquet file with these columns, {inert(rules.file_rules)}:")
            st.dataframe(arrow_tables.file_columns(task.name), hide_index=True, width="content")
            st.download_button(
                "Download a sample file",
                lambda: samples.sample_predictions(task) or b"",
                samples.sample_filename(task),
                "application/vnd.apache.parquet",
                key=keys.TaskKeys(task.name).sample,
                icon=":material/download:",
                help="Random predictions in the right shape: they pass the check and score poorly on purpose",
            )
            if not rules.scored_locally:
                st.caption(
                    "No local preview of scores for this task: scoring it needs the held-out truth, which only "
                    "the backend has. The check here still covers the columns, the eval events and repeated hits."
                )
        st.markdown(
            "Submit from Python with the official client (your Hugging Face token in `HF_TOKEN`):\n\n"
            f"```python\nimport colliderml.tasks\ncolliderml.tasks.submit({task.name!r}, 'predictions.parquet')\n```"
        )
        where = [f"dataset {inert(task.dataset)}"] if task.dataset else []
        if task.eval_event_range:
            where.append(f"events {task.eval_event_range[0]:,}–{task.eval_event_range[1] - 1:,} are scored")
        st.markdown(
            f"The input events are the [ColliderML dataset on Hugging Face]({DATASET_URL})"
            + (f" ({', '.join(where)})." if where else ".")
        )
        st.dataframe(arrow_tables.glossary(task, tuple(metrics)), hide_index=True, width="stretch")
