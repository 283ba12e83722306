"""Sending e-mail: every message is kept in the outbox table; it goes out over SMTP only after the
request's transaction commits (so a rolled-back action never mails anyone). Without SMTP
configured the outbox is the dev inbox an administrator can read, and the message is logged."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from curriculum.db import db, utcnow

from .models import OutboxMessage

log = logging.getLogger("lms.mail")
PENDING_KEY = "lms_mail_pending"


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    log.info("Mail to %s: %s", recipient, subject)
    if current_app.config["LMS_SMTP_HOST"]:
        pending = db.session.info.setdefault(PENDING_KEY, [])
        pending.append((current_app._get_current_object(), message.id, recipient, subject))
    return message


def _claim(app, outbox_id: int, recipient: str, subject: str) -> OutboxMessage | None:
    """Mark the committed, unsent message as sent (so no other process sends it too); None if it
    was rolled back (e.g. with a savepoint) or is already taken."""
    with app.app_context(), db.engine.begin() as connection:
        claimed = connection.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == outbox_id,
                OutboxMessage.recipient == recipient,
                OutboxMessage.subject == subject,
                OutboxMessage.sent_at.is_(None),
            )
            .values(sent_at=utcnow())
            .returning(OutboxMessage.body)
        ).first()
    return claimed


def _deliver(app, outbox_id: int, recipient: str, subject: str) -> None:
    claimed = _claim(app, outbox_id, recipient, subject)
    if claimed is None:
        return
    config = app.config
    email = EmailMessage()
    email["From"] = config["LMS_MAIL_SENDER"]
    email["To"] = recipient
    email["Subject"] = subject
    email.set_content(claimed.body)
    try:
        with smtplib.SMTP(config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=20) as smtp:
            if config["LMS_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["LMS_SMTP_USERNAME"]:
                smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"] or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        log.error("Could not send mail %s to %s: %s", outbox_id, recipient, error)
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(sent_at=None, error=str(error)[:1000])
            )


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: wait for the real commit
    for app, outbox_id, recipient, subject in dict.fromkeys(session.info.pop(PENDING_KEY, [])):
        _deliver(app, outbox_id, recipient, subject)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback forgets the queue. After a savepoint's, the list stays: after the
    # real commit, only the messages whose rows were committed are claimed and sent.
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
