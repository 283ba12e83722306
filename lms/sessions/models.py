"""In-person meetings of a cohort (tied to a ``session`` lesson of its course) and who was there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from curriculum.models import Lesson
from lms.cohorts.models import Cohort


class CohortSession(db.Model):
    """An in-person meeting of a cohort, tied to a ``session`` lesson of the course."""

    __tablename__ = "lms_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    cohort: Mapped[Cohort] = relationship()
    lesson: Mapped[Lesson] = relationship()

    def can_manage(self, user) -> bool:
        """Change, cancel, take attendance: whoever manages the cohort."""
        return self.cohort.can_manage(user)


class Attendance(db.Model):
    __tablename__ = "lms_attendance"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lms_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enrolments.id", ondelete="CASCADE"), index=True
    )
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
