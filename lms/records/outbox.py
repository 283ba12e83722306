"""Queuing statements: rows of ``lms_xapi_outbox`` written in the request's transaction (so a
rolled-back action sends nothing), and, once it commits, a sender woken up outside the request:
a Celery task with a broker, else a background thread of this process (which, when statements
are left waiting after the LRS failed, wakes itself again at the end of the backoff).

The statements of a transaction are kept in the session until it commits, then written by one
INSERT (however many events the request had): a savepoint rolled back drops those queued inside
it, a transaction rolled back drops them all. ``write_queued()`` writes them earlier, for a
reader of the outbox inside the same transaction.

The INSERT skips a statement whose id the outbox already holds (``ON CONFLICT DO NOTHING``): an
event made again (a lesson completed again after a correction, a replay) has the same id, and the
LRS has or will have it once; a repeat never fails the request that causes it."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy import event, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db
from lms.jobs import senders

from .delivery import Outcome, seconds_to_next_try, send_pending
from .models import XapiStatement

log = logging.getLogger("lms.records")
PENDING_KEY = "lms_xapi_pending"
#: the session's queued rows: [(the transaction they were queued in, row)]
ROWS_KEY = "lms_xapi_rows"
EXECUTOR_KEY = "xapi_executor"
#: the thread sender's next wake after a failure: (threading.Timer, when it is due)
TIMER_KEY = "xapi_retry_timer"
_TIMER_LOCK = threading.Lock()


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("LMS_XAPI_ENDPOINT"))


def enqueue(statements: list[dict], user_id: int | None) -> None:
    """Queue ``statements`` in this transaction; the sender is woken after the commit."""
    if not statements:
        return
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    queued = session.info.setdefault(ROWS_KEY, [])
    queued.extend(
        (
            transaction,
            {
                "statement_id": s["id"],
                "user_id": user_id,
                "verb": s["verb"]["display"]["en-US"],
                "statement": s,
                "status": "queued",
            },
        )
        for s in statements
    )
    wake_after_commit()


def write_queued(session: Session | None = None) -> None:
    """Write the rows queued in this transaction (one INSERT)."""
    session = session or db.session()
    queued = session.info.pop(ROWS_KEY, None)
    if not queued:
        return
    rows = list({row["statement_id"]: row for _transaction, row in reversed(queued)}.values())
    rows.reverse()  # one row per id, the first queued, in the order queued
    statement = _insert_new(session, rows)
    if rows:
        session.execute(statement, rows)


def _insert_new(session: Session, rows: list[dict]):
    """An INSERT that skips the ids already in the outbox, on PostgreSQL and SQLite (another
    database: the ids already held are left out first, in this transaction)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(XapiStatement).on_conflict_do_nothing(
            index_elements=["statement_id"]
        )
    if dialect == "sqlite":
        return sqlite.insert(XapiStatement).on_conflict_do_nothing(index_elements=["statement_id"])
    held = set(
        session.scalars(
            select(XapiStatement.statement_id).where(
                XapiStatement.statement_id.in_([row["statement_id"] for row in rows])
            )
        )
    )
    rows[:] = [row for row in rows if row["statement_id"] not in held]
    return insert(XapiStatement)


@event.listens_for(LMSSession, "before_commit")
def _write_before_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        write_queued(session)


def _inside(transaction, ended) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def wake_after_commit() -> None:
    """Wake the sender once this transaction commits (nothing if it rolls back)."""
    senders.wake_after_commit(PENDING_KEY)


senders.on_commit(PENDING_KEY, lambda app: wake_sender(app))


@event.listens_for(LMSSession, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(ROWS_KEY, None)
    elif session.info.get(ROWS_KEY):
        session.info[ROWS_KEY] = [
            (transaction, row)
            for transaction, row in session.info[ROWS_KEY]
            if not _inside(transaction, previous_transaction)
        ]


def wake_sender(app: Flask) -> None:
    senders.wake(app, task="lms.records.send_statements", send=send_then_schedule,
                 executor=EXECUTOR_KEY, what="the xAPI statements")  # fmt: skip


def send_then_schedule(app: Flask) -> Outcome:
    """The thread's round (without Celery): send the queue; if statements are left waiting
    (the LRS failed, the backoff is not over, another sender holds the lease), wake the sender
    again when it may send them, so they go out once the LRS is back on a quiet site too."""
    outcome = send_pending(app)
    if outcome.unavailable or outcome.skipped:
        delay = seconds_to_next_try(app)
        if delay is not None:
            schedule_wake(app, delay + 0.1)
    return outcome


def schedule_wake(app: Flask, delay: float) -> None:
    """One timer per app: the earliest wake asked for wins."""
    extra = app.extensions["lms"].extra
    due = time.monotonic() + delay
    with _TIMER_LOCK:
        current = extra.get(TIMER_KEY)
        if current is not None and current[0].is_alive() and current[1] <= due:
            return
        if current is not None:
            current[0].cancel()
        timer = threading.Timer(delay, lambda: wake_sender(app))
        timer.daemon = True
        timer.name = "lms-xapi-retry"
        extra[TIMER_KEY] = (timer, due)
        timer.start()


def cancel_scheduled_wake(app: Flask) -> None:
    with _TIMER_LOCK:
        current = app.extensions["lms"].extra.pop(TIMER_KEY, None)
    if current is not None:
        current[0].cancel()
