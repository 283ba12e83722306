"""Web Push: each browser a user subscribed (its push service endpoint and encryption keys), and
the outbox of notifications waiting for, or done with, their delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from curriculum.db import JSONType, UTCDateTime, db, utcnow

#: queued: waiting for its first attempt; sending: an attempt is under way (a lease);
#: failed: the last attempt failed, it is tried again after a wait; sent: the push service has
#: it; gone: the subscription expired or was removed (404/410, unsubscribed), it is not tried
#: again; rejected: the push service refused it as invalid (4xx), it is not tried again.
STATUSES = ("queued", "sending", "failed", "sent", "gone", "rejected")
RETRYABLE_STATUSES = ("queued", "sending", "failed")
#: what an administrator may send again: failed (waiting, or out of attempts) and refused ones;
#: "gone" ones have no browser to go to any more
RESENDABLE = ("failed", "rejected")


class PushSubscription(db.Model):
    """One browser of one user that accepted notifications. The endpoint is unique: the same
    browser subscribing again (another user on a shared phone) takes the row over."""

    __tablename__ = "lms_push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    #: the push service's URL for this browser (https, given by the browser)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    #: the browser's P-256 public key and auth secret (base64url), to encrypt for it
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def info(self) -> dict[str, Any]:
        """What pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushMessage(db.Model):
    """One notification for one subscription: written in the request's transaction, delivered
    after the commit by a job, with retries and backoff."""

    __tablename__ = "lms_push_outbox"
    __table_args__ = (
        Index("ix_lms_push_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the recipient (kept when the subscription goes, for the administrators' view)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    #: title, body, url, lang, dir: already in the recipient's language
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: not before then: the backoff after a failure, or the lease of an attempt under way
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: what the push service answered last (why it failed)
    error: Mapped[str | None] = mapped_column(String(1000))
