"""The xAPI outbox (one row per statement, in the order the events happened), the opaque id of
each learner's xAPI actor, and the sender's lease (one sender at a time keeps each learner's
statements in order). The lesson opens they replay are ``lms.learning.models.LessonOpen``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from curriculum.db import JSONType, UTCDateTime, db, utcnow

#: queued: waiting to be sent; failed: the last attempt failed, it is tried again after a wait;
#: sent: the LRS has it (``error`` says when it already held a statement with this id);
#: rejected: the LRS refused it as invalid (``error`` says why), it is not tried again.
STATUSES = ("queued", "failed", "sent", "rejected")
PENDING_STATUSES = ("queued", "failed")
#: what an administrator may send again: failed (waiting for the backoff) and refused ones
RESENDABLE = ("failed", "rejected")


class XapiActor(db.Model):
    """The opaque, stable name of a learner in the statements (never the e-mail address)."""

    __tablename__ = "lms_xapi_actors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))


class XapiStatement(db.Model):
    __tablename__ = "lms_xapi_outbox"
    __table_args__ = (Index("ix_lms_xapi_outbox_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: the learner's user id: the admin page's filter, the per-learner order
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    verb: Mapped[str] = mapped_column(String(40))
    statement: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(1000))

    @property
    def pending(self) -> bool:
        return self.status in PENDING_STATUSES


class XapiSender(db.Model):
    """One row: who is sending (a lease that runs out if the sender dies) and, after the LRS
    failed, not before when the next attempt may start (the backoff, for the whole queue, so no
    later statement overtakes an earlier one)."""

    __tablename__ = "lms_xapi_sender"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(1000))
