"""The last file checked in each upload box of a session, kept when the person switches pages.

Streamlit forgets an upload box's file as soon as its page is left; a physicist who checks a
file, glances at another board and comes back should find it still there, checked and ready to
send. The files are kept in the person's session state (sign-out drops them) within a byte
budget: when a newer file does not fit, the oldest kept one goes and its box says so.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from components import session_keys as keys

if TYPE_CHECKING:
    from components.upload_checks import CheckResult


@dataclass(frozen=True)
class KeptFile:
    file_id: str
    name: str
    payload: bytes = field(repr=False)
    check: CheckResult


@dataclass
class KeptFiles:
    budget: int
    files: dict[str, KeptFile] = field(default_factory=dict)  # by upload box, oldest first
    cleared: dict[str, str] = field(default_factory=dict)  # upload box -> name of the file let go

    def keep(self, box: str, file: KeptFile) -> None:
        """Keep `file` as `box`'s, letting the oldest other files go while over the budget."""
        self.forget(box)
        self.files[box] = file
        while sum(len(f.payload) for f in self.files.values()) > self.budget and len(self.files) > 1:
            oldest = next(iter(self.files))
            self.cleared[oldest] = self.files.pop(oldest).name

    def forget(self, box: str) -> None:
        """The person removed the file, or chose another."""
        self.files.pop(box, None)
        self.cleared.pop(box, None)


def of_session(state: MutableMapping[Any, Any], budget: int) -> KeptFiles:
    kept: KeptFiles = state.setdefault(keys.KEPT_FILES, KeptFiles(budget))
    kept.budget = budget
    return kept
