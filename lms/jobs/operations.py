"""Verbs on jobs: start, cancel, resume. They flush and audit, never commit.

A job is handed to its runner only once the caller's transaction commits (the runner must see
the job's row, and a rolled-back request must start nothing): the hand-over waits in the
session, like outgoing e-mail.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db, utcnow
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput

from . import runner
from .models import ACTIVE_STATUSES, Job
from .registry import get_kind

log = logging.getLogger("lms.jobs")
PENDING_KEY = "lms_jobs_to_dispatch"


def start_job(kind_name: str, params: dict[str, Any], actor=None) -> Job:
    """Record a new job (checked by its kind) and hand it to a runner after the commit."""
    kind = get_kind(kind_name)
    if not isinstance(params, dict):
        raise InvalidInput(_("The parameters of a job must be a mapping."))
    subject = kind.prepare(params)
    job = Job(
        kind=kind.name,
        params=params,
        subject=subject[:300],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(job)
    db.session.flush()
    record(actor, "job.started", "job", job.id, kind=kind.name, subject=job.subject)
    dispatch_after_commit(job.id)
    return job


def request_cancel(actor, job: Job) -> Job:
    """Ask the job to stop: its runner stops between two items; what is done stays done."""
    if job.status not in ACTIVE_STATUSES:
        raise Conflict(_("This job has already ended."))
    db.session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(cancel_requested=True)
        .execution_options(synchronize_session=False)
    )
    if job.status == "queued":
        # Nothing is running it yet (or it never reached a runner): it ends now.
        db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == "queued")
            .values(status="cancelled", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(job)
    record(actor, "job.cancelled", "job", job.id)
    return job


def claim_stale(job_id: int | None = None) -> list[int]:
    """Claim the active jobs that showed no sign of life lately (all, or one), so that exactly
    one caller resumes each: the claim moves the heartbeat, and only one UPDATE can do that."""
    threshold = runner.stale_before()
    last_sign = func.coalesce(Job.heartbeat_at, Job.created_at)
    statement = select(Job.id).where(
        Job.status.in_(ACTIVE_STATUSES), Job.cancel_requested.is_(False), last_sign < threshold
    )
    if job_id is not None:
        statement = statement.where(Job.id == job_id)
    claimed = []
    for candidate in db.session.scalars(statement.order_by(Job.id)).all():
        result = db.session.execute(
            update(Job)
            .where(Job.id == candidate, last_sign < threshold)
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(candidate)
    return claimed


def resume_stale_jobs(actor=None) -> list[int]:
    """Resume every abandoned job (a killed worker, a restarted server); ids of those resumed."""
    claimed = claim_stale()
    for job_id in claimed:
        record(actor, "job.resumed", "job", job_id)
        dispatch_after_commit(job_id)
    return claimed


def resume_job(actor, job: Job) -> Job:
    """Resume one job by hand, if it is indeed abandoned (else it is still running: 409)."""
    if job.status not in ACTIVE_STATUSES:
        raise Conflict(_("This job has already ended."))
    if not claim_stale(job.id):
        raise Conflict(_("This job is still making progress; there is nothing to resume."))
    record(actor, "job.resumed", "job", job.id)
    dispatch_after_commit(job.id)
    db.session.refresh(job)
    return job


# -- hand-over after commit ---------------------------------------------------------------------


def dispatch_after_commit(job_id: int) -> None:
    db.session.info.setdefault(PENDING_KEY, []).append((current_app._get_current_object(), job_id))


def _dispatch(app: Flask, job_id: int) -> None:
    try:
        runner.dispatch(app, job_id)
    except Exception:  # e.g. the broker is down: the job waits, and can be resumed later
        log.exception("Could not hand job %s to a runner; resume it with `lms jobs resume`", job_id)


@event.listens_for(LMSSession, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released (SQLAlchemy 2.1 says so too): wait for the real commit
    for app, job_id in session.info.pop(PENDING_KEY, []):
        _dispatch(app, job_id)


@event.listens_for(LMSSession, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback undoes the job's row; a savepoint's does not.
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
