"""Team milestones: an assignment lesson marked ``team: true`` is handed in once per circle.

``TeamSubmission`` is the circle's current work on one lesson (the review queue shows it as one
item); ``TeamSubmissionVersion`` is its history, one row per hand-in or review, naming who did it.
``MilestoneDue`` holds a cohort's due date for a team lesson.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from curriculum.models import Lesson
from lms.users.models import User

from .models import Circle

TEAM_STATUSES = ("submitted", "needs_revision", "accepted")
#: what a version row records
VERSION_KINDS = ("submitted", "needs_revision", "accepted")


class TeamSubmission(db.Model):
    __tablename__ = "lms_circle_submissions"
    __table_args__ = (UniqueConstraint("circle_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circles.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(20))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_path: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    circle: Mapped[Circle] = relationship()
    lesson: Mapped[Lesson] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    versions: Mapped[list[TeamSubmissionVersion]] = relationship(
        back_populates="submission",
        order_by="TeamSubmissionVersion.id",
        cascade="all, delete-orphan",
    )

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def can_view(self, user) -> bool:
        return self.circle.can_view(user)

    def can_hand_in(self, user) -> bool:
        """A current member, while the work is not accepted."""
        return self.circle.is_member(user) and not self.accepted

    def can_review(self, user) -> bool:
        return self.circle.can_facilitate(user)


class TeamSubmissionVersion(db.Model):
    """One step of a team submission's history: a hand-in (its text and file as they were) or
    a facilitator's review (its feedback)."""

    __tablename__ = "lms_circle_submission_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circle_submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(20))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_path: Mapped[str | None] = mapped_column(String(255))
    feedback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[TeamSubmission] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class MilestoneDue(db.Model):
    """A cohort's due date for one team lesson."""

    __tablename__ = "lms_circle_milestone_dues"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lms_lessons.id", ondelete="CASCADE"), primary_key=True
    )
    due_on: Mapped[date] = mapped_column(Date)
