"""The files a session keeps across page switches, within a byte budget (no page needed)."""

from __future__ import annotations

import pandas as pd

from components import session_keys as keys
from components.kept_files import KeptFile, of_session
from components.upload_checks import CheckResult

CHECK = CheckResult(True, [], 1, [], 10, "ab", pd.DataFrame(), None)


def _file(name: str, size: int) -> KeptFile:
    return KeptFile(f"id-{name}", name, b"x" * size, CHECK)


def test_each_box_keeps_its_last_file() -> None:
    state: dict = {}
    kept = of_session(state, budget=100)
    kept.keep("jets.submit.file", _file("a", 10))
    kept.keep("jets.submit.file", _file("b", 10))
    kept.keep("anomaly.submit.file", _file("c", 10))
    assert {box: f.name for box, f in kept.files.items()} == {"jets.submit.file": "b", "anomaly.submit.file": "c"}
    assert of_session(state, budget=100) is kept and state[keys.KEPT_FILES] is kept


def test_over_the_budget_the_oldest_goes_and_its_box_says_so() -> None:
    kept = of_session({}, budget=100)
    kept.keep("jets.submit.file", _file("old", 60))
    kept.keep("anomaly.submit.file", _file("new", 60))
    assert list(kept.files) == ["anomaly.submit.file"]
    assert kept.cleared == {"jets.submit.file": "old"}
    kept.keep("jets.submit.file", _file("again", 10))
    assert "jets.submit.file" not in kept.cleared, "choosing a file again ends the notice"


def test_a_file_bigger_than_the_budget_is_still_kept_alone() -> None:
    kept = of_session({}, budget=100)
    kept.keep("a", _file("small", 10))
    kept.keep("b", _file("huge", 500))
    assert list(kept.files) == ["b"] and kept.cleared == {"a": "small"}
    kept.forget("b")
    assert kept.files == {}
