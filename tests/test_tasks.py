"""The task catalogue: parsing the backend's entries, merging with colliderml, fallbacks."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from components.tasks import (
    FALLBACK_TASKS,
    GENERIC_DESCRIPTION,
    KNOWN_TASK_ORDER,
    TaskInfo,
    from_backend,
    installed_tasks,
    merge_catalogue,
)

TRACKING_ENTRY = {
    "name": "tracking",
    "dataset": "ttbar_pu200",
    "metrics": ["trackml_eff", "fake_rate", "dup_rate", "physics_eff_pt1"],
    "higher_is_better": {
        "trackml_eff": True,
        "fake_rate": False,
        "dup_rate": False,
        "physics_eff_pt1": True,
    },
    "eval_event_range": [90000, 100000],
}


def test_backend_entry_parses_with_primary_and_directions() -> None:
    task = from_backend(TRACKING_ENTRY)
    assert task.name == "tracking"
    assert task.primary == "trackml_eff"
    assert task.metrics == ("trackml_eff", "fake_rate", "dup_rate", "physics_eff_pt1")
    assert task.direction("fake_rate") is False
    assert task.direction("trackml_eff") is True
    assert task.eval_event_range == (90000, 100000)
    assert "pile-up 200" in task.description


def test_metric_missing_from_higher_is_better_is_higher_is_better() -> None:
    task = from_backend({"name": "x", "metrics": ["a", "b"], "higher_is_better": {"b": False}})
    assert task.higher_is_better == {"a": True, "b": False}
    assert task.direction("a") is True
    assert task.direction("never-heard-of") is True


def test_odd_fields_are_tolerated() -> None:
    task = from_backend(
        {
            "name": " new_task ",
            "metrics": ["m1", 7, None, "m2", "m1"],
            "higher_is_better": {"m1": "false", "m2": "sideways", "zz": 0},
            "dataset": None,
            "eval_event_range": "0-100",
        }
    )
    assert task.name == "new_task"
    assert task.metrics == ("m1", "m2")
    assert task.higher_is_better == {"m1": False, "m2": True}
    assert task.dataset == ""
    assert task.eval_event_range is None
    assert task.description == GENERIC_DESCRIPTION


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "tracking",
        42,
        [],
        {},
        {"name": ""},
        {"name": 3, "metrics": ["a"]},
        {"name": "t"},
        {"name": "t", "metrics": "auroc"},
        {"name": "t", "metrics": []},
    ],
)
def test_garbage_entries_raise_value_error(garbage: Any) -> None:
    with pytest.raises(ValueError):
        from_backend(garbage)


def test_fallback_is_the_contract_table() -> None:
    assert [t.name for t in FALLBACK_TASKS] == list(KNOWN_TASK_ORDER)
    by_name = {t.name: t for t in FALLBACK_TASKS}
    assert by_name["tracking_latency"].primary == "wallclock_s"
    assert by_name["tracking_latency"].direction("wallclock_s") is False
    assert by_name["tracking_small"].higher_is_better == {
        "trackml_eff": True,
        "n_params": False,
        "tier": False,
    }
    assert by_name["data_loading"].metrics == ("events_per_sec_local", "events_per_sec_streaming")
    assert all(t.description and t.description != GENERIC_DESCRIPTION for t in FALLBACK_TASKS)


def test_installed_tasks_match_the_fallback() -> None:
    installed = {t.name: t for t in installed_tasks()}
    assert installed == {t.name: t for t in FALLBACK_TASKS}


def test_installed_tasks_is_empty_without_colliderml(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is Python's own way of making an import fail.
    monkeypatch.setitem(sys.modules, "colliderml", None)
    monkeypatch.setitem(sys.modules, "colliderml.tasks", None)
    assert installed_tasks() == []


def test_merge_prefers_backend_fields_and_orders_known_tasks_first() -> None:
    installed = [
        *FALLBACK_TASKS,
        TaskInfo("local_only", "ds", ("m",)),
    ]
    backend = [
        from_backend({"name": "zeta", "metrics": ["z"]}),
        from_backend({"name": "alpha", "metrics": ["a"], "higher_is_better": {"a": False}}),
        from_backend(
            {
                "name": "jets",
                "metrics": ["btag_auc", "light_rej_70", "c_rej_70", "new_metric"],
                "higher_is_better": {"new_metric": False},
                "eval_event_range": [1, 2],
            }
        ),
    ]
    merged = merge_catalogue(installed, backend)
    assert [t.name for t in merged] == [*KNOWN_TASK_ORDER, "alpha", "local_only", "zeta"]
    jets = merged[1]
    assert jets.metrics[-1] == "new_metric"
    assert jets.direction("new_metric") is False
    assert jets.eval_event_range == (1, 2)
    assert jets.dataset == "ttbar_pu0"  # the backend did not say: colliderml's value stays
    assert "jets" in jets.description
    assert merged[-3].direction("a") is False


def test_merge_of_nothing_is_empty() -> None:
    assert merge_catalogue([], []) == []


def test_task_info_is_hashable_and_complete() -> None:
    task = TaskInfo("t", "", ("a", "b"), {"b": False})
    assert hash(task) == hash(TaskInfo("t", "", ("a", "b"), {"b": False}))
    assert task.higher_is_better == {"a": True, "b": False}
    with pytest.raises(ValueError):
        TaskInfo("empty", "", ())
