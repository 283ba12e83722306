"""``lms worker`` and ``lms jobs list|resume|cancel``; :func:`start_and_follow` for the commands
that start a job (``lms certificates issue --cohort ...``) and show its progress bar."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from curriculum.db import db
from lms.errors import LMSError

from . import operations, runner
from .models import Job
from .registry import kind_title

POLL_SECONDS = 0.3


def start_and_follow(kind: str, params: dict, wait: bool = True) -> Job:
    """Start a job from the command line; show its progress until it ends (unless ``wait`` is off)."""
    try:
        job = operations.start_job(kind, params, actor=None)
    except LMSError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()  # hands the job to its runner
    click.echo(f"Job {job.id}: {kind_title(job.kind)} — {job.subject}")
    return follow(job.id) if wait else job


def follow(job_id: int) -> Job:
    """A progress bar until the job ends. Ctrl-C stops following (and, when the job runs in this
    process, stops it between two items, resumable with ``lms jobs resume``)."""
    try:
        job = _wait_for_items(job_id)
        if not job.finished:
            with click.progressbar(
                length=max(job.total, 1), label="Progress", show_pos=True
            ) as bar:
                while not job.finished:
                    time.sleep(POLL_SECONDS)
                    job = _fresh(job_id)
                    bar.update(job.processed - bar.pos)
                bar.update(job.processed - bar.pos)
    except KeyboardInterrupt:
        _interrupted(job_id)
        raise click.Abort() from None
    _report(job)
    return job


def _wait_for_items(job_id: int) -> Job:
    job = _fresh(job_id)
    warned = False
    while job.status == "queued" and not job.finished:
        if not warned and runner.uses_celery(current_app):
            click.echo("Waiting for a worker (start one with `lms worker`)...")
            warned = True
        time.sleep(POLL_SECONDS)
        job = _fresh(job_id)
    return job


def _fresh(job_id: int) -> Job:
    db.session.rollback()  # a new snapshot: another thread or machine moves the job on
    return db.session.get(Job, job_id, populate_existing=True)


def _interrupted(job_id: int) -> None:
    if runner.uses_celery(current_app):
        click.echo(
            f"\nStopped following job {job_id}; the workers go on (see /admin/jobs/{job_id})."
        )
        return
    runner.stopping.set()
    state = current_app.extensions["lms"]
    if state.job_executor is not None:
        state.job_executor.shutdown(wait=True)
    runner.release(job_id)
    click.echo(
        f"\nJob {job_id} stopped after the item it was on; `lms jobs resume {job_id}` finishes it."
    )


def _report(job: Job) -> None:
    click.echo(
        f"Job {job.id} {job.status}: {job.done} done, {job.skipped} skipped, {job.failed} failed (of {job.total})."
    )
    if job.error:
        click.echo(f"Error: {job.error}", err=True)
    for key, error in list((job.errors or {}).items())[:20]:
        click.echo(f"  failed {key}: {error}", err=True)


# -- commands -----------------------------------------------------------------------------------


@click.group("jobs", help="Long work: list, resume, cancel.")
def jobs_group():
    pass


@jobs_group.command("list")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def list_jobs(limit: int) -> None:
    """The latest jobs, newest first."""
    for job in db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)):
        click.echo(
            f"{job.id:>6}  {job.status:<9}  {job.processed:>6}/{job.total:<6}  failed {job.failed:<4}  "
            f"{kind_title(job.kind)} — {job.subject}"
        )


@jobs_group.command("resume")
@click.argument("job_id", type=int, required=False)
@click.option("--no-wait", is_flag=True, help="Hand the jobs over and return.")
@with_appcontext
def resume(job_id: int | None, no_wait: bool) -> None:
    """Resume abandoned jobs (all, or JOB_ID): their pending items are done, nothing twice."""
    claimed = operations.claim_stale(job_id)
    for claimed_id in claimed:
        operations.dispatch_after_commit(claimed_id)
    db.session.commit()
    if not claimed:
        click.echo(
            "No abandoned job to resume."
            if job_id is None
            else f"Job {job_id} is not abandoned (or has ended)."
        )
        return
    click.echo(f"Resumed job(s) {', '.join(map(str, claimed))}.")
    if not no_wait:
        for claimed_id in claimed:
            follow(claimed_id)


@jobs_group.command("cancel")
@click.argument("job_id", type=int)
@with_appcontext
def cancel(job_id: int) -> None:
    """Ask a job to stop between two items."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise click.ClickException(f"No job {job_id}.")
    try:
        operations.request_cancel(None, job)
    except LMSError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Job {job_id}: cancel requested.")


@click.command(
    "worker",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
@with_appcontext
def worker(ctx: click.Context) -> None:
    """Run a Celery worker for the jobs (needs LMS_CELERY_BROKER_URL): one process, so start one
    per core (on as many machines as you like). Celery's own options pass through, e.g.
    `lms worker --pool=prefork --concurrency=2 --loglevel=INFO`."""
    from .celery_app import worker_celery

    try:
        celery = worker_celery(current_app._get_current_object())
    except LMSError as error:
        raise click.ClickException(error.message) from error
    arguments = list(ctx.args)
    if not any(arg.startswith(("-l", "--loglevel")) for arg in arguments):
        arguments.append("--loglevel=INFO")
    # One process by default: prefork with one pool process holds the app and the PDF renderer
    # twice (~340 MB), a solo worker once (~200 MB), for the same throughput per core.
    if not any(arg.startswith(("-P", "--pool", "-c", "--concurrency")) for arg in arguments):
        arguments.append("--pool=solo")
    celery.worker_main(["worker", *arguments])


def job_commands() -> list[click.Command]:
    return [worker, jobs_group]
