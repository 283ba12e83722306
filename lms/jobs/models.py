"""Long work (bulk issuance, re-rendering, e-mail batches) recorded with its progress.

A ``Job`` is one piece of long work; its ``JobItem`` rows are the units it is made of (an
enrolment to certify, a certificate to re-issue, an e-mail to send), listed once when the job
starts. An item leaves ``pending`` exactly once, in the same transaction as its effect, so a job
that dies halfway resumes with the pending items and nothing is done twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from lms.users.models import User

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
#: statuses in which a job may still make progress
ACTIVE_STATUSES = ("queued", "running")
ITEM_STATUSES = ("pending", "done", "failed", "skipped")


class Job(db.Model):
    __tablename__ = "lms_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: what the job works on, in words, fixed when it starts (e.g. the cohort's name)
    subject: Mapped[str] = mapped_column(String(300), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: item key -> error message, for the first failed items (filled when the job ends)
    errors: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: why the job as a whole failed (e.g. its cohort no longer exists)
    error: Mapped[str | None] = mapped_column(String(2000))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last time a runner showed signs of life (a stale heartbeat means the job can resume)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    def can_manage(self, user) -> bool:
        """Follow, cancel or resume a job: administrators."""
        return user.is_authenticated and user.is_admin

    @property
    def processed(self) -> int:
        return self.done + self.failed + self.skipped

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE_STATUSES


class JobItem(db.Model):
    __tablename__ = "lms_job_items"
    __table_args__ = (
        UniqueConstraint("job_id", "key"),
        Index("ix_lms_job_items_job_id_status", "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("lms_jobs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    #: why it failed, or why it was skipped (e.g. the course's rule is not met)
    error: Mapped[str | None] = mapped_column(String(2000))
    #: how many times a runner started on it (counts the attempts a crash interrupted)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
