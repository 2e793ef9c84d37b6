"""The signed-in half of a task page: submit predictions, and reproduce someone else's submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from components import auth, data
from components import leaderboard as lb
from components import submission as sub
from components.api import BackendError, ReproduceResult, SubmitResult
from components.config import settings
from components.economics import REPRODUCTION_REWARD, beat_reward
from components.tasks import TaskInfo
from components.text import inert, is_repo_id
from components.upload_checks import CheckResult, check_predictions

SUBMITTED_KEY = "user.submitted"  # {(task, sha256): (SubmitResult, bests before)}
REPRODUCED_KEY = "user.reproduced"  # {(task, submission id, sha256): ReproduceResult}
CHECKS_KEY = "user.checks"  # {(widget key, file id): CheckResult}
FAILURES_KEY = "user.send_failures"  # {(task, action, target, sha256): submission.Failure}

T = TypeVar("T")


def render(task: TaskInfo, rows: pd.DataFrame) -> None:
    session = auth.current()
    submit_tab, reproduce_tab = st.tabs(["Submit predictions", "Reproduce a submission"])
    with submit_tab:
        if session is None:
            st.info("Sign in with Hugging Face (sidebar) to submit predictions and earn credits.")
        else:
            _submit(task, rows, session)
    with reproduce_tab:
        if session is None:
            st.info("Sign in (sidebar) to reproduce a submission and earn credits for it.")
        else:
            _reproduce(task, rows, session)


def _uploaded_check(task: TaskInfo, widget_key: str) -> tuple[bytes, CheckResult] | None:
    """The chosen file and its local check, computed once per file rather than on every rerun."""
    cap_mb = settings().max_upload_mb
    uploaded = st.file_uploader(
        f"Predictions (.parquet, up to {cap_mb} MB)", type=["parquet"], key=widget_key, max_upload_size=cap_mb
    )
    if uploaded is None:
        return None
    payload = uploaded.getvalue()
    checks: dict = st.session_state.setdefault(CHECKS_KEY, {})
    cache_key = (widget_key, uploaded.file_id)
    if cache_key not in checks:
        with st.spinner("Checking the file locally…"):
            checks.clear()  # keep only the current file's check in memory
            checks[cache_key] = check_predictions(payload, task, max_bytes=cap_mb * 1024 * 1024)
    result: CheckResult = checks[cache_key]
    _show_check(result)
    return payload, result


def _show_check(check: CheckResult) -> None:
    if check.problems:
        st.error("This file cannot be sent: " + " ".join(inert(p) for p in check.problems), icon="🚫")
        st.caption("Nothing was sent to the backend.")
        return
    for warning in check.warnings:
        st.warning(inert(warning), icon="⚠️")
    st.success(f"Local check passed: {check.rows:,} rows, {check.size_bytes / 1e6:,.1f} MB.", icon="✅")
    with st.expander("Preview: schema and first rows"):
        st.dataframe(pd.DataFrame(check.columns, columns=["column", "type"]), hide_index=True)
        st.dataframe(check.preview, hide_index=True)


def _bests(task: TaskInfo, rows: pd.DataFrame) -> dict[str, float]:
    bests = lb.current_bests(rows, task).dropna(subset=["value"])
    return dict(zip(bests["metric"], bests["value"].astype(float), strict=True))


def _submit(task: TaskInfo, rows: pd.DataFrame, session: auth.Session) -> None:
    chosen = _uploaded_check(task, f"{task.name}.submit.file")
    repo = st.text_input(
        "Model repo on Hugging Face (optional)", key=f"{task.name}.submit.repo", placeholder="owner/model-name"
    ).strip()
    repo_ok = not repo or is_repo_id(repo)
    if not repo_ok:
        st.error("The model repo must look like `owner/model-name` (letters, digits, . _ -).")
    if chosen is None:
        return
    payload, check = chosen
    bests = _bests(task, rows)
    if check.ok and check.local_scores:
        beaten = sub.would_beat(check.local_scores, bests, task)
        reward = beat_reward(task.name)
        earn = f"would earn {len(beaten) * reward:.0f} credits" if reward is not None else "may earn credits"
        st.info(
            "Scored here with colliderml's own scorer, the one the backend runs: "
            + ", ".join(f"{inert(m)} = {v:.4g}" for m, v in check.local_scores.items())
            + (
                f". Beats the current best on {', '.join(inert(m) for m in beaten)}: {earn}."
                if beaten
                else ". Beats no current best."
            )
            + " The backend gives the same numbers while both use colliderml's scorer."
        )
    done: dict = st.session_state.setdefault(SUBMITTED_KEY, {})
    key = (task.name, check.sha256)
    if key in done:
        _show_submit_result(task, *done[key])
        return
    result = _send(
        (task.name, "submit", "", check.sha256),
        check,
        "Submit to the leaderboard",
        disabled=not (check.ok and repo_ok),
        words=(
            "Sending to the ColliderML backend and waiting for its score…",
            "Scored by the backend.",
            "The submission did not go through.",
        ),
        call=lambda: data.backend().submit(
            session.token, task.name, payload, local_scores=check.local_scores, model_repo_id=repo or None
        ),
    )
    if result is not None:
        done[key] = (result, bests)
        data.refresh(task.name)
        auth.me(force=True)
        st.rerun()


def _send(
    attempt: tuple[str, sub.Action, str, str],
    check: CheckResult,
    label: str,
    *,
    disabled: bool,
    words: tuple[str, str, str],
    call: Callable[[], T],
) -> T | None:
    """The send button of one file: the last failure of this very send stays on show, and Retry
    is offered only where trying again can help. Returns the backend's answer to this click.

    `words`: the status while waiting, once answered, and when it failed.
    """
    task, action = attempt[0], attempt[1]
    failures: dict = st.session_state.setdefault(FAILURES_KEY, {})
    failure: sub.Failure | None = failures.get(attempt)
    if failure is not None:
        st.error(inert(failure.message), icon="🛰️")
    retry = failure is not None and failure.retryable
    if not st.button("Retry" if retry else label, key=f"{task}.{action}.send", disabled=disabled, type="primary"):
        return None
    waiting, answered, broke = words
    with st.status(waiting, expanded=True) as status:
        try:
            result = call()
        except BackendError as exc:
            auth.handle_auth_error(exc)
            status.update(label=broke, state="error")
            failures[attempt] = sub.failed(exc, check, action, failure)
            st.rerun()
        failures.pop(attempt, None)
        status.update(label=answered, state="complete")
    return result


def _show_submit_result(task: TaskInfo, result: SubmitResult, bests_before: dict[str, float]) -> None:
    if result.deduplicated:
        st.info("You already submitted this exact file: the backend returned that submission and paid nothing new.")
    else:
        st.success(f"Submitted. Credits earned: {result.credits_earned:,.0f}.", icon="🏁")
    st.dataframe(
        sub.submit_outcome(task, result.scores, bests_before),
        hide_index=True,
        column_config={
            "your score": st.column_config.NumberColumn(format="%.6g"),
            "best before": st.column_config.NumberColumn(format="%.6g"),
        },
    )
    if st.button("Show it on the board", key=f"{task.name}.submit.show"):
        st.query_params["submission"] = result.submission_id
        st.rerun()


def _reproduce(task: TaskInfo, rows: pd.DataFrame, session: auth.Session) -> None:
    st.caption(
        f"Run someone's code, upload your predictions, and earn {REPRODUCTION_REWARD:.0f} credits when every "
        "metric lands within 2 % of theirs. Pick a row in the table above or paste its id."
    )
    target = st.text_input("Submission id", key=f"{task.name}.reproduce.id", placeholder="6f1c2a3b-…").strip()
    if not target:
        return
    problem = sub.reproduce_target_problem(target, rows, task.name, session.username)
    if problem:
        st.error(inert(problem))
        return
    chosen = _uploaded_check(task, f"{task.name}.reproduce.file")
    if chosen is None:
        return
    payload, check = chosen
    done: dict = st.session_state.setdefault(REPRODUCED_KEY, {})
    key = (task.name, target.lower(), check.sha256)
    if key in done:
        _show_reproduction(task, done[key])
        return
    if any(k[:2] == key[:2] for k in done):
        st.warning("You already reproduced this submission in this session; the backend pays again for repeats.")
    result = _send(
        (task.name, "reproduce", target.lower(), check.sha256),
        check,
        "Send reproduction",
        disabled=not check.ok,
        words=("Re-scoring your file against the original…", "Re-scored.", "The reproduction did not go through."),
        call=lambda: data.backend().reproduce(session.token, task.name, target, payload),
    )
    if result is not None:
        done[key] = result
        auth.me(force=True)
        st.rerun()


def _show_reproduction(task: TaskInfo, result: ReproduceResult) -> None:
    if result.within_tolerance:
        st.success(f"Reproduced within 2 %: +{result.credits_earned:,.0f} credits.", icon="🔁")
    else:
        st.warning("Not within 2 % on every metric: no credits this time.", icon="↔️")
    st.dataframe(
        sub.reproduction_table(task, result),
        hide_index=True,
        column_config={"relative difference": st.column_config.NumberColumn(format="percent")},
    )
