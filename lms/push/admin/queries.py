"""Read side of the push outbox page: how many notifications are in each state, and one page of
the latest ones with their recipients' names (two queries, whatever the page size)."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from lms.users.models import User

from ..models import STATUSES, PushMessage

PER_PAGE = 25


def status_counts() -> dict[str, int]:
    """The number of notifications in each state (every state present, 0 when none)."""
    rows = db.session.execute(select(PushMessage.status, func.count()).group_by(PushMessage.status))
    return {**dict.fromkeys(STATUSES, 0), **dict(rows.all())}


def last_error() -> PushMessage | None:
    """The latest notification that failed or was refused (what the push service said last)."""
    return db.session.scalars(
        select(PushMessage)
        .where(PushMessage.status.in_(("failed", "rejected")), PushMessage.error.is_not(None))
        .order_by(PushMessage.id.desc())
        .limit(1)
    ).first()


def messages_page(page: int, status: str | None):
    """The latest notifications first (only those in ``status`` if it is one): their pagination
    and the name of each recipient by user id."""
    query = select(PushMessage).order_by(PushMessage.id.desc())
    if status in STATUSES:
        query = query.where(PushMessage.status == status)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    user_ids = {row.user_id for row in pagination.items if row.user_id is not None}
    names = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
        if user_ids
        else []
    )
    return pagination, names
