"""Which page a visitor asked for, read off the URL their browser loaded.

Streamlit runs the default page for a URL path no page has (and rewrites the address to the
root); the app needs the path itself to say there is no such task instead of silently showing
Home.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def requested_page(url: str | None, base_path: str = "") -> str:
    """The page part of `url` ("" for the root), below the server's base path."""
    if not url:
        return ""
    path = unquote(urlsplit(url).path).strip("/")
    base = base_path.strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    return path


def is_unknown(requested: str, known: set[str]) -> bool:
    """Whether a path was asked for that no page serves (the root is Home)."""
    return bool(requested) and requested not in known
