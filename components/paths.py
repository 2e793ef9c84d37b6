"""Which page a visitor asked for, read off the URL their browser loaded.

Streamlit runs the default page for a URL path no page has (and rewrites the address to the
root); the app needs the path itself to say there is no such task instead of silently showing
Home.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode, urlsplit


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


#: The URL paths of the dashboard's own pages (Home.py). A task of the same name, which a later
#: colliderml could add, gets `task-<name>`: two pages on one path stop `st.navigation` for everyone.
PAGE_PATHS = frozenset({"home", "credits", "about", "user", "submission"})


def task_url_path(task: str) -> str:
    """The URL path of a task's page: its name, unless one of the dashboard's pages has it."""
    return f"task-{task}" if task.lower() in PAGE_PATHS else task


def task_submission_path(task: str, submission_id: str) -> str:
    """A task page's deep link to one submission (its details under the board)."""
    return f"/{quote(task_url_path(task), safe='')}?submission={quote(submission_id, safe='')}"


def person_path(username: str) -> str:
    """The page of one person's submissions across every task."""
    return f"/user?{urlencode({'name': username})}"


#: `display_text` of a LinkColumn of `person_path` links: the grid shows the captured name, which
#: it decodes (`+` and `%xx`), so a cell reads as the name while linking to the person's page.
PERSON_LINK_TEXT = r"^/user\?name=(.*)$"


def submission_path(submission_id: str) -> str:
    """The page of one submission."""
    return f"/submission?{urlencode({'id': submission_id})}"


def app_origin(browser_url: str | None, base_path: str = "") -> str:
    """Where the app is served (scheme, host and base path) as the browser loaded it, for addresses
    used outside the app, such as a badge in a README; "" when the browser's URL is unknown."""
    if not browser_url:
        return ""
    parts = urlsplit(browser_url)
    if not parts.scheme or not parts.netloc:
        return ""
    base = base_path.strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base}" if base else "")


def badge_path(task: str, username: str) -> str:
    """A person's badge for one task, an SVG to put in a README."""
    return f"/badge/{quote(task, safe='')}/{quote(username, safe='')}.svg"
