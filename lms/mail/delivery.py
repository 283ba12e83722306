"""SMTP delivery of the outbox: several messages over one connection, each attempt recorded on its
message (status, attempts, last error, when to try again), and the retry of the failed ones.

A message is claimed (status ``sending``, attempts + 1) in its own small transaction before it is
handed to the server, so two processes never send it both; if the sender dies, the claim is a
lease that runs out after ``LEASE`` and the message is tried again (at least once, rather than
never: an invited learner needs their set-password link).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask
from sqlalchemy import ColumnElement, Row, or_, select, update

from curriculum.db import db, utcnow

from .models import RETRYABLE_STATUSES, OutboxMessage

log = logging.getLogger("lms.mail")

SMTP_TIMEOUT = 20
DEFAULT_MAX_ATTEMPTS = 5
#: seconds before the first retry; the wait doubles with each failed attempt, up to MAX_BACKOFF
DEFAULT_BACKOFF = 60
MAX_BACKOFF = 6 * 3600
LEASE = timedelta(minutes=15)
ERROR_LENGTH = 1000


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and runs of spaces become one space (mail headers)."""
    return " ".join(text.split())


def retry_delay(attempts: int, backoff: float) -> timedelta:
    return timedelta(seconds=min(backoff * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


class SMTPConnection:
    """One SMTP session for a batch of messages, opened on the first message. If the server
    drops it, it is opened again and the message re-sent, once; a connection that cannot be
    (re)opened fails the rest of the batch at once rather than waiting for a timeout each."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.broken: Exception | None = None

    def send(self, email: EmailMessage) -> None:
        if self.broken is not None:
            raise self.broken
        if self.smtp is None:
            self._open()
        try:
            self.smtp.send_message(email)
        except OSError as error:
            if not _dropped(error):
                raise  # this message was refused; the connection is still good
            log.warning("The SMTP server dropped the connection (%s); reconnecting", error)
            self.close()
            self._open()
            try:
                self.smtp.send_message(email)
            except OSError as again:
                if _dropped(again):
                    self.broken = again
                    self.close()
                raise

    def _open(self) -> None:
        config = self.config
        try:
            smtp = smtplib.SMTP(
                config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=SMTP_TIMEOUT
            )
        except OSError as error:
            self.broken = error
            raise
        try:
            if config["LMS_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["LMS_SMTP_USERNAME"]:
                smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"] or "")
        except Exception as error:
            smtp.close()
            self.broken = error
            raise
        self.smtp = smtp

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def _dropped(error: OSError) -> bool:
    """The connection is gone (rather than this message refused: smtplib's errors are OSErrors)."""
    return isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
        error, smtplib.SMTPException
    )


def deliver(app: Flask, targets: Iterable[Sequence[ColumnElement]], backoff: float) -> Outcome:
    """Claim and send, over one connection, each message that matches one of ``targets`` (the
    conditions of one message each). Every failure is recorded on its message; none stops the
    others."""
    outcome = Outcome()
    with app.app_context():
        connection = SMTPConnection(app.config)
        try:
            for where in targets:
                message = _claim(where)
                if message is None:
                    continue
                try:
                    connection.send(_compose(app.config, message))
                except Exception as error:  # whatever it is, it belongs to this message only
                    outcome.failed += 1
                    _record_failure(message, error, backoff)
                else:
                    outcome.sent += 1
                    _record_sent(message)
        finally:
            connection.close()
    return outcome


def due_messages(max_attempts: int, now: datetime) -> ColumnElement:
    return (
        OutboxMessage.status.in_(RETRYABLE_STATUSES)
        & (OutboxMessage.attempts < max_attempts)
        & or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    )


def send_pending(
    app: Flask,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    limit: int | None = None,
) -> Outcome:
    """Send the queued messages and try again the failed ones whose wait is over, as long as they
    had fewer than ``max_attempts`` attempts. ``lms mail send-pending`` and the Celery task
    ``lms.mail.send_pending`` both call this."""
    if not app.config["LMS_SMTP_HOST"]:
        log.warning("SMTP is not configured (LMS_SMTP_HOST): no mail sent")
        return Outcome()
    with app.app_context(), db.engine.connect() as connection:
        ids = connection.scalars(
            select(OutboxMessage.id)
            .where(due_messages(max_attempts, utcnow()))
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    # Each claim checks again that the message is still due: another process may have taken it.
    targets = (
        (OutboxMessage.id == outbox_id, due_messages(max_attempts, utcnow())) for outbox_id in ids
    )
    return deliver(app, targets, backoff)


def _claim(where: Sequence[ColumnElement]) -> Row | None:
    now = utcnow()
    with db.engine.begin() as connection:
        return connection.execute(
            update(OutboxMessage)
            .where(*where)
            .values(
                status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.attempts,
            )
        ).first()


def _compose(config, message: Row) -> EmailMessage:
    email = EmailMessage()
    sender = config["LMS_MAIL_SENDER"]
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = one_line(message.subject)
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(" >") or None)
    email.set_content(message.body)
    return email


def _record_sent(message: Row) -> None:
    log.info("Sent mail %s to %s", message.id, message.recipient)
    with db.engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            # The text is not kept once the server has it: it may hold a personal link (a
            # password reset, an invitation) that nobody else, an administrator neither, should
            # be able to read in the outbox. Without SMTP the outbox is how mail is read.
            .values(status="sent", sent_at=utcnow(), next_attempt_at=None, error=None, body="")
        )


def _record_failure(message: Row, error: Exception, backoff: float) -> None:
    reason = describe(error)
    log.error(
        "Could not send mail %s to %s (attempt %s): %s",
        message.id,
        message.recipient,
        message.attempts,
        reason,
    )
    with db.engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(
                status="failed",
                error=reason[:ERROR_LENGTH],
                next_attempt_at=utcnow() + retry_delay(message.attempts, backoff),
            )
        )


def describe(error: Exception) -> str:
    """What an administrator reads in the outbox: the server's answer when there is one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [
            f"{recipient}: {_answer(code, text)}"
            for recipient, (code, text) in error.recipients.items()
        ]
        return "; ".join(answers) or "recipient refused"
    if isinstance(error, smtplib.SMTPResponseException):
        return _answer(error.smtp_code, error.smtp_error)
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {one_line(text)}"
