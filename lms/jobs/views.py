"""Job pages (administrators): the list, one job's progress with its failed items, its JSON for
the page's script, and the cancel and resume buttons."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import role_required
from lms.boundary import attempt

from . import operations, queries


def _to_job(job_id: int):
    return redirect(url_for("lms_jobs.detail", job_id=job_id))


@role_required("admin")
def job_list():
    pagination = queries.jobs_page(request.args.get("page", 1, type=int))
    return render_template("lms/jobs/list.html", pagination=pagination)


@role_required("admin")
def detail(job_id: int):
    job = queries.managed_job(job_id, current_user)
    return render_template(
        "lms/jobs/detail.html",
        job=job,
        stale=queries.is_stale(job),
        failed_items=queries.items_with_status(job, "failed"),
        skipped_items=queries.items_with_status(job, "skipped"),
    )


@role_required("admin")
def progress_json(job_id: int):
    response = jsonify(queries.progress(queries.managed_job(job_id, current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@role_required("admin")
def cancel(job_id: int):
    job = queries.managed_job(job_id, current_user)
    with attempt(flash_error=True) as done:
        operations.request_cancel(current_user, job)
    if done:
        flash(_("The job stops after the item it is working on; what is done stays done."),
              "success")  # fmt: skip
    return _to_job(job_id)


@role_required("admin")
def resume(job_id: int):
    job = queries.managed_job(job_id, current_user)
    with attempt(flash_error=True) as done:
        operations.resume_job(current_user, job)
    if done:
        flash(_("The job goes on with the items it had not done."), "success")
    return _to_job(job_id)
