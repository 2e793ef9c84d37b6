"""Altair charts for the leaderboards: pure functions from DataFrames to chart specs.

Colours: where a category has no meaning of its own (submissions, baselines, the Pareto front,
a balance line) the chart leaves it to the theme, so it reads in Streamlit's light and dark
themes alike. The record line, its labels and a sparkline's value get theirs from the same
categorical palette (never Vega's default black text, unreadable on a dark background). The
credits page's charts are in `credit_charts`.

Metric names come from the backend and may hold `.`, `:`, Markdown or HTML: they only ever title
axes, legends and tooltips. Every Vega field name here is one of this module's own.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd
from streamlit import dataframe_util

# Streamlit ships chart data as Arrow, but `to_dict()` (tests, exports) would refuse
# more than 5,000 rows; a leaderboard with 50,000 submissions must still draw.
alt.data_transformers.disable_max_rows()

BASELINE_LABEL = "baseline"
SUBMISSION_LABEL = "submission"
#: The record line's legend entry, next to the two kinds of dots.
RECORD_LABEL = "best so far"
FRONT_LABEL = "on the Pareto front"
DOMINATED_LABEL = "dominated"

#: The record holder is named on the chart at most this many times (the tooltip names every one).
MAX_RECORD_LABELS = 8
#: For placing those names: the trend chart's plot width on a task page (Streamlit's centred
#: layout, less axis and legend) and the width of a character of an 11 px label.
_PLOT_WIDTH_PX = 560
_CHAR_PX = 6.5

VALUE_FORMAT = ".4~g"
TOOLTIP_TIME_FORMAT = "%Y-%m-%d %H:%M"


def prefers_log_scale(metric: str, values: pd.Series) -> bool:
    """Rejection rates and values spanning several decades read better on a log axis."""
    finite = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if finite.empty or (finite <= 0).any():
        return False
    return "_rej" in metric or bool(finite.max() / finite.min() >= 100)


def _y_scale(metric: str, values: pd.Series) -> alt.Scale:
    if prefers_log_scale(metric, values):
        return alt.Scale(type="log")
    return alt.Scale(zero=False)


def _higher(arrow: str) -> bool:
    """The direction a metric's arrow (`leaderboard`'s ↑ or ↓) says is better."""
    return arrow.strip() != "↓"


# -- time axes ---------------------------------------------------------------------------------

#: (longest span, label format, label unit): the first row whose span covers the data's. Labels
#: name the month always, the year once the span is long, the time of day while it is short.
_TIME_LABELS: tuple[tuple[pd.Timedelta | None, str, pd.Timedelta], ...] = (
    (pd.Timedelta(hours=1), "%b %d %H:%M:%S", pd.Timedelta(seconds=1)),
    (pd.Timedelta(days=3), "%b %d %H:%M", pd.Timedelta(minutes=1)),
    (pd.Timedelta(days=120), "%b %d", pd.Timedelta(days=1)),
    (None, "%b %Y", pd.Timedelta(days=31)),
)


def _utc(times: pd.Series) -> pd.Series:
    return pd.to_datetime(times, utc=True)


def _time_span(times: pd.Series) -> pd.Timedelta:
    stamps = _utc(times)
    lo, hi = stamps.min(), stamps.max()
    return pd.Timedelta(hi - lo) if pd.notna(lo) and pd.notna(hi) else pd.Timedelta(0)


def _time_tier(times: pd.Series) -> tuple[str, pd.Timedelta]:
    """Axis labels that name the day and are as fine as the span needs: a new account's entries
    are seconds apart (Vega's defaults would read as bare clock times or milliseconds, and
    minutes alone would repeat one label), a history of months names month and year.
    Returns the label format and its unit."""
    span = _time_span(times)
    for longest, label_format, unit in _TIME_LABELS:
        if longest is None or span <= longest:
            return label_format, unit
    raise AssertionError("the last tier covers every span")


def time_axis(times: pd.Series) -> alt.Axis:
    """A time axis labelled as `_time_tier` says, whose ticks are never closer than the labels'
    unit: on a wide chart Vega would otherwise put two ticks in one day (or second) and print
    the same label twice. `tickMinStep` caps the tick count at span / step + 1; at 1.5 units,
    d3 then picks the unit or a multiple of it."""
    label_format, unit = _time_tier(times)
    return alt.Axis(format=label_format, tickMinStep=1.5 * unit.total_seconds() * 1000, labelOverlap=True)


# -- the trend chart ---------------------------------------------------------------------------


def record_steps(best: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The record line with who holds it at each step: submitted_at, best, improved, holder, id.

    `best` is `leaderboard.best_so_far`'s frame; one with only submitted_at and best gets the
    rest from `points`: a step improves on the record when its value differs from the one
    before, and the record's holder is the earliest point that reached it (at or before the
    step; none, an empty name, if no point did)."""
    steps = pd.DataFrame(
        {
            "submitted_at": best["submitted_at"].to_numpy(),
            "best": pd.to_numeric(best["best"], errors="coerce").to_numpy(dtype=float),
        }
    )
    if "improved" in best:
        steps["improved"] = best["improved"].to_numpy(dtype=bool)
    else:
        steps["improved"] = steps["best"].ne(steps["best"].shift()).to_numpy()
    if "hf_username" in best and "id" in best:
        holder, ident = pd.Series(best["hf_username"].to_numpy()), pd.Series(best["id"].to_numpy())
    else:
        usable = points.dropna(subset=["value"]).sort_values("submitted_at", kind="stable")
        first = usable.drop_duplicates("value", keep="first").set_index("value")
        reached = steps["best"].map(_utc(first["submitted_at"])) <= _utc(steps["submitted_at"])
        holder = steps["best"].map(first["hf_username"]).where(reached)
        ident = steps["best"].map(first["id"]).where(reached)
    steps["holder"] = [str(v) if pd.notna(v) else "" for v in holder]
    steps["id"] = [str(v) if pd.notna(v) else "" for v in ident]
    return steps


def _record_labels(steps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where the chart names the holder, and on which side: at a new record whose holder
    differs from the last one's (someone beating their own record is not named again), newest
    first, as long as the name fits beside the later names, and `MAX_RECORD_LABELS` at most.

    A name ends at its record ("right"): there, above a record that rose, nothing is drawn,
    since every earlier submission scored below it. Only one too close to the start of the time
    axis to fit before it starts there instead ("left"). Widths are estimated for a plot of
    `_PLOT_WIDTH_PX`. Returns the labels (empty where none) and their alignments."""
    nanos = _utc(steps["submitted_at"]).to_numpy(dtype="datetime64[ns]").view("int64")
    known = nanos != np.iinfo(np.int64).min
    holders = steps["holder"].to_numpy(dtype=object)
    labels = np.full(len(steps), "", dtype=object)
    align = np.full(len(steps), "right", dtype=object)
    if not known.any():
        return labels, align
    start, span = int(nanos[known].min()), int(nanos[known].max() - nanos[known].min())
    new = np.flatnonzero(steps["improved"].to_numpy(dtype=bool) & known)
    changed = np.ones(len(new), dtype=bool)
    changed[1:] = holders[new[1:]] != holders[new[:-1]]
    room = np.inf  # where the leftmost name kept so far begins
    kept = 0
    for i in new[changed & (holders[new] != "")][::-1]:
        width = (span or np.inf) * (_CHAR_PX * len(str(holders[i])) + 10) / _PLOT_WIDTH_PX
        left = nanos[i] - start < width
        begins, ends = (nanos[i], nanos[i] + width) if left else (nanos[i] - width, nanos[i])
        if ends <= room and kept < MAX_RECORD_LABELS:
            labels[i], align[i], room, kept = holders[i], "left" if left else "right", begins, kept + 1
    return labels, align


def trend_chart(points: pd.DataFrame, best: pd.DataFrame, metric: str, arrow: str) -> alt.LayerChart | alt.FacetChart:
    """Every submission over time, and the best-so-far step line (the state of the art) with
    its holder named at new records.

    `points` has submitted_at, value, hf_username, id and is_baseline; `best` has
    submitted_at and best (one row per change of the record), and best_so_far's hf_username,
    id and improved if it has them (else they are derived from `points`, see `record_steps`).
    Layers: the dots, the record line, its new-record points, the holders' names; each layer's
    tooltip names the record holder or the submission's user.
    """
    data = points.assign(kind=np.where(points["is_baseline"], BASELINE_LABEL, SUBMISSION_LABEL))
    steps = record_steps(best, points)
    times = pd.concat([_utc(data["submitted_at"]), _utc(steps["submitted_at"])])
    steps["label"], steps["align"] = _record_labels(steps)
    scale = _y_scale(metric, data["value"])
    x = alt.X("submitted_at:T", title="submitted", axis=time_axis(times))
    kinds = [SUBMISSION_LABEL, BASELINE_LABEL, RECORD_LABEL]
    # One colour scale for dots and record: one legend, the theme's colours (its third is a red
    # in Streamlit's light and dark palettes and in Vega's own). The shape scale covers the same
    # three entries, so Vega-Lite merges the two legends and draws the record's as a line.
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=45, opacity=0.7)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=f"{metric} {arrow}", scale=scale),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds)),
            shape=alt.Shape("kind:N", title=None, scale=alt.Scale(domain=kinds, range=["circle", "diamond", "stroke"])),
            tooltip=[
                alt.Tooltip("hf_username:N", title="user"),
                alt.Tooltip("value:Q", title=metric, format=VALUE_FORMAT),
                alt.Tooltip("submitted_at:T", title="submitted", format=TOOLTIP_TIME_FORMAT),
                alt.Tooltip("id:N", title="submission"),
            ],
        )
    )
    on_record = alt.Chart(steps).encode(
        x=alt.X("submitted_at:T"),
        y=alt.Y("best:Q", scale=scale),
        color=alt.ColorDatum(RECORD_LABEL),
        tooltip=[
            alt.Tooltip("holder:N", title="record holder"),
            alt.Tooltip("best:Q", title=f"best {metric}", format=VALUE_FORMAT),
            alt.Tooltip("submitted_at:T", title="since", format=TOOLTIP_TIME_FORMAT),
            alt.Tooltip("id:N", title="submission"),
        ],
    )
    record = on_record.mark_line(interpolate="step-after", strokeWidth=2)
    new_records = on_record.mark_point(filled=True, size=36, opacity=1).transform_filter("datum.improved")
    # Above the line when higher is better, below it otherwise: the side no submission reaches.
    above = _higher(arrow)
    holders = (
        on_record.mark_text(
            baseline="bottom" if above else "top",
            dy=-6 if above else 6,
            fontSize=11,
            align=alt.ExprRef(expr="datum.align"),
            dx=alt.ExprRef(expr="datum.align == 'left' ? 3 : -3"),
        )
        .encode(text=alt.Text("label:N"))
        .transform_filter("datum.label != ''")
    )
    return alt.layer(dots, record, new_records, holders, height=320)


# -- the trade-off chart -----------------------------------------------------------------------


def tradeoff_chart(
    points: pd.DataFrame, x: str, y: str, x_arrow: str, y_arrow: str, on_front: pd.Series
) -> alt.LayerChart | alt.FacetChart:
    """Two metrics against each other (`points` columns x, y, hf_username, id; `x` and `y` name
    the metrics), with the Pareto front (in both directions) drawn as a line, in the colour of
    its points, with a legend that says which points are on it.

    The front is drawn as the edge of what it dominates: a staircase through its points whose
    corners are the worse of each neighbour's two values.

    The metric names only title the axes: as Vega field names, a `.` or `:` in a name from the
    backend would read as a nested field or a type."""
    front_mask = on_front.to_numpy(dtype=bool)
    # The front's dots are drawn last, above the dominated ones.
    data = points.assign(front=front_mask, status=np.where(front_mask, FRONT_LABEL, DOMINATED_LABEL)).sort_values(
        "front", kind="stable"
    )
    front = data[data["front"]].sort_values(["x", "y"], kind="stable")
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=f"{x} {x_arrow}", scale=_y_scale(x, data["x"])),
        y=alt.Y("y:Q", title=f"{y} {y_arrow}", scale=_y_scale(y, data["y"])),
    )
    dots = base.mark_point(filled=True, size=45, opacity=0.8).encode(
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=[FRONT_LABEL, DOMINATED_LABEL])),
        tooltip=[
            alt.Tooltip("hf_username:N", title="user"),
            alt.Tooltip("x:Q", title=x, format=VALUE_FORMAT),
            alt.Tooltip("y:Q", title=y, format=VALUE_FORMAT),
            alt.Tooltip("status:N", title="Pareto"),
            alt.Tooltip("id:N", title="submission"),
        ],
    )
    # Sorted by x, the corner between two front points is (worse x, worse y): the left point's
    # x when higher x is better (the line drops first), else the right one's (it runs first).
    steps: Literal["step-before", "step-after"] = "step-before" if _higher(x_arrow) else "step-after"
    line = (
        alt.Chart(front)
        .mark_line(interpolate=steps, strokeWidth=2)
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.ColorDatum(FRONT_LABEL), tooltip=alt.TooltipValue(None))
    )
    return alt.layer(dots, line, height=320)


# -- the comparison chart ----------------------------------------------------------------------

COMPARISON_AXIS = "share of the board shown it beats (right is better, whichever way the metric goes)"


def comparison_chart(points: pd.DataFrame) -> alt.Chart:
    """Picked entries on the same axes: a row per metric, a dot per entry at its standing on the
    board (`points` columns metric, metric_order, entry, entry_order, value, position in [0, 1]
    with 1 the best, better "higher" or "lower"), so metrics of any scale and direction read
    alike; the metric's title keeps its arrow, the tooltip gives the value itself."""
    by_pick = alt.EncodingSortField(field="entry_order", op="min")
    return (
        alt.Chart(points)
        .mark_point(filled=True, size=110, opacity=0.9)
        .encode(
            x=alt.X("position:Q", title=COMPARISON_AXIS, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            y=alt.Y(
                "metric:N",
                title=None,
                sort=alt.EncodingSortField(field="metric_order", op="min"),
                axis=alt.Axis(labelLimit=240),
            ),
            yOffset=alt.YOffset("entry:N", sort=by_pick),
            color=alt.Color("entry:N", title=None, sort=by_pick, legend=alt.Legend(orient="bottom", columns=2)),
            shape=alt.Shape("entry:N", title=None, sort=by_pick),
            tooltip=[
                alt.Tooltip("entry:N"),
                alt.Tooltip("metric:N"),
                alt.Tooltip("value:Q", format=VALUE_FORMAT),
                alt.Tooltip("position:Q", title="beats", format=".0%"),
                alt.Tooltip("better:N", title="better is"),
            ],
        )
        .properties(height=alt.Step(14))
    )


# -- small charts ------------------------------------------------------------------------------


def sparkline(best: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """A tiny best-so-far line for a home-page card (60 px high), ending in a dot and its value."""
    line_data = best[["submitted_at", "best"]]
    last = line_data.tail(1)
    base = alt.Chart(line_data).encode(
        x=alt.X("submitted_at:T", axis=None),
        y=alt.Y("best:Q", axis=None, scale=alt.Scale(zero=False)),
        # The theme's first colour for line, dot and value (a text mark is otherwise black).
        color=alt.ColorDatum(RECORD_LABEL),
    )
    line = base.mark_line(interpolate="step-after")
    end = base.mark_point(filled=True, size=25, opacity=1).properties(data=last)
    # Right of the end of the line, where nothing else is drawn (Vega narrows the line to fit it).
    value = (
        base.mark_text(align="left", baseline="middle", dx=5, fontSize=11)
        .encode(text=alt.Text("best:Q", format=VALUE_FORMAT))
        .properties(data=last)
    )
    # The colour's legend is off: the card names the metric.
    return alt.layer(line, end, value, height=60, config=alt.Config(legend=alt.LegendConfig(disable=True)))


# -- cheaper page views ------------------------------------------------------------------------


def _dataset_name(frame: pd.DataFrame) -> str:
    """A name that changes with the frame's content, as Streamlit's own names do (so the browser
    redraws a chart whose data changed), at about 1 ms for 5,000 rows."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return f"data-{digest.hexdigest()}"


def _named(chart: Any, datasets: dict[str, pd.DataFrame], names: dict[int, str]) -> Any:
    """A shallow copy of `chart` whose DataFrames are replaced by references to `datasets`:
    its `to_dict` then needs no data transformer (a process-wide setting, which
    `st.altair_chart` swaps for its own while it serialises, from any session's thread)."""
    copy = chart.copy(deep=False)
    data = getattr(copy, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        if id(data) not in names:
            names[id(data)] = _dataset_name(data)
            datasets[names[id(data)]] = data
        copy.data = alt.NamedData(name=names[id(data)])
    for part in ("layer", "hconcat", "vconcat", "concat"):
        children = getattr(copy, part, alt.Undefined)
        if isinstance(children, list):
            setattr(copy, part, [_named(child, datasets, names) for child in children])
    inner = getattr(copy, "spec", alt.Undefined)
    if isinstance(inner, alt.SchemaBase):
        copy.spec = _named(inner, datasets, names)
    return copy


def spec(chart: alt.Chart | alt.LayerChart | alt.FacetChart) -> dict[str, Any]:
    """The chart as a Vega-Lite dict for `st.vega_lite_chart(spec, ...)`, without Altair's
    schema validation (the tests validate every chart these functions build).

    Streamlit draws it exactly as `st.altair_chart(chart)`: the same spec, theme and width,
    and the same Arrow data. The data is under `datasets` already as the Arrow IPC bytes
    Streamlit sends (it passes bytes through as they are), so a spec built once per board version
    costs no conversion per view; the dict is not JSON. No theme config is merged in:
    `st.altair_chart` leaves Altair's default theme (its 300 px view) out too."""
    datasets: dict[str, pd.DataFrame] = {}
    named = _named(chart, datasets, {})
    # top_level False: Altair merges no theme config and adds no $schema.
    out: dict[str, Any] = named.to_dict(validate=False, context={"top_level": False})
    out["$schema"] = alt.SCHEMA_URL
    if datasets:
        out["datasets"] = {name: dataframe_util.convert_pandas_df_to_arrow_bytes(df) for name, df in datasets.items()}
    return out
