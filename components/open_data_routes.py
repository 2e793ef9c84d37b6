"""The open-data routes app.py serves beside the app (answered by `components.open_data`):
`/api/v1/leaderboard/<task>.csv|.json`, `/api/v1/tasks.json` and `/badge/<task>/<user>.svg`.

Light to import: the answers' module, with pandas and the boards' code, is imported by the first
request, so a fresh server answers its health check without waiting for it (about 0.2 s of a cold
start). The answers run in threads of their own, so a backend fetch never blocks the event loop,
and a backend that hangs ties up these threads only: Starlette's shared pool, which also serves
the app's static files, stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

API = "/api/v1"
#: Requests beyond this many wait for a thread (a hung backend holds each for up to its read timeout).
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="open-data")


def _answered_by(name: str) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that answers with `components.open_data.<name>(request)`, in the pool."""

    def answer(request: Request) -> Response:
        from components import open_data

        respond: Callable[[Request], Response] = getattr(open_data, name)
        return respond(request)

    async def endpoint(request: Request) -> Response:
        return await asyncio.get_running_loop().run_in_executor(_POOL, answer, request)

    return endpoint


def routes() -> list[BaseRoute]:
    """The open-data routes, for `st.App(routes=...)`."""
    return [
        Route(f"{API}/leaderboard/{{task}}.csv", _answered_by("leaderboard_csv"), methods=["GET"]),
        Route(f"{API}/leaderboard/{{task}}.json", _answered_by("leaderboard_json"), methods=["GET"]),
        Route(f"{API}/tasks.json", _answered_by("tasks_json"), methods=["GET"]),
        Route(f"{API}/{{rest:path}}", _answered_by("not_found"), methods=["GET"]),
        # `path`: a name holding "/" arrives decoded from paths.badge_path's "%2F".
        Route("/badge/{task}/{username:path}.svg", _answered_by("badge"), methods=["GET"]),
        # Any other badge address (`/badge/jets`, no `.svg`): a JSON 404, not the app's page.
        Route("/badge/{rest:path}", _answered_by("not_found"), methods=["GET"]),
    ]
