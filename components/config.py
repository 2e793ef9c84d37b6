"""Settings read from the environment, so a Space and a laptop run the same code."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BACKEND = "https://api.colliderml.com"


def _int_env(name: str, default: int) -> int:
    """An integer setting; a typo falls back to the default instead of crashing the app."""
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    backend_url: str
    cache_ttl_s: int
    leaderboard_rows: int
    max_upload_mb: int
    read_timeout_s: int
    submit_timeout_s: int


def settings() -> Settings:
    """Current settings (read each call: tests and Spaces set the environment before the app runs)."""
    return Settings(
        backend_url=os.environ.get("COLLIDERML_BACKEND", DEFAULT_BACKEND).rstrip("/"),
        cache_ttl_s=_int_env("LEADERBOARD_CACHE_TTL", 60),
        leaderboard_rows=_int_env("LEADERBOARD_ROWS", 5000),
        max_upload_mb=_int_env("MAX_UPLOAD_MB", 200),
        read_timeout_s=_int_env("BACKEND_READ_TIMEOUT", 20),
        submit_timeout_s=_int_env("BACKEND_SUBMIT_TIMEOUT", 900),  # scoring a large file takes minutes
    )
