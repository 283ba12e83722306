"""Running jobs: the same steps whether a thread of the web process or a Celery worker runs them.

These functions are the transaction boundary of background work (as a view is for a request):
each commits. The steps are

- :func:`plan` lists the job's items once (``JobItem`` rows) and marks the job running;
- :func:`run_batch` processes some of the pending items, each in its own savepoint, and commits
  their outcome together with the job's counters: an item leaves ``pending`` in the same
  transaction as its effect, so a crash loses nothing and repeats nothing;
- :func:`finish_if_complete` ends the job when no item is pending (or it was cancelled).

Before a batch, its items' attempt counters are committed on their own. A batch that finds
attempts already counted was interrupted before (a worker was killed): it then goes one item at a
time, and an item that stopped its runner :data:`MAX_ATTEMPTS` times is failed instead of being
tried forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from lms.config import uses_celery
from lms.errors import LMSError
from lms.users.models import User

from .models import ACTIVE_STATUSES, Job, JobItem
from .registry import SkipItem, get_kind

log = logging.getLogger("lms.jobs")

MAX_ATTEMPTS = 3
#: a heartbeat that makes a job resumable at once
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
#: failed items whose errors are copied onto the job when it ends
ERRORS_KEPT = 100
ERROR_LENGTH = 2000

_executor_lock = threading.Lock()
#: set when the process is stopping (e.g. Ctrl-C in the CLI): runners stop between items and
#: leave their job resumable
stopping = threading.Event()


# -- the steps ----------------------------------------------------------------------------------


def plan(job_id: int) -> bool:
    """List the items of a new job (once) and mark it running. False when there is nothing to run."""
    job = db.session.get(Job, job_id)
    if job is None or job.status not in ACTIVE_STATUSES:
        db.session.rollback()
        return False
    if job.cancel_requested:
        db.session.rollback()
        finish_if_complete(job_id)
        return False
    if not db.session.scalar(select(JobItem.id).where(JobItem.job_id == job_id).limit(1)):
        try:
            keys = list(dict.fromkeys(str(key) for key in get_kind(job.kind).list_keys(job.params)))
        except Exception as error:  # noqa: BLE001 — the job fails, with the reason shown on its page
            db.session.rollback()
            _fail_job(job_id, error)
            return False
        try:
            if keys:
                db.session.execute(
                    insert(JobItem),
                    [{"job_id": job_id, "key": key, "status": "pending"} for key in keys],
                )
            job.total = len(keys)
        except IntegrityError:  # another runner listed them at the same moment
            db.session.rollback()
            job = db.session.get(Job, job_id)
    now = utcnow()
    job.status = "running"
    job.started_at = job.started_at or now
    job.heartbeat_at = now
    db.session.commit()
    if not job.total:
        finish_if_complete(job_id)
        return False
    return True


def pending_keys(job_id: int, limit: int | None = None) -> list[str]:
    statement = (
        select(JobItem.key)
        .where(JobItem.job_id == job_id, JobItem.status == "pending")
        .order_by(JobItem.id)
    )
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def run_batch(job_id: int, keys: list[str]) -> bool:
    """Process the pending items among ``keys``. False when the job should not go on."""
    keys = [str(key) for key in keys]
    job_state = db.session.execute(
        select(Job.status, Job.cancel_requested).where(Job.id == job_id)
    ).one_or_none()
    if job_state is None or job_state.status not in ACTIVE_STATUSES or job_state.cancel_requested:
        db.session.rollback()
        return False
    retried = db.session.scalar(
        select(func.count())
        .select_from(JobItem)
        .where(
            JobItem.job_id == job_id,
            JobItem.key.in_(keys),
            JobItem.status == "pending",
            JobItem.attempts > 0,
        )
    )
    db.session.rollback()
    groups = [[key] for key in keys] if retried else [keys]
    return all(_run_group(job_id, group) for group in groups)  # stops at the first that says stop


def finish_if_complete(job_id: int) -> str | None:
    """End the job if it was cancelled or has no pending item; returns its final status, if ended."""
    job_state = db.session.execute(
        select(Job.status, Job.cancel_requested).where(Job.id == job_id)
    ).one_or_none()
    if job_state is None or job_state.status not in ACTIVE_STATUSES:
        db.session.rollback()
        return None
    if job_state.cancel_requested:
        status = "cancelled"
    elif db.session.scalar(
        select(JobItem.id).where(JobItem.job_id == job_id, JobItem.status == "pending").limit(1)
    ):
        db.session.rollback()
        return None
    else:
        status = "done"
    ended = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE_STATUSES))
        .values(status=status, finished_at=utcnow(), errors=_first_errors(job_id))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return status if ended.rowcount == 1 else None


# -- inside a batch -----------------------------------------------------------------------------


def _run_group(job_id: int, keys: list[str]) -> bool:
    # Counted and committed first: if this process dies while working, the count survives.
    db.session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.key.in_(keys), JobItem.status == "pending")
        .values(attempts=JobItem.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        # Take SQLite's write lock first (waiting for it if need be): a transaction that has read
        # and then writes fails at once if another connection wrote in between.
        _touch(job_id)
    job = db.session.get(Job, job_id)
    kind = get_kind(job.kind)
    counts = {"done": 0, "failed": 0, "skipped": 0}
    unreached: list[str] = []
    # The group's items, locked together (in id order: two runners given the same items wait for
    # each other instead of deadlocking), in one round trip rather than one per item.
    items = {
        item.key: item
        for item in db.session.scalars(
            select(JobItem)
            .where(JobItem.job_id == job_id, JobItem.key.in_(keys))
            .order_by(JobItem.id)
            .with_for_update()
        )
    }
    with _job_locale(job):
        for position, key in enumerate(keys):
            if stopping.is_set() or _cancel_requested(job_id):
                unreached = keys[position:]
                break
            item = items.get(key)
            if item is None or item.status != "pending":
                continue  # done by an earlier delivery of the same items
            status, error = _process(kind, job, item)
            item.status, item.error, item.finished_at = status, error, utcnow()
            counts[status] += 1
    if unreached:  # stopped before these: their attempt was not one
        db.session.execute(
            update(JobItem)
            .where(
                JobItem.job_id == job_id, JobItem.key.in_(unreached), JobItem.status == "pending"
            )
            .values(attempts=JobItem.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            done=Job.done + counts["done"],
            failed=Job.failed + counts["failed"],
            skipped=Job.skipped + counts["skipped"],
            heartbeat_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.expunge_all()  # keep a long job's memory flat
    return not unreached


def _process(kind, job: Job, item: JobItem) -> tuple[str, str | None]:
    if item.attempts > MAX_ATTEMPTS:
        return "failed", _(
            "Gave up: the work stopped %(n)d times while on this item.", n=item.attempts - 1
        )
    try:
        with db.session.begin_nested():
            kind.process(job, item.key)
    except SkipItem as reason:
        outcome = "skipped", _clip(str(reason))
    except LMSError as error:
        outcome = "failed", _clip(error.message or type(error).__name__)
    except Exception as error:  # noqa: BLE001 — one broken item must not stop the others
        log.exception("Job %s (%s): item %s failed", job.id, job.kind, item.key)
        outcome = "failed", _clip(f"{type(error).__name__}: {error}")
    else:
        return "done", None
    return outcome


def _cancel_requested(job_id: int) -> bool:
    return bool(db.session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def _touch(job_id: int) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _fail_job(job_id: int, error: Exception) -> None:
    if isinstance(error, LMSError):
        message = error.message
    else:
        log.error("Job %s could not list its items", job_id, exc_info=error)
        message = _(
            "The job could not list its items: %(error)s", error=f"{type(error).__name__}: {error}"
        )
    db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE_STATUSES))
        .values(status="failed", error=_clip(message), finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _first_errors(job_id: int) -> dict[str, str]:
    rows = db.session.execute(
        select(JobItem.key, JobItem.error)
        .where(JobItem.job_id == job_id, JobItem.status == "failed")
        .order_by(JobItem.id)
        .limit(ERRORS_KEPT)
    )
    return {key: error or "" for key, error in rows}


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


@contextmanager
def _job_locale(job: Job) -> Iterator[None]:
    """Messages kept on items (errors, reasons) in the language of whoever started the job."""
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    locale = (user.locale if user else None) or current_app.config["LMS_DEFAULT_LANGUAGE"]
    with force_locale(locale):
        yield


# -- where jobs run -----------------------------------------------------------------------------


@contextmanager
def work_context(app: Flask) -> Iterator[None]:
    """What job functions run in: the app, and a request context built from ``LMS_PUBLIC_URL``
    so that ``url_for`` (verify links, e-mail links) works outside a web request."""
    public = urlsplit(app.config.get("LMS_PUBLIC_URL") or "http://localhost")
    base_url = f"{public.scheme or 'http'}://{public.netloc or 'localhost'}"
    with app.app_context(), app.test_request_context("/", base_url=base_url):
        try:
            yield
        finally:
            db.session.remove()


def run_embedded(app: Flask, job_id: int) -> None:
    """Run a whole job in this process (the embedded default: a thread of the web process or
    the CLI), one batch after another. Anything unexpected leaves the job resumable."""
    with work_context(app):
        try:
            if not plan(job_id):
                return
            size = app.config["LMS_JOBS_BATCH_SIZE"]
            while not stopping.is_set():
                keys = pending_keys(job_id, size)
                if not keys or not run_batch(job_id, keys):
                    break
            finish_if_complete(job_id)
        except Exception:
            db.session.rollback()
            log.exception("Job %s stopped; it can be resumed (lms jobs resume)", job_id)
            raise


def executor(app: Flask) -> ThreadPoolExecutor:
    """The process's job threads (created on first use, so a web process that never runs a job
    starts none)."""
    state = app.extensions["lms"]
    with _executor_lock:
        if state.job_executor is None:
            state.job_executor = ThreadPoolExecutor(
                max_workers=app.config["LMS_JOBS_THREADS"], thread_name_prefix="lms-job"
            )
        return state.job_executor


def dispatch(app: Flask, job_id: int) -> Future | None:
    """Hand a job to whatever runs jobs here: Celery workers if a broker is set, else a thread."""
    if uses_celery(app):
        app.extensions["lms"].send_task(app, "lms.jobs.plan", args=[job_id])
        return None
    return executor(app).submit(run_embedded, app, job_id)


def release(job_id: int) -> None:
    """This process stops running the job (e.g. Ctrl-C): make it resumable at once rather than
    after ``LMS_JOBS_STALE_AFTER``."""
    db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE_STATUSES))
        .values(heartbeat_at=LONG_AGO)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def stale_before(app: Flask | None = None) -> datetime:
    """Jobs that showed no sign of life since this moment count as abandoned."""
    app = app or current_app
    return utcnow() - timedelta(seconds=app.config["LMS_JOBS_STALE_AFTER"])
