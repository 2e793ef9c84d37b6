"""A task page's chart specs, built from a board alone (the charts themselves: tests/test_charts.py)."""

from __future__ import annotations

import json

import pandas as pd

from components import board_charts
from components import board_view as bv
from components.tasks import FALLBACK_TASKS
from tests.conftest import chart_frames
from tests.test_board_view import jets_rows  # noqa: F401 - the fixture

JETS = next(t for t in FALLBACK_TASKS if t.name == "jets")


def _titles(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)


def test_trend_and_tradeoff_specs_name_their_metrics_and_carry_the_rows(jets_rows: pd.DataFrame) -> None:  # noqa: F811
    trend = board_charts.trend_spec(jets_rows, JETS, "light_rej_70", bv.ViewOptions())
    assert trend is not None and "light_rej_70 ↑" in _titles(trend)
    carried = jets_rows.dropna(subset=["score.light_rej_70"])
    assert max(len(frame) for frame in chart_frames(trend).values()) == len(carried)
    tradeoff = board_charts.tradeoff_spec(jets_rows, JETS, "btag_auc", "c_rej_70", bv.ViewOptions())
    assert tradeoff is not None and "btag_auc ↑" in _titles(tradeoff) and "c_rej_70 ↑" in _titles(tradeoff)


def test_no_spec_for_a_metric_no_row_carries(jets_rows: pd.DataFrame) -> None:  # noqa: F811
    assert board_charts.trend_spec(jets_rows, JETS, "new_metric", bv.ViewOptions()) is None
    assert board_charts.tradeoff_spec(jets_rows, JETS, "btag_auc", "new_metric", bv.ViewOptions()) is None


def test_the_options_shape_the_rows_drawn(jets_rows: pd.DataFrame) -> None:  # noqa: F811
    everyone = board_charts.trend_spec(jets_rows, JETS, "btag_auc", bv.ViewOptions())
    without = board_charts.trend_spec(jets_rows, JETS, "btag_auc", bv.ViewOptions(include_baselines=False))
    assert everyone is not None and without is not None

    def rows(spec: dict) -> int:
        return max(len(frame) for frame in chart_frames(spec).values())

    assert rows(without) == rows(everyone) - int(jets_rows["is_baseline"].sum())
