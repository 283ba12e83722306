"""Waiting for work another thread or process does (a job's runner)."""

from __future__ import annotations

import time

from curriculum.db import db
from lms.jobs.models import Job


def wait_for(job_id: int, timeout: float = 60) -> Job:
    """The job once it has ended (its runner is another thread or process)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        if job.finished:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(
                f"job {job_id} still {job.status} after {timeout}s: {job.processed}/{job.total}"
            )
        time.sleep(0.05)
