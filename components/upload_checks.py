"""The check a predictions file gets before anything is sent to the backend.

A bad upload should fail here, in a second and with a sentence that names the column or the
count, rather than after a long upload with the backend's one-line error (or its 500). The
check is built to stay cheap on files of any size:

* The Parquet footer is read first. Empty files, other formats, truncated files, files over
  the size cap, files without rows or columns, with too many columns, or whose footer says
  they decompress to far more than they weigh ("decompression bombs") are refused before a
  single value is read.
* Only the columns the task needs are read, once, in batches, and every rule runs vectorised
  on a batch. Tracking files sorted by (event_id, hit_id), as they are usually written, get
  their duplicate-hit check in that same pass (each row against the one before it); other
  files get a second pass over slices of event ids that fit a fixed row budget, skipping row
  groups whose footer statistics rule them out. Memory stays bounded by the batch and the
  budget, not by the file. The file's hash is computed on another thread meanwhile.
* Where it is cheap the installed colliderml gets the last word (its ``validate_predictions``:
  on small files only, as it reads the whole table into Python lists; for tasks whose rules
  are checked here, on tiny ones only), and for tasks whose scorer needs no held-out truth,
  its ``score`` gives local scores.

Row numbers in messages count from 0, like the preview's index.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from components.tasks import TaskInfo

MiB = 1024 * 1024
MAX_COLUMNS = 1_000
PREVIEW_ROWS = 20
#: A file may decode to at most this many times the upload cap, and never more than 4 GiB.
DECODED_FACTOR = 20
DECODED_CEILING = 4 * 1024 * MiB
#: A footer this large means millions of row groups: parsing it alone would cost gigabytes.
FOOTER_LIMIT = 32 * MiB
#: Files up to these sizes also go through colliderml's own validation and local scoring.
COLLIDERML_VALIDATE_LIMIT = 20 * MiB
LOCAL_SCORE_LIMIT = 50 * MiB
#: ... and only when they decode to less than this: colliderml turns columns into Python lists,
#: several times their Arrow size (a 10 MB tracking file can decode to 230 MB).
WHOLE_TABLE_DECODED_LIMIT = 128 * MiB
#: For tasks checked here column by column (every rule colliderml's validate_predictions applies,
#: and more), its validation is only a cross-check: run where it is cheap, i.e. on files that
#: decode to less than this (about 170,000 tracking rows, tens of milliseconds). On bigger ones
#: it would cost several times the whole check (it reads every column whole, into Python lists).
CROSS_CHECK_DECODED_LIMIT = 4 * MiB
BATCH_ROWS = 128 * 1024
#: Rows of (event_id, hit_id) held at once by the duplicate-hit check (about 50 MB of work).
DUPLICATE_BUDGET_ROWS = 1_000_000
PROBABILITY_TOLERANCE = 0.02
#: Tasks whose colliderml scorer needs no held-out truth and matches the backend's score.
SCORED_LOCALLY: frozenset[str] = frozenset({"anomaly", "tracking_latency", "data_loading"})
TRACKING_TASKS: frozenset[str] = frozenset({"tracking", "tracking_small"})
ONE_ROW_TASKS: frozenset[str] = frozenset({"tracking_latency", "data_loading"})

Kind = Literal["integer", "number", "text"]

#: Required columns per task (the contract's table) and the kind of value each must hold.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, Kind], ...]] = {
    "tracking": (("event_id", "integer"), ("hit_id", "integer"), ("track_id", "integer")),
    "jets": (
        ("event_id", "integer"),
        ("jet_id", "integer"),
        ("prob_b", "number"),
        ("prob_c", "number"),
        ("prob_light", "number"),
    ),
    "anomaly": (("event_id", "integer"), ("channel", "text"), ("anomaly_score", "number")),
    "tracking_latency": (("wallclock_s", "number"), ("n_events", "number")),
    "tracking_small": (
        ("event_id", "integer"),
        ("hit_id", "integer"),
        ("track_id", "integer"),
        ("n_params", "number"),
    ),
    "data_loading": (("local_seconds", "number"), ("streaming_seconds", "number"), ("n_events", "number")),
}

_KIND_WORDS: dict[Kind, str] = {"integer": "whole numbers", "number": "numbers", "text": "text"}
_KIND_WORD: dict[Kind, str] = {"integer": "whole number", "number": "number", "text": "text value"}


@dataclass(frozen=True)
class CheckResult:
    """What the page shows about a file: whether it may be sent, and why not.

    ``problems`` block the submission; ``warnings`` are worth reading but the backend would
    accept the file. ``sha256`` is empty for files over the size cap (never hashed).
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


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def check_predictions(
    data: bytes | str | os.PathLike[str],
    task: TaskInfo,
    *,
    max_bytes: int,
    max_decoded_bytes: int | None = None,
) -> CheckResult:
    """Check an upload (its bytes, or a path to it) against ``task`` before submitting it.

    ``max_decoded_bytes`` bounds what the file may take once decompressed (default: 20 times
    ``max_bytes``, at most 4 GiB). Never raises for a bad file: every fault becomes a sentence
    in ``problems``. A path that cannot be opened raises OSError: the caller's fault, not the
    file's.
    """
    if max_decoded_bytes is None:
        max_decoded_bytes = min(DECODED_FACTOR * max_bytes, DECODED_CEILING)
    source = _Source(data)
    refusal = _refusal_before_parsing(source, max_bytes)
    if refusal is not None:
        result = _refused(source, [refusal])
        return replace(result, sha256=source.sha256()) if source.size <= max_bytes else result
    # The hash (a tenth of a second per 100 MB) is computed on another core meanwhile:
    # hashlib and file reads release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(source.sha256)
        try:
            parquet = source.open_parquet()
        except (pa.ArrowException, OSError) as exc:
            result = _refused(source, [f"The Parquet footer cannot be read: {exc}."])
        else:
            with parquet:
                result = _check_parquet(source, parquet, task, max_decoded_bytes)
        return replace(result, sha256=hashing.result())


# --------------------------------------------------------------------------------------------
# The file itself: bytes, size, hash, format sniffing
# --------------------------------------------------------------------------------------------


class _Source:
    """The upload as bytes in memory or a file on disk, read piecewise, never copied whole."""

    def __init__(self, data: bytes | str | os.PathLike[str]) -> None:
        if isinstance(data, (bytes, bytearray, memoryview)):
            self._buffer: memoryview | None = memoryview(data).cast("B")
            self._path: str | None = None
            self.size = len(self._buffer)
        else:
            self._buffer = None
            self._path = os.fspath(data)
            self.size = os.stat(self._path).st_size

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (fewer at the end of the file)."""
        if self._buffer is not None:
            return bytes(self._buffer[offset : offset + length])
        assert self._path is not None
        with open(self._path, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def sha256(self) -> str:
        """The hash the backend deduplicates on, computed in 1 MiB chunks."""
        digest = hashlib.sha256()
        if self._buffer is not None:
            digest.update(self._buffer)
        else:
            assert self._path is not None
            with open(self._path, "rb") as handle:
                for chunk in iter(lambda: handle.read(MiB), b""):
                    digest.update(chunk)
        return digest.hexdigest()

    def open_parquet(self) -> pq.ParquetFile:
        """A reader that fetches pages on demand (no pre-buffering of whole row groups)."""
        if self._buffer is not None:
            return pq.ParquetFile(pa.BufferReader(pa.py_buffer(self._buffer)), pre_buffer=False)
        return pq.ParquetFile(self._path, pre_buffer=False, buffer_size=MiB)


def _refusal_before_parsing(source: _Source, max_bytes: int) -> str | None:
    """Faults visible from the size and the first and last bytes: no parser touches the file."""
    if source.size == 0:
        return "The file is empty (0 bytes)."
    if source.size > max_bytes:
        size, limit = _sizes(source.size, max_bytes)
        return f"The file is {size}; the limit is {limit}."
    head = source.read(0, 4096)
    if not head.startswith(b"PAR1"):
        return f"The file is not a Parquet file ({_sniff(head)})."
    tail = source.read(max(source.size - 8, 0), 8)
    if source.size < 12 or tail[4:] not in (b"PAR1", b"PARE"):
        return (
            "The Parquet file is truncated: it starts like Parquet but its footer is missing "
            "(an interrupted download or copy?)."
        )
    if tail[4:] == b"PARE":
        return "The Parquet file is encrypted; the backend cannot read encrypted files."
    footer_length = int.from_bytes(tail[:4], "little")
    if footer_length + 12 > source.size:
        return (
            f"The Parquet file is damaged: its footer claims {footer_length:,} bytes but the "
            f"file has only {source.size:,}."
        )
    if footer_length > FOOTER_LIMIT:
        return (
            f"The Parquet footer alone is {_size(footer_length)} (more than {_size(FOOTER_LIMIT)}): "
            "the file has far too many row groups or columns. Write it with larger row groups."
        )
    return None


def _sniff(head: bytes) -> str:
    """What a non-Parquet file looks like, so the message can say what was uploaded instead."""
    magic = {
        b"PK\x03\x04": "it starts like a ZIP archive; unzip it or upload the .parquet inside",
        b"\x1f\x8b": "it starts like a gzip-compressed file",
        b"ARROW1": "it starts like an Arrow IPC / Feather file; write it with pyarrow.parquet",
        b"\x89HDF": "it starts like an HDF5 file",
        b"\x93NUMPY": "it starts like a NumPy .npy file",
        b"ORC": "it starts like an ORC file",
        b"\x80": "it starts like a Python pickle",
    }
    for prefix, description in magic.items():
        if head.startswith(prefix):
            return description
    if b"\x00" in head:
        return "it does not start with the Parquet marker PAR1"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return "it starts like a JSON text file"
    first_line = text.split("\n", 1)[0]
    if any(sep in first_line for sep in (",", ";", "\t")):
        return "it starts like a CSV text file"
    return "it starts like a text file"


def _size(n: int) -> str:
    """A byte count for people: '250 MB', '1.5 MB', '12 kB' (binary units, as upload limits use)."""
    if n >= 10 * MiB:
        return f"{n / MiB:,.0f} MB"
    if n >= MiB:
        return f"{n / MiB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} kB"
    return f"{n:,} bytes"


def _sizes(a: int, b: int) -> tuple[str, str]:
    """Two sizes that read as different when they are (exact bytes if rounding hides it)."""
    first, second = _size(a), _size(b)
    if first == second and a != b:
        return f"{a:,} bytes", f"{b:,} bytes"
    return first, second


def _refused(
    source: _Source, problems: list[str], columns: list[tuple[str, str]] | None = None, rows: int = 0
) -> CheckResult:
    """A result for a file refused before its values were looked at (without its hash, which
    check_predictions adds)."""
    return CheckResult(
        ok=False,
        problems=problems,
        rows=rows,
        columns=columns or [],
        size_bytes=source.size,
        sha256="",
        preview=pd.DataFrame(),
        local_scores=None,
    )


# --------------------------------------------------------------------------------------------
# The footer: shape, decoded size, preview
# --------------------------------------------------------------------------------------------


def _check_parquet(source: _Source, parquet: pq.ParquetFile, task: TaskInfo, max_decoded_bytes: int) -> CheckResult:
    """Everything after the footer parsed: structure first, then schema, values, colliderml.
    The result's ``sha256`` is left empty: the caller, hashing meanwhile, fills it in."""
    schema = parquet.schema_arrow
    rows = parquet.metadata.num_rows
    columns = [(f.name, str(f.type)) for f in schema]
    problem = _column_count_problem(len(schema))
    decoded = 0 if problem else _decoded_size(parquet.metadata)  # 10,000 columns: not even this
    problem = problem or _bomb_problem(decoded, source.size, max_decoded_bytes)
    if problem is None and rows == 0:
        problem = "The file has no rows: there is nothing to score."
    if problem is not None:
        return _refused(source, [problem], columns, rows)

    findings = _Findings()
    local_scores = None
    try:
        local_scores = _check_contents(parquet, task, source.size, decoded, findings)
    except (pa.ArrowException, OSError) as exc:
        findings.problems.append(f"The file's data cannot be read: {exc}.")
    return CheckResult(
        ok=not findings.problems,
        problems=findings.problems,
        rows=rows,
        columns=columns,
        size_bytes=source.size,
        sha256="",
        preview=_preview(parquet),
        local_scores=local_scores,
        warnings=findings.warnings,
    )


def _check_contents(
    parquet: pq.ParquetFile, task: TaskInfo, size: int, decoded: int, findings: _Findings
) -> dict[str, float] | None:
    """Schema, values, then colliderml's verdict and local scores; returns the local scores."""
    required = REQUIRED_COLUMNS.get(task.name)
    installed = _installed_task(task.name)
    if required is not None:
        findings.problems.extend(_schema_problems(parquet.schema_arrow, required, task.name))
        if not findings.problems:
            _check_values(parquet, required, task, installed, findings)
    elif installed is None:
        findings.warnings.append(
            f"Task '{task.name}' is newer than this dashboard and the installed colliderml: its "
            "columns could not be checked here; the backend will check them."
        )
    if findings.problems or installed is None:
        return None
    _colliderml_validation(parquet, task, installed, size, decoded, required, findings)
    if findings.problems or task.name not in SCORED_LOCALLY:
        return None
    return _local_scores(parquet, task, installed, size, decoded, findings)


def _column_count_problem(n_columns: int) -> str | None:
    """Read off the footer's schema; checked before anything else walks the columns."""
    if n_columns == 0:
        return "The file has no columns."
    if n_columns > MAX_COLUMNS:
        return f"The file has {n_columns:,} columns; at most {MAX_COLUMNS:,} are accepted."
    return None


def _bomb_problem(decoded: int, size: int, limit: int) -> str | None:
    """Refuse before decoding a page what would not fit in memory once decompressed."""
    if decoded <= limit:
        return None
    decoded_text, limit_text = _sizes(decoded, limit)
    return (
        f"The file would take about {decoded_text} once decompressed (the file itself is "
        f"{_size(size)}); the limit is {limit_text}. It looks like a decompression bomb, "
        "e.g. one value repeated over a huge number of rows."
    )


_PHYSICAL_WIDTH = {"BOOLEAN": 0.125, "INT32": 4, "INT64": 8, "INT96": 12, "FLOAT": 4, "DOUBLE": 8}


def _decoded_size(metadata: pq.FileMetaData) -> int:
    """Bytes the file takes once read, from the footer alone.

    Each column chunk counts as the larger of its uncompressed size and its values times the
    decoded value width: dictionary and run-length encoding keep a repeated value tiny even
    "uncompressed", so the footer's own figure misses exactly the bombs this guards against.
    Values, not rows, so that one row holding a list of a billion zeros counts too.
    """
    widths = _value_widths(metadata)
    total = 0.0
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        for column_index, width in enumerate(widths):
            chunk = group.column(column_index)
            total += max(chunk.total_uncompressed_size, chunk.num_values * width)
    return int(total)


def _value_widths(metadata: pq.FileMetaData) -> list[float]:
    """Decoded bytes per value of each leaf column: fixed widths, and for text and binary the
    offset plus the longest value in the first row group's statistics."""
    first_group = metadata.row_group(0) if metadata.num_row_groups else None
    widths: list[float] = []
    for index in range(metadata.num_columns):
        column = metadata.schema.column(index)
        if column.physical_type == "FIXED_LEN_BYTE_ARRAY":
            widths.append(column.length)
        elif column.physical_type == "BYTE_ARRAY":
            widths.append(4 + _longest_value(first_group, index))
        else:
            widths.append(_PHYSICAL_WIDTH.get(column.physical_type, 8))
    return widths


def _longest_value(group: Any, index: int) -> int:
    stats = group.column(index).statistics if group is not None else None
    if stats is None or not stats.has_min_max:
        return 0
    return max((len(v) for v in (stats.min, stats.max) if isinstance(v, (str, bytes))), default=0)


def _preview(parquet: pq.ParquetFile) -> pd.DataFrame:
    """The first rows for the page; an unusual type the frame cannot show gives an empty one."""
    try:
        batch = next(parquet.iter_batches(batch_size=PREVIEW_ROWS), None)
        if batch is None:
            return pd.DataFrame()
        return pa.Table.from_batches([batch]).slice(0, PREVIEW_ROWS).to_pandas()
    except (pa.ArrowException, ValueError, TypeError):
        return pd.DataFrame()


# --------------------------------------------------------------------------------------------
# Schema: required columns present once, scalar, of a usable type
# --------------------------------------------------------------------------------------------


def _schema_problems(schema: pa.Schema, required: tuple[tuple[str, Kind], ...], task_name: str) -> list[str]:
    """One sentence per required column that is missing, repeated or of the wrong type."""
    needed = ", ".join(name for name, _ in required)
    problems: list[str] = []
    for name, kind in required:
        found = schema.get_all_field_indices(name)
        if not found:
            problems.append(
                f"Column '{name}' is missing: {task_name} predictions need {needed}."
                + _near_miss(schema.names, name)
            )
        elif len(found) > 1:
            problems.append(f"Column '{name}' appears {len(found)} times; it must appear once.")
        else:
            problem = _type_problem(name, schema.field(found[0]).type, kind, task_name)
            if problem:
                problems.append(problem)
    return problems


def _near_miss(names: Iterable[str], wanted: str) -> str:
    """A hint when the column is there under another spelling (case, spaces, dashes)."""
    def squash(s: str) -> str:
        return s.lower().replace("_", "").replace("-", "").replace(" ", "")

    for name in names:
        if squash(name) == squash(wanted):
            return f" (The file has '{name}'; column names must match exactly.)"
    return ""


def _is_kind(arrow_type: pa.DataType, kind: Kind) -> bool:
    if kind == "integer":
        return bool(pa.types.is_integer(arrow_type))
    if kind == "number":
        return bool(pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type))
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(
        pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    )


def _type_problem(name: str, arrow_type: pa.DataType, kind: Kind, task_name: str) -> str | None:
    if _is_kind(arrow_type, kind):
        return None
    if pa.types.is_nested(arrow_type) and not pa.types.is_struct(arrow_type):
        return (
            f"Column '{name}' holds a list per row ({arrow_type}); {task_name} predictions need "
            f"a single {_KIND_WORD[kind]} per row."
        )
    hint = " Cast it with .astype('int64')." if kind == "integer" and pa.types.is_floating(arrow_type) else ""
    return (
        f"Column '{name}' holds {_describe_type(arrow_type)} ({arrow_type}); {task_name} "
        f"predictions need {_KIND_WORDS[kind]} there.{hint}"
    )


def _describe_type(arrow_type: pa.DataType) -> str:
    checks = (
        (pa.types.is_null, "only empty values"),
        (pa.types.is_boolean, "true/false values"),
        (pa.types.is_floating, "floating-point numbers"),
        (pa.types.is_integer, "whole numbers"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "text"),
        (pa.types.is_struct, "records"),
        (pa.types.is_temporal, "dates or times"),
        (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), "binary data"),
        (pa.types.is_dictionary, "categories"),
    )
    for predicate, words in checks:
        if predicate(arrow_type):
            return words
    return "values of an unusual type"


# --------------------------------------------------------------------------------------------
# Values: rules fed batch by batch
# --------------------------------------------------------------------------------------------


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Rule(Protocol):
    """One value check: sees every batch once, then reports."""

    def feed(self, batch: pa.RecordBatch, offset: int) -> None: ...

    def report(self, findings: _Findings) -> None: ...


@dataclass
class _Tally:
    """Rows breaking one rule across batches: how many, and the first."""

    count: int = 0
    first: int | None = None

    def add(self, mask: np.ndarray, offset: int) -> None:
        n = int(np.count_nonzero(mask))
        if n:
            self.count += n
            if self.first is None:
                self.first = offset + int(np.argmax(mask))

    def where(self) -> str:
        return f"first at row {self.first:,}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _floats(array: pa.Array) -> np.ndarray:
    """Values as float64 with NaN for nulls: nulls are reported by their own rule."""
    return np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _valid(array: pa.Array) -> np.ndarray:
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


class _Nulls:
    """Empty cells in required columns: colliderml would crash or score them as garbage."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.tallies = {name: _Tally() for name in columns}

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        for name, tally in self.tallies.items():
            array = batch.column(name)
            if array.null_count:
                tally.add(~_valid(array), offset)

    def report(self, findings: _Findings) -> None:
        for name, tally in self.tallies.items():
            if tally.count:
                findings.problems.append(
                    f"Column '{name}' has {_plural(tally.count, 'empty (null) value')} "
                    f"({tally.where()}); every row needs one."
                )

    def clean(self, *names: str) -> bool:
        return all(self.tallies[name].count == 0 for name in names)


class _Finite:
    """NaN and infinity, named separately: each points at a different bug upstream."""

    def __init__(self, column: str, what: str) -> None:
        self.column, self.what = column, what
        self.nan, self.inf, self.any = _Tally(), _Tally(), _Tally()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        array = batch.column(self.column)
        if not pa.types.is_floating(array.type):
            return
        values, valid = _floats(array), _valid(array)
        nan, inf = np.isnan(values) & valid, np.isinf(values)
        self.nan.add(nan, offset)
        self.inf.add(inf, offset)
        self.any.add(nan | inf, offset)

    def report(self, findings: _Findings) -> None:
        if not self.any.count:
            return
        labelled = ((self.nan, "NaN value"), (self.inf, "infinite value"))
        parts = [_plural(tally.count, label) for tally, label in labelled if tally.count]
        findings.problems.append(
            f"Column '{self.column}' has {' and '.join(parts)} ({self.any.where()}); "
            f"{self.what} must be finite numbers."
        )


class _UnitInterval:
    """Probabilities below 0 or above 1 (finite ones: non-finite values have their own rule)."""

    def __init__(self, column: str) -> None:
        self.column, self.outside = column, _Tally()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        values = _floats(batch.column(self.column))
        with np.errstate(invalid="ignore"):
            self.outside.add(np.isfinite(values) & ((values < 0) | (values > 1)), offset)

    def report(self, findings: _Findings) -> None:
        if self.outside.count:
            findings.problems.append(
                f"Column '{self.column}' has {_plural(self.outside.count, 'value')} outside [0, 1] "
                f"({self.outside.where()}); probabilities must lie between 0 and 1."
            )


class _SumsToOne:
    """Rows whose probabilities do not add up to 1 within the tolerance colliderml allows."""

    def __init__(self, columns: tuple[str, ...], tolerance: float) -> None:
        self.columns, self.tolerance = columns, tolerance
        self.off, self.rows = _Tally(), 0

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        total = sum((_floats(batch.column(name)) for name in self.columns), np.zeros(batch.num_rows))
        with np.errstate(invalid="ignore"):
            self.off.add(np.isfinite(total) & (np.abs(total - 1.0) > self.tolerance), offset)
        self.rows += batch.num_rows

    def report(self, findings: _Findings) -> None:
        if self.off.count:
            findings.problems.append(
                f"{self.off.count:,} of {self.rows:,} rows have {' + '.join(self.columns)} outside "
                f"1 ± {self.tolerance:g} ({self.off.where()})."
            )


class _Constant:
    """A column meant to hold one positive value on every row (tracking_small's n_params)."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.low: float | None = None
        self.high: float | None = None

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        extremes = pc.min_max(batch.column(self.column))
        low, high = extremes["min"].as_py(), extremes["max"].as_py()
        if low is not None:
            self.low = low if self.low is None else min(self.low, low)
            self.high = high if self.high is None else max(self.high, high)

    def report(self, findings: _Findings) -> None:
        if self.low is None or self.high is None:
            return
        if self.low != self.high:
            findings.problems.append(
                f"Column '{self.column}' must hold the same value on every row; it ranges from "
                f"{self.low:,} to {self.high:,}."
            )
        elif not self.low > 0:
            findings.problems.append(f"Column '{self.column}' is {self.low:,}; it must be positive.")


class _KnownValues:
    """Values the installed colliderml does not know (anomaly channels it would label SM)."""

    def __init__(self, column: str, known: list[str], consequence: str) -> None:
        self.column, self.known, self.consequence = column, pa.array(known, pa.string()), consequence
        self.unknown, self.examples = _Tally(), set[str]()

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        array = batch.column(self.column)
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        array = pc.cast(array, pa.string())
        mask = pc.fill_null(pc.invert(pc.is_in(array, value_set=self.known)), False)
        mask_np = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
        self.unknown.add(mask_np, offset)
        if mask_np.any() and len(self.examples) < 3:
            self.examples.update(pc.unique(array.filter(mask)).slice(0, 3).to_pylist())

    def report(self, findings: _Findings) -> None:
        if self.unknown.count:
            examples = ", ".join(repr(v) for v in sorted(self.examples)[:3])
            findings.warnings.append(
                f"{_plural(self.unknown.count, 'row')} have a {self.column} the installed colliderml "
                f"does not know ({examples}; {self.unknown.where()}): {self.consequence}"
            )


class _EventIds:
    """Which events the file covers, as (event id, row count) pairs merged batch by batch; and,
    while the rows come sorted by (event_id, hit_id), the repeated pairs too.

    Files written event by event in hit order, the usual case, are checked for duplicate hits
    in this same pass: in a sorted run a repeated pair sits right after its twin, so comparing
    each row with the one before it (across batch boundaries too) finds every repeat, with no
    sort and no second read. The first row out of order turns this off for the rest of the file;
    :func:`_report_duplicate_hits` then reads the pairs again, a slice of events at a time.
    """

    def __init__(self, eval_range: tuple[int, int] | None) -> None:
        self.eval_range = eval_range
        self.events = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        #: Whether every row so far has come in (event_id, hit_id) order, nulls aside.
        self.sorted = True
        #: While sorted: rows repeating the pair before them, and the first such pair.
        self.repeated = 0
        self.example: tuple[int, int] | None = None
        self._last: tuple[int, int] | None = None

    def feed(self, batch: pa.RecordBatch, offset: int) -> None:
        event_array, hit_array = batch.column("event_id"), batch.column("hit_id")
        if event_array.null_count or hit_array.null_count:
            self.sorted = False  # the duplicate check is skipped for files with null ids anyway
        if self.sorted and len(event_array):
            runs = self._sorted_runs(event_array.to_numpy(), hit_array.to_numpy())
            if runs is not None:
                self._add(*runs)
                return
            self.sorted = False
        pairs = pc.value_counts(pc.drop_null(event_array))
        values = np.asarray(pairs.field("values").to_numpy(zero_copy_only=False))
        counts = np.asarray(pairs.field("counts").to_numpy(zero_copy_only=False), dtype=np.int64)
        self._add(values, counts)

    def _sorted_runs(self, events: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The batch's (event, rows) runs when it continues the sorted order, else None;
        counts the pairs that repeat the row before them on the way."""
        first = (int(events[0]), int(hits[0]))
        if self._last is not None and first < self._last:
            return None
        new_event = events[1:] != events[:-1]
        changes = np.flatnonzero(new_event)
        if not np.all(events[changes + 1] > events[changes]):
            return None
        in_order = hits[1:] > hits[:-1]
        in_order |= new_event
        repeated, example = 0, None
        if self._last is not None and first == self._last:
            repeated, example = 1, first
        if not in_order.all():
            # Same event, hit not increasing: a repeat when equal, out of order when lower.
            at = np.flatnonzero(~in_order)
            if np.any(hits[at + 1] < hits[at]):
                return None
            repeated += len(at)
            example = example or (int(events[at[0] + 1]), int(hits[at[0] + 1]))
        self.repeated += repeated
        self.example = self.example or example
        self._last = (int(events[-1]), int(hits[-1]))
        starts = np.concatenate((np.zeros(1, dtype=changes.dtype), changes + 1))
        counts = np.diff(starts, append=len(events)).astype(np.int64)
        return events[starts], counts

    def _add(self, values: np.ndarray, counts: np.ndarray) -> None:
        self._pending.append((values, counts))
        self._pending_rows += len(values)
        if self._pending_rows > DUPLICATE_BUDGET_ROWS:
            self._merge()

    def _merge(self) -> None:
        """Fold pending per-batch counts into the sorted totals: memory stays per distinct event."""
        if not self._pending:
            return
        # Totals join only once they exist, so uint64 ids are not promoted to float.
        merged = [(self.events, self.counts)] if len(self.events) else []
        values = np.concatenate([v for v, _ in merged + self._pending])
        counts = np.concatenate([c for _, c in merged + self._pending])
        self.events, inverse = np.unique(values, return_inverse=True)
        self.counts = np.bincount(inverse.ravel(), weights=counts).astype(np.int64)
        self._pending, self._pending_rows = [], 0

    def report(self, findings: _Findings) -> None:
        self._merge()
        if self.eval_range is None:
            findings.warnings.append("The backend gives no eval event range, so coverage was not checked.")
            return
        start, end = self.eval_range
        inside = (self.events >= start) & (self.events < end)
        expected, covered = end - start, int(np.count_nonzero(inside))
        shown = f"{start}–{end - 1}"
        if covered < expected * 0.5:
            findings.problems.append(
                f"Only {covered:,} of the {expected:,} eval events ({shown}) are covered; "
                "at least half are needed."
            )
        outside_events = int(np.count_nonzero(~inside))
        if outside_events:
            outside_rows = int(self.counts[~inside].sum())
            findings.warnings.append(
                f"{_plural(outside_rows, 'row')} in {_plural(outside_events, 'event')} lie outside the "
                f"eval range {shown}; the backend does not score them."
            )


def _task_rules(task: TaskInfo, installed: Any) -> list[_Rule]:
    """The value rules particular to one task (beyond nulls and event coverage)."""
    rules: list[_Rule] = []
    if task.name == "tracking_small":
        rules.append(_Constant("n_params"))
    if task.name == "jets":
        probabilities = ("prob_b", "prob_c", "prob_light")
        rules += [_Finite(name, "probabilities") for name in probabilities]
        rules += [_UnitInterval(name) for name in probabilities]
        rules.append(_SumsToOne(probabilities, PROBABILITY_TOLERANCE))
    if task.name == "anomaly":
        rules.append(_Finite("anomaly_score", "anomaly scores"))
        known = list(getattr(installed, "SM_CHANNELS", [])) + list(getattr(installed, "BSM_CHANNELS", []))
        if known:
            rules.append(_KnownValues("channel", known, "it scores those rows as Standard Model events."))
    return rules


def _batches(parquet: pq.ParquetFile, columns: list[str], row_groups: list[int] | None = None) -> Any:
    """Record batches of ``columns``, decoded one at a time: parallel decoding bought no speed
    on these narrow reads and cost tens of MB of per-thread allocator heaps."""
    return parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=row_groups, columns=columns, use_threads=False)


def _check_values(
    parquet: pq.ParquetFile,
    required: tuple[tuple[str, Kind], ...],
    task: TaskInfo,
    installed: Any,
    findings: _Findings,
) -> None:
    """One pass over the required columns, then the duplicate-hit pass for tracking tasks."""
    if task.name in ONE_ROW_TASKS:
        _check_single_row(parquet, required, task.name, findings)
        return
    nulls = _Nulls(name for name, _ in required)
    events = _EventIds(task.eval_event_range) if task.name in TRACKING_TASKS else None
    rules: list[_Rule] = [nulls, *([events] if events else []), *_task_rules(task, installed)]
    offset = 0
    for batch in _batches(parquet, [name for name, _ in required]):
        for rule in rules:
            rule.feed(batch, offset)
        offset += batch.num_rows
    for rule in rules:
        rule.report(findings)
    if events is None or not nulls.clean("event_id", "hit_id"):
        return
    if events.sorted:  # already counted in the pass above
        _report_repeats(events.repeated, events.example, findings)
    else:
        _report_duplicate_hits(parquet, events.events, events.counts, findings)


def _check_single_row(
    parquet: pq.ParquetFile, required: tuple[tuple[str, Kind], ...], task_name: str, findings: _Findings
) -> None:
    """Measurement tasks: exactly one row, every value positive (a zero makes an infinite score)."""
    rows = parquet.metadata.num_rows
    if rows != 1:
        findings.problems.append(
            f"A {task_name} file must have exactly one row (one measurement); this one has {rows:,}."
        )
        return
    row = parquet.read(columns=[name for name, _ in required]).to_pylist()[0]
    for name, _ in required:
        value = row[name]
        if value is None:
            findings.problems.append(f"Column '{name}' is empty (null); it needs a value.")
        elif not (math.isfinite(value) and value > 0):
            why = " (a zero wallclock would make an infinite score)" if name == "wallclock_s" else ""
            findings.problems.append(f"Column '{name}' is {value}; it must be a positive number{why}.")
        elif name == "n_events" and value < 1:
            findings.problems.append(f"Column 'n_events' is {value}; it must be at least 1.")


# --------------------------------------------------------------------------------------------
# Duplicate hits, in slices of events that fit a row budget
# --------------------------------------------------------------------------------------------


def _report_duplicate_hits(
    parquet: pq.ParquetFile, events: np.ndarray, counts: np.ndarray, findings: _Findings
) -> None:
    """Rows repeating an (event_id, hit_id) pair: each hit belongs to one track at most."""
    bounds = _row_group_event_bounds(parquet.metadata)
    repeated, example = 0, None
    for low, high in _event_slices(events, counts, DUPLICATE_BUDGET_ROWS):
        groups = [i for i, b in enumerate(bounds) if b is None or not (b[1] < low or b[0] > high)]
        pairs = _read_pairs(parquet, groups, low, high)
        n, found = _repeated_pairs(*pairs)
        repeated += n
        example = example or found
    _report_repeats(repeated, example, findings)


def _report_repeats(repeated: int, example: tuple[int, int] | None, findings: _Findings) -> None:
    if repeated and example is not None:
        findings.problems.append(
            f"{_plural(repeated, 'row')} repeat an (event_id, hit_id) pair already in the file "
            f"(e.g. event {example[0]}, hit {example[1]}); each hit may be assigned to one track only."
        )


def _event_slices(events: np.ndarray, counts: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive event-id ranges (inclusive) holding about ``budget`` rows each."""
    if len(events) == 0:
        return []
    slice_of_event = (np.cumsum(counts) - counts) // budget
    starts = np.flatnonzero(np.diff(slice_of_event, prepend=-1))
    ends = np.append(starts[1:], len(events)) - 1
    return [(int(events[s]), int(events[e])) for s, e in zip(starts, ends, strict=True)]


def _row_group_event_bounds(metadata: pq.FileMetaData) -> list[tuple[Any, Any] | None]:
    """Per row group, event_id's (min, max) from the footer statistics; None when unknown."""
    paths = [metadata.schema.column(i).path for i in range(metadata.num_columns)]
    index = paths.index("event_id") if "event_id" in paths else None
    bounds: list[tuple[Any, Any] | None] = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics if index is not None else None
        bounds.append((stats.min, stats.max) if stats is not None and stats.has_min_max else None)
    return bounds


def _read_pairs(
    parquet: pq.ParquetFile, groups: list[int], low: int, high: int
) -> tuple[np.ndarray, np.ndarray]:
    """The (event_id, hit_id) columns of the rows whose event lies in [low, high]."""
    events: list[np.ndarray] = []
    hits: list[np.ndarray] = []
    if groups:
        for batch in _batches(parquet, ["event_id", "hit_id"], groups):
            event = batch.column(0).to_numpy()
            keep = (event >= low) & (event <= high)
            events.append(event[keep])
            hits.append(batch.column(1).to_numpy()[keep])
    if not events:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(events), np.concatenate(hits)


def _repeated_pairs(events: np.ndarray, hits: np.ndarray) -> tuple[int, tuple[int, int] | None]:
    """How many rows repeat an earlier (event, hit) pair, and one such pair.

    Both ids are packed into one int64 when their spans allow (a plain sort is several times
    faster than a two-key lexsort); otherwise the lexsort does it. Files written event by event
    in hit order, the usual case, need no sort at all.
    """
    if len(events) < 2:
        return 0, None
    event_low, hit_low = int(events.min()), int(hits.min())
    event_span, hit_span = int(events.max()) - event_low + 1, int(hits.max()) - hit_low + 1
    if event_span * hit_span < 2**63:
        keys = (events - event_low).astype(np.int64) * hit_span + (hits - hit_low).astype(np.int64)
        if np.all(keys[1:] > keys[:-1]):
            return 0, None
        keys.sort()
        repeat = keys[1:] == keys[:-1]
        if not repeat.any():
            return 0, None
        key = int(keys[1:][repeat][0])
        return int(np.count_nonzero(repeat)), (event_low + key // hit_span, hit_low + key % hit_span)
    order = np.lexsort((hits, events))
    sorted_events, sorted_hits = events[order], hits[order]
    repeat = (sorted_events[1:] == sorted_events[:-1]) & (sorted_hits[1:] == sorted_hits[:-1])
    if not repeat.any():
        return 0, None
    first = int(np.argmax(repeat)) + 1
    return int(np.count_nonzero(repeat)), (int(sorted_events[first]), int(sorted_hits[first]))


# --------------------------------------------------------------------------------------------
# The installed colliderml: last word on small files, local scores where it needs no truth
# --------------------------------------------------------------------------------------------


def _installed_task(name: str) -> Any:
    """A fresh colliderml task instance, None when colliderml is missing or lacks the task."""
    try:
        import colliderml.tasks as registry

        return registry.get(name)
    except (ImportError, ValueError):
        return None


def _small_enough(size: int, decoded: int, limit: int) -> bool:
    """Whole-table work (colliderml reads everything) only for files small on disk and in memory."""
    return size < limit and decoded < WHOLE_TABLE_DECODED_LIMIT


def _colliderml_validation(
    parquet: pq.ParquetFile,
    task: TaskInfo,
    installed: Any,
    size: int,
    decoded: int,
    required: tuple[tuple[str, Kind], ...] | None,
    findings: _Findings,
) -> None:
    """colliderml's validate_predictions on the whole table, as the backend runs it, where
    cheap: on small files, and for tasks with their own rules here, on tiny files only.

    For tracking tasks the eval range is the backend's (the TaskInfo's), not the installed
    package's default. Any exception is the file's fault from the user's point of view.
    """
    if required is not None and decoded >= CROSS_CHECK_DECODED_LIMIT:
        return  # the checks above cover what it checks
    if not _small_enough(size, decoded, COLLIDERML_VALIDATE_LIMIT):
        if required is None:
            findings.warnings.append(
                f"The file is too large ({_size(size)}, about {_size(decoded)} decompressed) to run "
                f"colliderml's checks for '{task.name}' here; the backend will check it."
            )
        return
    if task.name in TRACKING_TASKS and task.eval_event_range is not None:
        installed.eval_event_range = task.eval_event_range
    try:
        installed.validate_predictions(parquet.read())
    except Exception as exc:  # noqa: BLE001 - whatever colliderml raises, the backend would refuse
        findings.problems.append(f"colliderml rejects the file: {exc}")


def _local_scores(
    parquet: pq.ParquetFile, task: TaskInfo, installed: Any, size: int, decoded: int, findings: _Findings
) -> dict[str, float] | None:
    """colliderml's score() on the required columns (all its scorer reads), finite values only."""
    if not _small_enough(size, decoded, LOCAL_SCORE_LIMIT):
        return None
    columns = [name for name, _ in REQUIRED_COLUMNS[task.name]]
    try:
        raw = installed.score(parquet.read(columns=columns))
    except Exception as exc:  # noqa: BLE001 - a local score is a courtesy; the backend scores anyway
        findings.warnings.append(f"colliderml could not score the file locally: {exc}")
        return None
    scores = {str(metric): float(value) for metric, value in raw.items()}
    for metric, value in scores.items():
        if not math.isfinite(value):
            findings.warnings.append(
                f"The local {metric} is {value}: the backend cannot store a non-finite score."
            )
    return {metric: value for metric, value in scores.items() if math.isfinite(value)}
