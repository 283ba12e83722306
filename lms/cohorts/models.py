"""Cohorts (a group of learners of one course in one territory) and roster imports waiting for
confirmation. Sessions are in ``lms.sessions``, announcements and notifications in
``lms.messages``."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from curriculum.models import Course
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
    #: "Commune, Province": a display label kept in step with the two columns below
    territory: Mapped[str] = mapped_column(String(200), default="")
    province: Mapped[str] = mapped_column(String(100), default="", server_default="")
    commune: Mapped[str] = mapped_column(String(100), default="", server_default="")
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

    @staticmethod
    def can_create(user) -> bool:
        """Administrators and the site's trainers; not a trainer whose role came from an LTI
        launch (it opens the cohorts its platform's courses map to, nothing more)."""
        return user.is_authenticated and (user.is_admin or user.is_site_trainer)


class RosterImport(db.Model):
    """An uploaded roster, parsed and kept until the trainer confirms it (or uploads another).

    The parsed rows live here rather than in the session cookie (limited to 4 KB) or in a second
    upload (the trainer would have to pick the same file again): confirming applies exactly what
    the preview showed, re-checked against the accounts as they are at that moment.
    """

    __tablename__ = "lms_roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: [{"row": 2, "name": ..., "email": ..., "language": "fr" | None, "error": code | None, ...}]
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: what the confirmation did: {"new": n, "enrolled": n, "moved": n, "skipped": n}
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    cohort: Mapped[Cohort] = relationship()

    @property
    def digest(self) -> str:
        """A fingerprint of the rows, sent with the confirmation: SQLite may give a replaced
        import's id to the next one, so an old preview tab must not confirm the new rows."""
        encoded = json.dumps(self.rows, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()[:32]


class CohortInvitation(db.Model):
    """A trainer's invitation of an existing account to a cohort (from a roster). The learner
    joins only by accepting it: a trainer never pulls an account, and the work it handed in
    elsewhere, into a cohort of theirs."""

    __tablename__ = "lms_cohort_invitations"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the learner answered (at most one of the two is set)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None

    def can_answer(self, user) -> bool:
        """Only the invited person sees and answers it (for anyone else it does not exist)."""
        return user.is_authenticated and user.id == self.user_id


class PrerequisiteWaiver(db.Model):
    """A trainer of the cohort lets one learner enrol although she has not completed the
    course's required courses (``Course.requires``); recorded in the audit trail too."""

    __tablename__ = "lms_prerequisite_waivers"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
