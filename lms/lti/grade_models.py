"""The AGS outbox: one row per score to send to a platform's line item, written in the
learner's transaction and delivered later, in order per learner and line item. A sender claims
rows for a while (``claimed_by`` / ``claimed_until``) so that two senders never post one twice;
a failed row waits until ``next_attempt_at``, or is set aside (``score_errors``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from curriculum.db import UTCDateTime, db, utcnow


class LtiScore(db.Model):
    __tablename__ = "lms_lti_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    #: the platform's id of the learner (``sub`` of the launches)
    subject: Mapped[str] = mapped_column(String(255))
    #: the placement the score is for (its line item may be created only when sending)
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_lti_resource_links.id", ondelete="CASCADE"), index=True
    )
    #: the line item's URL; empty until the sender found or created it on the platform
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    #: when the score changed (the ``timestamp`` the platform orders scores by)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: queued | sent | superseded (the platform holds a later score and kept it) | rejected (the
    #: platform refused it for good) | given_up (it failed too many times, or for too long)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: not before then: the wait after a failed attempt (doubling with each)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the sender posting it now, and until when its claim holds (a crashed sender's rows are
    #: taken again after that)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
