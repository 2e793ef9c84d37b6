"""Which page a visitor asked for, from the URL their browser loaded."""

from __future__ import annotations

import pytest

from components.paths import is_unknown, requested_page

KNOWN = {"home", "jets", "credits", "about"}


@pytest.mark.parametrize(
    ("url", "base", "page"),
    [
        ("http://localhost:8501/", "", ""),
        ("http://localhost:8501", "", ""),
        ("http://localhost:8501/jets", "", "jets"),
        ("https://me-board.hf.space/jets/", "", "jets"),
        ("http://localhost:8501/nosuchtask", "", "nosuchtask"),
        ("http://host/leaderboard/jets", "leaderboard", "jets"),
        ("http://host/leaderboard", "/leaderboard/", ""),
        ("http://host/a%20b", "", "a b"),
        (None, "", ""),
    ],
)
def test_the_page_part_of_a_url(url: str | None, base: str, page: str) -> None:
    assert requested_page(url, base) == page


def test_the_root_and_known_pages_are_not_unknown() -> None:
    assert not is_unknown("", KNOWN)
    assert not is_unknown("jets", KNOWN)
    assert is_unknown("nosuchtask", KNOWN)
