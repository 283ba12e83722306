"""Enrolments, lesson progress, quiz attempts and assignment submissions.

The unique constraints keep the data honest under double clicks and concurrent requests: one
enrolment per user and course, one progress row per enrolment and lesson, one attempt per number.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from curriculum.models import Course, Lesson
from lms.users.models import User

ENROLMENT_STATUSES = ("active", "completed", "withdrawn")
PROGRESS_STATUSES = ("started", "done")
SUBMISSION_STATUSES = ("submitted", "needs_revision", "accepted")


class Enrolment(db.Model):
    __tablename__ = "lms_enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("lms_cohorts.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the registration of the learner's xAPI statements (stable, not guessable)
    uuid: Mapped[str | None] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    cohort = relationship("Cohort")

    def is_followed_by(self, user) -> bool:
        """A trainer of the enrolment's cohort (or an administrator) follows this learner."""
        if not user.is_authenticated:
            return False
        return user.is_admin or (self.cohort is not None and self.cohort.is_trainer(user))

    def can_view(self, user) -> bool:
        """The learner's progress: the learner, the cohort's trainers, administrators."""
        return user.is_authenticated and (user.id == self.user_id or self.is_followed_by(user))


class LessonProgress(db.Model):
    __tablename__ = "lms_lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolments.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="started")
    #: best quiz score in percent
    score: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    lesson: Mapped[Lesson] = relationship()

    def can_view(self, user) -> bool:
        """The work and its file: the learner, the cohort's trainers, administrators."""
        return self.enrolment.can_view(user)

    def can_review(self, user) -> bool:
        """Reviewing: a trainer of the learner's cohort, or an administrator."""
        return self.enrolment.is_followed_by(user)

    @property
    def done(self) -> bool:
        return self.status == "done"


class QuizAttempt(db.Model):
    __tablename__ = "lms_quiz_attempts"
    __table_args__ = (UniqueConstraint("progress_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        ForeignKey("lms_lesson_progress.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    #: question key -> list of choice keys the learner ticked
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(db.Model):
    """A learner's answer to an assignment lesson (the latest version; one per lesson)."""

    __tablename__ = "lms_submissions"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolments.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(20))
    file_size: Mapped[int | None] = mapped_column(Integer)
    #: path relative to the upload folder (outside the web root)
    file_path: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    version: Mapped[int] = mapped_column(Integer, default=1)
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    lesson: Mapped[Lesson] = relationship()

    def can_view(self, user) -> bool:
        """The work and its file: the learner, the cohort's trainers, administrators."""
        return self.enrolment.can_view(user)

    def can_review(self, user) -> bool:
        """Reviewing: a trainer of the learner's cohort, or an administrator."""
        return self.enrolment.is_followed_by(user)


class LessonOpen(db.Model):
    """A learner opened a lesson page (the launched/experienced statements, and their replay)."""

    __tablename__ = "lms_lesson_opens"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enrolments.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id", ondelete="CASCADE"))
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
