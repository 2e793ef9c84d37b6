"""Altair charts of a person's credits (the credits page): their balance over time and net
credits per category. Build specs with `charts.spec`; time axes are the boards' own.

Earning and spending keep fixed colours, mid-tones chosen to read on Streamlit's light and
dark backgrounds alike; everything else takes the theme's.
"""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd

from components import charts

#: Earning and spending: meaningful colours, mid-tones that keep about 4:1 contrast on a white
#: and on Streamlit's dark background (#0e1117).
EARNED_COLOR = "#2b9348"
SPENT_COLOR = "#e5484d"


def balance_chart(balance: pd.DataFrame) -> alt.Chart:
    """A user's balance over time (created_at, balance) as a step line: it moves only at ledger entries."""
    return (
        alt.Chart(balance)
        .mark_line(interpolate="step-after", strokeWidth=2, point=True)
        .encode(
            x=alt.X("created_at:T", title="date", axis=charts.time_axis(balance["created_at"])),
            y=alt.Y("balance:Q", title="credits"),
            tooltip=[
                alt.Tooltip("created_at:T", title="date", format=charts.TOOLTIP_TIME_FORMAT),
                alt.Tooltip("balance:Q", title="balance", format=",.2~f"),
            ],
        )
        .properties(height=280)
    )


def credits_bars(totals: pd.DataFrame, category: str, title: str) -> alt.Chart:
    """Net credits per `category` (columns: category, credits, entries); spending in red."""
    return _bars(category, title).properties(data=totals)


@functools.cache
def _bars(category: str, title: str) -> alt.Chart:
    """`credits_bars` without its data. Altair validates every channel against its schema as it
    builds a chart, about 5 ms for these, on every credits page view: done once per category
    instead (callers get a copy with their data; nobody changes the shared one)."""
    return (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=title, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("credits:Q", title="credits"),
            color=alt.when(alt.datum.credits >= 0).then(alt.value(EARNED_COLOR)).otherwise(alt.value(SPENT_COLOR)),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=title),
                alt.Tooltip("credits:Q", format=",.2~f"),
                alt.Tooltip("entries:Q", title="entries"),
            ],
        )
        .properties(height=alt.Step(28))
    )
