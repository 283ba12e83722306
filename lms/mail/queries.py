"""Read side of the outbox: the administrators' page of messages and their states (the query
helpers every outbox page shares are ``lms.jobs.outbox_queries``)."""

from __future__ import annotations

from lms.jobs.outbox_queries import rows_page, state_counts

from .models import STATUSES, OutboxMessage


def status_counts() -> dict[str, int]:
    """The number of messages in each state (every state present, 0 when none)."""
    return state_counts(OutboxMessage.status, STATUSES)


def outbox_page(page: int, failed_only: bool, per_page: int = 20):
    """One page of messages, newest first (only the failed ones if asked)."""
    status = "failed" if failed_only else None
    return rows_page(OutboxMessage, OutboxMessage.status, STATUSES, page, status, per_page)
