"""Shields-style SVG badges: "jets | #1 · btag_auc 0.9795", the label on grey, the value on a colour.

Drawn here, not with a library: pybadges imports what Python 3.13 removed (`imghdr`) and has had no
release since 2023; anybadge fills its template by chained `str.replace`, so a user name holding a
placeholder such as `{{ value }}` is substituted again, and numbers its masks with a process-wide
counter, so one badge changes bytes on every request. Here every text is XML-escaped once, and its
width is measured from the advance widths of DejaVu Sans at 11 px (shields measures Verdana, whose
widths are close); `textLength` makes the browser fit the text to that width whatever font it has.
"""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass

#: Advance widths in px of the printable ASCII characters (" " to "~"), DejaVu Sans at 11 px.
_ASCII_WIDTHS = (
    3.5, 4.4, 5.1, 9.2, 7.0, 10.5, 8.6, 3.0, 4.3, 4.3, 5.5, 9.2, 3.5, 4.0, 3.5, 3.7,
    7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 3.7, 3.7, 9.2, 9.2, 9.2, 5.8,
    11.0, 7.5, 7.5, 7.7, 8.5, 7.0, 6.3, 8.5, 8.3, 3.2, 3.2, 7.2, 6.1, 9.5, 8.2, 8.7,
    6.6, 8.7, 7.6, 7.0, 6.7, 8.1, 7.5, 10.9, 7.5, 6.7, 7.5, 4.3, 3.7, 4.3, 9.2, 5.5,
    5.5, 6.7, 7.0, 6.0, 7.0, 6.8, 3.9, 7.0, 7.0, 3.1, 3.1, 6.4, 3.1, 10.7, 7.0, 6.7,
    7.0, 7.0, 4.5, 5.7, 4.3, 7.0, 6.5, 9.0, 6.5, 6.5, 5.8, 7.0, 3.7, 7.0, 9.2,
)  # fmt: skip
_MIDDLE_DOT_WIDTH = 3.5
_WIDE_WIDTH = 11.0  # CJK and other full-width characters: one em
_OTHER_WIDTH = 7.0  # any other character: about the average letter
_PADDING = 10  # px around each text, as shields draws it
#: Longer texts are cut: a badge is a line in a README, and the name comes from the URL.
MAX_TEXT = 64

LABEL_COLOR = "#555"
NOT_RANKED_COLOR = "#9f9f9f"
#: Value colours by rank (shields' brightgreen, green, yellowgreen, blue).
_RANK_COLORS = ((1, "#4c1"), (3, "#97ca00"), (10, "#a4a61d"))
_OTHER_RANKS_COLOR = "#007ec6"


@dataclass(frozen=True)
class Badge:
    """What a badge says: `label` and `value` drawn, `title` read out by screen readers and shown on hover."""

    label: str
    value: str
    color: str
    title: str


def number(value: float) -> str:
    """A score in a few characters: four significant digits, whole numbers from 10,000."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def rank_color(rank: int) -> str:
    return next((color for last, color in _RANK_COLORS if rank <= last), _OTHER_RANKS_COLOR)


def standing(task: str, username: str, metric: str, place: tuple[int, float] | None) -> Badge:
    """A person's badge for a task: their rank and their value of the ranking metric, or "not ranked"."""
    if place is None:
        return Badge(task, "not ranked", NOT_RANKED_COLOR, f"{username} on {task}: not ranked")
    rank, value = place
    shown = f"#{rank} · {metric} {number(value)}"
    return Badge(task, shown, rank_color(rank), f"{username} on {task}: {shown}")


def clean(text: str) -> str:
    """The text as a badge may hold it: no control characters (XML 1.0 forbids most of them) nor
    lone surrogates (UTF-8 cannot encode them), at most MAX_TEXT characters."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    return kept if len(kept) <= MAX_TEXT else kept[: MAX_TEXT - 1] + "…"


def char_width(ch: str) -> float:
    if " " <= ch <= "~":
        return _ASCII_WIDTHS[ord(ch) - ord(" ")]
    if ch == "·":
        return _MIDDLE_DOT_WIDTH
    if unicodedata.combining(ch):
        return 0.0
    return _WIDE_WIDTH if unicodedata.east_asian_width(ch) in ("W", "F") else _OTHER_WIDTH


def text_width(text: str) -> float:
    """The text's width in px at 11 px, to a tenth."""
    return round(sum(char_width(ch) for ch in text), 1)


def svg(badge: Badge) -> str:
    """The badge as an SVG document (flat style, 20 px high)."""
    label, value, title = clean(badge.label), clean(badge.value), clean(badge.title)
    label_w, value_w = text_width(label), text_width(value)
    left, right = math.ceil(label_w) + _PADDING, math.ceil(value_w) + _PADDING
    total = left + right
    e = html.escape  # quotes too: the title also goes into an attribute
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{e(title)}">'
        f"<title>{e(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{badge.color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f"{_text(left / 2, label_w, e(label))}{_text(left + right / 2, value_w, e(value))}</g></svg>"
    )


def _text(x: float, width: float, escaped: str) -> str:
    """A text with its shadow, centred at `x` and fitted to `width`."""
    fit = f'textLength="{width}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x + 0.5}" y="15" fill="#010101" fill-opacity=".3" {fit}>{escaped}</text>'
        f'<text x="{x}" y="14" {fit}>{escaped}</text>'
    )
