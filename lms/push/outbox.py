"""Queuing notifications: rows of ``lms_push_outbox`` written in the request's transaction (a
rolled-back announcement notifies nobody), one per subscribed browser of each recipient, and,
once the transaction commits, a sender woken up outside the request: a Celery task with a broker,
else a background thread of this process."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db
from lms.config import uses_celery
from lms.i18n import text_direction

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
        db.session.info[PENDING_KEY] = current_app._get_current_object()
    return len(rows)


@event.listens_for(LMSSession, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    app = session.info.pop(PENDING_KEY, None)
    if app is not None:
        wake_sender(app)


@event.listens_for(LMSSession, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def wake_sender(app: Flask) -> None:
    """Deliver the queue soon, never in the caller's request."""
    if uses_celery(app):
        try:
            app.extensions["lms"].send_task(app, "lms.push.send_pending")
        except Exception:  # the broker is away: the beat or the next commit sends them
            log.exception("Could not ask a worker to send the push notifications")
        return
    state = app.extensions["lms"]
    executor = state.extra.get(EXECUTOR_KEY)
    if executor is None:
        executor = state.extra[EXECUTOR_KEY] = ThreadPoolExecutor(1, "lms-push")
    executor.submit(_send_in_thread, app)


def _send_in_thread(app: Flask) -> None:
    try:
        send_pending(app)
    except Exception:
        log.exception("Could not send the push notifications; they stay queued")
