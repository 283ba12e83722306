"""What the offline part keeps: the actions a learner made without a connection that the server
has received (one row per idempotency key and learner, so that each is applied exactly once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from lms.users.models import User

#: applied: the action went through; refused: it was checked as if sent online and refused
#: (the reason is kept, a replay answers the same)
ACTION_STATUSES = ("applied", "refused")
ACTION_KINDS = ("done", "quiz", "assignment", "journal")


class OfflineAction(db.Model):
    """One queued action received from a learner's phone. The unique (user, key) is what makes a
    replay, a double send or two tabs sending the same queue apply it once."""

    __tablename__ = "lms_offline_actions"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    #: the idempotency key the phone gave the action when it was made
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    #: "course/module/lesson" slugs, or "circle/<id>" (a journal entry)
    target: Mapped[str] = mapped_column(String(255), default="")
    #: sha256 of the action's content: the same key with another content is refused
    payload_sha256: Mapped[str] = mapped_column(String(64))
    #: when the learner did it (the phone's clock, never later than its arrival)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    #: what the learner is told (a score, or why it was refused)
    message: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
