"""Held-out truth and prediction files for the `muon_id` test task, without registering it.

Kept apart from `muon_id_task` (whose import registers the task with colliderml) so a test
process can write prediction files for a backend that serves the task while its own
colliderml registry stays as installed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

#: The name the plugin registers the task under.
TASK_NAME = "muon_id"
#: Events [start, end) held out for scoring.
EVAL_RANGE = (50_000, 50_200)
#: Muon candidates per event, numbered 0..CANDIDATES-1.
CANDIDATES = 4
#: Score from which a candidate counts as identified as a muon.
THRESHOLD = 0.5
_TRUTH_SEED = 2026


def truth_labels() -> np.ndarray:
    """1 for a real muon, 0 for a fake, shape (events, CANDIDATES): fixed, about 40% real."""
    n_events = EVAL_RANGE[1] - EVAL_RANGE[0]
    return (np.random.default_rng(_TRUTH_SEED).random((n_events, CANDIDATES)) < 0.4).astype(np.int8)


def make_predictions(quality: float, seed: int = 0) -> pa.Table:
    """One row per eval candidate; the higher `quality` (0..1), the better it separates real from fake."""
    labels = truth_labels()
    rng = np.random.default_rng([seed, round(quality * 1_000_000)])
    logits = (0.2 + 1.6 * quality) * (2.0 * labels - 1.0) + rng.normal(0.0, 1.0, labels.shape)
    events = np.repeat(np.arange(*EVAL_RANGE), CANDIDATES)
    return pa.table(
        {
            "event_id": pa.array(events, pa.int64()),
            "muon_id": pa.array(np.tile(np.arange(CANDIDATES), len(labels)), pa.int64()),
            "muon_score": pa.array((1.0 / (1.0 + np.exp(-logits))).ravel()),
        }
    )
