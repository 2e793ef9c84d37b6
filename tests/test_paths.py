"""Which page a visitor asked for, from the URL their browser loaded."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from components.paths import PERSON_LINK_TEXT, app_origin, is_unknown, person_path, requested_page

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


@pytest.mark.parametrize("name", ["alice", "jet-clustering-jo", "a b&c=d", "ünï/cödé?#"])
def test_a_person_link_shows_the_name_it_links_to(name: str) -> None:
    """The grid shows PERSON_LINK_TEXT's capture decoded as its frontend does (`+` is a space)."""
    path = person_path(name)
    assert parse_qs(urlsplit(path).query) == {"name": [name]}
    match = re.match(PERSON_LINK_TEXT, path)
    assert match and unquote(match.group(1).replace("+", "%20")) == name


@pytest.mark.parametrize(
    ("url", "base", "origin"),
    [
        ("http://localhost:8501/user", "", "http://localhost:8501"),
        ("https://me-board.hf.space/submission", "", "https://me-board.hf.space"),
        ("http://host/leaderboard/user", "/leaderboard/", "http://host/leaderboard"),
        (None, "", ""),
        ("not a url", "", ""),
    ],
)
def test_the_apps_origin_as_the_browser_loaded_it(url: str | None, base: str, origin: str) -> None:
    assert app_origin(url, base) == origin
