"""The altair charts: they serialise at leaderboard sizes, draw the record as steps with its
holder named, pick log axes only where a log axis can draw, mark exactly the Pareto points with
a plain legend, label time axes by the month, read in light and dark themes, and `charts.spec`
gives Streamlit the same chart without Altair's validation.

Every chart here is validated against the Vega-Lite schema (`_validated`: `to_dict()`), since
the pages send `charts.spec`, which skips that."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from components import charts, credit_charts
from components import leaderboard as lb
from tests.conftest import chart_frames

N_POINTS = 20_000
DAY0 = pd.Timestamp("2026-03-01T00:00:00Z")


@pytest.fixture(scope="module")
def board() -> pd.DataFrame:
    """20,000 jets-like submissions over ten weeks: AUC up, rejection spanning two decades."""
    return make_board(N_POINTS)


def make_board(n: int, days: float = 70, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    auc = rng.uniform(0.6, 0.95, n)
    return pd.DataFrame(
        {
            "id": [f"s{i}" for i in range(n)],
            "hf_username": [f"user{i}" for i in rng.integers(0, 300, n)],
            "submitted_at": DAY0 + pd.to_timedelta(rng.integers(0, int(days * 86400), n), unit="s"),
            "is_baseline": rng.random(n) < 0.01,
            "score.btag_auc": auc,
            "score.light_rej_70": 10 ** (1 + 2 * (auc - 0.6) / 0.35 + rng.normal(0, 0.3, n)),
        }
    )


def _points(board: pd.DataFrame, metric: str = "btag_auc") -> pd.DataFrame:
    return board.assign(value=board[lb.metric_column(metric)])[
        ["submitted_at", "value", "hf_username", "id", "is_baseline"]
    ]


def _validated(chart: Any) -> dict[str, Any]:
    """The chart's spec, checked against the Vega-Lite schema (Altair raises if it does not conform)."""
    spec: dict[str, Any] = chart.to_dict()
    return spec


def trend_of(board: pd.DataFrame) -> Any:
    return charts.trend_chart(_points(board), lb.best_so_far(board, "btag_auc", True), "btag_auc", "↑")


def _trend(board: pd.DataFrame) -> dict[str, Any]:
    return _validated(trend_of(board))


def _layer_rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = spec["datasets"][layer["data"]["name"]]
    return rows


def _filtered_rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    """A layer's rows after its filters (the only ones these charts use, written as expressions)."""
    rows = _layer_rows(spec, layer)
    for step in layer.get("transform", []):
        expr = step["filter"]
        if expr == "datum.improved":
            rows = [row for row in rows if row["improved"]]
        elif expr == "datum.label != ''":
            rows = [row for row in rows if row["label"] != ""]
        else:
            raise AssertionError(f"unknown filter {expr!r}")
    return rows


def _layer(spec: dict[str, Any], mark: str, y: str | None = None) -> dict[str, Any]:
    found = [layer for layer in spec["layer"] if layer["mark"]["type"] == mark]
    if y is not None:
        found = [layer for layer in found if layer["encoding"]["y"]["field"] == y]
    assert len(found) == 1, f"one {mark} layer expected, found {len(found)}"
    return found[0]


def tradeoff_of(board: pd.DataFrame, x_arrow: str = "↑") -> tuple[Any, pd.Series]:
    front = lb.pareto_front(board, "btag_auc", x_arrow == "↑", "light_rej_70", True)
    pairs = pd.DataFrame(
        {
            "x": board["score.btag_auc"],
            "y": board["score.light_rej_70"],
            "hf_username": board["hf_username"],
            "id": board["id"],
        }
    )
    return charts.tradeoff_chart(pairs, "btag_auc", "light_rej_70", x_arrow, "↑", front), front


def _tradeoff(board: pd.DataFrame, x_arrow: str = "↑") -> tuple[dict[str, Any], pd.Series]:
    chart, front = tradeoff_of(board, x_arrow)
    return _validated(chart), front


def _stamps(seconds: Sequence[float]) -> pd.Series:
    return pd.Series(pd.Timestamp("2026-11-26T10:00:00Z") + pd.to_timedelta(list(seconds), unit="s"))


# -- the trend chart ---------------------------------------------------------------------------


def test_trend_chart_with_twenty_thousand_points_serialises(board: pd.DataFrame) -> None:
    spec = _trend(board)  # altair's default would raise MaxRowsError above 5,000 rows
    dots = spec["layer"][0]
    assert len(_layer_rows(spec, dots)) == N_POINTS


def test_trend_chart_draws_the_record_as_steps(board: pd.DataFrame) -> None:
    spec = _trend(board)
    record = next(layer for layer in spec["layer"] if layer["encoding"]["y"]["field"] == "best")
    assert record["mark"]["type"] == "line"
    assert record["mark"]["interpolate"].startswith("step")
    bests = [row["best"] for row in _layer_rows(spec, record)]
    assert bests == sorted(bests) and bests[-1] == board["score.btag_auc"].max()


def test_the_record_line_has_a_legend_entry_next_to_submissions_and_baselines(board: pd.DataFrame) -> None:
    spec = _trend(board)
    dots, line = spec["layer"][0], _layer(spec, "line")
    entries = [charts.SUBMISSION_LABEL, charts.BASELINE_LABEL, charts.RECORD_LABEL]
    color, shape = dots["encoding"]["color"], dots["encoding"]["shape"]
    assert color["scale"]["domain"] == entries and color["title"] is None
    # The same domain on both channels: Vega-Lite merges them into one legend, the record as a line.
    assert shape["scale"] == {"domain": entries, "range": ["circle", "diamond", "stroke"]}
    assert line["encoding"]["color"] == {"datum": charts.RECORD_LABEL}, "the line takes its entry's colour"
    assert "resolve" not in spec, "one shared colour scale: one legend"


def test_the_record_holder_is_in_the_tooltip_of_every_step(board: pd.DataFrame) -> None:
    spec = _trend(board)
    best = lb.best_so_far(board, "btag_auc", True)
    for mark in ("line", "point"):
        layer = _layer(spec, mark, y="best")
        tooltip = {item["field"]: item["title"] for item in layer["encoding"]["tooltip"]}
        assert tooltip["holder"] == "record holder" and tooltip["best"] == "best btag_auc"
    rows = _layer_rows(spec, _layer(spec, "line"))
    assert [row["holder"] for row in rows] == best["hf_username"].tolist()
    assert [row["id"] for row in rows] == best["id"].tolist()
    points = _filtered_rows(spec, _layer(spec, "point", y="best"))
    assert [row["id"] for row in points] == best.loc[best["improved"], "id"].tolist(), "a dot at each new record"


def _records(*steps: tuple[float, str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points (day, user, value) and their best-so-far (higher is better)."""
    rows = pd.DataFrame(
        {
            "submitted_at": [DAY0 + pd.Timedelta(days=day) for day, _, _ in steps],
            "hf_username": [user for _, user, _ in steps],
            "score.m": [value for _, _, value in steps],
            "id": [f"s{i}" for i in range(len(steps))],
            "is_baseline": False,
        }
    )
    return _points(rows, "m"), lb.best_so_far(rows, "m", True)


def _labels(spec: dict[str, Any]) -> list[tuple[str, str]]:
    text = _layer(spec, "text")
    assert text["encoding"]["text"]["field"] == "label"
    return [(row["label"], row["align"]) for row in _filtered_rows(spec, text)]


def test_new_records_are_labelled_with_their_holder_without_repeating_or_crowding() -> None:
    points, best = _records(
        (0, "alice", 0.5),  # too close to the start to end there: starts at its record
        (10, "alice", 0.6),  # alice beats her own record: not named again
        (20, "bob", 0.55),  # no record
        (30, "bob", 0.7),  # bob's and carol's names would run into dave's:
        (30.5, "carol", 0.71),  # in a crowd of records, the newest is named
        (31, "dave", 0.72),
        (60, "erin", 0.8),
        (70, "frank", 0.1),
    )
    spec = _validated(charts.trend_chart(points, best, "m", "↑"))
    assert _labels(spec) == [("alice", "left"), ("dave", "right"), ("erin", "right")]
    text = _layer(spec, "text")
    assert (text["mark"]["baseline"], text["mark"]["dy"]) == ("bottom", -6), "above the line when higher is better"
    assert text["mark"]["align"] == {"expr": "datum.align"}
    assert text["encoding"]["color"] == {"datum": charts.RECORD_LABEL}, "in the record's colour, never default black"

    lower = _validated(charts.trend_chart(points, best, "m", "↓"))
    text = _layer(lower, "text")
    assert (text["mark"]["baseline"], text["mark"]["dy"]) == ("top", 6), "below it when lower is better"


def test_records_set_at_one_instant_are_named_once() -> None:
    points, best = _records((0, "alice", 0.5), (0, "bob", 0.6), (0, "carol", 0.7))
    spec = _validated(charts.trend_chart(points, best, "m", "↑"))
    assert [label for label, _ in _labels(spec)] == ["carol"]


def test_no_more_than_the_cap_of_names_on_a_long_history(board: pd.DataFrame) -> None:
    spec = _trend(board)
    labels = _labels(spec)
    best = lb.best_so_far(board, "btag_auc", True)
    assert 0 < len(labels) <= charts.MAX_RECORD_LABELS
    assert labels[-1][0] == best.loc[best["improved"], "hf_username"].iloc[-1], "the current holder is named"


def test_a_record_line_without_holders_gets_them_from_the_points_the_earliest_on_a_tie() -> None:
    points, best = _records(
        (0, "alice", 0.5),
        (1, "bob", 0.7),
        (2, "carol", 0.7),  # ties bob's record: bob, the earliest, holds it
        (3, "dave", 0.9),
    )
    bare = best[["submitted_at", "best"]]
    steps = charts.record_steps(bare, points)
    full = charts.record_steps(best, points)
    pd.testing.assert_frame_equal(steps, full)
    assert steps["holder"].tolist() == ["alice", "bob", "dave"]
    assert steps["improved"].tolist() == [True, True, True]
    spec = _validated(charts.trend_chart(points, bare, "m", "↑"))
    assert _labels(spec) == [("alice", "left"), ("bob", "right"), ("dave", "right")]

    # A tie in the points, and a record no point reached (a record line from other rows).
    tied = points.assign(submitted_at=[DAY0, DAY0 + pd.Timedelta(days=1), DAY0 + pd.Timedelta(days=1), DAY0])
    odd = pd.DataFrame({"submitted_at": [DAY0, DAY0 + pd.Timedelta(days=1), DAY0 + pd.Timedelta(days=2)]})
    odd["best"] = [0.5, 0.7, 0.8]
    steps = charts.record_steps(odd, tied)
    assert steps["holder"].tolist() == ["alice", "bob", ""], "bob before carol (stable on equal times); 0.8: nobody"
    # A point that reaches a record value only after the step does not hold it.
    late = charts.record_steps(odd.assign(best=[0.5, 0.9, 0.9]), points)
    assert late["holder"].tolist() == ["alice", "", ""]
    assert late["improved"].tolist() == [True, True, False]


def test_a_closing_step_is_no_new_record() -> None:
    points, best = _records((0, "alice", 0.5), (5, "bob", 0.4))
    steps = charts.record_steps(best[["submitted_at", "best"]], points)
    assert steps["improved"].tolist() == [True, False] and steps["holder"].tolist() == ["alice", "alice"]


def test_an_empty_trend_still_draws() -> None:
    points, best = _records((0, "alice", 0.5))
    spec = _validated(charts.trend_chart(points.iloc[:0], best.iloc[:0], "m", "↑"))
    assert _layer_rows(spec, spec["layer"][0]) == []


@pytest.mark.parametrize(
    ("seconds", "label_format"),
    [
        ([0, 7, 21, 35], "%b %d %H:%M:%S"),  # a new account: seconds apart
        ([0, 3_600 * 30], "%b %d %H:%M"),
        ([0, 86_400 * 70], "%b %d"),  # the seeded history
        ([0, 86_400 * 400], "%b %Y"),  # months: the month and the year
    ],
)
def test_trend_time_axis_names_the_month_as_finely_as_the_span_needs(seconds: list[int], label_format: str) -> None:
    stamps = _stamps(seconds)
    points = pd.DataFrame(
        {
            "submitted_at": stamps,
            "value": np.linspace(0.5, 0.9, len(stamps)),
            "hf_username": "u",
            "id": [f"s{i}" for i in range(len(stamps))],
            "is_baseline": False,
        }
    )
    best = lb.best_so_far(points.rename(columns={"value": "score.m"}), "m", True)
    spec = _validated(charts.trend_chart(points, best, "m", "↑"))
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == label_format
    assert "%b" in axis["format"], "every label names the month"
    _assert_ticks_no_finer_than_labels(axis)


def _assert_ticks_no_finer_than_labels(axis: dict[str, Any]) -> None:
    """Two ticks closer than the labels' unit would print one label twice."""
    unit_ms = {"%S": 1_000, "%M": 60_000, "%d": 86_400_000, "%Y": 31 * 86_400_000}
    finest = next(ms for code, ms in unit_ms.items() if code in axis["format"])
    assert axis["tickMinStep"] >= finest


# -- the trade-off chart -----------------------------------------------------------------------


def test_tradeoff_chart_with_twenty_thousand_points_marks_exactly_the_pareto_points(board: pd.DataFrame) -> None:
    spec, front = _tradeoff(board)
    dots, line = spec["layer"]
    rows = _layer_rows(spec, dots)
    assert len(rows) == N_POINTS
    expected = set(board.loc[front, "id"])
    assert 0 < len(expected) < 100
    assert {row["id"] for row in rows if row["front"]} == expected
    drawn = _layer_rows(spec, line)
    assert {row["id"] for row in drawn} == expected
    xs = [row["x"] for row in drawn]
    assert xs == sorted(xs), "the front is drawn left to right"
    assert spec["layer"][0]["encoding"]["y"]["scale"] == {"type": "log"}, "rejection reads on a log axis"


def test_the_pareto_front_is_a_line_with_a_plain_legend(board: pd.DataFrame) -> None:
    spec, front = _tradeoff(board)
    dots, line = spec["layer"]
    color = dots["encoding"]["color"]
    assert color["field"] == "status" and color["type"] == "nominal" and color["title"] is None
    assert color["scale"]["domain"] == [charts.FRONT_LABEL, charts.DOMINATED_LABEL], "words, not true/false"
    statuses = {row["id"]: row["status"] for row in _layer_rows(spec, dots)}
    assert {i for i, status in statuses.items() if status == charts.FRONT_LABEL} == set(board.loc[front, "id"])
    assert set(statuses.values()) == {charts.FRONT_LABEL, charts.DOMINATED_LABEL}
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["color"] == {"datum": charts.FRONT_LABEL}, "the line in the front's legend colour"
    assert all(row["front"] for row in _layer_rows(spec, dots)[-int(front.sum()) :]), "front dots drawn on top"


@pytest.mark.parametrize(("x_arrow", "steps"), [("↑", "step-before"), ("↓", "step-after")])
def test_the_front_staircase_turns_at_the_worse_corner(board: pd.DataFrame, x_arrow: str, steps: str) -> None:
    """Sorted by x, between two front points the edge of what they dominate turns at (worse x,
    worse y): with higher x better that is the left point's x (down first, step-before)."""
    spec, _ = _tradeoff(board, x_arrow)
    assert spec["layer"][1]["mark"]["interpolate"] == steps


# -- small charts ------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[0.5, 0.6, 0.6], [0.5, 0.4]])
def test_sparkline_ends_with_its_last_value(values: list[float]) -> None:
    best = pd.DataFrame(
        {
            "submitted_at": [DAY0 + pd.Timedelta(days=i) for i in range(len(values))],
            "best": values,
            "hf_username": "someone",
        }
    )
    spec = _validated(charts.sparkline(best))
    line = spec["layer"][0]
    assert line["mark"]["interpolate"].startswith("step")
    assert spec["height"] == 60
    text = _layer(spec, "text")
    assert text["encoding"]["text"] == {"field": "best", "format": ".4~g", "type": "quantitative"}
    assert _layer_rows(spec, text) == [{"submitted_at": best["submitted_at"].iloc[-1].isoformat(), "best": values[-1]}]
    assert (text["mark"]["align"], text["mark"]["dx"]) == ("left", 5), "right of the end, where nothing is drawn"
    assert _layer_rows(spec, _layer(spec, "point")) == _layer_rows(spec, text), "and a dot at the end"
    assert text["encoding"]["color"] == line["encoding"]["color"], "the theme's colour, as the line"
    assert spec["config"]["legend"] == {"disable": True}
    assert "hf_username" not in _layer_rows(spec, line)[0], "only what the line draws is sent"


@pytest.mark.parametrize(
    ("seconds", "label_format"),
    [
        ([0, 40, 95], "%b %d %H:%M:%S"),
        ([0, 3_600 * 30], "%b %d %H:%M"),
        ([0, 86_400 * 70], "%b %d"),
        ([0, 86_400 * 200], "%b %Y"),
    ],
)
def test_balance_chart_labels_name_the_day_as_finely_as_the_span_needs(seconds: list[int], label_format: str) -> None:
    stamps = pd.Timestamp("2026-11-26T10:00:00Z") + pd.to_timedelta(seconds, unit="s")
    balance = pd.DataFrame({"created_at": stamps, "balance": [10.0 * (i + 1) for i in range(len(seconds))]})
    spec = _validated(credit_charts.balance_chart(balance))
    assert spec["encoding"]["x"]["axis"]["format"] == label_format
    _assert_ticks_no_finer_than_labels(spec["encoding"]["x"]["axis"])
    assert spec["mark"]["interpolate"] == "step-after"
    assert len(next(iter(spec["datasets"].values()))) == len(seconds)


@pytest.mark.parametrize(
    ("metric", "values", "log"),
    [
        ("light_rej_70", [5.0, 8.0, 12.0], True),  # a rejection, even over a narrow range
        ("c_rej_70", [2.0, np.inf, 3.0, np.nan], True),  # non-finite values are ignored
        ("wallclock_s", [0.03, 1.0, 31.0], True),  # three decades
        ("n_params", [4_000.0, 2_000_000.0], True),
        ("btag_auc", [0.61, 0.95], False),  # one decade at most: linear
        ("light_rej_70", [0.0, 5.0, 500.0], False),  # a zero cannot sit on a log axis
        ("wallclock_s", [-1.0, 1.0, 1000.0], False),  # nor a negative
        ("light_rej_70", [], False),
        ("light_rej_70", [np.nan], False),
    ],
)
def test_prefers_log_scale(metric: str, values: list[float], log: bool) -> None:
    assert charts.prefers_log_scale(metric, pd.Series(values, dtype=float)) is log


# -- every chart: themes, field names, `charts.spec` ------------------------------------------

HOSTILE = "eff.0:5 **b** <img src=x onerror=alert(1)>"


def sample_charts() -> Iterator[tuple[str, Any]]:
    """One of each chart the pages draw, at 5,000 submissions (metric names as the backend may send)."""
    board = make_board(5_000)
    yield "trend", trend_of(board)
    yield "tradeoff", tradeoff_of(board)[0]
    yield "sparkline", charts.sparkline(lb.best_so_far(board, "btag_auc", True))
    ledger = pd.DataFrame({"created_at": _stamps([0, 60, 86_400 * 3]), "balance": [0.0, 5.0, 2.5]})
    yield "balance", credit_charts.balance_chart(ledger)
    totals = pd.DataFrame(
        {"reason": ["submission", HOSTILE, "spent"], "credits": [5.0, 2.0, -3.0], "entries": [1, 1, 2]}
    )
    yield "bars", credit_charts.credits_bars(totals, "reason", "reason")
    points = _points(board).iloc[:50]
    yield "hostile trend", charts.trend_chart(points, lb.best_so_far(board.iloc[:50], "btag_auc", True), HOSTILE, "↓")
    pairs = pd.DataFrame({"x": points["value"], "y": points["value"] ** 2, "hf_username": "u", "id": points["id"]})
    front = pd.Series(np.arange(len(pairs)) < 3, index=pairs.index)
    yield "hostile tradeoff", charts.tradeoff_chart(pairs, HOSTILE, f"{HOSTILE}:Q", "↓", "↑", front)


@pytest.fixture(scope="module")
def samples() -> list[tuple[str, Any]]:
    return list(sample_charts())


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_metric_names_only_title_and_are_never_field_names(samples: list[tuple[str, Any]]) -> None:
    allowed = {"submitted_at", "value", "kind", "hf_username", "id", "best", "holder", "label", "x", "y", "status"}
    allowed |= {"created_at", "balance", "reason", "credits", "entries"}
    for name, chart in samples:
        spec = _validated(chart)
        spec.pop("datasets", None)
        fields = {value for key, value in _walk(spec) if key == "field"}
        assert fields <= allowed, f"{name}: {fields - allowed}"
        if name.startswith("hostile") and name != "bars":
            titles = {value for key, value in _walk(spec) if key == "title" and isinstance(value, str)}
            assert any(HOSTILE in title for title in titles), f"{name}: the metric titles the chart"


def _colours(spec: dict[str, Any]) -> set[str]:
    spec = {key: value for key, value in spec.items() if key != "datasets"}
    return set(re.findall(r"#[0-9a-fA-F]{3,8}\b|\b(?:black|white)\b", json.dumps(spec)))


def _contrast(colour: str, background: str) -> float:
    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_come_from_the_theme_but_earning_and_spending(samples: list[tuple[str, Any]]) -> None:
    """Streamlit's light and dark themes each bring their palette: no chart names a colour of
    its own, except the bars of earnings and spending, which keep green and red readable
    (3:1, the contrast for graphics) on both backgrounds. Text marks (record holders, a
    sparkline's value) take a palette colour: Vega-Lite's default text colour is black."""
    for name, chart in samples:
        spec = _validated(chart)
        expected = {credit_charts.EARNED_COLOR, credit_charts.SPENT_COLOR} if name == "bars" else set()
        assert _colours(spec) == expected, name
        for key, value in _walk(spec):
            if key == "mark" and isinstance(value, dict) and value.get("type") == "text":
                assert "color" not in value and "fill" not in value
        texts = [layer for layer in spec.get("layer", []) if layer["mark"]["type"] == "text"]
        assert all("datum" in layer["encoding"]["color"] for layer in texts), name
    for colour in (credit_charts.EARNED_COLOR, credit_charts.SPENT_COLOR):
        for background in ("#ffffff", "#0e1117"):  # Streamlit's light and dark backgrounds
            assert _contrast(colour, background) >= 3, (colour, background)


def _without_data(spec: dict[str, Any]) -> tuple[str, list[int]]:
    """The spec as JSON with its datasets named by order of appearance, and their row counts."""
    datasets = spec.get("datasets", {})
    text = json.dumps({key: value for key, value in spec.items() if key not in ("datasets", "config")}, sort_keys=True)
    for i, name in enumerate(datasets):
        text = text.replace(f'"{name}"', f'"dataset {i}"')
    rows = [
        pa.ipc.open_stream(data).read_all().num_rows if isinstance(data, bytes) else len(data)
        for data in datasets.values()
    ]
    return text, rows


def test_spec_is_the_validated_chart_without_the_validation(samples: list[tuple[str, Any]]) -> None:
    for name, chart in samples:
        validated, fast = _validated(chart), charts.spec(chart)
        assert _without_data(fast) == _without_data(validated), name
        # Altair's default theme adds only its view size, which Streamlit leaves out too.
        assert validated["config"].pop("view") == {"continuousHeight": 300, "continuousWidth": 300}
        assert fast.get("config") == (validated["config"] or None), f"{name}: the chart's own config only"
        assert all(isinstance(data, bytes) for data in fast.get("datasets", {}).values()), "sent as they are"


def test_spec_needs_no_data_transformer_and_no_theme(samples: list[tuple[str, Any]]) -> None:
    """`st.altair_chart` swaps both process-wide settings while it serialises, from any session's
    thread: a spec built meanwhile must not change."""

    def refuse(data: Any) -> Any:
        raise AssertionError("charts.spec used the active data transformer")

    alt.data_transformers.register("refuse", refuse)
    name, chart = samples[0]
    before = _without_data(charts.spec(chart))
    with alt.data_transformers.enable("refuse"), alt.theme.enable("opaque"):
        assert _without_data(charts.spec(chart)) == before


def test_spec_names_data_by_content() -> None:
    """Streamlit redraws a chart whose spec changed: the same data keeps its name, other data
    gets another."""
    board = make_board(200)
    first, again = charts.spec(trend_of(board)), charts.spec(trend_of(board.copy()))
    assert list(first["datasets"]) == list(again["datasets"])
    other = charts.spec(trend_of(board.assign(**{"score.btag_auc": board["score.btag_auc"] / 2})))
    assert not set(first["datasets"]) & set(other["datasets"])


def test_credit_bars_share_their_encodings_per_category_and_keep_their_own_rows() -> None:
    """Altair builds the bars' encodings once per category; every chart still draws its own data."""
    mine = pd.DataFrame({"reason": ["submission", "spent"], "credits": [5.0, -1.0], "entries": [1, 2]})
    theirs = pd.DataFrame({"reason": ["reproduction"], "credits": [3.0], "entries": [4]})
    spec_mine = charts.spec(credit_charts.credits_bars(mine, "reason", "reason"))
    spec_theirs = charts.spec(credit_charts.credits_bars(theirs, "reason", "reason"))
    assert [f.to_dict("list") for f in chart_frames(spec_mine).values()] == [mine.to_dict("list")]
    assert [f.to_dict("list") for f in chart_frames(spec_theirs).values()] == [theirs.to_dict("list")]
    assert charts.spec(credit_charts.credits_bars(mine, "reason", "reason")) == spec_mine, "unchanged by theirs"
    assert _without_data(spec_mine)[0] == _without_data(spec_theirs)[0], "the same chart but for its rows"
    by_task = charts.spec(credit_charts.credits_bars(theirs.rename(columns={"reason": "task"}), "task", "task"))
    assert by_task["encoding"]["y"]["field"] == "task" and by_task["encoding"]["y"]["title"] == "task"


def _draw_both() -> None:
    """An AppTest script: each sample chart drawn by st.altair_chart, then from charts.spec."""
    import streamlit as st

    from components import charts
    from tests.test_charts import sample_charts

    for _, chart in sample_charts():
        st.altair_chart(chart)
        st.vega_lite_chart(charts.spec(chart))


def test_streamlit_sends_the_spec_exactly_as_the_altair_chart() -> None:
    """Same spec, theme and width, same Arrow bytes: only the dataset names differ."""
    at = AppTest.from_function(_draw_both, default_timeout=60).run()
    assert not at.exception, at.exception
    drawn = [element.proto for element in at.get("vega_lite_chart")]
    assert len(drawn) == 2 * len(list(sample_charts()))
    for from_altair, from_spec in zip(drawn[::2], drawn[1::2], strict=True):
        spec_a, spec_b = from_altair.spec, from_spec.spec
        for a, b in zip(from_altair.datasets, from_spec.datasets, strict=True):
            assert a.data.data == b.data.data
            assert pa.ipc.open_stream(a.data.data).read_all().num_rows >= 1
            spec_a, spec_b = spec_a.replace(a.name, "dataset"), spec_b.replace(b.name, "dataset")
        assert json.loads(spec_a) == json.loads(spec_b)
        assert (from_altair.theme, from_altair.use_container_width) == (from_spec.theme, from_spec.use_container_width)
