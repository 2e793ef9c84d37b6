"""Server subprocesses for tests and benchmarks: start one, wait until its health check
answers, stop it. The local backend and the Streamlit app both run this way."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

#: Generous: a cold start imports colliderml, pyarrow and FastAPI or Streamlit.
STARTUP_DEADLINE_S = 60.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerFailed(RuntimeError):
    """The server exited or never became healthy; the message carries its log."""


@dataclass
class ServerProcess:
    """`command` run in `cwd` with `env`, its output appended to `log_path`; healthy once
    `health_url` answers 200."""

    name: str
    command: list[str]
    health_url: str
    cwd: Path
    env: dict[str, str]
    log_path: Path
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start and wait until healthy; raises ServerFailed (after stopping it) otherwise."""
        assert self._process is None, f"{self.name} is already running"
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    self._fail(f"exited with status {self._process.returncode}")
                try:
                    if client.get(self.health_url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self._fail(f"was not healthy within {STARTUP_DEADLINE_S:.0f} s")

    def stop(self) -> None:
        """Terminate (kill after 10 s); `start` may run it again."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def log_text(self) -> str:
        """Everything the server printed (tests scan it for tokens and tracebacks)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _fail(self, what: str) -> None:
        self.stop()
        raise ServerFailed(f"{self.name} {what}. Its log:\n{self.log_text()}")
