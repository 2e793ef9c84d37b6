"""The dashboard's side of the ColliderML backend contract.

`client.BackendClient` talks to the backend (timeouts, retries, connections, the routes);
`contract` turns its answers, quirks included, into typed results and clean DataFrames;
`errors` turns every failure into a `BackendError` whose message is the one sentence a page
shows. Import from here.
"""

from components.api.client import BackendClient
from components.api.contract import (
    LEADERBOARD_COLUMNS,
    TRANSACTION_COLUMNS,
    Me,
    ReproduceResult,
    SubmitResult,
    leaderboard_frame,
    parse_scores,
    transactions_frame,
)
from components.api.errors import (
    TRANSIENT_STATUSES,
    AccountRevoked,
    AuthExpired,
    BackendBadResponse,
    BackendError,
    BackendFailed,
    BackendTimeout,
    BackendUnreachable,
    ConnectionLost,
    NotFound,
    RateLimited,
    Rejected,
    SubmissionsPaused,
    error_message,
)

__all__ = [
    "LEADERBOARD_COLUMNS",
    "TRANSACTION_COLUMNS",
    "TRANSIENT_STATUSES",
    "AccountRevoked",
    "AuthExpired",
    "BackendBadResponse",
    "BackendClient",
    "BackendError",
    "BackendFailed",
    "BackendTimeout",
    "BackendUnreachable",
    "ConnectionLost",
    "Me",
    "NotFound",
    "RateLimited",
    "Rejected",
    "ReproduceResult",
    "SubmissionsPaused",
    "SubmitResult",
    "error_message",
    "leaderboard_frame",
    "parse_scores",
    "transactions_frame",
]
