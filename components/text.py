"""Keep user-supplied text inert when a page must put it into Markdown, and links safe."""

from __future__ import annotations

import re
from urllib.parse import urlparse

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def inert(text: object) -> str:
    """Escape every Markdown and HTML trigger so the text shows exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def safe_url(url: object) -> str | None:
    """Only http(s) links reach a page: a `javascript:` code_url must never become clickable."""
    if not isinstance(url, str):
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None
    return url.strip()


def is_repo_id(value: str) -> bool:
    """`owner/name`, the shape of a Hugging Face model repo id."""
    return bool(_REPO_ID.match(value))


def model_url(repo_id: object) -> str | None:
    """The Hugging Face page of a model repo, when the id has the right shape."""
    if isinstance(repo_id, str) and is_repo_id(repo_id):
        return f"https://huggingface.co/{repo_id}"
    return None


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 row`, `2 rows`, `1,024 submissions`: the count with the right form of the word."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"
