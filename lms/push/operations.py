"""Verbs of Web Push: a browser subscribes (checked: an https push service on the internet, a
valid P-256 key, a 16-byte secret), unsubscribes, or all of a user's browsers are forgotten.
They flush; the request commits."""

from __future__ import annotations

import base64
import binascii
import hashlib
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from curriculum.db import db, utcnow
from lms.errors import InvalidInput, NotFound
from lms.net import all_public
from lms.users.models import User

from .models import PushSubscription

ENDPOINT_LENGTH = 1000
#: a user's browsers beyond this many: the oldest subscription goes
MAX_PER_USER = 10


def endpoint_digest(endpoint: str) -> str:
    """What the account page tells its script about a subscription (not the endpoint itself)."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _refused(field: str) -> InvalidInput:
    return InvalidInput(
        _("The browser sent a subscription that cannot be used (%(field)s).", field=field)
    )


def _decode(value, field: str, length: int) -> bytes:
    if not isinstance(value, str) or len(value) > 200:
        raise _refused(field)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise _refused(field) from None
    if len(raw) != length:
        raise _refused(field)
    return raw


def insecure_endpoints_allowed() -> bool:
    """Tests and development may use a push service on this machine, over http."""
    return bool(current_app.config["LMS_PUSH_INSECURE_ENDPOINTS"])


def check_endpoint(endpoint, resolve: bool = True) -> str:
    """An https URL whose host is on the internet (never this server's network: the server POSTs
    to it). ``LMS_PUSH_INSECURE_ENDPOINTS`` lifts both rules (a local test push service). With
    ``resolve=False`` a name that does not resolve now passes (the sender's POST will fail and
    be tried again later); a name that resolves to a private address never does."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > ENDPOINT_LENGTH:
        raise _refused("endpoint")
    parts = urlsplit(endpoint)
    insecure = insecure_endpoints_allowed()
    schemes = ("https", "http") if insecure else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise _refused("endpoint")
    if insecure:
        return endpoint
    public = all_public(parts.hostname)
    if public is False or (public is None and resolve):
        raise _refused("endpoint")
    return endpoint


def subscribe(user: User, data) -> PushSubscription:
    """Keep ``data`` (the browser's ``PushSubscription.toJSON()``) for ``user``. The same browser
    again updates its keys; a browser another user had subscribed (a shared phone) is now this
    user's only."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise _refused("keys")
    endpoint = check_endpoint(data.get("endpoint"))
    keys = data["keys"]
    point = _decode(keys.get("p256dh"), "p256dh", 65)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise _refused("p256dh") from None
    _decode(keys.get("auth"), "auth", 16)
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    subscription.user_id = user.id
    subscription.p256dh, subscription.auth = keys["p256dh"], keys["auth"]
    subscription.created_at = utcnow()
    db.session.flush()
    _keep_newest(user)
    return subscription


def _keep_newest(user: User) -> None:
    kept = select(PushSubscription.id).where(PushSubscription.user_id == user.id)
    kept = kept.order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    old = db.session.scalars(kept.offset(MAX_PER_USER)).all()
    if old:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(old)))


def unsubscribe(user: User, endpoint) -> None:
    """Forget this browser of ``user`` (404 if it is not one of hers)."""
    subscription = db.session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == (endpoint if isinstance(endpoint, str) else ""),
            PushSubscription.user_id == user.id,
        )
    )
    if subscription is None:
        raise NotFound(_("Notifications were not turned on in this browser."))
    db.session.delete(subscription)
    db.session.flush()


def forget_all(user: User) -> int:
    """Every browser of ``user`` stops getting her notifications ("log out everywhere")."""
    result = db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    return result.rowcount
