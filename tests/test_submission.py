"""What a submit or reproduction means for the person: directions, the 2 % band, checks before sending."""

from __future__ import annotations

import pandas as pd

from components import api
from components import submission as sub
from components.tasks import FALLBACK_TASKS
from components.upload_checks import CheckResult

TASKS = {t.name: t for t in FALLBACK_TASKS}
ROWS = pd.DataFrame(
    {"id": ["6f1c2a3b-0000-4000-8000-000000000001"], "hf_username": ["alice"]},
)


def test_would_beat_follows_each_metrics_direction() -> None:
    task = TASKS["tracking_latency"]  # wallclock_s lower is better, events_per_sec higher
    bests = {"wallclock_s": 10.0, "events_per_sec": 200.0}
    assert sub.would_beat({"wallclock_s": 9.0, "events_per_sec": 100.0}, bests, task) == ["wallclock_s"]
    assert sub.would_beat({"wallclock_s": 11.0, "events_per_sec": 300.0}, bests, task) == ["events_per_sec"]


def test_would_beat_counts_missing_bests_and_not_ties_or_non_finite_scores() -> None:
    task = TASKS["anomaly"]
    assert sub.would_beat({"auroc": 0.8, "sig_eff_1fpr": 0.3}, {}, task) == ["auroc", "sig_eff_1fpr"]
    assert sub.would_beat({"auroc": 0.8}, {"auroc": 0.8}, task) == []
    assert sub.would_beat({"auroc": float("nan")}, {}, task) == []
    assert sub.would_beat({"auroc": 0.7, "new_metric": 1.0}, {"auroc": 0.9}, task) == ["new_metric"]


def test_submit_outcome_marks_beaten_metrics_in_their_direction() -> None:
    task = TASKS["tracking"]
    scores = {"trackml_eff": 0.9, "fake_rate": 0.2, "dup_rate": 0.01, "physics_eff_pt1": 0.5}
    bests = {"trackml_eff": 0.8, "fake_rate": 0.1, "dup_rate": 0.02}
    table = sub.submit_outcome(task, scores, bests)
    assert table["metric"].tolist() == ["trackml_eff ↑", "fake_rate ↓", "dup_rate ↓", "physics_eff_pt1 ↑"]
    assert table["beaten"].tolist() == [True, False, True, True]


def test_relative_difference_is_absolute_near_zero_like_the_backend() -> None:
    assert sub.relative_difference(102.0, 100.0) == 0.02
    assert sub.relative_difference(1e-12, 0.0) == 1e-12
    assert sub.relative_difference(None, 1.0) is None
    assert sub.relative_difference(float("inf"), 1.0) is None


def test_reproduction_table_flags_each_metric_against_the_band() -> None:
    result = api.ReproduceResult(
        within_tolerance=False,
        reproduced_scores={"btag_auc": 0.905, "light_rej_70": 130.0, "c_rej_70": 8.0},
        original_scores={"btag_auc": 0.9, "light_rej_70": 120.0, "c_rej_70": 8.0},
        credits_earned=0.0,
    )
    table = sub.reproduction_table(TASKS["jets"], result)
    assert table["within 2 %"].tolist() == [True, False, True]


def test_reproduce_target_is_checked_before_sending() -> None:
    known = ROWS["id"].iloc[0]
    assert "not a submission id" in sub.reproduce_target_problem("abc", ROWS, "jets", "bob")
    missing = "6f1c2a3b-0000-4000-8000-000000000099"
    assert "is not on the jets leaderboard" in sub.reproduce_target_problem(missing, ROWS, "jets", "bob")
    assert "your own submission" in sub.reproduce_target_problem(known, ROWS, "jets", "alice")
    assert sub.reproduce_target_problem(known.upper(), ROWS, "jets", "bob") is None


def test_a_bare_backend_failure_says_what_the_local_check_found() -> None:
    failed = api.BackendFailed("The ColliderML backend failed (500).", 500, None)
    assert sub.is_retryable(failed)
    assert not sub.is_retryable(api.Rejected("The backend rejected the file: bad.", 422, "bad"))
    clean = CheckResult(True, [], 1, [], 10, "ab", pd.DataFrame(), None)
    assert "no problem with the file" in sub.failure_message(failed, clean)
