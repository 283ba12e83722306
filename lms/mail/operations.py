"""Sending e-mail: every message is kept in the outbox table; it goes out over SMTP only after the
request's transaction commits (so a rolled-back action never mails anyone), all of a request's
messages over one connection. A message that could not be sent stays queued with its error, and
``lms mail send-pending`` (or the Celery task ``lms.mail.send_pending``) tries it again later.
Without SMTP configured the outbox is the dev inbox an administrator can read, and the message is
logged."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db
from lms.config import uses_celery

from .delivery import DEFAULT_BACKOFF, deliver, one_line, retry_delay
from .models import OutboxMessage, is_placeholder_address

log = logging.getLogger("lms.mail")
PENDING_KEY = "lms_mail_pending"
SUBJECT_LENGTH = 255


#: with Celery, a commit with more messages than this hands them to a worker instead of
#: sending them before the response (a roster of 5,000 invitations)
INLINE_LIMIT = 20


def _outbox_row(recipient: str, subject: str, body: str) -> dict:
    smtp = bool(current_app.config["LMS_SMTP_HOST"])
    row = {
        "recipient": recipient.strip(),
        "subject": one_line(subject)[:SUBJECT_LENGTH],  # a line break cannot go in a header
        "body": body,
        "status": "queued" if smtp else "logged",
        "error": None,
    }
    if is_placeholder_address(recipient):  # an account without e-mail: kept, marked, never sent
        row.update(status="skipped", body="", error="No e-mail address: not sent.")
    return row


def _after_commit(kept: list[tuple[int, str, str]]) -> None:
    """Log the kept messages and, with SMTP configured, send them once the commit is done."""
    kept = [item for item in kept if not is_placeholder_address(item[1])]
    for _id, recipient, subject in kept:
        log.info("Mail to %s: %s", recipient, subject)
    if current_app.config["LMS_SMTP_HOST"] and kept:
        app = current_app._get_current_object()
        pending = db.session.info.setdefault(PENDING_KEY, [])
        pending.extend((app, id_, recipient, subject) for id_, recipient, subject in kept)


def render_mail(template: str, **values) -> str:
    """The body of one kind of message from its plain-text template (``lms/emails/*.txt``), in
    the current locale. Straight from the Jinja environment: no context processor runs (a roster
    renders thousands of these), and a host app can override the template like any other."""
    return current_app.jinja_env.get_template(template).render(**values)


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Keep a message for ``recipient``; with SMTP configured, it leaves after the commit."""
    message = OutboxMessage(**_outbox_row(recipient, subject, body))
    db.session.add(message)
    db.session.flush()
    _after_commit([(message.id, message.recipient, message.subject)])
    return message


def send_mails(messages: list[tuple[str, str, str]]) -> None:
    """``send_mail`` for many (recipient, subject, body) in one statement."""
    if not messages:
        return
    rows = [_outbox_row(recipient, subject, body) for recipient, subject, body in messages]
    statement = insert(OutboxMessage).returning(
        OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject
    )
    _after_commit([tuple(row) for row in db.session.execute(statement, rows)])


@event.listens_for(LMSSession, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: wait for the real commit
    by_app: dict[Flask, list[tuple]] = {}
    for app, outbox_id, recipient, subject in dict.fromkeys(session.info.pop(PENDING_KEY, [])):
        by_app.setdefault(app, []).append(
            # The row must be the committed one: after a rolled-back savepoint its id may have
            # gone to another message.
            (
                OutboxMessage.id == outbox_id,
                OutboxMessage.recipient == recipient,
                OutboxMessage.subject == subject,
                OutboxMessage.status == "queued",
            )
        )
    for app, targets in by_app.items():
        if len(targets) > INLINE_LIMIT and _schedule_send(app, countdown=0):
            continue  # a worker sends them; the response does not wait
        try:
            outcome = deliver(app, targets, DEFAULT_BACKOFF)
        except Exception:  # the commit is done; what was not sent stays queued for send-pending
            log.exception("Could not send the mail of this transaction; it stays queued")
            continue
        if outcome.failed:
            _schedule_retry(app)


def _schedule_retry(app: Flask) -> None:
    """With Celery, a worker tries the failed messages again once their wait is over (without,
    ``lms mail send-pending`` from cron does)."""
    _schedule_send(app, countdown=retry_delay(1, DEFAULT_BACKOFF).total_seconds() + 1)


def _schedule_send(app: Flask, countdown: float) -> bool:
    """Ask a Celery worker to send the queued mail; False without Celery or its broker."""
    if not uses_celery(app):
        return False
    try:
        app.extensions["lms"].send_task(app, "lms.mail.send_pending", countdown=countdown)
    except Exception:  # the broker is away: the messages stay queued all the same
        log.exception("Could not ask a worker to send the mail")
        return False
    return True


@event.listens_for(LMSSession, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback forgets the queue. After a savepoint's, the list stays: after the
    # real commit, only the messages whose rows were committed are claimed and sent.
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
