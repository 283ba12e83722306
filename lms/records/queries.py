"""Read side of the xAPI outbox: the administrators' page (how many statements wait, failed,
were refused or sent; the sender's state; one page of the latest statements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from curriculum.db import db
from lms.users.models import User

from .models import STATUSES, XapiSender, XapiStatement

PER_PAGE = 25


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
    rows = db.session.execute(
        select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
    )
    return {**dict.fromkeys(STATUSES, 0), **dict(rows.all())}


def sender_state() -> SenderState:
    sender = db.session.get(XapiSender, 1)
    if sender is None:
        return SenderState()
    return SenderState(sender.failures, sender.last_error, sender.not_before,
                       sender.lease_until is not None)  # fmt: skip


def statements_page(page: int, status: str | None):
    """The latest statements first (only those in ``status`` if it is one): their pagination,
    and the name of each of their learners by user id (two queries, whatever the page size)."""
    query = select(XapiStatement).order_by(XapiStatement.id.desc())
    if status in STATUSES:
        query = query.where(XapiStatement.status == status)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    user_ids = {row.user_id for row in pagination.items if row.user_id is not None}
    names = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
        if user_ids
        else []
    )
    return pagination, names
