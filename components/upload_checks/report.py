"""What a check reports, and the words it uses: sizes, counts, quoted values."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MiB = 1024 * 1024
#: Values quoted from the file (column names, channels, types) are cut to this many characters:
#: a message must stay readable whatever the file holds (one channel was a 256 kB string).
QUOTE_CHARS = 40
#: Text quoted from a library (colliderml's or Arrow's exceptions) is cut to this many.
ERROR_CHARS = 80


@dataclass(frozen=True)
class CheckResult:
    """What the page shows about a file: whether it may be sent, and why not.

    ``problems`` block the submission; ``warnings`` are worth reading but the backend would
    accept the file. ``sha256`` is empty for files over the size cap (never hashed).
    ``preview`` is empty for a refused file.
    """

    ok: bool
    problems: list[str]
    rows: int
    columns: list[tuple[str, str]]
    size_bytes: int
    sha256: str
    preview: pd.DataFrame
    local_scores: dict[str, float] | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Findings:
    """Sentences gathered while checking: problems block the upload, warnings do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def cut(text: object, limit: int = QUOTE_CHARS) -> str:
    """``text`` as a string of at most ``limit`` characters, an ellipsis marking a cut."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_all(texts: pa.Array, rows: pa.Array | None = None) -> list[str | None]:
    """The values of a text array (those at ``rows``, when given), cut as :func:`cut` cuts.

    Cut in Arrow first, then picked: a value can be megabytes long, and only a few dozen
    characters of it are wanted.
    """
    short = pc.utf8_slice_codeunits(texts, 0, QUOTE_CHARS + 1)
    if rows is not None:
        short = short.take(rows)
    return [None if value is None else cut(value) for value in short.to_pylist()]


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def size(n: int) -> str:
    """A byte count for people: '250 MB', '1.5 MB', '12 kB' (binary units, as upload limits use)."""
    if n >= 10 * MiB:
        return f"{n / MiB:,.0f} MB"
    if n >= MiB:
        return f"{n / MiB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} kB"
    return f"{n:,} bytes"


def sizes(a: int, b: int) -> tuple[str, str]:
    """Two sizes that read as different when they are (exact bytes if rounding hides it)."""
    first, second = size(a), size(b)
    if first == second and a != b:
        return f"{a:,} bytes", f"{b:,} bytes"
    return first, second
