"""A real Celery worker (``lms worker``, a subprocess) with a real Redis delivers the queued
statements to Ralph: the commit that queues them sends the task, the worker sends them.
Skipped without ``LMS_TEST_REDIS_URL``; the test has a queue of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.learning import operations
from lms.records.models import XapiStatement

from .ralph import PASSWORD, USERNAME

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs LMS_TEST_REDIS_URL")
QUEUE = f"lms-test-xapi-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_CELERY_BROKER_URL": REDIS_URL, "LMS_CELERY_QUEUE": QUEUE}


@pytest.fixture
def worker(app, ralph, tmp_path, database_url_for_tests):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests,
        "LMS_INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_PUBLIC_URL": app.config["LMS_PUBLIC_URL"],
        "LMS_CELERY_BROKER_URL": REDIS_URL,
        "LMS_CELERY_QUEUE": QUEUE,
        "LMS_XAPI_ENDPOINT": ralph.endpoint,
        "LMS_XAPI_USERNAME": USERNAME,
        "LMS_XAPI_PASSWORD": PASSWORD,
    }
    log_path = tmp_path / "worker.log"
    command = [str(Path(sys.executable).with_name("lms")), "worker", "--pool=solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               f"--hostname={QUEUE}@%h"]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while b" ready." not in log_path.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    import redis

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)


def test_a_worker_delivers_the_queue_to_ralph(app, ralph, worker, make_user, make_course):
    course = make_course()
    enrolment = operations.enrol(make_user(), course)
    db.session.commit()  # the commit hands the task to the worker
    deadline = time.monotonic() + 60
    while True:
        db.session.rollback()
        sent = db.session.scalar(select(func.count()).where(XapiStatement.status == "sent"))
        if sent == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sent == 1
    stored = ralph.get(registration=enrolment.uuid)
    assert [s["verb"]["display"]["en-US"] for s in stored] == ["registered"]
