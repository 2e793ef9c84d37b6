"""The pages of the local sign-in stand-in: its consent form and its refusals.

Self-contained HTML (inline style only, nothing fetched from anywhere), every value escaped, and
a banner that says plainly it is a stand-in, not Hugging Face, and asks for no password.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from fastapi.responses import HTMLResponse

_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#222}"
    ".banner{background:#fff3cd;border:1px solid #e0c36a;padding:.5rem .75rem;border-radius:6px}"
    ".error{background:#fde2e1;border:1px solid #e5a3a0;padding:.5rem .75rem;border-radius:6px}"
    "input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}"
    "button{padding:.4rem 1rem;margin:.5rem .5rem 0 0}code{word-break:break-all}"
)


def _page(body: str, status: int = 200) -> HTMLResponse:
    """A self-contained page: inline style only, nothing fetched from anywhere."""
    document = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>Local sign-in stand-in</title><style>{_STYLE}</style></head><body>"
        "<p class=banner><strong>Local sign-in stand-in (not Hugging Face)</strong>. "
        "Any user name is accepted; no password is asked.</p>"
        f"{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=_PAGE_HEADERS)


def error_page(message: str) -> HTMLResponse:
    return _page(f"<h1>Sign-in request refused</h1><p class=error>{html.escape(message)}</p>", 400)


def _hidden_fields(params: dict[str, str]) -> str:
    return "".join(f"<input type=hidden name='{html.escape(k)}' value='{html.escape(v)}'>" for k, v in params.items())


def consent_page(
    params: dict[str, str], users: Iterable[str], typed: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    """The form: type a user name and Approve (or Deny), or pick an existing user."""
    hidden = _hidden_fields(params)
    error_html = f"<p class=error>{html.escape(error)}</p>" if error else ""
    pick = "".join(
        f"<form method=post action='/oauth/authorize'>{hidden}"
        f"<input type=hidden name=username value='{html.escape(name)}'>"
        f"<button type=submit name=decision value=approve>{html.escape(name)}</button></form>"
        for name in users
    )
    existing = f"<h2>Or continue as an existing user</h2>{pick}" if pick else ""
    body = (
        "<h1>Sign in to the ColliderML Leaderboard</h1>"
        f"<p>Application <code>{html.escape(params['client_id'])}</code> asks for "
        f"<code>{html.escape(params['scope'])}</code> and will get you back at "
        f"<code>{html.escape(params['redirect_uri'])}</code>.</p>{error_html}"
        f"<form method=post action='/oauth/authorize'>{hidden}"
        "<label for=username>Hugging Face user name</label>"
        f"<input type=text id=username name=username value='{html.escape(typed)}' required "
        "pattern='[A-Za-z0-9][A-Za-z0-9._\\-]{0,38}' autocomplete=off autofocus>"
        "<button type=submit name=decision value=approve>Approve</button>"
        "<button type=submit name=decision value=deny formnovalidate>Deny</button>"
        f"</form>{existing}"
    )
    return _page(body, status)
