"""The signed-in half of a task page: submit predictions, and reproduce someone else's submission.

Layout only: the file check is components/upload_checks, what a send gave or why it failed is
components/sends, what it means (bests beaten, the 2 % band, what to say after a failure) is
components/submission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from components import auth, data, kept_files, sends, session_cache
from components import leaderboard as lb
from components import session_keys as keys
from components import submission as sub
from components.api import AuthExpired, ReproduceResult, SubmitResult
from components.config import settings
from components.economics import REPRODUCTION_REWARD, beat_reward
from components.tasks import TaskInfo
from components.text import inert, is_repo_id, plural

if TYPE_CHECKING:
    from components.upload_checks import CheckResult


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


def pick_for_reproduction(task: str, submission_id: str) -> None:
    """A row picked on the board becomes the submission to reproduce."""
    st.session_state[keys.TaskKeys(task).reproduce_id] = submission_id


def _uploaded_check(task: TaskInfo, box: str) -> tuple[bytes, CheckResult] | None:
    """The chosen file and its local check, checked once per file and kept across page switches."""
    cap_mb = settings().max_upload_mb
    kept = kept_files.of_session(st.session_state, cap_mb * 1024 * 1024)
    uploaded = st.file_uploader(
        f"Predictions (.parquet, up to {cap_mb} MB)",
        type=["parquet"],
        key=box,
        max_upload_size=cap_mb,
        on_change=_forget_if_removed,
        args=(box,),
    )
    if uploaded is None:
        return _kept_file(kept, box)
    file = kept.files.get(box)
    if file is None or file.file_id != uploaded.file_id:
        from components.upload_checks import check_predictions  # here: a visitor who uploads nothing never pays for it

        with st.spinner("Checking the file locally…"):
            payload = uploaded.getvalue()
            check = check_predictions(payload, task, max_bytes=cap_mb * 1024 * 1024)
        file = kept_files.KeptFile(uploaded.file_id, uploaded.name, payload, check)
        kept.keep(box, file)
    _show_check(file.check)
    return file.payload, file.check


def _kept_file(kept: kept_files.KeptFiles, box: str) -> tuple[bytes, CheckResult] | None:
    """What the box held before the person left the page, if it is still kept."""
    file = kept.files.get(box)
    if file is None:
        if box in kept.cleared:
            st.caption(f"{inert(kept.cleared[box])} was let go to keep memory in bounds: choose it again to send it.")
        return None
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.info(f"Kept from earlier in this session: {inert(file.name)}.", icon=":material/inventory_2:")
    if right.button("Forget it", key=f"{box}.forget"):
        kept.forget(box)
        st.rerun()
    _show_check(file.check)
    return file.payload, file.check


def _forget_if_removed(box: str) -> None:
    """The person took the file out of the box: it is not kept any more."""
    if st.session_state.get(box) is None:
        kept_files.of_session(st.session_state, settings().max_upload_mb * 1024 * 1024).forget(box)


def _show_check(check: CheckResult) -> None:
    if check.problems:
        st.error("This file cannot be sent: " + " ".join(inert(p) for p in check.problems), icon=":material/block:")
        st.caption("Nothing was sent to the backend.")
        return
    for warning in check.warnings:
        st.warning(inert(warning), icon=":material/warning:")
    st.success(
        f"Local check passed: {plural(check.rows, 'row')}, {check.size_bytes / 1e6:,.1f} MB.",
        icon=":material/check_circle:",
    )
    with st.expander("Preview: schema and first rows"):
        st.dataframe(pd.DataFrame(check.columns, columns=["column", "type"]), hide_index=True)
        st.dataframe(check.preview, hide_index=True)


def _bests(task: TaskInfo, rows: pd.DataFrame) -> dict[str, float]:
    bests = lb.current_bests(rows, task).dropna(subset=["value"])
    return dict(zip(bests["metric"], bests["value"].astype(float), strict=True))


def _local_preview(task: TaskInfo, scores: dict[str, float], bests: dict[str, float]) -> None:
    beaten = sub.would_beat(scores, bests, task)
    reward = beat_reward(task.name)
    earn = f"would earn {len(beaten) * reward:.0f} credits" if reward is not None else "may earn credits"
    verdict = (
        f"Beats the current best on {', '.join(inert(m) for m in beaten)}: {earn}."
        if beaten
        else ("Beats no current best.")
    )
    st.info(
        "Scored here with colliderml's own scorer, the one the backend runs: "
        + ", ".join(f"{inert(m)} = {v:.4g}" for m, v in scores.items())
        + f". {verdict} The backend gives the same numbers while both use colliderml's scorer."
    )


def _submit(task: TaskInfo, rows: pd.DataFrame, session: auth.Session) -> None:
    k = keys.TaskKeys(task.name)
    chosen = _uploaded_check(task, k.submit_file)
    repo = st.text_input(
        "Model repo on Hugging Face (optional)", key=k.submit_repo, placeholder="owner/model-name"
    ).strip()
    repo_ok = not repo or is_repo_id(repo)
    if not repo_ok:
        st.error("The model repo must look like `owner/model-name` (letters, digits, . _ -).")
    if chosen is None:
        return
    payload, check = chosen
    attempt = sends.Attempt(task.name, "submit", "", check.sha256)
    done = sends.of_session(st.session_state).answers.get(attempt)
    if done is not None:  # the backend's answer, not a preview against a board the file is now on
        _show_submit_result(task, *done)
        return
    bests = _bests(task, rows)
    if check.ok and check.local_scores:
        _local_preview(task, check.local_scores, bests)

    def submit() -> tuple[SubmitResult, dict[str, float]]:
        backend = data.backend()
        answer = backend.submit(session.token, task.name, payload, local_scores=check.local_scores, model_repo_id=repo)
        return answer, bests

    words = ("Sending to the ColliderML backend and waiting for its score…", "Scored by the backend.")
    if _send(attempt, check, "Submit to the leaderboard", not (check.ok and repo_ok), words, submit):
        data.refresh(task.name)
        st.rerun()


def _send(
    attempt: sends.Attempt,
    check: CheckResult,
    label: str,
    disabled: bool,
    words: tuple[str, str],
    call: Callable[[], Any],
) -> bool:
    """The send button of one file: the last failure of this very send stays on show, and Retry is
    offered only where trying again can help. True when this click got an answer: the caller then
    reruns the page to show it. `words`: the status while waiting, and once answered.
    """
    record = sends.of_session(st.session_state)
    failure = record.failures.get(attempt)
    if failure is not None:
        st.error(inert(failure.message), icon=":material/cloud_off:")
    retry = failure is not None and failure.retryable
    key = keys.TaskKeys(attempt.task).send(attempt.action)
    if not st.button("Retry" if retry else label, key=key, disabled=disabled, type="primary"):
        return False
    waiting, answered = words
    with st.status(waiting, expanded=True) as status:
        try:
            outcome = record.send(attempt, check, call)
        except AuthExpired as exc:
            auth.handle_auth_error(exc)
            raise
        if isinstance(outcome, sub.Failure):
            status.update(label="It did not go through.", state="error")
            st.rerun()
        status.update(label=answered, state="complete")
    session_cache.forget(st.session_state, keys.ME)  # the balance may have moved
    return True


def _show_submit_result(task: TaskInfo, result: SubmitResult, bests_before: dict[str, float]) -> None:
    if result.deduplicated:
        st.info("You already submitted this exact file: the backend returned that submission and paid nothing new.")
    else:
        st.success(f"Submitted. Credits earned: {result.credits_earned:,.0f}.", icon=":material/flag:")
    st.dataframe(
        sub.submit_outcome(task, result.scores, bests_before),
        hide_index=True,
        column_config={
            "your score": st.column_config.NumberColumn(format="%.6g"),
            "best before": st.column_config.NumberColumn(format="%.6g"),
        },
    )
    if st.button("Show it on the board", key=keys.TaskKeys(task.name).submit_show):
        st.query_params["submission"] = result.submission_id
        st.rerun()


#: What a reproduction asks for and pays, said wherever the form is.
REPRODUCE_HOW = (
    f"Run someone's code, upload your predictions, and earn {REPRODUCTION_REWARD:.0f} credits when every "
    "metric lands within 2 % of theirs."
)


def _reproduce(task: TaskInfo, rows: pd.DataFrame, session: auth.Session) -> None:
    st.caption(f"{REPRODUCE_HOW} Pick a row in the table above or paste its id.")
    target = st.text_input("Submission id", key=keys.TaskKeys(task.name).reproduce_id, placeholder="6f1c2a3b-…").strip()
    if target:
        reproduce_form(task, rows, session, target)


def reproduce_form(task: TaskInfo, rows: pd.DataFrame, session: auth.Session, target: str) -> None:
    """The file box and send button for reproducing one submission of `task` (`rows`, its board):
    the task page's form once an id is picked, and a submission's own page. The widgets are the
    task's (`jets.reproduce.file`), so a file chosen on either page is the one kept for both."""
    k = keys.TaskKeys(task.name)
    problem = sub.reproduce_target_problem(target, rows, task.name, session.username)
    if problem:
        st.error(inert(problem))
        return
    chosen = _uploaded_check(task, k.reproduce_file)
    if chosen is None:
        return
    payload, check = chosen
    record = sends.of_session(st.session_state)
    attempt = sends.Attempt(task.name, "reproduce", target.lower(), check.sha256)
    done = record.answers.get(attempt)
    if done is not None:
        _show_reproduction(task, done)
        return
    if record.reproduced(task.name, target.lower()):
        st.warning("You already reproduced this submission in this session; the backend pays again for repeats.")

    def reproduce() -> ReproduceResult:
        return data.backend().reproduce(session.token, task.name, target, payload)

    words = ("Re-scoring your file against the original…", "Re-scored.")
    if _send(attempt, check, "Send reproduction", not check.ok, words, reproduce):
        st.rerun()


def _show_reproduction(task: TaskInfo, result: ReproduceResult) -> None:
    if result.within_tolerance:
        st.success(f"Reproduced within 2 %: +{result.credits_earned:,.0f} credits.", icon=":material/replay:")
    else:
        st.warning("Not within 2 % on every metric: no credits this time.", icon=":material/compare_arrows:")
    st.dataframe(
        sub.reproduction_table(task, result),
        hide_index=True,
        column_config={"relative difference": st.column_config.NumberColumn(format="percent")},
    )
