"""What the dashboard's server process runs on, and what app.py does to it after its warm-up.

It serves on uvloop (requirements.txt), which gives every connection it accepts TCP_NODELAY: a
view's messages leave at once instead of waiting up to 40 ms for the client's delayed ACK, as
they do on asyncio's own loop with the listening socket Streamlit 1.67 binds (protocol 0). Real
sockets, real event loops, a real `streamlit run app.py`."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from pathlib import Path

import uvloop
from streamlit.web import bootstrap

from components.tasks import FALLBACK_TASKS
from tests.conftest import LocalBackend
from tests.e2e.support import StreamlitApp


def test_streamlit_serves_on_uvloop_when_installed() -> None:
    assert bootstrap._get_uvloop_loop_factory() is uvloop.new_event_loop


def _listener() -> socket.socket:
    """A listening socket made as Streamlit 1.67 makes its own: protocol 0."""
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    return sock


async def _accepted_nodelay() -> int:
    """TCP_NODELAY of a connection the running loop's server accepts from `_listener()`."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=_listener())
    async with server:
        address = server.sockets[0].getsockname()
        _reader, writer = await asyncio.open_connection(*address)
        nodelay = await asyncio.wait_for(accepted, 5)
        writer.close()
    return nodelay


def test_uvloop_accepts_connections_without_nagle_where_asyncio_would_not() -> None:
    assert uvloop.run(_accepted_nodelay()) != 0
    assert asyncio.run(_accepted_nodelay()) == 0, "asyncio's own loop leaves Nagle on: uvloop is what removes the wait"


#: `python -m streamlit ...` with a thread that writes how many objects the process has frozen
#: out of the garbage collector's reach (gc.freeze), once it has.
FREEZE_PROBE = """
import gc, runpy, sys, threading, time
out = sys.argv.pop(1)
def watch():
    while not gc.get_freeze_count():
        time.sleep(0.05)
    with open(out, "w") as f:
        f.write(str(gc.get_freeze_count()))
threading.Thread(target=watch, daemon=True).start()
runpy.run_module("streamlit", run_name="__main__", alter_sys=True)
"""


def test_the_server_freezes_what_its_warm_up_left_so_full_collections_skip_it(
    fresh_backend: LocalBackend, tmp_path: Path
) -> None:
    app = StreamlitApp(fresh_backend.url, tmp_path / "streamlit.log")
    python, module, streamlit, *cli = app.server.command
    assert (python, module, streamlit) == (sys.executable, "-m", "streamlit")
    frozen = tmp_path / "frozen"
    app.server.command = [python, "-c", FREEZE_PROBE, str(frozen), *cli]
    app.start()
    try:
        deadline = time.monotonic() + 60
        while not frozen.exists():
            assert time.monotonic() < deadline, f"nothing frozen after the warm-up:\n{app.log_text()}"
            time.sleep(0.1)
        fetched = fresh_backend.server.log_text()
    finally:
        app.stop()
    assert int(frozen.read_text()) > 50_000, "the imports, caches and Streamlit's set-ups"
    for task in FALLBACK_TASKS:
        assert f"GET /v1/leaderboard/{task.name}?" in fetched, "frozen once the warm-up run has read every board"
