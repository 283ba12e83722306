"""Sending e-mail: every message is kept in the outbox table; it goes out over SMTP only after the
request's transaction commits (so a rolled-back action never mails anyone), all of a request's
messages over one connection. A message that could not be sent stays queued with its error, and
``lms mail send-pending`` (or the Celery task ``lms.mail.send_pending``) tries it again later.
Without SMTP configured the outbox is the dev inbox an administrator can read, and the message is
logged."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from curriculum.db import db

from .delivery import DEFAULT_BACKOFF, deliver, one_line, retry_delay
from .models import OutboxMessage

log = logging.getLogger("lms.mail")
PENDING_KEY = "lms_mail_pending"
SUBJECT_LENGTH = 255


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Keep a message for ``recipient``; with SMTP configured, it leaves after the commit. The
    subject is put on one line (a line break cannot go in a mail header)."""
    subject = one_line(subject)[:SUBJECT_LENGTH]
    recipient = recipient.strip()
    smtp = bool(current_app.config["LMS_SMTP_HOST"])
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, status="queued" if smtp else "logged"
    )
    db.session.add(message)
    db.session.flush()
    log.info("Mail to %s: %s", recipient, subject)
    if smtp:
        pending = db.session.info.setdefault(PENDING_KEY, [])
        pending.append((current_app._get_current_object(), message.id, recipient, subject))
    return message


@event.listens_for(Session, "after_commit")
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
    from lms.jobs.runner import uses_celery

    if not uses_celery(app):
        return
    try:
        from lms.jobs.celery_app import celery_for

        celery_for(app).send_task(
            "lms.mail.send_pending",
            queue=app.config["LMS_CELERY_QUEUE"],
            countdown=retry_delay(1, DEFAULT_BACKOFF).total_seconds() + 1,
        )
    except Exception:  # the broker is away: the messages stay queued all the same
        log.exception("Could not schedule the retry of the failed mail")


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback forgets the queue. After a savepoint's, the list stays: after the
    # real commit, only the messages whose rows were committed are claimed and sent.
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
