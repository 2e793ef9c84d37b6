"""The task table is the one place per-task facts live: it agrees with the local backend's
rewards and with the installed colliderml, and every consumer reads it."""

from __future__ import annotations

import colliderml.tasks
import pytest

from components import board_view, economics, task_rules
from components.tasks import FALLBACK_TASKS, KNOWN_TASK_ORDER
from components.upload_checks import REQUIRED_COLUMNS, SCORED_LOCALLY
from local_backend import reproductions, service
from local_backend.scoring import TRUTH_TASKS


def test_rewards_are_the_local_backends() -> None:
    assert economics.BEAT_REWARDS == service.REWARDS
    assert economics.REPRODUCTION_REWARD == reproductions.REPRODUCTION_REWARD
    assert economics.REPRODUCTION_TOLERANCE == reproductions.REPRODUCTION_TOLERANCE
    assert economics.SIGNUP_CREDITS == service.SIGNUP_CREDITS


@pytest.mark.parametrize("name", list(task_rules.RULES))
def test_each_row_agrees_with_the_installed_colliderml(name: str) -> None:
    rules, task = task_rules.RULES[name], colliderml.tasks.get(name)
    assert list(rules.directions) == list(task.metrics), "the same metrics, primary first"
    assert rules.directions == {m: bool(task.higher_is_better.get(m, True)) for m in task.metrics}
    assert (rules.dataset, rules.eval_event_range) == (task.dataset, tuple(task.eval_event_range))
    assert rules.scored_locally == (name not in TRUTH_TASKS), "scored here exactly when no held-out truth is needed"
    assert set(rules.tradeoff or ()) <= set(rules.directions)
    assert {*rules.probabilities, *rules.constant} <= set(rules.column_names)


def test_every_metric_is_in_the_glossary_and_every_entry_is_a_metric() -> None:
    metrics = {m for rules in task_rules.RULES.values() for m in rules.directions}
    assert set(task_rules.GLOSSARY) == metrics
    assert task_rules.explain("muon_auc") is None, "a metric the dashboard does not know has no made-up meaning"


def test_the_catalogue_the_checks_and_the_pages_read_the_table() -> None:
    assert list(KNOWN_TASK_ORDER) == list(task_rules.RULES) == [t.name for t in FALLBACK_TASKS]
    assert {name: rules.columns for name, rules in task_rules.RULES.items()} == REQUIRED_COLUMNS
    assert {name for name, rules in task_rules.RULES.items() if rules.scored_locally} == SCORED_LOCALLY
    for task in FALLBACK_TASKS:
        assert task.description == task_rules.describe(task.name)
        expected = task_rules.RULES[task.name].tradeoff or task.metrics[:2]
        assert board_view.default_tradeoff(task, list(task.metrics)) == tuple(expected)


def test_a_task_the_table_does_not_know_still_works_from_the_backends_metadata() -> None:
    assert task_rules.of("muon_id") is None
    assert task_rules.describe("muon_id") == task_rules.GENERIC_DESCRIPTION
    assert economics.beat_reward("muon_id") is None
