"""A circle journal entry typed without a connection (kind ``journal``), applied by the same
operation as the online form (``lms.circles.journal.operations.create_entry``): only a current
member of the circle writes, the same text and photo limits, a circle whose cohort is closed
takes no more entries. The entry is dated when it was typed on the phone.

The item: ``{"kind": "journal", "circle": <id>, "data": {"text": "...", "photos": [{"name":
"...", "data": "<base64>"}]}}``.
"""

from __future__ import annotations

import base64
import binascii

from flask_babel import gettext as _

from curriculum.db import db
from lms.circles.journal import operations as journal
from lms.circles.models import Circle
from lms.errors import InvalidInput, NotAllowed, NotFound


def circle_id_of(target: str) -> int:
    """``circle/<id>`` (the action's target) → the id."""
    return int(target.removeprefix("circle/"))


def _photos(value: object) -> list[tuple[str, bytes]]:
    if value in (None, []):
        return []
    if not isinstance(value, list):
        raise InvalidInput(_("The photos of this update could not be read."))
    if len(value) > journal.MAX_PHOTOS:  # before decoding them: the operation says the same
        raise journal.JournalError(
            "photos", _("At most %(n)d photos in one entry.", n=journal.MAX_PHOTOS)
        )
    photos = []
    for photo in value:
        if not isinstance(photo, dict) or not isinstance(photo.get("data"), str):
            raise InvalidInput(_("The photos of this update could not be read."))
        try:
            data = base64.b64decode(photo["data"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(_("The photos of this update could not be read.")) from None
        photos.append((str(photo.get("name") or "")[:200], data))
    return photos


def apply_entry(user, action) -> str:
    """Write the entry of ``action`` (a ``ParsedItem`` of kind ``journal``) for ``user``."""
    circle = db.session.get(Circle, circle_id_of(action.target))
    if circle is None:
        raise NotFound(_("This circle does not exist (any more): your update is not recorded."))
    membership = circle.membership_of(user)
    if membership is None:
        raise NotAllowed(
            _("You are not a member of this circle: your update is not in its journal.")
        )
    text = action.data.get("text")
    if not isinstance(text, str):
        raise InvalidInput(_("Write a few words: the text is empty."))
    # a phone whose clock was never set says 1970: never before she joined the circle
    moment = max(action.occurred_at, membership.joined_at)
    journal.create_entry(circle, user, text, _photos(action.data.get("photos")), moment)
    return _("Your update is in the journal of %(circle)s.", circle=circle.name)
