"""Verbs of a circle's journal: writing an entry (text and photos), commenting on one.

Plain values in (text, photo bytes, datetimes: no form objects), so the offline queue
(``lms/offline/``) can replay an entry typed without a network; typed errors out
(``JournalError``, an ``InvalidInput`` naming the field at fault). Every photo is checked and
re-encoded before anything is written, so a refused entry leaves nothing behind. Nothing here
commits (the request, or the queue's batch, does).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import gettext as _
from PIL import Image

from curriculum.db import db, utcnow
from lms.circles.models import Circle
from lms.errors import InvalidInput, NotAllowed
from lms.uploads import store_in_transaction

from .models import JournalComment, JournalEntry, JournalPhoto
from .photos import PhotoError, reencode

TEXT_MAX = 2000
COMMENT_MAX = 1000
MAX_PHOTOS = 4

#: a photo as sent: its bytes, or (its file name, its bytes) so that a refusal can name it
PhotoInput = bytes | tuple[str, bytes]


class JournalError(InvalidInput):
    """A refused entry or comment; ``field`` is ``text`` or ``photos``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)
        self.field = field


def _clean_text(raw: str | None, limit: int) -> str:
    text = (raw or "").strip()
    if not text:
        raise JournalError("text", _("Write a few words: the text is empty."))
    if len(text) > limit:
        raise JournalError(
            "text",
            _(
                "The text is too long: at most %(n)d characters (it has %(count)d).",
                n=limit,
                count=len(text),
            ),  # fmt: skip
        )
    return text


def _clean_photos(photos: Sequence[PhotoInput]) -> list[bytes]:
    if len(photos) > MAX_PHOTOS:
        raise JournalError("photos", _("At most %(n)d photos in one entry.", n=MAX_PHOTOS))
    clean = []
    for number, photo in enumerate(photos, start=1):
        name, data = photo if isinstance(photo, tuple) else ("", photo)
        try:
            clean.append(reencode(data))
        except PhotoError as refused:
            label = name or _("Photo %(n)d", n=number)
            raise JournalError("photos", f"{label}: {refused.message}") from None
    return clean


def _moment(happened_at: datetime | None) -> datetime:
    now = utcnow()
    if happened_at is None:
        return now
    if not isinstance(happened_at, datetime):
        raise JournalError("happened_at", _("The time of the entry is not a date and time."))
    if happened_at.tzinfo is None:  # the queue sends UTC
        happened_at = happened_at.replace(tzinfo=now.tzinfo)
    # a phone whose clock runs ahead never dates an entry in the future
    return min(happened_at, now + timedelta(minutes=5))


def create_entry(
    circle: Circle,
    author,
    text: str,
    photos: Sequence[PhotoInput] = (),
    happened_at: datetime | None = None,
) -> JournalEntry:
    """Write an entry in ``circle``'s journal, by ``author`` (a current member of the circle).

    ``text``: the update (required, at most ``TEXT_MAX`` characters, spaces around trimmed).
    ``photos``: at most ``MAX_PHOTOS`` photos, each its raw bytes as sent by the phone, or a
    ``(file name, bytes)`` pair so that a refusal names the file; each is decoded with Pillow,
    turned upright, resized and re-encoded as a JPEG without EXIF or location
    (``journal/photos.py``). ``happened_at``: when it was written (the offline queue passes the
    time the member typed it; naive means UTC; never later than now); default now.

    Raises ``NotAllowed`` when ``author`` is not a current member or the circle's cohort is
    closed (archived), ``JournalError`` (with
    ``field``: ``text``, ``photos`` or ``happened_at``) for an empty or oversized text, too many
    photos, or a photo that is not an image, is over 10 MB or is a decompression bomb. Checks
    come first: on any refusal nothing is written (no row, no file). Flushes, never commits.
    """
    if not circle.is_member(author):
        raise NotAllowed(_("Only the circle's members write in its journal."))
    if circle.cohort.archived_at is not None:
        raise NotAllowed(_("This circle's cohort is closed: its journal takes no new updates."))
    clean_text = _clean_text(text, TEXT_MAX)
    moment = _moment(happened_at)
    clean_photos = _clean_photos(list(photos))
    entry = JournalEntry(
        circle_id=circle.id, author_id=author.id, text=clean_text, happened_at=moment
    )
    for position, data in enumerate(clean_photos):
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        path = store_in_transaction(f"journal/{circle.id}", "photo", data, "jpeg")
        entry.photos.append(
            JournalPhoto(position=position, path=path, size=len(data), width=width, height=height)
        )
    db.session.add(entry)
    db.session.flush()
    return entry


def add_comment(entry: JournalEntry, author, text: str) -> JournalComment:
    """A comment by a member or a facilitator of the entry's circle (``NotAllowed`` otherwise;
    ``JournalError`` on ``text`` for an empty one or one over ``COMMENT_MAX`` characters)."""
    if not entry.can_comment(author):
        raise NotAllowed()
    comment = JournalComment(author_id=author.id, text=_clean_text(text, COMMENT_MAX))
    entry.comments.append(comment)
    db.session.flush()
    return comment
