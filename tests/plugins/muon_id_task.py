"""A benchmark task the installed colliderml does not ship, registered as a newer release would.

`LOCAL_BACKEND_PLUGINS=tests.plugins.muon_id_task` makes the local backend serve and score it;
the dashboard then learns of it from `/v1/benchmark/tasks` alone. Scoring needs no download:
the truth comes from `muon_id_data`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from colliderml.tasks import register
from colliderml.tasks._base import BenchmarkTask
from colliderml.tasks.jets.metrics import roc_auc

from tests.plugins.muon_id_data import CANDIDATES, EVAL_RANGE, TASK_NAME, THRESHOLD, truth_labels

REQUIRED_COLUMNS = ("event_id", "muon_id", "muon_score")


@register
class MuonIdTask(BenchmarkTask):
    """Tell real muons from fakes among each event's muon candidates."""

    name = TASK_NAME
    dataset = "zmumu_pu0"
    eval_event_range = EVAL_RANGE
    inputs = ["tracks", "calo_hits"]
    metrics = ["muon_auc", "fake_muon_rate"]
    higher_is_better = {"muon_auc": True, "fake_muon_rate": False}

    def load_eval_inputs(self) -> dict[str, pa.Table]:
        return {}

    def validate_predictions(self, preds: pa.Table) -> None:
        missing = sorted(set(REQUIRED_COLUMNS) - set(preds.column_names))
        if missing:
            raise ValueError(f"muon_id predictions need columns {list(REQUIRED_COLUMNS)}; missing {missing}")
        events = preds.column("event_id").to_numpy(zero_copy_only=False)
        candidates = preds.column("muon_id").to_numpy(zero_copy_only=False)
        scores = preds.column("muon_score").to_numpy(zero_copy_only=False).astype(float)
        in_range = (events >= EVAL_RANGE[0]) & (events < EVAL_RANGE[1])
        if np.unique(events[in_range]).size != EVAL_RANGE[1] - EVAL_RANGE[0]:
            raise ValueError(f"muon_id predictions must cover every eval event in {EVAL_RANGE}")
        if ((candidates < 0) | (candidates >= CANDIDATES)).any():
            raise ValueError(f"muon_id must be in [0, {CANDIDATES})")
        if not (np.isfinite(scores) & (scores >= 0) & (scores <= 1)).all():
            raise ValueError("muon_score must be a finite probability in [0, 1]")

    def score(self, preds: pa.Table) -> dict[str, float]:
        events = preds.column("event_id").to_numpy(zero_copy_only=False)
        in_range = (events >= EVAL_RANGE[0]) & (events < EVAL_RANGE[1])
        rows = events[in_range] - EVAL_RANGE[0]
        candidates = preds.column("muon_id").to_numpy(zero_copy_only=False)[in_range]
        scores = preds.column("muon_score").to_numpy(zero_copy_only=False)[in_range].astype(float)
        labels = truth_labels()[rows, candidates]
        fakes = labels == 0
        accepted_fakes = (scores[fakes] >= THRESHOLD).sum()
        return {
            "muon_auc": round(roc_auc(labels, scores), 6),
            "fake_muon_rate": round(float(accepted_fakes / max(fakes.sum(), 1)), 6),
        }
