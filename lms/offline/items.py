"""Reading one item of the queue a phone sent, before anything is applied: its key, its owner,
its kind and target, when it happened, and content the database can store.

Whatever the phone (or a forger) sent, an item either reads as a ``ParsedItem`` or is refused
with a reason the learner can act on (``Refused``); nothing here raises anything else, so one
broken item never stops the others (``operations.apply_items``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _

from lms.errors import LMSError

from .models import ACTION_KINDS

KEY_LENGTH = 64
#: a phone's clock a little ahead of ours counts as now; further ahead, the date is wrong
FUTURE_SKEW = timedelta(hours=1)
#: an action older than this was dated by a clock that was never set (1970, 2000...)
MAX_AGE = timedelta(days=365)
#: how deep the content of an item may nest (a quiz form is 3 levels deep)
MAX_DEPTH = 8


class Refused(LMSError):
    """An item that cannot be applied (and, when it is malformed, cannot even be kept)."""


@dataclass
class ParsedItem:
    key: str
    kind: str
    target: str
    occurred_at: datetime
    data: dict
    sha256: str


def unreadable() -> Refused:
    return Refused(_("This offline action is not readable."))


def parse(item: object, owner: str, now: datetime) -> ParsedItem:
    """The item, checked; ``Refused`` with the reason otherwise."""
    if not isinstance(item, dict):
        raise unreadable()
    _check_content(item)
    key = item.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_LENGTH:
        raise Refused(_("This offline action has no valid key."))
    if item.get("user") != owner:
        raise Refused(
            _("This action was made by another account on this phone: it is not recorded for you.")
        )
    kind = item.get("kind")
    if kind not in ACTION_KINDS:
        raise Refused(_("Unknown kind of offline action: %(kind)s.", kind=str(kind)[:40]))
    data = item.get("data") or {}
    if not isinstance(data, dict):
        raise unreadable()
    occurred_at = occurred_at_of(item.get("occurred_at"), now)
    content = {"kind": kind, "data": data, "occurred_at": item.get("occurred_at")}
    if kind == "journal":
        circle = item.get("circle")
        if isinstance(circle, str) and circle.isdigit():
            circle = int(circle)
        if not isinstance(circle, int) or isinstance(circle, bool) or not 0 < circle < 2**31:
            raise Refused(_("This offline action does not say which circle it is for."))
        content["circle"] = circle
        target = f"circle/{circle}"
    else:
        target = item.get("lesson")
        if not isinstance(target, str) or target.count("/") != 2 or len(target) > 255:
            raise Refused(_("This offline action does not say which lesson it is for."))
        content["lesson"] = target
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    return ParsedItem(key, kind, target, occurred_at, data, digest)


def _check_content(item: dict) -> None:
    """Every text of the item can be stored: no lone surrogate (half of an emoji cut by the
    phone, which UTF-8 cannot encode), no NUL character (PostgreSQL refuses it); and the item
    is not nested deeper than any real action is."""
    stack: list[tuple[object, int]] = [(item, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise unreadable()
        if isinstance(value, dict):
            stack.extend((part, depth + 1) for pair in value.items() for part in pair)
        elif isinstance(value, list):
            stack.extend((part, depth + 1) for part in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _broken_character() from None
            if "\x00" in value:
                raise _broken_character()


def _broken_character() -> Refused:
    return Refused(
        _(
            "This offline action contains a broken character, so it cannot be recorded. "
            "Copy your text, then type it again."
        )
    )


def occurred_at_of(value: object, now: datetime) -> datetime:
    """When the learner did it (an ISO 8601 time), in UTC. A phone clock a little ahead of ours
    counts as now; a date in the future, or over a year ago, is refused: the phone's clock is
    wrong, and the learner is told to set it."""
    if not isinstance(value, str) or len(value) > 40:
        raise Refused(_("This offline action does not say when it was made."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):  # year 1 at +05:00 is before the first moment in UTC
        raise Refused(_("This offline action does not say when it was made.")) from None
    if moment > now + FUTURE_SKEW:
        raise Refused(
            _(
                "This action is dated %(date)s, which is later than now: the date of this "
                "phone is wrong. Set its date and time, then do it again.",
                date=moment.date().isoformat(),
            )
        )
    if moment < now - MAX_AGE:
        raise Refused(
            _(
                "This action is dated %(date)s, more than a year ago: the date of this phone "
                "is wrong. Set its date and time, then do it again.",
                date=moment.date().isoformat(),
            )
        )
    return min(moment, now)
