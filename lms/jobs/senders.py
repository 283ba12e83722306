"""Outboxes sent after the commit (xAPI statements, LTI scores, push notifications): the rows are
written in the request's transaction; once it commits, a sender is woken up outside the request
(a Celery task when a broker is set, else one background thread of this process); a transaction
rolled back wakes nobody. Each outbox keeps its own rows, order and retries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db
from lms.config import uses_celery

log = logging.getLogger("lms.jobs")


def wake_after_commit(key: str) -> None:
    """Wake the sender registered under ``key`` once this transaction commits."""
    db.session.info[key] = current_app._get_current_object()


def on_commit(key: str, wake: Callable[[Flask], None]) -> None:
    """Call ``wake(app)`` after a commit that ``wake_after_commit(key)`` marked (``wake`` is looked
    up at each commit by the caller's lambda, so a test can replace it)."""

    def after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return
        app = session.info.pop(key, None)
        if app is not None:
            wake(app)

    def after_rollback(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:
            session.info.pop(key, None)

    event.listen(LMSSession, "after_commit", after_commit)
    event.listen(LMSSession, "after_soft_rollback", after_rollback)


def wake(app: Flask, *, task: str, send: Callable[[Flask], object], executor: str, what: str):
    """Deliver the queue soon, never in the caller's request: ``task`` on a Celery worker, or
    ``send(app)`` on this process's one thread for this outbox (named ``executor``)."""
    if uses_celery(app):
        try:
            app.extensions["lms"].send_task(app, task)
        except Exception:  # the broker is away: the beat or the next commit sends them
            log.exception("Could not ask a worker to send %s", what)
        return
    state = app.extensions["lms"]
    pool = state.extra.get(executor)
    if pool is None:
        pool = state.extra[executor] = ThreadPoolExecutor(1, f"lms-{executor}")
    pool.submit(_send_in_thread, app, send, what)


def _send_in_thread(app: Flask, send: Callable[[Flask], object], what: str) -> None:
    try:
        send(app)
    except Exception:
        log.exception("Could not send %s; they stay queued", what)
