"""Reads of a circle's journal: a page of entries (newest first) with their photos, comments and
authors in a fixed number of queries, the latest entries for the circle's page, one entry or
photo of a circle (404 when it is not this circle's)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from curriculum.db import db
from lms.circles.models import Circle
from lms.errors import NotFound

from .models import JournalComment, JournalEntry, JournalPhoto

PER_PAGE = 20


def _entries():
    return select(JournalEntry).options(
        joinedload(JournalEntry.author),
        selectinload(JournalEntry.photos),
        selectinload(JournalEntry.comments).joinedload(JournalComment.author),
    )


def page_of(circle: Circle, page: int = 1):
    """A page of the circle's entries, newest first (four queries whatever their number)."""
    statement = _entries().where(JournalEntry.circle_id == circle.id)
    statement = statement.order_by(JournalEntry.happened_at.desc(), JournalEntry.id.desc())
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)


def latest(circle: Circle, limit: int = 3) -> tuple[list[JournalEntry], int]:
    """The circle's latest entries (text and author only) and how many there are in all."""
    total = db.session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.circle_id == circle.id)
    )
    entries = db.session.scalars(
        select(JournalEntry)
        .options(joinedload(JournalEntry.author))
        .where(JournalEntry.circle_id == circle.id)
        .order_by(JournalEntry.happened_at.desc(), JournalEntry.id.desc())
        .limit(limit)
    ).unique()
    return list(entries), total


def entry_of(circle: Circle, entry_id: int) -> JournalEntry:
    entry = (
        db.session.scalars(
            _entries().where(JournalEntry.id == entry_id, JournalEntry.circle_id == circle.id)
        )
        .unique()
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def photo_of(circle: Circle, photo_id: int) -> JournalPhoto:
    photo = db.session.scalar(
        select(JournalPhoto)
        .join(JournalEntry)
        .where(JournalPhoto.id == photo_id, JournalEntry.circle_id == circle.id)
    )
    if photo is None:
        raise NotFound()
    return photo
