"""The administrators' verbs on the push outbox: send what is due now, put failed or refused
notifications back in the queue (a fresh set of attempts). Both hand the sending to the sender
(a Celery task, else a background thread) after the request commits: a request never talks to a
push service itself."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from curriculum.db import db
from lms.audit.operations import record
from lms.errors import NotFound
from lms.jobs import senders

from ..models import RESENDABLE, PushMessage
from ..outbox import PENDING_KEY


def send_now(actor) -> None:
    """Wake the sender now: the queued ones, and the failed ones whose wait is over."""
    record(actor, "push.send_now", "push_outbox", "queue")
    senders.wake_after_commit(PENDING_KEY)


def retry(actor, message_id: int | None = None) -> int:
    """Queue again the failed and refused notifications (or only the one with ``message_id``),
    at once and with all their attempts, and wake the sender; how many were queued again."""
    query = update(PushMessage).where(
        PushMessage.status.in_(RESENDABLE), PushMessage.subscription_id.is_not(None)
    )
    if message_id is not None:
        query = query.where(PushMessage.id == message_id)
    count = db.session.execute(
        query.values(status="queued", attempts=0, next_attempt_at=None)
    ).rowcount
    if message_id is not None and not count:
        raise NotFound(_("This notification is not waiting to be sent again."))
    record(actor, "push.retry", "push_outbox", message_id or "all", count=count)
    if count:
        senders.wake_after_commit(PENDING_KEY)
    return count
