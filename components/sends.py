"""What this session's submissions and reproductions gave: an answer, or why they failed.

The page keeps one `Sends` in the person's session state and sends through it, so that a rerun
shows a file's answer instead of sending the file again, and a failure stays on show (with how
often the backend crashed on that very file) until the same send goes through. Pure Python:
tested without a page.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from components import session_keys as keys
from components.api import AuthExpired, BackendError
from components.submission import Action, Failure, failed

if TYPE_CHECKING:  # the check itself is imported only where a file is checked
    from components.upload_checks import CheckResult

T = TypeVar("T")


class Attempt(NamedTuple):
    """One file sent one way: to the task's board, or as a reproduction of `target`."""

    task: str
    action: Action
    target: str  # the submission reproduced; "" for a submission
    sha256: str


@dataclass
class Sends:
    answers: dict[Attempt, Any] = field(default_factory=dict)
    failures: dict[Attempt, Failure] = field(default_factory=dict)

    def send(self, attempt: Attempt, check: CheckResult, call: Callable[[], T]) -> T | Failure:
        """`call()`'s answer (kept), or the failure to show (kept until this send goes through).

        AuthExpired propagates: it is about the sign-in, not the file.
        """
        try:
            answer = call()
        except AuthExpired:
            raise
        except BackendError as exc:
            failure = failed(exc, check, attempt.action, self.failures.get(attempt))
            self.failures[attempt] = failure
            return failure
        self.failures.pop(attempt, None)
        self.answers[attempt] = answer
        return answer

    def reproduced(self, task: str, target: str) -> bool:
        """Whether this session already reproduced `target` (with any file): the backend pays again."""
        return any(a.action == "reproduce" and (a.task, a.target) == (task, target) for a in self.answers)


def of_session(state: MutableMapping[Any, Any]) -> Sends:
    sends: Sends = state.setdefault(keys.SENDS, Sends())
    return sends
