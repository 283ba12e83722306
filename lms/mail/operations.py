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
    config = current_app.config
    if config["LMS_SMTP_HOST"]:
        pending = db.session.info.setdefault(PENDING_KEY, [])
        pending.append((current_app._get_current_object(), message.id, recipient, subject, body))
    return message


def _deliver(app, outbox_id: int, recipient: str, subject: str, body: str) -> None:
    config = app.config
    email = EmailMessage()
    email["From"] = config["LMS_MAIL_SENDER"]
    email["To"] = recipient
    email["Subject"] = subject
    email.set_content(body)
    try:
        with smtplib.SMTP(config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=20) as smtp:
            if config["LMS_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["LMS_SMTP_USERNAME"]:
                smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"] or "")
            smtp.send_message(email)
        values = {"sent_at": utcnow()}
    except (OSError, smtplib.SMTPException) as error:
        log.error("Could not send mail %s to %s: %s", outbox_id, recipient, error)
        values = {"error": str(error)[:1000]}
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(**values))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for app, outbox_id, recipient, subject, body in session.info.pop(PENDING_KEY, []):
        _deliver(app, outbox_id, recipient, subject, body)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
