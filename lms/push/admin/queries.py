"""Read side of the push outbox page: how many notifications are in each state, the push
services' last error, and one page of the latest ones with their recipients' names (two
queries, whatever the page size)."""

from __future__ import annotations

from lms.jobs.outbox_queries import latest, rows_page, state_counts, user_names

from ..models import RESENDABLE, STATUSES, PushMessage


def status_counts() -> dict[str, int]:
    """The number of notifications in each state (every state present, 0 when none)."""
    return state_counts(PushMessage.status, STATUSES)


def retriable(row: PushMessage) -> bool:
    """Failed or refused, and its browser still subscribed."""
    return row.status in RESENDABLE and row.subscription_id is not None


def last_error() -> PushMessage | None:
    """The latest notification that failed or was refused (what the push service said last)."""
    return latest(PushMessage, PushMessage.status.in_(RESENDABLE), PushMessage.error.is_not(None))


def messages_page(page: int, status: str | None):
    """The latest notifications first (only those in ``status`` if it is one): their pagination
    and the name of each recipient by user id."""
    pagination = rows_page(PushMessage, PushMessage.status, STATUSES, page, status)
    return pagination, user_names(pagination.items)
