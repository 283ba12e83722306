"""The administrators' verbs on the xAPI outbox: send the queue now, put failed or refused
statements back in the queue. Both hand the sending to the sender (a Celery task, else a
background thread) after the request commits: a request never talks to the LRS itself."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from curriculum.db import db
from lms.audit.operations import record
from lms.errors import Conflict, NotFound

from .models import RESENDABLE, XapiSender, XapiStatement
from .outbox import enabled, wake_after_commit


def _require_lrs() -> None:
    if not enabled():
        raise Conflict(_("No learning record store is set up (LMS_XAPI_ENDPOINT): nothing can "
                         "be sent."))  # fmt: skip


def _end_backoff() -> None:
    db.session.execute(update(XapiSender).where(XapiSender.id == 1).values(not_before=None))


def send_now(actor) -> None:
    """Wake the sender now, even while it waits after a failure of the LRS."""
    _require_lrs()
    _end_backoff()
    record(actor, "xapi.send_now", "xapi_outbox", "queue")
    wake_after_commit()


def retry(actor, statement_id: int | None = None) -> int:
    """Queue again the failed and refused statements (or only the one with ``statement_id``,
    the outbox row's id) and wake the sender; how many were queued again."""
    query = update(XapiStatement).where(XapiStatement.status.in_(RESENDABLE))
    if statement_id is not None:
        query = query.where(XapiStatement.id == statement_id)
    count = db.session.execute(query.values(status="queued")).rowcount
    if statement_id is not None and not count:
        raise NotFound(_("This statement is not waiting to be sent again."))
    record(actor, "xapi.retry", "xapi_outbox", statement_id or "all", count=count)
    if enabled():
        _end_backoff()
        wake_after_commit()
    return count
