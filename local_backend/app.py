"""The HTTP face of the local backend: the contract's routes, shapes and quirks.

Business rules live in service.py; this module decodes requests, maps the
service's errors to status codes, and shapes answers exactly as the real
backend does (including the leaderboard's string `scores` and
`credits_earned`). Endpoints are plain `def`, so FastAPI runs them in its
threadpool and a long scoring run does not stall other requests.

`service.Unhandled` has no handler on purpose: like the real backend's
exceptions it reaches Starlette's last-resort handler (a plain-text
`500 Internal Server Error`) and uvicorn, which then closes the connection
without a `Connection: close` header. Clients meet that here every day.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from local_backend import db, oauth, reproductions, scoring, service, whoami
from local_backend.auth import current_user

Conn = Annotated[sqlite3.Connection, Depends(db.get_conn)]
CurrentUser = Annotated[service.User, Depends(current_user)]
#: No cap, as in the real backend; a negative or too large one is its 500 (service.check_limit).
Limit = Annotated[int, Query()]
Predictions = Annotated[UploadFile, File(description="The predictions as a Parquet file")]

_STATUS_FOR_ERROR: dict[type[service.ServiceError], int] = {
    service.UnknownTask: 404,
    service.NotFound: 404,
    service.BadRequest: 400,
}

router = APIRouter()


@router.get("/healthz")
def healthz(conn: Conn) -> dict[str, Any]:
    return {"status": "ok", "backend": "local", "demo_data": db.meta_value(conn, "demo_data") == "1"}


@router.get("/v1/benchmark/tasks")
def tasks() -> list[dict[str, Any]]:
    return [scoring.task_summary(name) for name in scoring.task_names()]


@router.get("/v1/leaderboard/{task}")
def leaderboard(task: str, conn: Conn, limit: Limit = 100) -> list[dict[str, Any]]:
    return [
        {
            "id": row["id"],
            "hf_username": row["hf_username"],
            "submitted_at": row["submitted_at"],
            "scores": row["scores"],  # undecoded JSON text, as the real backend sends it
            "is_baseline": bool(row["is_baseline"]),
            "n_params": row["n_params"],
            "code_url": row["code_url"],
            "credits_earned": f"{row['credits_earned']:.3f}",  # PostgreSQL numeric as text
        }
        for row in service.leaderboard(conn, task, limit)
    ]


@router.post("/v1/benchmark/{task}/submit")
def submit(
    task: str,
    user: CurrentUser,
    conn: Conn,
    predictions: Predictions,
    local_scores: Annotated[str, Form()] = "{}",
    model_repo_id: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    return service.submit(
        conn,
        user,
        task,
        predictions.file.read(),
        _decode_local_scores(local_scores),
        model_repo_id or None,
    )


@router.post("/v1/benchmark/{task}/reproduce/{submission_id}")
def reproduce(task: str, submission_id: str, user: CurrentUser, conn: Conn, predictions: Predictions) -> dict[str, Any]:
    return reproductions.reproduce(conn, user, task, submission_id, predictions.file.read())


@router.get("/v1/me")
def me(user: CurrentUser) -> dict[str, Any]:
    return {
        "hf_username": user.hf_username,
        "email": user.email,
        "credits": user.credits,
        "created_at": user.created_at,
        "last_seen_at": user.last_seen_at,
    }


@router.get("/v1/me/transactions")
def transactions(user: CurrentUser, conn: Conn, limit: Limit = 100) -> list[dict[str, Any]]:
    return [
        {
            "id": row["id"],
            "delta": row["delta"],
            "reason": row["reason"],
            "metadata": None if row["metadata"] is None else json.loads(row["metadata"]),
            "created_at": row["created_at"],
        }
        for row in service.transactions(conn, user, limit)
    ]


@router.get("/v1/requests")
def simulation_requests(user: CurrentUser, limit: Limit = 100) -> list[dict[str, Any]]:
    """The local backend runs no simulations, so nobody has requests."""
    return []


def _decode_local_scores(text: str) -> dict[str, Any]:
    """The client's own scores; like the real backend, anything that is not a JSON object
    is accepted silently (and kept as no scores)."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, service.ServiceError)  # registered for ServiceError only
    return JSONResponse({"detail": str(exc)}, status_code=_STATUS_FOR_ERROR[type(exc)])


def create_app(db_path: Path) -> FastAPI:
    """The backend serving the database at `db_path` (created if missing)."""
    db.init_db(db_path)
    app = FastAPI(title="ColliderML local backend")
    app.state.db_path = db_path
    app.include_router(router)
    app.include_router(oauth.router)
    app.include_router(whoami.router)
    app.add_exception_handler(service.ServiceError, _service_error)
    return app
