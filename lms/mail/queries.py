"""Read side of the outbox: the administrators' page of messages and their states."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db

from .models import OutboxMessage


def outbox_page(page: int, failed_only: bool, per_page: int = 20):
    """One page of messages, newest first (only the failed ones if asked), and how many failed."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if failed_only:
        statement = statement.where(OutboxMessage.status == "failed")
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    failed = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
    )
    return pagination, failed
