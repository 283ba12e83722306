"""Outgoing e-mail. Without SMTP configured, messages stay here (the dev outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from curriculum.db import UTCDateTime, db, utcnow

#: the reserved top-level domain (RFC 2606) of the placeholder addresses of accounts that have no
#: usable one: nobody can register such an address, and no message to one is ever sent
PLACEHOLDER_DOMAIN = ".invalid"

#: logged: no SMTP was configured, the message is only kept here (and in the log);
#: queued: waiting for its first attempt; sending: an attempt is under way;
#: sent; failed: the last attempt failed, ``lms mail send-pending`` tries again;
#: skipped: the recipient is a placeholder address (an account without e-mail), never sent.
STATUSES = ("logged", "queued", "sending", "sent", "failed", "skipped")
#: the messages ``lms mail send-pending`` looks at (a "sending" one whose sender died, too)
RETRYABLE_STATUSES = ("queued", "sending", "failed")


def is_placeholder_address(address: str) -> bool:
    return address.strip().lower().endswith(PLACEHOLDER_DOMAIN)


class OutboxMessage(db.Model):
    __tablename__ = "lms_outbox"
    __table_args__ = (Index("ix_lms_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="logged", server_default="logged")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: not before then: the backoff after a failure, or the lease of an attempt under way
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why the last attempt failed
    error: Mapped[str | None] = mapped_column(String(1000))

    @property
    def waiting(self) -> bool:
        """Not sent yet, and SMTP delivery will be tried (again)."""
        return self.status in RETRYABLE_STATUSES
