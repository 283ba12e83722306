"""Cohorts (a group of learners of one course in one territory), their in-person sessions and
attendance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from curriculum.models import Course, Lesson
from lms.users.models import User

cohort_trainers = Table(
    "lms_cohort_trainers",
    db.metadata,
    Column("cohort_id", ForeignKey("lms_cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True),
)


class Cohort(db.Model):
    __tablename__ = "lms_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary=cohort_trainers)

    def is_trainer(self, user) -> bool:
        return any(t.id == user.id for t in self.trainers)

    def can_manage(self, user) -> bool:
        return user.is_authenticated and (user.is_admin or self.is_trainer(user))


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
