"""Queuing statements: rows of ``lms_xapi_outbox`` written in the request's transaction (so a
rolled-back action sends nothing), and, once it commits, a sender woken up outside the request:
a Celery task with a broker, else a background thread of this process."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db
from lms.config import uses_celery

from .delivery import send_pending
from .models import XapiStatement

log = logging.getLogger("lms.records")
PENDING_KEY = "lms_xapi_pending"
EXECUTOR_KEY = "xapi_executor"


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("LMS_XAPI_ENDPOINT"))


def enqueue(statements: list[dict], user_id: int | None) -> None:
    """Queue ``statements`` in this transaction; the sender is woken after the commit."""
    if not statements:
        return
    rows = [
        {
            "statement_id": s["id"],
            "user_id": user_id,
            "verb": s["verb"]["display"]["en-US"],
            "statement": s,
            "status": "queued",
        }
        for s in statements
    ]
    db.session.execute(insert(XapiStatement), rows)
    wake_after_commit()


def wake_after_commit() -> None:
    """Wake the sender once this transaction commits (nothing if it rolls back)."""
    db.session.info[PENDING_KEY] = current_app._get_current_object()


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
            app.extensions["lms"].send_task(app, "lms.records.send_statements")
            return
        except Exception:  # the broker is away: the beat or the next commit sends them
            log.exception("Could not ask a worker to send the xAPI statements")
            return
    state = app.extensions["lms"]
    executor = state.extra.get(EXECUTOR_KEY)
    if executor is None:
        executor = state.extra[EXECUTOR_KEY] = ThreadPoolExecutor(1, "lms-xapi")
    executor.submit(_send_in_thread, app)


def _send_in_thread(app: Flask) -> None:
    try:
        send_pending(app)
    except Exception:
        log.exception("Could not send the xAPI statements; they stay queued")
