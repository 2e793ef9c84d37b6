"""Every key this app keeps in `st.session_state`, widget keys included, in one place.

What belongs to the signed-in person sits under `auth.` or `user.`, so `clear_user_state`
(sign-out, an expired token) drops all of it at once. Widget keys of a task page are per task
(`jets.submit.file`), so each task keeps its own choices; Streamlit also turns an element's key
into a CSS class (`st-key-jets-submit-file`), which is how the end-to-end tests find elements.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

USER_PREFIXES = ("auth.", "user.")

# The signed-in person (components.auth)
SESSION = "auth.session"  # auth.Session: who is signed in, with their token
NOTICE = "auth.notice"  # a sentence for the sidebar's next run (why someone was signed out)
ME = "auth.me"  # session_cache.Kept[api.Me]: /v1/me, kept briefly
OAUTH_ROUND = "auth.oauth_round"  # bumped after a failed sign-in: the sign-in button gets a fresh key
TOKEN_FORM = "auth.token_form"  # noqa: S105 - a widget key, not a secret
#: The "Use an access token instead" expander: its form is drawn only while it is open.
TOKEN_PANEL = "auth.token_panel"  # noqa: S105 - a widget key, not a secret
PASTED_TOKEN = "auth.pasted"  # noqa: S105 - a widget key, not a secret
SIGN_OUT = "auth.sign_out"
SIGN_IN_ID = "auth.sign_in_id"  # the sign-in store's id of this sign-in (the browser's cookie holds it)
CLAIM = "auth.claim"  # the one-time code the browser trades for that cookie (drawn until used)
FORGET = "auth.forget"  # set on sign-out: the sidebar's next run has the browser clear its cookie
COOKIE_READ = "sign_in.cookie_read"  # this session looked for a kept sign-in (once: kept through sign-out)

# What the person did in this session
KEPT_FILES = "user.kept_files"  # kept_files.KeptFiles: the last file checked in each upload box, and its check
SENDS = "user.sends"  # sends.Sends' results and failures of each submit and reproduction
LEDGER = "user.credits.ledger"  # session_cache.Kept[DataFrame]: the credit ledger, kept briefly
CREDITS_VIEW = "user.credits.view"  # (its inputs, credits_page.View): the credits page as last worked out


def oauth_button(round_: int) -> str:
    return f"auth.oauth.{round_}"


def clear_user_state(state: MutableMapping[Any, Any]) -> None:
    """Forget everything about the person: their sign-in, token, profile, files and results."""
    for key in [k for k in state if str(k).startswith(USER_PREFIXES)]:
        del state[key]


# Pages shared by everyone
HOME_REFRESH = "home.refresh"
HOME_FEED = "home.feed"
HOME_EARN = "home.earn"
CREDITS_REFRESH = "credits.refresh"
CREDITS_LEDGER_TABLE = "credits.ledger_table"
CREDITS_BALANCE_CHART = "credits.balance_chart"
CREDITS_BY_REASON = "credits.by_reason"
CREDITS_BY_TASK = "credits.by_task"
CREDITS_MY_SUBMISSIONS = "credits.my_submissions"
PERSON_TASKS = "person.tasks"
PERSON_SUBMISSIONS = "person.submissions"
SUBMISSION_METRICS = "submission.metrics"


# A task page's filters that live in the URL too (`bind="query-params"` names the parameter after
# the key, so these read `?view=…&baselines=…&user=…&as_of=…`). Every task page draws its own, and
# a widget's state goes when its page does, so sharing the names across tasks keeps nothing across.
BOUND_VIEW = "view"
BOUND_BASELINES = "baselines"
BOUND_USER = "user"
BOUND_AS_OF = "as_of"


def home_card(task: str) -> str:
    return f"home.card.{task}"


def home_sparkline(task: str) -> str:
    return f"home.spark.{task}"


def person_rank(task: str) -> str:
    """A person's rank-over-time chart on one task."""
    return f"person.rank.{task}"


@dataclass(frozen=True)
class TaskKeys:
    """The widget and element keys of one task's page."""

    task: str

    def _key(self, name: str) -> str:
        return f"{self.task}.{name}"

    @property
    def view(self) -> str:
        return self._key("view")

    @property
    def baselines(self) -> str:
        return self._key("baselines")

    @property
    def user(self) -> str:
        return self._key("user")

    @property
    def refresh(self) -> str:
        return self._key("refresh")

    @property
    def retry(self) -> str:
        return self._key("retry")

    def dates(self, bounds: object) -> str:
        """Per date span of the board: a new submission widens it, and a widget keeps its value."""
        return self._key(f"dates.{bounds}")

    @property
    def table(self) -> str:
        return self._key("table")

    @property
    def shown(self) -> str:
        """compare.Shown: the ids of the table the grid showed last and the ids picked then."""
        return self._key("shown")

    @property
    def detail(self) -> str:
        return self._key("detail")

    @property
    def compare(self) -> str:
        return self._key("compare")

    @property
    def compare_chart(self) -> str:
        return self._key("compare_chart")

    @property
    def get_started(self) -> str:
        """The Get-started expander: its content is drawn only while it is open."""
        return self._key("get_started")

    @property
    def sample(self) -> str:
        return self._key("sample")

    @property
    def csv(self) -> str:
        return self._key("csv")

    @property
    def parquet(self) -> str:
        return self._key("parquet")

    @property
    def trend_metric(self) -> str:
        return self._key("trend_metric")

    @property
    def trend(self) -> str:
        return self._key("trend")

    @property
    def tradeoff_x(self) -> str:
        return self._key("tradeoff_x")

    @property
    def tradeoff_y(self) -> str:
        return self._key("tradeoff_y")

    @property
    def tradeoff(self) -> str:
        return self._key("tradeoff")

    @property
    def submit_file(self) -> str:
        return self._key("submit.file")

    @property
    def submit_repo(self) -> str:
        return self._key("submit.repo")

    @property
    def submit_show(self) -> str:
        return self._key("submit.show")

    @property
    def reproduce_id(self) -> str:
        return self._key("reproduce.id")

    @property
    def reproduce_file(self) -> str:
        return self._key("reproduce.file")

    def send(self, action: str) -> str:
        """The submit or reproduce button (`submit.send`, `reproduce.send`)."""
        return self._key(f"{action}.send")
