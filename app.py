"""The server entry: `streamlit run app.py` serves Home.py as an `st.App` that readies the process
for its first visitor. Home.py stays the script every session runs (and the one AppTest opens).

Streamlit #8860, as found in Streamlit 1.67's source: `PagesManager.uses_pages_directory` is a
process-wide flag, set when the first session starts to whether a `pages/` folder sits beside the
main script (ours does: it holds the page modules). While it is set, a run goes through
Streamlit's old pages-folder navigation (`script_runner._mpa_v1`): it looks the requested URL
path up among the files in `pages/`, does not find `jets`, sends "Page not found", then runs
Home.py, whose `st.navigation` clears the flag and shows the right page under the dialog. Only
the first session after a start meets it, and only on a page other than Home. Clearing the flag
before any session starts, which is what Home.py's `st.navigation` call would do, removes the
cause rather than hiding the dialog.

Streamlit also checks, once per process and on the first element any script draws, whether it
runs in a Python REPL, by `inspect.stack()` over every frame and loaded module: 0.1-0.25 s of the
GIL here, taken while the first visitor's browser loads the frontend from this same process. A
server started by `streamlit run` is never a REPL, so that check is marked done at start.

Then one run of the default page in the background (Streamlit's own script health check, a
session no browser sees) does the one-off work of a fresh process before the first visitor
arrives: imports, the catalogue and every leaderboard fetched into the shared caches, Streamlit's
lazy set-ups. The server answers its health check meanwhile.

Once it is done, what the process then holds (about 160,000 objects: modules, caches, Streamlit's
set-ups) is frozen out of the garbage collector's reach (`gc.freeze()`). Python's full
collections walked all of it, about 0.1 s holding the GIL, several times a minute under a crowd,
stalling every session's view; afterwards they walk only what came later (10-20 ms).

Beside the app it serves the two routes that make a sign-in last through reloads and new tabs
(components.sign_in_store): `/sign-in/claim/<code>` sets the HttpOnly cookie that names a
server-side sign-in, `/sign-in/forget` clears it. The page has the browser fetch them. And the open
data (components.open_data_routes): `/api/v1/leaderboard/<task>.csv|.json`, `/api/v1/tasks.json` and
`/badge/<task>/<user>.svg`, read from the same shared caches as the pages.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import streamlit as st
from streamlit import delta_generator
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager

from components import open_data_routes, sign_in_store


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """At server start, before any session: navigation by `st.navigation` only, no REPL check,
    then the warm-up run, and the heap frozen after it."""
    PagesManager.uses_pages_directory = False
    delta_generator._use_warning_has_been_displayed = True
    warm_up = asyncio.create_task(Runtime.instance().does_script_run_without_error())
    warm_up.add_done_callback(lambda _: gc.freeze())
    try:
        yield
    finally:
        warm_up.cancel()  # a server stopped within seconds of starting ends the run; its session shuts down
        with suppress(asyncio.CancelledError):
            await warm_up


app = st.App("Home.py", lifespan=lifespan, routes=[*sign_in_store.routes(), *open_data_routes.routes()])
