"""Read side of jobs: the list, one job's progress (page and JSON), its failed items."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from curriculum.db import db
from lms.access import authorized

from . import runner
from .models import ACTIVE_STATUSES, Job, JobItem
from .registry import kind_title

#: failed and skipped items listed on a job's page
ITEMS_SHOWN = 50


def jobs_page(page: int = 1, per_page: int = 25):
    statement = (
        select(Job)
        .options(joinedload(Job.created_by))
        .order_by(Job.created_at.desc(), Job.id.desc())
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def get_job(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def managed_job(job_id: int, user) -> Job:
    """The job (404 if none), for whoever may follow it (403 otherwise)."""
    return authorized(get_job(job_id), "can_manage", user)


def fresh(job: Job) -> Job:
    """The job as committed now (another thread or machine updates it)."""
    db.session.refresh(job)
    return job


def is_stale(job: Job) -> bool:
    """Active, yet no runner showed a sign of life lately: it can be resumed."""
    last_sign = job.heartbeat_at or job.created_at
    return (
        job.status in ACTIVE_STATUSES
        and not job.cancel_requested
        and last_sign < runner.stale_before()
    )


def items_with_status(job: Job, status: str, limit: int = ITEMS_SHOWN) -> list[JobItem]:
    return list(
        db.session.scalars(
            select(JobItem)
            .where(JobItem.job_id == job.id, JobItem.status == status)
            .order_by(JobItem.id)
            .limit(limit)
        )
    )


def progress(job: Job) -> dict[str, Any]:
    """What the progress page shows, for its script (``/admin/jobs/<id>.json``)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "title": kind_title(job.kind),
        "subject": job.subject,
        "status": job.status,
        "finished": job.finished,
        "cancel_requested": job.cancel_requested,
        "stale": is_stale(job),
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "skipped": job.skipped,
        "processed": job.processed,
        "percent": job.percent,
        "error": job.error,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
        "url": url_for("lms_jobs.detail", job_id=job.id),
    }


def recent_jobs(kind_prefix: str = "", limit: int = 5) -> list[Job]:
    statement = select(Job).order_by(Job.id.desc()).limit(limit)
    if kind_prefix:
        statement = statement.where(Job.kind.startswith(kind_prefix, autoescape=True))
    return list(db.session.scalars(statement))
