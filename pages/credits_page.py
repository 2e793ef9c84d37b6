"""My credits: balance, ledger, balance over time, earnings, and my submissions across every task.

Signed-in only. The ledger is per-user data: components/session_cache keeps it in this session's
`st.session_state` (sign-out drops it), never in `st.cache_data`, which every session shares. When
the backend's ledger route fails (production answers 500 for every user), the credits earned by
submissions are reconstructed from the user's public leaderboard rows, and the page says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from components import auth, charts, credit_charts, data, economics, session_cache
from components import board_view as bv
from components import credits as cr
from components import session_keys as keys
from components.api import AuthExpired, BackendError, Me, error_message
from components.tasks import TaskInfo
from components.text import inert, plural
from pages.links import Links

LEDGER_TTL_S = 30
LEDGER_LIMIT = 1000
SIGNED_OUT = "The backend no longer accepts your sign-in (401): sign in again (sidebar) to see your credits."


def render(links: Links) -> None:
    st.title("My credits")
    session = auth.current()
    if session is None:
        _sign_in_prompt()
        return
    tasks = data.catalogue().tasks
    refresh = _toolbar(links, session.username, tasks)
    try:
        profile, problem = _profile(refresh)
        ledger = _ledger(session, refresh)
    except AuthExpired as exc:
        auth.handle_auth_error(exc)
        st.warning(SIGNED_OUT, icon=":material/lock:")
        return
    if problem:
        st.error(f"Your balance could not be loaded. {inert(problem)}", icon=":material/cloud_off:")
    leaderboards, rankings, failing, versions = _leaderboards(tasks)
    balance = profile.credits if profile else None
    inputs = (session.username, ledger.fetched_at, balance, versions, tuple(tasks), int(time.time() // LEDGER_TTL_S))
    view = _kept(inputs, lambda: _work_out(session.username, balance, ledger.value, leaderboards, rankings, tasks))
    _summary(profile, view.entries, reconstructed=view.reconstructed)
    if view.reconstructed:
        missing = [name for name in failing if name not in leaderboards]
        assert ledger.error is not None  # a read without an answer keeps its error
        notice = _reconstruction_notice(error_message(ledger.error), profile is not None, missing, any(leaderboards))
        st.warning(notice, icon=":material/history:")
    _history(view)
    _my_submissions(view.mine, leaderboards, failing)


@dataclass(frozen=True)
class View:
    """What the page draws from one read of the ledger, the balance and the boards."""

    entries: pd.DataFrame  # the ledger, or its reconstruction from the boards when it failed
    reconstructed: bool
    table: pd.DataFrame  # the entries as the page lists them
    balance: tuple[dict[str, Any], float] | None  # the curve's spec and its opening level; None without a balance
    by_reason: dict[str, Any] | None  # chart specs; None when there is nothing to draw
    by_task: dict[str, Any] | None
    mine: pd.DataFrame  # the user's submissions on every board


def _kept(inputs: tuple[Any, ...], work_out: Callable[[], View]) -> View:
    """`work_out()`, kept in this session while `inputs` are the same: a rerun (a click in the
    sidebar, a visit back to the page) redoes none of its pandas and Altair work. `inputs` name
    the reads it is made of and the LEDGER_TTL_S period, so the balance curve, which runs to now,
    is at most that old (as the ledger is). Under a `user.` key: sign-out forgets it."""
    held = st.session_state.get(keys.CREDITS_VIEW)
    if held is not None and held[0] == inputs:
        return held[1]
    view = work_out()
    st.session_state[keys.CREDITS_VIEW] = (inputs, view)
    return view


def _work_out(
    username: str,
    balance: float | None,
    ledger: pd.DataFrame | None,
    leaderboards: dict[str, pd.DataFrame],
    rankings: dict[str, pd.DataFrame],
    tasks: list[TaskInfo],
) -> View:
    entries = cr.reconstructed_ledger(leaderboards, username) if ledger is None else ledger
    table = cr.ledger_table(entries, {t.name for t in tasks})
    mine = cr.my_submissions(leaderboards, tasks, username, rankings)
    if entries.empty:
        return View(entries, ledger is None, table, None, None, None, mine)
    curve = None
    if balance is not None:
        levels = cr.balance_over_time(entries, balance, until=pd.Timestamp.now(tz="UTC"))
        curve = (charts.spec(credit_charts.balance_chart(levels)), float(levels["balance"].iloc[0]))
    by_reason = cr.earnings_by(entries, "reason")
    by_reason["reason"] = by_reason["reason"].map(economics.reason_label)
    by_task = cr.earnings_by(entries, "task")
    return View(
        entries,
        ledger is None,
        table,
        curve,
        charts.spec(credit_charts.credits_bars(by_reason, "reason", "reason")),
        None if by_task.empty else charts.spec(credit_charts.credits_bars(by_task, "task", "task")),
        mine,
    )


def _reconstruction_notice(ledger_error: str, balance_known: bool, missing: list[str], any_board: bool) -> str:
    """Why the history below is rebuilt, and what is known and unknown while parts fail
    (`missing`: tasks whose leaderboard could not be loaded at all)."""
    balance = (
        "Your balance above comes straight from the backend and is right."
        if balance_known
        else "Your balance is unknown right now: the backend did not give it."
    )
    if not any_board:
        source = "Your history cannot be rebuilt either: no leaderboard could be loaded."
    else:
        source = (
            "The history below is **reconstructed** from your submissions on the public leaderboards: it shows "
            "only the credits your submissions earned, and misses reproductions, welcome credits, grants and spending."
        )
        if missing:
            source += f" The leaderboards of {inert(', '.join(missing))} could not be loaded: their part is unknown."
    return f"Your credit ledger could not be loaded: {inert(ledger_error)} {balance} {source}"


def _sign_in_prompt() -> None:
    notice = st.session_state.get(keys.NOTICE)
    if notice:
        st.warning(inert(notice), icon=":material/lock:")
    st.info(
        "Sign in with Hugging Face (sidebar) to see your credit balance, your ledger and your "
        "submissions across every task.",
        icon=":material/key:",
    )


def _toolbar(links: Links, username: str, tasks: list[TaskInfo]) -> bool:
    left, right = st.columns([5, 1])
    left.caption(f"Signed in as {inert(username)}")
    with left:
        links.to_person(username, label="Your public page")
    refresh = right.button(
        "Refresh",
        key=keys.CREDITS_REFRESH,
        icon=":material/refresh:",
        help="Fetch your balance, ledger and leaderboards again",
    )
    if refresh:
        for task in tasks:
            data.refresh(task.name)
    return refresh


def _profile(force: bool) -> tuple[Me | None, str | None]:
    """/v1/me (kept briefly per session by auth.me), or the reason it failed; a 401 propagates."""
    try:
        return auth.me(force=force), None
    except AuthExpired:
        raise
    except BackendError as exc:
        return None, error_message(exc)


def _ledger(session: auth.Session, force: bool) -> session_cache.Kept[pd.DataFrame]:
    """The user's ledger, or why it failed, kept in this session for LEDGER_TTL_S; a 401 propagates."""

    def fetch() -> pd.DataFrame:
        return data.backend().transactions(session.token, limit=LEDGER_LIMIT)

    return session_cache.read(st.session_state, keys.LEDGER, session.username, LEDGER_TTL_S, fetch, force=force)


def _leaderboards(
    tasks: list[TaskInfo],
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], list[str], dict[str, int | None]]:
    """Every task's public rows and its default ranking (both shared by every visitor), the
    tasks whose board could not be loaded, and the versions of the boards held."""
    boards: dict[str, pd.DataFrame] = {}
    rankings: dict[str, pd.DataFrame] = {}
    failing: list[str] = []
    versions: dict[str, int | None] = {}
    for task in tasks:
        snapshot = data.leaderboard(task.name)
        versions[task.name] = snapshot.version
        if snapshot.rows is not None:
            boards[task.name] = snapshot.rows
            rankings[task.name] = data.per_board(snapshot, bv.ranked_board, task, bv.ViewOptions())
        if snapshot.error is not None:
            failing.append(task.name)
    return boards, rankings, failing, versions


def _summary(profile: Me | None, entries: pd.DataFrame, *, reconstructed: bool) -> None:
    earned, spent = cr.totals(entries)
    cols = st.columns(4)
    cols[0].metric("Balance", cr.format_credits(profile.credits) if profile else "—", help="From the backend (/v1/me)")
    if reconstructed:
        cols[1].metric("Earned by submissions", cr.format_credits(earned), help="Reconstructed from the leaderboards")
        cols[2].metric("Submissions that earned", f"{len(entries):,}")
        return
    cols[1].metric("Earned", cr.format_credits(earned), help="Sum of the positive entries below")
    cols[2].metric("Spent", cr.format_credits(-spent), help="Sum of the negative entries below")
    cols[3].metric("Ledger entries", f"{len(entries):,}")


def _history(view: View) -> None:
    reconstructed = view.reconstructed
    st.subheader("Credits earned by submissions (reconstructed)" if reconstructed else "Ledger")
    if view.entries.empty:
        st.info("No submission of yours has earned credits yet." if reconstructed else "Your ledger is empty.")
        return
    st.dataframe(
        view.table,
        hide_index=True,
        width="stretch",
        key=keys.CREDITS_LEDGER_TABLE,
        column_config={
            "date": st.column_config.DatetimeColumn("date", format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "what": st.column_config.TextColumn("what"),
            "credits": st.column_config.NumberColumn("credits", format="%+g", help="Positive: earned; negative: spent"),
            "task": st.column_config.TextColumn("task"),
            "open": st.column_config.LinkColumn("submission", display_text="details"),
        },
    )
    if not reconstructed and len(view.entries) >= LEDGER_LIMIT:
        st.caption(f"Showing your latest {LEDGER_LIMIT:,} entries.")

    st.subheader("Balance over time")
    if view.balance is None:
        st.caption("The curve needs your current balance, which could not be loaded.")
    else:
        spec, opening = view.balance
        st.vega_lite_chart(spec=spec, key=keys.CREDITS_BALANCE_CHART)
        if reconstructed:
            st.caption(
                "Anchored at your current balance; the starting level stands for everything the "
                f"reconstruction cannot see ({cr.format_credits(opening)} credits)."
            )
        elif abs(opening) > 1e-9:
            st.caption(
                f"Anchored at your current balance; {cr.format_credits(opening)} credits come from "
                "entries older than the ones listed."
            )

    left, right = st.columns(2)
    with left:
        st.subheader("By reason")
        st.vega_lite_chart(spec=view.by_reason, key=keys.CREDITS_BY_REASON)
    with right:
        st.subheader("By task")
        if view.by_task is None:
            st.caption("No entry is tied to a task yet.")
        else:
            st.vega_lite_chart(spec=view.by_task, key=keys.CREDITS_BY_TASK)


def _my_submissions(mine: pd.DataFrame, leaderboards: dict[str, pd.DataFrame], failing: list[str]) -> None:
    st.subheader("My submissions")
    if failing:
        names = inert(", ".join(failing))
        st.caption(f"Could not load the leaderboard of: {names}. Their rows may be missing or stale.")
    if mine.empty and any(name not in leaderboards for name in failing):
        st.info("None of your submissions are on the leaderboards that could be loaded; the others are unknown.")
        return
    if mine.empty:
        st.info("You have no submissions on the public leaderboards yet.")
        return
    st.dataframe(
        mine,
        hide_index=True,
        width="stretch",
        key=keys.CREDITS_MY_SUBMISSIONS,
        column_config={
            "task": st.column_config.TextColumn("task"),
            "rank": st.column_config.NumberColumn(
                "your rank", help="Your current place in the task: best entry per user, by its primary metric"
            ),
            "ranked": st.column_config.NumberColumn("of", help="Entries ranked in that task"),
            "metric": st.column_config.TextColumn("metric", help="The task's primary metric"),
            "score": st.column_config.NumberColumn("score", format="%.4g"),
            "credits": st.column_config.NumberColumn("credits", format="%g"),
            "submitted": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "counts": st.column_config.CheckboxColumn("your best", help="The submission that holds your place"),
            "open": st.column_config.LinkColumn("open", display_text="details"),
            "id": st.column_config.TextColumn("submission id"),
        },
    )
    st.caption(f"{plural(len(mine), 'submission')} across {plural(mine['task'].nunique(), 'task')}")
