"""About: how to take part, what each task expects, and how credits are earned."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import economics, task_rules

PREDICTION_SCHEMAS = pd.DataFrame(
    [(rules.name, ", ".join(rules.column_names), rules.file_rules) for rules in task_rules.RULES.values()],
    columns=["task", "prediction columns", "rules"],
)
METRICS = pd.DataFrame(
    [
        (metric, ", ".join(name for name, r in task_rules.RULES.items() if metric in r.directions), meaning)
        for metric, meaning in task_rules.GLOSSARY.items()
    ],
    columns=["metric", "tasks", "what it measures"],
)
HOW_TO_TAKE_PART = """
**How to take part**

1. **Sign in with Hugging Face** (sidebar). No popup? Paste a Hugging Face access token instead.
2. **Make predictions** for a task's held-out events with your model, as a Parquet file with the columns below.
3. **Submit** the file on the task's page. The dashboard checks it first, so a wrong column is caught
   before anything is sent; then the backend re-scores it against held-out truth and pays credits for
   every metric where you beat the current best.
4. **Reproduce** someone else's submission: run their code, upload your predictions against their entry,
   and earn credits when every metric lands within 2 % of theirs. Reproductions keep the board honest.

The same files work from Python: `colliderml.tasks.submit("jets", "predictions.parquet")`.
"""
LINKS = (
    "- [colliderml documentation](https://opendatadetector.github.io/ColliderML)\n"
    "- [colliderml source and issues](https://github.com/OpenDataDetector/ColliderML)\n"
    "- [colliderml on PyPI](https://pypi.org/project/colliderml/)\n"
    "- [The ColliderML dataset on Hugging Face](https://huggingface.co/datasets/CERN/ColliderML-Release-1)"
)


def render() -> None:
    st.title("About the ColliderML Leaderboard")
    st.markdown(HOW_TO_TAKE_PART)
    st.subheader("Prediction files")
    st.dataframe(PREDICTION_SCHEMAS, hide_index=True, width="stretch")
    st.caption("Tasks added by a newer colliderml release follow that release's schema.")

    st.subheader("Metrics")
    st.dataframe(METRICS, hide_index=True, width="stretch")
    st.caption("A metric a newer colliderml adds shows on its board under its own name.")

    st.subheader("Credits")
    rules = pd.DataFrame(
        [
            *[
                (f"Beat the best {task} metric", f"+{reward:.0f} per metric")
                for task, reward in economics.BEAT_REWARDS.items()
            ],
            ("First submission of a task", "beats every metric"),
            ("Byte-identical resubmission", "nothing (deduplicated)"),
            ("Reproduce a submission within 2 %", f"+{economics.REPRODUCTION_REWARD:.0f}"),
            ("First sign-in", f"+{economics.SIGNUP_CREDITS:.0f}"),
        ],
        columns=["what", "credits"],
    )
    st.dataframe(rules, hide_index=True, width="stretch")

    st.subheader("Links")
    st.markdown(LINKS)
