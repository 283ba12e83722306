"""A circle's journal: short updates (text and a few photos), and the comments on them.

Only the circle's current members, its facilitators (the cohort's trainers) and administrators
see the journal; the same people comment. Entries are written by members. An entry keeps its
author when she leaves the circle (memberships are never deleted, so her name stays on it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from lms.circles.models import Circle
from lms.users.models import User


class JournalEntry(db.Model):
    __tablename__ = "lms_circle_journal_entries"
    __table_args__ = (
        Index("ix_lms_circle_journal_entries_circle_time", "circle_id", "happened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("lms_circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    #: when it happened (typed offline, sent later: the time on the phone); else when it was sent
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    circle: Mapped[Circle] = relationship()
    author: Mapped[User | None] = relationship()
    photos: Mapped[list[JournalPhoto]] = relationship(
        back_populates="entry", order_by="JournalPhoto.position", cascade="all, delete-orphan"
    )
    comments: Mapped[list[JournalComment]] = relationship(
        back_populates="entry",
        order_by="JournalComment.created_at, JournalComment.id",
        cascade="all, delete-orphan",
    )

    def can_view(self, user) -> bool:
        return self.circle.can_view(user)

    def can_comment(self, user) -> bool:
        """Members and facilitators (and administrators) comment."""
        return self.circle.can_view(user)


class JournalPhoto(db.Model):
    """A photo as kept: re-encoded JPEG without metadata (``journal/photos.py``), stored through
    ``lms.uploads`` outside the web root."""

    __tablename__ = "lms_circle_journal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circle_journal_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    entry: Mapped[JournalEntry] = relationship(back_populates="photos")


class JournalComment(db.Model):
    __tablename__ = "lms_circle_journal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circle_journal_entries.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[JournalEntry] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
