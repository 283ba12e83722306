"""Jobs on real Celery workers (a subprocess each) against the local Redis, on the test database.

Skipped without ``LMS_TEST_REDIS_URL`` (``.ci/run`` sets it). Each test has a queue of its own,
so parallel test runs never take each other's tasks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certificates.models import Certificate
from curriculum.db import db
from lms.jobs.operations import start_job
from tests.waiting import wait_for

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs LMS_TEST_REDIS_URL (a Redis for Celery)"
)
STALE_AFTER = 3
BATCH = 4


@pytest.fixture
def queue() -> str:
    return f"lms-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app_config(app_config, queue):
    return {
        **app_config,
        "LMS_CELERY_BROKER_URL": REDIS_URL,
        "LMS_CELERY_QUEUE": queue,
        "LMS_JOBS_BATCH_SIZE": BATCH,
        "LMS_JOBS_STALE_AFTER": STALE_AFTER,
    }


@pytest.fixture
def start_worker(app, queue, tmp_path, database_url_for_tests):
    """``start_worker()`` → a running ``lms worker`` process on the test's queue and database."""
    started: list[subprocess.Popen] = []
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests,
        "LMS_INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_PUBLIC_URL": app.config["LMS_PUBLIC_URL"],
        "LMS_CELERY_BROKER_URL": REDIS_URL,
        "LMS_CELERY_QUEUE": queue,
        "LMS_JOBS_BATCH_SIZE": str(BATCH),
        "LMS_JOBS_STALE_AFTER": str(STALE_AFTER),
    }

    def start() -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(started)}.log"
        command = [
            str(Path(sys.executable).with_name("lms")),
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={queue}-{len(started)}@%h",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the worker did not start:\n" + log_path.read_text(errors="replace")
                )
            time.sleep(0.1)
        return process

    yield start
    for process in started:
        kill(process)
    _forget_queue(queue)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started, as a machine crash would."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _forget_queue(queue: str) -> None:
    """Leave the shared Redis as we found it: our queue, and messages a killed worker held."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue)
    for tag, payload in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


def _certificates_per_enrolment() -> dict[int, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(Certificate.enrolment_id, func.count()).group_by(Certificate.enrolment_id)
    )
    return dict(rows.all())


def test_a_worker_issues_a_cohorts_certificates(app, admin, make_cohort, start_worker):
    cohort, enrolments = make_cohort(completed=6, failing=1)
    start_worker()
    job = start_job("certificates.issue", {"cohort_id": cohort.id}, admin)
    db.session.commit()
    job = wait_for(job.id, timeout=90)
    assert (job.status, job.done, job.skipped, job.failed) == ("done", 6, 1, 0)
    assert _certificates_per_enrolment() == {e.id: 1 for e in enrolments[:6]}
    certificate = db.session.scalar(select(Certificate))
    assert certificate.snapshot["verify_url"] == f"http://lms.test/verify/{certificate.serial}"


def test_a_worker_killed_mid_job_and_another_started_finish_with_one_certificate_each(
    app, admin, make_cohort, start_worker
):
    cohort, enrolments = make_cohort(completed=32)
    first = start_worker()
    job = start_job("certificates.issue", {"cohort_id": cohort.id}, admin)
    db.session.commit()
    deadline = time.monotonic() + 90
    while wait_for_progress(job.id) < 2 * BATCH:
        assert time.monotonic() < deadline, "the first worker made no progress"
        time.sleep(0.02)
    kill(first)
    halfway = wait_for_progress(job.id)
    assert 0 < halfway < len(enrolments), "the worker was killed after the end: nothing was tested"

    start_worker()
    job = wait_for(job.id, timeout=120)
    assert (job.status, job.done, job.failed, job.skipped) == ("done", len(enrolments), 0, 0)
    assert _certificates_per_enrolment() == {e.id: 1 for e in enrolments}


def wait_for_progress(job_id: int) -> int:
    from lms.jobs.models import Job

    db.session.rollback()
    return db.session.get(Job, job_id, populate_existing=True).done
