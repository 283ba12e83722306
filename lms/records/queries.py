"""Read side of the xAPI outbox: the administrators' page (how many statements wait, failed,
were refused or sent; the sender's state; one page of the latest statements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from curriculum.db import db
from lms.jobs.outbox_queries import rows_page, state_counts, user_names

from .models import RESENDABLE, STATUSES, XapiSender, XapiStatement


@dataclass
class SenderState:
    """What the sender last said: its consecutive failures, the LRS's last error, and the time
    before which it will not try again (the backoff)."""

    failures: int = 0
    last_error: str | None = None
    not_before: datetime | None = None
    sending: bool = False


def status_counts() -> dict[str, int]:
    """The number of statements in each state (every state present, 0 when none)."""
    return state_counts(XapiStatement.status, STATUSES)


def retriable(row: XapiStatement) -> bool:
    return row.status in RESENDABLE


def sender_state() -> SenderState:
    sender = db.session.get(XapiSender, 1)
    if sender is None:
        return SenderState()
    return SenderState(sender.failures, sender.last_error, sender.not_before,
                       sender.lease_until is not None)  # fmt: skip


def statements_page(page: int, status: str | None):
    """The latest statements first (only those in ``status`` if it is one): their pagination,
    and the name of each of their learners by user id (two queries, whatever the page size)."""
    pagination = rows_page(XapiStatement, XapiStatement.status, STATUSES, page, status)
    return pagination, user_names(pagination.items)
