"""Queuing notifications: rows of ``lms_push_outbox`` written in the request's transaction (a
rolled-back announcement notifies nobody), one per subscribed browser of each recipient, and,
once the transaction commits, a sender woken up outside the request: a Celery task with a broker,
else a background thread of this process."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import insert, select

from curriculum.db import db
from lms.i18n import text_direction
from lms.jobs import senders

from .delivery import send_pending
from .models import PushMessage, PushSubscription

log = logging.getLogger("lms.push")
PENDING_KEY = "lms_push_pending"
EXECUTOR_KEY = "push_executor"
#: a push message carries at most ~4 KB once encrypted: the texts are cut well below
TITLE_LENGTH, BODY_LENGTH = 120, 600


def queue_notifications(notifications: list[tuple[int, str, str, str]], url: str) -> int:
    """``notifications``: (user id, title, body, language) each, already written in that user's
    language; ``url``: the page a tap opens (a path of this site). Returns how many browsers will
    be told."""
    if not notifications:
        return 0
    by_user = {user_id: (title, body, language) for user_id, title, body, language in notifications}
    subscriptions = db.session.execute(
        select(PushSubscription.id, PushSubscription.user_id).where(
            PushSubscription.user_id.in_(by_user)
        )
    ).all()
    rows = []
    for subscription_id, user_id in subscriptions:
        title, body, language = by_user[user_id]
        payload = {
            "title": title[:TITLE_LENGTH],
            "body": body[:BODY_LENGTH],
            "url": url,
            "lang": language,
            "dir": text_direction(language),
        }
        rows.append({"user_id": user_id, "subscription_id": subscription_id, "payload": payload})
    if rows:
        db.session.execute(insert(PushMessage), rows)
        senders.wake_after_commit(PENDING_KEY)
    return len(rows)


def wake_sender(app: Flask) -> None:
    senders.wake(app, task="lms.push.send_pending", send=send_pending, executor=EXECUTOR_KEY,
                 what="the push notifications")  # fmt: skip


senders.on_commit(PENDING_KEY, lambda app: wake_sender(app))
