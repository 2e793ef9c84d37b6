"""The SVG badge: what it says, its colours, its width, and text that stays text whatever a user
name or a metric name holds (the routes that serve it are in test_open_data.py)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from components import badges

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE_TEXTS = [
    '<script>alert("x")</script>',
    "R&D <b>team</b>",
    "quote\"s and 'apostrophes'",
    "]]><!-- -->",
    "{{ value }} {{ label }}",
    "bell\x07 escape\x1b nul\x00",
    "lone surrogate \udc80",
]


def _parse(svg: str) -> ET.Element:
    """The badge as an XML tree: parsing fails on anything that escaped its text."""
    return ET.fromstring(svg.encode())  # noqa: S314 - our own badge, parsed to check its escaping


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_a_ranked_badge_names_the_rank_and_the_ranking_metric() -> None:
    badge = badges.standing("jets", "alice", "btag_auc", (1, 0.983416))
    assert (badge.label, badge.value) == ("jets", "#1 · btag_auc 0.9834")
    assert badge.title == "alice on jets: #1 · btag_auc 0.9834"
    root = _parse(badges.svg(badge))
    assert _texts(root) == ["jets", "jets", "#1 · btag_auc 0.9834", "#1 · btag_auc 0.9834"]  # shadow, then text
    assert root.findtext(f"{SVG}title") == badge.title
    assert root.get("aria-label") == badge.title and root.get("role") == "img"


def test_anyone_without_a_ranked_entry_gets_a_grey_not_ranked_badge() -> None:
    badge = badges.standing("tracking_latency", "bob", "wallclock_s", None)
    assert (badge.value, badge.color) == ("not ranked", badges.NOT_RANKED_COLOR)
    fills = [r.get("fill") for r in _parse(badges.svg(badge)).iter(f"{SVG}rect") if r.get("fill")]
    assert fills[:2] == [badges.LABEL_COLOR, badges.NOT_RANKED_COLOR]


@pytest.mark.parametrize(
    ("rank", "color"), [(1, "#4c1"), (2, "#97ca00"), (3, "#97ca00"), (4, "#a4a61d"), (10, "#a4a61d"), (11, "#007ec6")]
)
def test_the_value_colour_follows_the_rank(rank: int, color: str) -> None:
    assert badges.standing("jets", "alice", "btag_auc", (rank, 0.9)).color == color


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.983416, "0.9834"), (173.0, "173"), (120.5, "120.5"), (8.1, "8.1"), (0.00012, "0.00012"), (123456.7, "123,457")],
)
def test_scores_are_shown_in_a_few_characters(value: float, shown: str) -> None:
    assert badges.number(value) == shown


def test_the_width_follows_the_text() -> None:
    """Each half is its text's measured width plus padding, so a wide text gets a wide badge."""
    narrow = _parse(badges.svg(badges.Badge("jets", "iiii", "#4c1", "t")))
    wide = _parse(badges.svg(badges.Badge("jets", "WWWW", "#4c1", "t")))
    assert float(wide.get("width", 0)) > float(narrow.get("width", 0))
    label_w, value_w = badges.text_width("jets"), badges.text_width("WWWW")
    assert float(wide.get("width", 0)) == math.ceil(label_w) + math.ceil(value_w) + 20
    fitted = [t.get("textLength") for t in wide.iter(f"{SVG}text")]
    assert fitted == [str(label_w)] * 2 + [str(value_w)] * 2
    assert badges.text_width("中文") == 22.0, "a full-width character takes one em"
    assert badges.text_width("e\u0301") == badges.text_width("e"), "a combining accent takes no room"


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_names_stay_text(text: str) -> None:
    """A user name (from the URL or the backend), a task or a metric name never becomes markup,
    breaks the XML or gets substituted into the template."""
    badge = badges.standing(text, text, text, (2, 0.5))
    svg = badges.svg(badge)
    root = _parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    cleaned = badges.clean(text)
    assert root.findtext(f"{SVG}title") == badges.clean(badge.title)
    assert _texts(root)[:2] == [cleaned, cleaned]
    assert all(t.get("x") and t.get("textLength") for t in root.iter(f"{SVG}text")), "the template is intact"


def test_control_characters_go_and_long_texts_are_cut() -> None:
    assert badges.clean("a\x00b\x1bc\td") == "abcd"
    cut = badges.clean("x" * 500)
    assert len(cut) == badges.MAX_TEXT and cut.endswith("…")
