"""Delivering the push outbox with pywebpush: each notification encrypted for its browser
(aes128gcm, RFC 8291) and POSTed to its push service with a VAPID signature (RFC 8292).

A message is claimed (status ``sending``, attempts + 1, a lease) in its own small transaction
before it is sent, so two senders never send it both. What the push service answers decides:
201/202 sent; 404 or 410 the subscription has expired, it is removed with its waiting messages
(``gone``); another 4xx (400 malformed, 403 wrong key, 413 too large) ``rejected``, not tried
again; 429, 5xx or no answer ``failed``, tried again after a wait that doubles, up to
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from flask import Flask
from pywebpush import WebPushException, webpush
from sqlalchemy import ColumnElement, or_, select, update

from curriculum.db import db, utcnow
from lms.errors import InvalidInput

from .keys import vapid
from .models import RETRYABLE_STATUSES, PushMessage, PushSubscription
from .operations import check_endpoint

log = logging.getLogger("lms.push")
TIMEOUT = 20
MAX_ATTEMPTS = 6
DEFAULT_BACKOFF = 60.0
MAX_BACKOFF = 6 * 3600.0
LEASE = timedelta(minutes=10)
#: how long a push service keeps a notification for a browser that is offline (3 days)
TTL = 3 * 24 * 3600
ERROR_LENGTH = 1000


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    gone: int = 0
    rejected: int = 0


def retry_delay(attempts: int, backoff: float = DEFAULT_BACKOFF) -> timedelta:
    return timedelta(seconds=min(backoff * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def due(now: datetime, max_attempts: int = MAX_ATTEMPTS) -> ColumnElement:
    return (
        PushMessage.status.in_(RETRYABLE_STATUSES)
        & (PushMessage.attempts < max_attempts)
        & or_(PushMessage.next_attempt_at.is_(None), PushMessage.next_attempt_at <= now)
    )


def contact(config) -> str:
    """The VAPID ``sub`` claim: how a push service reaches the site's operator."""
    sender = config["LMS_PUSH_CONTACT"] or config["LMS_MAIL_SENDER"]
    return sender if sender.startswith(("mailto:", "https:")) else f"mailto:{sender}"


def send_pending(
    app: Flask, max_attempts: int = MAX_ATTEMPTS, backoff: float = DEFAULT_BACKOFF
) -> Outcome:
    """Send the queued notifications and retry the failed ones whose wait is over (the Celery
    task ``lms.push.send_pending``, the background thread and ``lms push send-pending``)."""
    outcome = Outcome()
    with app.app_context():
        with db.engine.connect() as connection:
            ids = connection.scalars(
                select(PushMessage.id).where(due(utcnow(), max_attempts)).order_by(PushMessage.id)
            ).all()
        if not ids:
            return outcome
        key = vapid()
        claims_sub = contact(app.config)
        with requests.Session() as session:
            for message_id in ids:
                claimed = _claim(message_id, max_attempts)
                if claimed is not None:
                    _send_one(claimed, key, claims_sub, session, backoff, outcome)
    return outcome


def _claim(message_id: int, max_attempts: int):
    now = utcnow()
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(PushMessage)
            .where(PushMessage.id == message_id, due(now, max_attempts))
            .values(
                status="sending", attempts=PushMessage.attempts + 1, next_attempt_at=now + LEASE
            )
            .returning(
                PushMessage.id,
                PushMessage.subscription_id,
                PushMessage.payload,
                PushMessage.attempts,
            )
        ).first()
        if claimed is None:
            return None
        subscription = None
        if claimed.subscription_id is not None:
            subscription = connection.execute(
                select(
                    PushSubscription.id,
                    PushSubscription.endpoint,
                    PushSubscription.p256dh,
                    PushSubscription.auth,
                ).where(PushSubscription.id == claimed.subscription_id)
            ).first()
    return claimed, subscription


def _send_one(claimed, key, claims_sub: str, session, backoff: float, outcome: Outcome) -> None:
    message, subscription = claimed
    if subscription is None:  # unsubscribed or expired since it was queued
        outcome.gone += 1
        _finish(message.id, "gone", "The browser unsubscribed.")
        return
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        check_endpoint(
            subscription.endpoint, resolve=False
        )  # the rules may have changed since it subscribed
        webpush(
            info,
            data=json.dumps(message.payload, ensure_ascii=False),
            vapid_private_key=key,
            vapid_claims={"sub": claims_sub},  # a new dict each time: pywebpush adds aud and exp
            ttl=TTL,
            timeout=TIMEOUT,
            requests_session=session,
        )
    except InvalidInput:
        outcome.rejected += 1
        _finish(message.id, "rejected", "The endpoint is not an allowed push service.")
        return
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        reason = _describe(error, status)
        if status in (404, 410):
            outcome.gone += 1
            _expire(subscription.id, message.id, reason)
        elif status is not None and 400 <= status < 500 and status != 429:
            outcome.rejected += 1
            _finish(message.id, "rejected", reason)
        else:
            outcome.failed += 1
            _retry_later(message, reason, backoff)
        return
    except (requests.RequestException, OSError) as error:  # no answer: the service is away
        outcome.failed += 1
        _retry_later(message, f"{type(error).__name__}: {error}", backoff)
        return
    outcome.sent += 1
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            update(PushMessage)
            .where(PushMessage.id == message.id)
            .values(status="sent", sent_at=now, next_attempt_at=None, error=None)
        )
        connection.execute(
            update(PushSubscription)
            .where(PushSubscription.id == subscription.id)
            .values(last_sent_at=now)
        )


def _describe(error: WebPushException, status: int | None) -> str:
    if error.response is None:
        return str(error).splitlines()[0][:ERROR_LENGTH]
    host = urlsplit(error.response.url or "").hostname or "the push service"
    body = " ".join((error.response.text or "").split())[:300]
    return f"{host} answered {status} {error.response.reason or ''}: {body}".strip()


def _finish(message_id: int, status: str, reason: str) -> None:
    log.warning("Push notification %s %s: %s", message_id, status, reason)
    with db.engine.begin() as connection:
        connection.execute(
            update(PushMessage)
            .where(PushMessage.id == message_id)
            .values(status=status, next_attempt_at=None, error=reason[:ERROR_LENGTH])
        )


def _expire(subscription_id: int, message_id: int, reason: str) -> None:
    """The browser's subscription is over (uninstalled, permission withdrawn, expired): it is
    removed, and what still waited for it will never be sent."""
    log.info("Push subscription %s has expired (%s); removed", subscription_id, reason)
    with db.engine.begin() as connection:
        connection.execute(
            update(PushMessage)
            .where(
                PushMessage.subscription_id == subscription_id,
                PushMessage.status.in_(RETRYABLE_STATUSES) | (PushMessage.id == message_id),
            )
            .values(status="gone", next_attempt_at=None, error=reason[:ERROR_LENGTH])
        )
        connection.execute(
            PushSubscription.__table__.delete().where(PushSubscription.id == subscription_id)
        )


def _retry_later(message, reason: str, backoff: float) -> None:
    log.warning(
        "Could not send push notification %s (attempt %s): %s", message.id, message.attempts, reason
    )
    with db.engine.begin() as connection:
        connection.execute(
            update(PushMessage)
            .where(PushMessage.id == message.id)
            .values(
                status="failed",
                error=reason[:ERROR_LENGTH],
                next_attempt_at=utcnow() + retry_delay(message.attempts, backoff),
            )
        )
