"""Read side of Web Push: which of a user's browsers are subscribed (as digests, for the account
page's script), and the outbox's figures for administrators."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from lms.users.models import User

from .models import PushMessage, PushSubscription
from .operations import endpoint_digest


def subscribed_digests(user: User) -> list[str]:
    endpoints = db.session.scalars(
        select(PushSubscription.endpoint).where(PushSubscription.user_id == user.id)
    )
    return [endpoint_digest(endpoint) for endpoint in endpoints]


def outbox_counts() -> dict[str, int]:
    """How many notifications are in each state (``lms push status``)."""
    rows = db.session.execute(select(PushMessage.status, func.count()).group_by(PushMessage.status))
    return dict(rows.all())
