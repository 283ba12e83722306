"""Celery: the job functions on workers, as many as wanted, on any machines.

Start workers with ``lms worker`` or ``celery -A lms.jobs.worker worker``; both build the
standalone app from the environment (``DATABASE_URL``, ``LMS_CELERY_BROKER_URL``, ``SECRET_KEY``,
``LMS_KEY_FOLDER``...). A host app that mounts the LMS builds its worker with
:func:`worker_celery` on its own Flask app.

Delivery: a job is planned by one task, then its items travel in chunks (``LMS_JOBS_BATCH_SIZE``
per task). Tasks are acknowledged only once done (``acks_late``) and handed back to the broker if
their worker dies (``reject_on_worker_lost``), so a killed worker's chunk runs again elsewhere;
the items already done in it are recognised and skipped. Each worker also watches for jobs with
a stale heartbeat (a worker killed together with its messages) and resumes them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from flask import Flask
from sqlalchemy.exc import OperationalError

from curriculum.db import db
from lms.errors import ConfigError
from lms.lti.grades import register_tasks as register_lti_tasks
from lms.mail.tasks import register_tasks as register_mail_tasks
from lms.push.tasks import register_tasks as register_push_tasks
from lms.records.tasks import register_tasks as register_records_tasks

from . import runner
from .operations import resume_stale_jobs

log = logging.getLogger("lms.jobs")
STATE_KEY = "celery"
MAX_CHILD_MEMORY_KB = 300_000


def make_celery(flask_app: Flask) -> Celery:
    """A Celery app bound to ``flask_app``, with the job tasks (enough to send them, too)."""
    config = flask_app.config
    celery = Celery(
        flask_app.import_name, broker=config["LMS_CELERY_BROKER_URL"], set_as_current=False
    )
    celery.conf.update(
        task_default_queue=config["LMS_CELERY_QUEUE"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        # A pool process that has grown past this (in KB) is replaced once its task is done.
        worker_max_memory_per_child=MAX_CHILD_MEMORY_KB,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    _register_tasks(celery, flask_app)
    flask_app.extensions["lms"].extra[STATE_KEY] = celery
    return celery


def celery_for(flask_app: Flask) -> Celery:
    """The app's Celery (made on first use: a web process only sends tasks)."""
    celery = flask_app.extensions["lms"].extra.get(STATE_KEY)
    return celery if celery is not None else make_celery(flask_app)


#: Every task of the LMS: retried while the database is away; bound to its own Celery app only
#: (not "shared", which would hand it to every Celery app of the process, e.g. two Flask apps').
TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 8,
    "shared": False,
}


def _register_tasks(celery: Celery, flask_app: Flask) -> None:
    retry = TASK_OPTIONS

    @celery.task(name="lms.jobs.plan", **retry)
    def plan(job_id: int) -> None:
        with runner.work_context(flask_app):
            if not runner.plan(job_id):
                return
            keys = runner.pending_keys(job_id)
            db.session.rollback()
        size = flask_app.config["LMS_JOBS_BATCH_SIZE"]
        for start in range(0, len(keys), size):
            chunk.apply_async(args=[job_id, keys[start : start + size]])

    @celery.task(name="lms.jobs.chunk", **retry)
    def chunk(job_id: int, keys: list[str]) -> None:
        with runner.work_context(flask_app):
            runner.run_batch(job_id, keys)
            runner.finish_if_complete(job_id)

    register_mail_tasks(celery, flask_app, TASK_OPTIONS)
    register_records_tasks(celery, flask_app, TASK_OPTIONS)
    register_push_tasks(celery, flask_app, TASK_OPTIONS)
    register_lti_tasks(celery, flask_app, TASK_OPTIONS)


# -- the worker process -------------------------------------------------------------------------


def worker_celery(flask_app: Flask) -> Celery:
    """The Celery app of a worker process: tasks, plus the resume-on-start and the watchdog."""
    if not flask_app.config.get("LMS_CELERY_BROKER_URL"):
        raise ConfigError(
            "Set LMS_CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker"
        )
    celery = make_celery(flask_app)
    watchdog = _Watchdog(flask_app)

    def dispose_inherited_connections(**_kwargs) -> None:
        # A forked pool process must not share its parent's database connections.
        with flask_app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)

    worker_process_init.connect(dispose_inherited_connections, weak=False)
    worker_ready.connect(lambda **_kwargs: watchdog.start(), weak=False)
    worker_shutdown.connect(lambda **_kwargs: watchdog.stop(), weak=False)
    return celery


class _Watchdog:
    """Resumes abandoned jobs: at start, then every half ``LMS_JOBS_STALE_AFTER``. Several
    workers may watch at once; claiming a job is atomic, so exactly one resumes it."""

    def __init__(self, flask_app: Flask):
        self.flask_app = flask_app
        self.stopped = threading.Event()

    def start(self) -> None:
        self.check()
        threading.Thread(target=self.loop, name="lms-jobs-watchdog", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()

    def loop(self) -> None:
        interval = max(1.0, self.flask_app.config["LMS_JOBS_STALE_AFTER"] / 2)
        while not self.stopped.wait(interval):
            self.check()

    def check(self) -> None:
        try:
            with runner.work_context(self.flask_app):
                resumed = resume_stale_jobs()
                db.session.commit()
            if resumed:
                log.warning("Resumed abandoned jobs %s", ", ".join(map(str, resumed)))
        except Exception:  # the database may be briefly away; the next round tries again
            log.exception("Could not check for abandoned jobs")
