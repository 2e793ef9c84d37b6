"""A signed-in person's reads (their profile, their ledger), kept briefly in their own session.

They live in that person's `st.session_state`, never in `st.cache_data`, which every session
shares, and are tied to the user they were fetched for. A failure is kept like an answer, so a
backend that fails is not asked again on every rerun; a 401 is never kept: it ends the sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from components.api import AuthExpired, BackendError

T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    """One read for `owner`: its answer, or the error it met."""

    owner: str
    fetched_at: float
    value: T | None
    error: BackendError | None = None

    def fresh(self, owner: str, ttl_s: float, now: float | None = None) -> bool:
        """Still good for `owner` (a read for someone else never is)."""
        return self.owner == owner and (now or time.time()) - self.fetched_at < ttl_s


def read(
    state: MutableMapping[Any, Any], key: str, owner: str, ttl_s: float, fetch: Callable[[], T], *, force: bool = False
) -> Kept[T]:
    """`state[key]` while it is fresh for `owner`, else `fetch()` now and keep what it gave.

    AuthExpired propagates (the caller signs the person out); other BackendErrors are kept.
    """
    kept = state.get(key)
    if isinstance(kept, Kept) and not force and kept.fresh(owner, ttl_s):
        return kept
    try:
        fetched: Kept[T] = Kept(owner, time.time(), fetch())
    except AuthExpired:
        raise
    except BackendError as exc:
        fetched = Kept(owner, time.time(), None, exc)
    state[key] = fetched
    return fetched


def keep(state: MutableMapping[Any, Any], key: str, owner: str, value: T) -> None:
    """Keep an answer got another way (the /v1/me that confirmed a sign-in)."""
    state[key] = Kept(owner, time.time(), value)


def forget(state: MutableMapping[Any, Any], key: str) -> None:
    """Make the next read fetch again (after a submission moved the balance)."""
    state.pop(key, None)
