"""A real HTTP proxy in front of the local backend that injects faults on chosen routes.

Faults the real local backend will not produce on its own (a 500 with an HTML body, a
truncated body, a slow answer, a refused connection) are served here over real sockets,
so the dashboard meets them exactly as it would in production. A hostile server (user
names carrying HTML, `javascript:` links, a cookie) is played by rewriting the backend's
real JSON and headers.

The proxy keeps connections alive (HTTP/1.1) as the real backend's uvicorn does, so a
fault can close a connection the client believes is still good: `drop_after` answers and
then hangs up, unannounced, when the next request arrives on that connection, the way the
real backend's connections die after its 500s.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Fault:
    status: int = 500
    body: bytes = b"Internal Server Error"
    content_type: str = "text/plain; charset=utf-8"
    #: Wait this long before answering. `clear()` and `close()` cut the wait short and the
    #: connection is then dropped unanswered, so a 60 s delay never holds up a test's teardown.
    delay_s: float = 0.0
    truncate: bool = False  # announce a longer Content-Length than is sent, then close
    #: Answer normally, then close the connection without a word when the next request comes
    #: on it (no `Connection: close`): what the real backend does after any unhandled 500.
    drop_after: bool = False


@dataclass(frozen=True)
class Received:
    """One request as the proxy saw it; `port` is the client's end of its connection."""

    method: str
    path: str
    port: int
    headers: dict[str, str]


class FaultProxy:
    """Forwards to `upstream` except where a rule (method, path regex) says to fail."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[tuple[str, re.Pattern[str], Fault]] = []
        self.rewrites: list[tuple[str, re.Pattern[str], Callable[[Any], Any]]] = []
        self.extra_headers: list[tuple[str, re.Pattern[str], dict[str, str]]] = []
        self.requests: list[Received] = []
        #: Requests that met a connection a `drop_after` fault had doomed (and got no answer).
        self.hung_up = 0
        self._wake = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self.port = self._listen(0)
        self.url = f"http://127.0.0.1:{self.port}"

    def fail(self, method: str, path_pattern: str, fault: Fault) -> None:
        self.rules.append((method.upper(), re.compile(path_pattern), fault))

    def rewrite(self, method: str, path_pattern: str, change: Callable[[Any], Any]) -> None:
        """Forward, then answer `change(decoded JSON)` instead of the backend's 200 body."""
        self.rewrites.append((method.upper(), re.compile(path_pattern), change))

    def add_headers(self, method: str, path_pattern: str, headers: dict[str, str]) -> None:
        """Forward, and add `headers` to the backend's answer (a Set-Cookie, say)."""
        self.extra_headers.append((method.upper(), re.compile(path_pattern), headers))

    def clear(self) -> None:
        """Back to a plain proxy; answers still waiting out a delay are dropped."""
        self.rules.clear()
        self.rewrites.clear()
        self.extra_headers.clear()
        self._wake_sleepers()

    def stop(self) -> None:
        """Close the listening socket and every open connection: connections are refused
        until `start()`."""
        self._wake_sleepers()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def start(self) -> None:
        """Listen again on the same port after `stop()`."""
        assert not self.listening, "already listening"
        self._listen(self.port)

    @property
    def listening(self) -> bool:
        return self._server is not None

    def received(self, method: str, path_pattern: str) -> list[Received]:
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]

    def count(self, method: str, path_pattern: str) -> int:
        return len(self.received(method, path_pattern))

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _listen(self, port: int) -> int:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        bound: int = self._server.server_address[1]
        return bound

    def _wake_sleepers(self) -> None:
        sleeping, self._wake = self._wake, threading.Event()
        sleeping.set()

    def _rewritten(self, method: str, path: str, payload: bytes) -> bytes:
        for rule_method, pattern, change in list(self.rewrites):
            if rule_method == method and pattern.search(path):
                return json.dumps(change(json.loads(payload))).encode()
        return payload

    def _added_headers(self, method: str, path: str) -> dict[str, str]:
        added: dict[str, str] = {}
        for rule_method, pattern, headers in list(self.extra_headers):
            if rule_method == method and pattern.search(path):
                added.update(headers)
        return added

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like uvicorn
            #: Set once a `drop_after` answer went out: the next request on it gets no answer.
            doomed = False

            def setup(self) -> None:
                super().setup()
                proxy._connections.add(self.connection)

            def finish(self) -> None:
                proxy._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                if self.doomed:
                    proxy.hung_up += 1
                    self.close_connection = True  # hang up without a word
                    return
                proxy.requests.append(Received(self.command, self.path, self.client_address[1], dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                for method, pattern, fault in list(proxy.rules):
                    if method == self.command and pattern.search(self.path):
                        self._send_fault(fault)
                        return
                self._forward(body)

            def _send_fault(self, fault: Fault) -> None:
                wake = proxy._wake
                if fault.delay_s and wake.wait(fault.delay_s):
                    self.close_connection = True  # cleared or closed while waiting: drop it unanswered
                    return
                try:
                    self.send_response(fault.status)
                    self.send_header("Content-Type", fault.content_type)
                    announced = len(fault.body) * 2 if fault.truncate else len(fault.body)
                    self.send_header("Content-Length", str(announced))
                    self.end_headers()
                    self.wfile.write(fault.body)
                    self.wfile.flush()
                    if fault.truncate:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    self.close_connection = True  # the client gave up first (a timeout)
                self.doomed = fault.drop_after

            def _forward(self, body: bytes) -> None:
                conn = http.client.HTTPConnection(proxy.upstream.hostname or "", proxy.upstream.port, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    payload = answer.read()
                except OSError:
                    self._send_fault(Fault(502, b"Bad Gateway"))
                    return
                finally:
                    conn.close()
                if answer.status == 200:
                    payload = proxy._rewritten(self.command, self.path, payload)
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                        self.send_header(key, value)
                for key, value in proxy._added_headers(self.command, self.path).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

        return Handler
