"""A real HTTP proxy in front of the local backend that injects faults on chosen routes.

Faults the real local backend will not produce on its own (a 500 with an HTML body, a
truncated body, a slow answer, a refused connection) are served here over real sockets,
so the dashboard meets them exactly as it would in production.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Fault:
    status: int = 500
    body: bytes = b"Internal Server Error"
    content_type: str = "text/plain; charset=utf-8"
    delay_s: float = 0.0
    truncate: bool = False  # announce a longer Content-Length than is sent, then close


class FaultProxy:
    """Forwards to `upstream` except where a rule (method, path regex) says to fail."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[tuple[str, re.Pattern[str], Fault]] = []
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def fail(self, method: str, path_pattern: str, fault: Fault) -> None:
        self.rules.append((method.upper(), re.compile(path_pattern), fault))

    def clear(self) -> None:
        self.rules.clear()

    def count(self, method: str, path_pattern: str) -> int:
        pattern = re.compile(path_pattern)
        return sum(1 for m, p in self.requests if m == method.upper() and pattern.search(p))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def _serve(self) -> None:
                proxy.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                for method, pattern, fault in list(proxy.rules):
                    if method == self.command and pattern.search(self.path):
                        self._send_fault(fault)
                        return
                self._forward(body)

            def _send_fault(self, fault: Fault) -> None:
                time.sleep(fault.delay_s)
                try:
                    self.send_response(fault.status)
                    self.send_header("Content-Type", fault.content_type)
                    announced = len(fault.body) * 2 if fault.truncate else len(fault.body)
                    self.send_header("Content-Length", str(announced))
                    self.end_headers()
                    self.wfile.write(fault.body)
                    if fault.truncate:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # the client gave up first (a timeout): nothing left to answer

            def _forward(self, body: bytes) -> None:
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=600)
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
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

        return Handler
