"""What a submit or reproduction means for the person: directions, the 2 % band, checks before sending."""

from __future__ import annotations

import pandas as pd
import pytest

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
    assert "not a submission id" in str(sub.reproduce_target_problem("abc", ROWS, "jets", "bob"))
    missing = "6f1c2a3b-0000-4000-8000-000000000099"
    assert "is not on the jets leaderboard" in str(sub.reproduce_target_problem(missing, ROWS, "jets", "bob"))
    assert "your own submission" in str(sub.reproduce_target_problem(known, ROWS, "jets", "alice"))
    assert sub.reproduce_target_problem(known.upper(), ROWS, "jets", "bob") is None


CLEAN = CheckResult(True, [], 1, [], 10, "ab", pd.DataFrame(), None)


def test_a_500_says_nothing_was_stored_counts_repeats_and_offers_no_retry() -> None:
    crash = api.BackendFailed(
        "The ColliderML backend failed on POST /v1/benchmark/jets/submit (500: Internal Server Error). "
        "It answers 500, without a reason, when it cannot validate a file or store its scores; nothing was stored.",
        500,
        "Internal Server Error",
    )
    first = sub.failed(crash, CLEAN, "submit")
    assert not first.retryable and first.crashes == 1
    assert "nothing was stored" in first.message
    assert "no problem with the file, so the reason is not known here" in first.message
    assert "before" not in first.message and "try again" not in first.message.lower()
    third = sub.failed(crash, CLEAN, "submit", sub.failed(crash, CLEAN, "submit", first))
    assert third.crashes == 3
    assert "answered 500 for this same file twice before in this session" in third.message
    warned = CheckResult(True, [], 1, [], 10, "ab", pd.DataFrame(), None, ["Too large to run colliderml here."])
    assert "passed with warnings: Too large to run colliderml here." in sub.failed(crash, warned, "submit").message


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (api.BackendUnreachable("Cannot reach the backend."), True),
        (api.ConnectionLost("The connection was lost."), True),
        (api.BackendTimeout("No answer within 900 s."), True),
        (api.BackendFailed("Bad gateway (502).", 502), True),
        (api.BackendFailed("Unavailable (503).", 503), True),
        (api.BackendFailed("Gateway timeout (504).", 504), True),
        (api.BackendFailed("Crashed (500).", 500), False),
        (api.SubmissionsPaused("Paused by an admin (503).", 503, "frozen"), False),
        (api.BackendBadResponse("Not JSON."), False),
        (api.Rejected("The backend rejected the file: bad.", 400, "bad"), False),
        (api.RateLimited("Too many requests (429).", 429), False),
    ],
)
def test_retry_is_offered_only_for_transient_failures(exc: api.BackendError, retryable: bool) -> None:
    assert sub.is_retryable(exc) is retryable
    assert sub.failed(exc, CLEAN, "submit").retryable is retryable


def test_after_a_timeout_the_person_learns_what_may_have_happened() -> None:
    late = api.BackendTimeout("The backend did not answer within 900 s.")
    assert "Sending the same file again is safe" in sub.failed(late, CLEAN, "submit").message
    assert "look at your credits before sending it again" in sub.failed(late, CLEAN, "reproduce").message
    assert sub.failed(api.BackendUnreachable("Cannot reach it."), CLEAN, "submit").message.endswith("Nothing was sent.")
