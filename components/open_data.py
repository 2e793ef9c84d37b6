"""The boards as open data, served by the dashboard's own process beside the app: each ranked
leaderboard as CSV and JSON, the task catalogue, and a badge per person and task.

They read what the pages read (components.data: one backend request per task per TTL for pages
and routes together; the last good board while the backend fails) and rank as a task page does by
default (board_view: best per user, baselines in), so a download here is the page's CSV export.
Every answer is built once per board version and shared (`data.per_board`).

The routes themselves are in `open_data_routes`, which runs these answers in threads of its own
and imports this module on the first request. Streamlit's caches work there, outside any script
run (Streamlit 1.67, runtime/caching): `st.cache_data` takes its storage from the running Runtime
from any thread, and `st.cache_resource` is process-wide; with `show_spinner=False` neither
touches a script context. `components.data` is imported by the answers, on the first request,
after the Runtime exists (before it, each of data's `st.cache_data` would log "No runtime found").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from starlette.requests import Request
from starlette.responses import Response

from components import badges
from components import board_view as bv
from components.config import settings
from components.tasks import TaskInfo

if TYPE_CHECKING:
    from components.data import Snapshot

#: `?view=`: a task page's two views (best per user is its default).
VIEWS = {"best": True, "all": False}
UNAVAILABLE = (
    "The ColliderML backend is not answering and this dashboard holds no copy of this board yet. Try again in a minute."
)


def view_options(view: str) -> bv.ViewOptions:
    """A task page's options for that view, everything else at the page's default."""
    return bv.ViewOptions(best_per_user=VIEWS[view])


def export_table(rows: pd.DataFrame, task: TaskInfo, opts: bv.ViewOptions) -> pd.DataFrame:
    """The ranked board with the columns of the task page's CSV export, `rank` first."""
    return bv.export_frame(bv.ranked_board(rows, task, opts), bv.task_metrics(task, rows))


def csv_bytes(rows: pd.DataFrame, task: TaskInfo, opts: bv.ViewOptions) -> bytes:
    """The page's CSV export, byte for byte."""
    return bv.to_csv_bytes(export_table(rows, task, opts))


def iso_z(when: datetime | pd.Timestamp) -> str:
    """A UTC time in ISO 8601 with a `Z`, to the microsecond."""
    return pd.Timestamp(when).tz_convert(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_value(value: Any) -> Any:
    """A cell as JSON holds it: missing (NaN, NA, NaT, None) as null, times as ISO 8601 Z,
    NumPy scalars as plain numbers."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return iso_z(value)
    return value.item() if hasattr(value, "item") else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON objects, keys in column order."""
    columns = list(frame.columns)
    return [dict(zip(columns, map(_json_value, row), strict=True)) for row in frame.itertuples(index=False)]


def rows_json(rows: pd.DataFrame, task: TaskInfo, opts: bv.ViewOptions) -> bytes:
    """The `rows` of the JSON answer (the ranked board's records), built once per board version."""
    return _dumps(records(export_table(rows, task, opts)))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def board_json(task: TaskInfo, view: str, snapshot: Snapshot, rows: bytes) -> bytes:
    """`{"task", "view", "ranked_by", "fetched_at", "stale", "rows"}`; `rows` spliced in as built
    (the rest changes with every refresh, the rows only with the board)."""
    assert snapshot.fetched_at is not None
    head = {
        "task": task.name,
        "view": view,
        "ranked_by": task.primary,
        "fetched_at": iso_z(snapshot.fetched_at),
        "stale": snapshot.error is not None,
    }
    return _dumps(head)[:-1] + b',"rows":' + rows + b"}"


def catalogue_json(tasks: list[TaskInfo]) -> bytes:
    """`{"tasks": [...]}`: the catalogue the pages show."""
    return _dumps(
        {
            "tasks": [
                {
                    "name": t.name,
                    "description": t.description,
                    "dataset": t.dataset,
                    "primary_metric": t.primary,
                    "metrics": [{"name": m, "higher_is_better": t.direction(m)} for m in t.metrics],
                    "eval_event_range": list(t.eval_event_range) if t.eval_event_range else None,
                }
                for t in tasks
            ]
        }
    )


def places(rows: pd.DataFrame, task: TaskInfo) -> dict[str, tuple[int, float]]:
    """Each ranked user's rank and value of the ranking metric on the page's default board."""
    board = bv.ranked_board(rows, task, bv.ViewOptions())
    ranked = board[board["rank"].notna().to_numpy(dtype=bool)]
    values = bv.metric_values(ranked, task.primary)
    return {
        str(user): (int(rank), float(value))
        for user, rank, value in zip(ranked["hf_username"], ranked["rank"], values, strict=True)
    }


def max_age(snapshot: Snapshot, ttl_s: int, now: datetime) -> int:
    """Seconds a cache may keep an answer built from this board: until it is due for a refresh,
    and 0 while the backend fails (the last good board is served, and the next request asks again)."""
    if snapshot.error is not None or snapshot.fetched_at is None:
        return 0
    return max(0, min(ttl_s, int(ttl_s - (now - snapshot.fetched_at).total_seconds())))


# ---------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------


def _headers(cache_s: int | None) -> dict[str, str]:
    """Open to any site's scripts (public data, no cookie read); cached for `cache_s`, or never."""
    return {
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": f"public, max-age={cache_s}" if cache_s is not None else "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def _error(status: int, message: str, cache_s: int | None, **extra: Any) -> Response:
    """A plain sentence, never the request's own text (so nothing a visitor typed comes back)."""
    return Response(_dumps({"error": message, **extra}), status, _headers(cache_s), "application/json")


def _board(request: Request) -> tuple[TaskInfo, Snapshot] | Response:
    """The task the path names, from the catalogue the pages use, and its board as the pages read
    it; or the answer to give instead: 404 for an unknown task, 503 while there is no board."""
    from components import data

    tasks = data.catalogue().tasks
    task = next((t for t in tasks if t.name == request.path_params["task"]), None)
    if task is None:
        return _error(404, "No task of that name.", settings().cache_ttl_s, tasks=[t.name for t in tasks])
    snapshot = data.leaderboard(task.name)
    if snapshot.rows is None:
        return _error(503, UNAVAILABLE, None)
    return task, snapshot


def _fresh_for(snapshot: Snapshot) -> int:
    return max_age(snapshot, settings().cache_ttl_s, datetime.now(UTC))


def _leaderboard(request: Request, kind: str) -> Response:
    from components import data

    view = request.query_params.get("view", "best")
    if view not in VIEWS:
        return _error(400, "view must be 'best' (best entry per user, the default) or 'all'.", None)
    found = _board(request)
    if isinstance(found, Response):
        return found
    task, snapshot = found
    opts, headers = view_options(view), _headers(_fresh_for(snapshot))
    if kind == "csv":
        return Response(data.per_board(snapshot, csv_bytes, task, opts), 200, headers, "text/csv; charset=utf-8")
    body = board_json(task, view, snapshot, data.per_board(snapshot, rows_json, task, opts))
    return Response(body, 200, headers, "application/json")


def leaderboard_csv(request: Request) -> Response:
    return _leaderboard(request, "csv")


def leaderboard_json(request: Request) -> Response:
    return _leaderboard(request, "json")


def tasks_json(_request: Request) -> Response:
    from components import data

    body = catalogue_json(data.catalogue().tasks)
    return Response(body, 200, _headers(settings().cache_ttl_s), "application/json")


def badge(request: Request) -> Response:
    """A person's badge for a task; "not ranked" (200) for anyone without a ranked entry there."""
    from components import data

    found = _board(request)
    if isinstance(found, Response):
        return found
    task, snapshot = found
    username = request.path_params["username"]
    place = data.per_board(snapshot, places, task).get(username)
    headers = _headers(_fresh_for(snapshot))
    # Opened on its own, an SVG is a document: it may run nothing and load nothing.
    headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    drawn = badges.svg(badges.standing(task.name, username, task.primary, place))
    return Response(drawn, 200, headers, "image/svg+xml; charset=utf-8")


def not_found(_request: Request) -> Response:
    """Any other address under the API or of a badge: a JSON 404 rather than the app's page."""
    return _error(404, "No such address in this API.", None)
