"""Read side of messages: a cohort's announcements, one announcement, a user's notifications and
the unread count the menu shows."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from lms.access import authorized
from lms.cohorts.models import Cohort
from lms.users.models import User

from .models import Announcement, Notification


def announcements_of(cohort: Cohort) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.cohort_id == cohort.id)
            .order_by(Announcement.created_at.desc())
        )
    )


def readable_announcement(announcement_id: int, user) -> Announcement:
    """The announcement, for its cohort's trainers and learners (404 for anyone else)."""
    return authorized(db.session.get(Announcement, announcement_id), "can_read", user, hide=True)


def unread_count_column():
    """The number of unread notifications of the ``User`` row being selected (a correlated
    subquery, so the menu's count costs no query of its own)."""

    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_of(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
