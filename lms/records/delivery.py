"""Sending the outbox to the LRS: batched POSTs to ``LMS_XAPI_ENDPOINT``/statements, oldest
first, by one sender at a time (a lease row), so each learner's statements arrive in order.

What the LRS answers decides each statement's state. 200 or 204 (204: it already held every
statement of the batch, e.g. after a retry whose answer was lost): sent. A batch refused as a
whole (400, or 422 as Ralph answers a statement its schema refuses: one invalid statement; 409:
one id already held with other content) is sent again one statement at a time: then 409 means
the LRS has that statement (our ids are stable), so it is sent, with a note; 400/422 means it is
invalid: rejected, with the LRS's reason. Anything else
(the LRS down, 5xx, 401) stops the round: the whole queue waits, with a backoff that doubles,
and nothing is lost or reordered; the next round sends the same ids again.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select, update

from curriculum.db import db, utcnow

from .models import PENDING_STATUSES, XapiSender, XapiStatement

log = logging.getLogger("lms.records")
TIMEOUT = 30
LEASE = timedelta(minutes=5)
DEFAULT_BACKOFF = 30.0
MAX_BACKOFF = 3600.0
ERROR_LENGTH = 1000
#: what an LRS answers a statement it refuses as invalid (xAPI says 400; Ralph, on FastAPI, 422)
INVALID = (400, 422)


class LRSUnavailable(Exception):
    """The LRS could not take the batch now (down, 5xx, refused credentials): try again later."""


@dataclass
class Outcome:
    sent: int = 0
    rejected: int = 0
    #: the LRS failed: what it said (the queue waits)
    unavailable: str | None = None
    #: another sender holds the lease, or the backoff is not over
    skipped: bool = False


def post(config, statements: list[dict]) -> tuple[int, str]:
    """POST ``statements`` to the LRS; its status and body. Network trouble raises
    ``LRSUnavailable``."""
    url = config["LMS_XAPI_ENDPOINT"].rstrip("/") + "/statements"
    if not url.startswith(("https://", "http://")):
        raise LRSUnavailable(f"LMS_XAPI_ENDPOINT must be an http(s) URL, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(statements, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
    )
    if config["LMS_XAPI_USERNAME"]:
        pair = f"{config['LMS_XAPI_USERNAME']}:{config['LMS_XAPI_PASSWORD'] or ''}"
        request.add_header("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (TimeoutError, OSError) as error:
        raise LRSUnavailable(f"{type(error).__name__}: {error}") from error


def _acquire(holder: str) -> bool:
    now = utcnow()
    with db.engine.connect() as connection:
        exists = connection.scalar(select(XapiSender.id).where(XapiSender.id == 1)) is not None
    if not exists:
        try:
            with db.engine.begin() as connection:
                connection.execute(XapiSender.__table__.insert().values(id=1, failures=0))
        except Exception:  # another sender created it first
            log.debug("The sender's row was created by another sender")
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(XapiSender)
            .where(
                XapiSender.id == 1,
                or_(XapiSender.lease_until.is_(None), XapiSender.lease_until < now),
                or_(XapiSender.not_before.is_(None), XapiSender.not_before <= now),
            )
            .values(holder=holder, lease_until=now + LEASE)
        )
        return claimed.rowcount == 1


def _release(holder: str, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(XapiSender)
            .where(XapiSender.id == 1, XapiSender.holder == holder)
            .values(holder=None, lease_until=None, **values)
        )


def send_pending(
    app: Flask, batch_size: int | None = None, backoff: float | None = None
) -> Outcome:
    """Send the queue, oldest first, in batches, until it is empty or the LRS fails (the first
    wait after a failure: ``backoff``, by default ``LMS_XAPI_BACKOFF_SECONDS``)."""
    outcome = Outcome()
    with app.app_context():
        if backoff is None:
            backoff = float(app.config.get("LMS_XAPI_BACKOFF_SECONDS", DEFAULT_BACKOFF))
        if not app.config.get("LMS_XAPI_ENDPOINT"):
            log.warning("No LRS is configured (LMS_XAPI_ENDPOINT): no statement sent")
            return outcome
        size = batch_size or app.config["LMS_XAPI_BATCH_SIZE"]
        holder = f"{socket.gethostname()}:{os.getpid()}:{id(outcome)}"
        if not _acquire(holder):
            outcome.skipped = True
            return outcome
        try:
            while True:
                batch = _next_batch(size)
                if not batch:
                    break
                _send_batch(app.config, batch, outcome)
                _renew(holder)
        except LRSUnavailable as error:
            outcome.unavailable = str(error)[:ERROR_LENGTH]
            _record_unavailable(batch, outcome.unavailable)
            failures = _failures() + 1
            wait = min(backoff * 2 ** (failures - 1), MAX_BACKOFF)
            log.warning("The LRS failed (%s); trying again in %.0f s", error, wait)
            _release(holder, failures=failures, last_error=outcome.unavailable,
                     not_before=utcnow() + timedelta(seconds=wait))  # fmt: skip
            return outcome
        except BaseException:
            _release(holder)
            raise
        _release(holder, failures=0, last_error=None, not_before=None)
    return outcome


def seconds_to_next_try(app: Flask) -> float | None:
    """When statements wait and the sender may not send them now (the backoff after a failure,
    or another sender's lease): the seconds until it may; None when nothing waits for that."""
    with app.app_context(), db.engine.connect() as connection:
        sender = connection.execute(
            select(XapiSender.not_before, XapiSender.lease_until).where(XapiSender.id == 1)
        ).first()
        if sender is None:
            return None
        waiting = connection.scalar(
            select(XapiStatement.id).where(XapiStatement.status.in_(PENDING_STATUSES)).limit(1)
        )
    if waiting is None:
        return None
    now = utcnow()
    until = max((moment for moment in sender if moment is not None and moment > now), default=None)
    return (until - now).total_seconds() if until is not None else None


def _renew(holder: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(XapiSender)
            .where(XapiSender.id == 1, XapiSender.holder == holder)
            .values(lease_until=utcnow() + LEASE)
        )


def _failures() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(XapiSender.failures).where(XapiSender.id == 1)) or 0


def _next_batch(size: int) -> list[tuple[int, dict]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(XapiStatement.id, XapiStatement.statement)
            .where(XapiStatement.status.in_(PENDING_STATUSES))
            .order_by(XapiStatement.id)
            .limit(size)
        ).all()
    return [(row.id, row.statement) for row in rows]


def _send_batch(config, batch: list[tuple[int, dict]], outcome: Outcome) -> None:
    status, body = post(config, [statement for _id, statement in batch])
    if status in (200, 204):
        _mark([row_id for row_id, _ in batch], status="sent")
        outcome.sent += len(batch)
        return
    if status not in (*INVALID, 409):
        raise LRSUnavailable(f"HTTP {status}: {body[:300]}")
    # One statement spoils the batch: find it, one at a time.
    for row_id, statement in batch:
        status, body = post(config, [statement])
        if status in (200, 204):
            _mark([row_id], status="sent")
            outcome.sent += 1
        elif status == 409:
            note = "The LRS already held a statement with this id: " + body[:300]
            _mark([row_id], status="sent", error=note)
            outcome.sent += 1
        elif status in INVALID:
            _mark([row_id], status="rejected", error=f"HTTP {status}: {body[: ERROR_LENGTH - 10]}")
            outcome.rejected += 1
        else:
            raise LRSUnavailable(f"HTTP {status}: {body[:300]}")


def _mark(ids: list[int], status: str, error: str | None = None) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(XapiStatement)
            .where(XapiStatement.id.in_(ids))
            .values(
                status=status,
                error=error,
                attempts=XapiStatement.attempts + 1,
                sent_at=utcnow() if status == "sent" else None,
            )
        )


def _record_unavailable(batch: list[tuple[int, dict]] | None, error: str) -> None:
    if not batch:
        return
    with db.engine.begin() as connection:
        connection.execute(
            update(XapiStatement)
            .where(XapiStatement.id.in_([row_id for row_id, _ in batch]))
            .where(XapiStatement.status.in_(PENDING_STATUSES))
            .values(status="failed", error=error, attempts=XapiStatement.attempts + 1)
        )
