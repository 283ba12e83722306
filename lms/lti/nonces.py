"""A launch's nonce serves once, checked on the server: pylti1p3 checks it against the browser's
session, so a copy of the pre-launch cookies and the ``id_token`` (a shared computer, a proxy's
log) would replay the launch. Each nonce used is kept per platform until its token expires (a
later replay is refused for its expiry); the unique index refuses the second of two at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow

from .models import LtiNonce, LtiPlatform
from .refusals import BadLaunch

#: kept a little past the token's expiry (clocks differ); one hour when a token says nothing
LEEWAY = timedelta(minutes=5)
DEFAULT_LIFETIME = timedelta(hours=1)


def _expiry(claims: dict) -> datetime:
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC) + LEEWAY
    return utcnow() + DEFAULT_LIFETIME


def use_once(platform: LtiPlatform, claims: dict) -> None:
    """Record the launch's nonce, or refuse the launch if it was used already."""
    nonce = str(claims.get("nonce") or "")
    if not nonce or len(nonce) > 255:
        raise BadLaunch(_("This launch was refused: %(reason)s",
                          reason=_("The platform's message is not a valid LTI token.")))  # fmt: skip
    db.session.execute(delete(LtiNonce).where(LtiNonce.expires_at < utcnow()))
    try:
        with db.session.begin_nested():
            db.session.add(
                LtiNonce(platform_id=platform.id, nonce=nonce, expires_at=_expiry(claims))
            )
    except IntegrityError as error:
        raise BadLaunch(
            _("This launch was refused: %(reason)s",
              reason=_("This launch was already used, or it did not start in this browser."))
            + " " + _("Open the link again from your platform.")
        ) from error  # fmt: skip
