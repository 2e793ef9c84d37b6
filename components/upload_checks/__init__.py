"""The check a predictions file gets before anything is sent to the backend.

A bad upload should fail here, in a second and with a sentence that names the column or the
count, rather than after a long upload with the backend's one-line error (or its 500). The
check stays within about 256 MB of memory and seconds of time for any file under the upload
cap, whatever its footer claims:

* The Parquet footer is read first. Empty files, other formats, truncated files, files over
  the size cap, files without rows or columns, or with too many columns are refused before a
  single value is read (:mod:`.source`).
* The page headers of the columns the check will decode are read next (:mod:`.pages`): they
  are what decoding really allocates. Files that would decompress to far more than they weigh
  ("decompression bombs"), or whose pages are too big to decode here, are refused before a
  page is decompressed (:mod:`.footprint`).
* Only the columns the task needs are read, once, in batches sized by those pages, and every
  rule runs vectorised on a batch (:mod:`.values`); text is read as dictionaries, so a long
  value repeated on every row is held once. Tracking files get their event coverage and
  duplicate-hit checks within a fixed row budget (:mod:`.events`). The file's hash is computed
  on another thread meanwhile.
* Where it fits in memory, the installed colliderml gets the last word, and for tasks whose
  scorer needs no held-out truth, its ``score`` gives local scores (:mod:`.cross_check`).
* A file that passes gets a preview of its first rows (:mod:`.preview`); a refused one none.

Every value quoted in a message is cut to a few dozen characters.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from components.tasks import TaskInfo
from components.upload_checks import cross_check
from components.upload_checks.cross_check import SCORED_LOCALLY, installed_task
from components.upload_checks.footprint import (
    DECODED_CEILING,
    DECODED_FACTOR,
    MAX_COLUMNS,
    Footprint,
    bomb_problem,
    column_count_problem,
    measure,
    page_problem,
    pages_problem,
)
from components.upload_checks.pages import PageHeaderError
from components.upload_checks.preview import PREVIEW_ROWS, read_preview
from components.upload_checks.report import ERROR_CHARS, CheckResult, Findings, MiB, cut
from components.upload_checks.schema import REQUIRED_COLUMNS, Kind, schema_problems
from components.upload_checks.source import FOOTER_LIMIT, Source, refusal_before_parsing
from components.upload_checks.values import check_values

__all__ = [
    "DECODED_CEILING",
    "DECODED_FACTOR",
    "FOOTER_LIMIT",
    "MAX_COLUMNS",
    "PREVIEW_ROWS",
    "REQUIRED_COLUMNS",
    "SCORED_LOCALLY",
    "CheckResult",
    "Kind",
    "MiB",
    "check_predictions",
]


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
    with Source(data) as source:
        refusal = refusal_before_parsing(source, max_bytes)
        if refusal is not None:
            result = _refused(source, [refusal])
            return replace(result, sha256=source.sha256()) if source.size <= max_bytes else result
        # The hash (a tenth of a second per 100 MB) is computed on another core meanwhile:
        # hashlib and file reads release the GIL.
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(source.sha256)
            try:
                parquet = source.open_parquet(_text_columns(task.name))
            except (pa.ArrowException, OSError) as exc:
                result = _refused(source, [f"The Parquet footer cannot be read: {cut(exc, ERROR_CHARS)}."])
            else:
                with parquet:
                    result = _check_parquet(source, parquet, task, max_decoded_bytes)
            return replace(result, sha256=hashing.result())


def _text_columns(task_name: str) -> list[str]:
    """The task's text columns: read as dictionaries."""
    return [name for name, kind in REQUIRED_COLUMNS.get(task_name, ()) if kind == "text"]


def _refused(
    source: Source, problems: list[str], columns: list[tuple[str, str]] | None = None, rows: int = 0
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


def _check_parquet(source: Source, parquet: pq.ParquetFile, task: TaskInfo, max_decoded_bytes: int) -> CheckResult:
    """Everything after the footer parsed: its shape and the page sizes first, then schema,
    values, colliderml. The result's ``sha256`` is left empty: the caller, hashing meanwhile,
    fills it in."""
    schema = parquet.schema.to_arrow_schema()  # as written: text read as dictionaries shows as text
    rows = parquet.metadata.num_rows
    columns = [(f.name, str(f.type)) for f in schema]
    required = REQUIRED_COLUMNS.get(task.name)
    # The columns decoded here: the task's, or every column for a task this module does not know.
    names = [name for name, _ in required] if required is not None else None
    # 10,000 columns: not even the page walk.
    found = column_count_problem(len(schema)) or _measure(parquet, source, names, task.name)
    if isinstance(found, str):
        return _refused(source, [found], columns, rows)
    footprint = found
    problem = bomb_problem(footprint.decoded, source.size, max_decoded_bytes) or page_problem(footprint)
    if problem is None and rows == 0:
        problem = "The file has no rows: there is nothing to score."
    if problem is not None:
        return _refused(source, [problem], columns, rows)

    findings = Findings()
    local_scores = None
    try:
        local_scores = _check_contents(parquet, schema, task, names, footprint, findings)
    except (pa.ArrowException, OSError) as exc:
        findings.problems.append(f"The file's data cannot be read: {cut(exc, ERROR_CHARS)}.")
    ok = not findings.problems
    return CheckResult(
        ok=ok,
        problems=findings.problems,
        rows=rows,
        columns=columns,
        size_bytes=source.size,
        sha256="",
        preview=read_preview(parquet, footprint, names or schema.names) if ok else pd.DataFrame(),
        local_scores=local_scores if ok else None,
        warnings=findings.warnings,
    )


def _measure(parquet: pq.ParquetFile, source: Source, names: list[str] | None, task_name: str) -> Footprint | str:
    """The footprint of the columns decoded here, or the sentence refusing the file."""
    try:
        return measure(parquet, source, names, _text_columns(task_name))
    except PageHeaderError as exc:
        return pages_problem(exc)


def _check_contents(
    parquet: pq.ParquetFile,
    schema: pa.Schema,
    task: TaskInfo,
    names: list[str] | None,
    footprint: Footprint,
    findings: Findings,
) -> dict[str, float] | None:
    """Schema, values, then colliderml's verdict and local scores; returns the local scores."""
    required = REQUIRED_COLUMNS.get(task.name)
    installed: Any = installed_task(task.name)
    if required is not None:
        findings.problems.extend(schema_problems(schema, required, task.name))
        if not findings.problems:
            check_values(parquet, required, task, installed, footprint, findings)
    elif installed is None:
        findings.warnings.append(
            f"Task '{cut(task.name)}' is newer than this dashboard and the installed colliderml: its "
            "columns could not be checked here; the backend will check them."
        )
    if findings.problems or installed is None:
        return None
    cross_check.validate(parquet, task, installed, footprint, names, findings)
    if findings.problems or names is None or task.name not in SCORED_LOCALLY:
        return None
    return cross_check.local_scores(parquet, task, installed, footprint, names, findings)
