"""A trainer's announcements to a cohort, and each user's in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from lms.users.models import User


class Announcement(db.Model):
    """A message from a trainer to every learner of a cohort (also sent as a notification and an
    e-mail when it is posted)."""

    __tablename__ = "lms_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown as typed, and its sanitised HTML
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    author: Mapped[User | None] = relationship()

    def can_read(self, user) -> bool:
        """The cohort's trainers and learners (for anyone else it does not exist)."""
        if not user.is_authenticated:
            return False
        if self.cohort.can_manage(user):
            return True
        member = select(Enrolment.id).where(
            Enrolment.user_id == user.id, Enrolment.cohort_id == self.cohort_id
        )
        return db.session.scalar(member.limit(1)) is not None


class Notification(db.Model):
    """A line in a user's in-app inbox: a short text (already in their language) and a link."""

    __tablename__ = "lms_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    #: a path on this site (never an outside URL)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def unread(self) -> bool:
        return self.read_at is None
