"""The backend's credit rules, as published in its contract, for "what can I earn" tables."""

from __future__ import annotations

from components import task_rules

#: Credits per metric beaten, by task (the task table's).
BEAT_REWARDS: dict[str, float] = {name: rules.reward for name, rules in task_rules.RULES.items()}
REPRODUCTION_REWARD = 20.0
REPRODUCTION_TOLERANCE = 0.02
SIGNUP_CREDITS = 10.0

REASON_LABELS: dict[str, str] = {
    "signup": "Welcome credits",
    "reproduction": "Reproduced a submission",
    "spent_on_request": "Simulation request",
    "reconciliation_refund": "Refund (reconciliation)",
    "refund_submit_failed": "Refund (submission failed)",
    "refund_job_failed": "Refund (job failed)",
    "github_pr_merged": "Merged GitHub pull request",
    "admin_grant": "Granted by an admin",
}


def beat_reward(task: str) -> float | None:
    """Credits per metric beaten on `task`; None for a task the contract does not price yet."""
    return BEAT_REWARDS.get(task)


def reason_label(reason: str) -> str:
    """A readable label for a ledger reason; unknown reasons stay valid and readable."""
    if reason.startswith("beat_"):
        return f"New best on {reason.removeprefix('beat_')}"
    return REASON_LABELS.get(reason, reason.replace("_", " ").capitalize())
