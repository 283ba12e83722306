"""The job machinery as people meet it: progress, cancel, a crash halfway, resuming, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certificates import bulk
from certificates.models import Certificate
from curriculum.db import db, utcnow
from lms.jobs import runner as job_runner
from lms.jobs.models import Job, JobItem
from lms.jobs.registry import JobKind, register
from tests.waiting import wait_for


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_JOBS_BATCH_SIZE": 3}


class WorkerDied(BaseException):
    """Stands for the process being killed: nothing after it runs, nothing uncommitted stays."""


#: key -> how many more times the "process dies" on that item
deaths: dict[str, int] = {}


def issue_or_die(job, key: str) -> None:
    if deaths.get(key, 0) > 0:
        deaths[key] -= 1
        raise WorkerDied(key)
    bulk.issue_one(job, key)


register(
    JobKind(
        "tests.issue-or-die",
        lambda: "Issue (or die)",
        bulk.prepare_issue,
        bulk.eligible_enrolments,
        issue_or_die,
    )
)


def _job(kind: str, cohort, admin) -> int:
    """A job recorded but not handed to the executor: the test runs its steps itself."""
    job = Job(
        kind=kind, params={"cohort_id": cohort.id}, subject=cohort.name, created_by_id=admin.id
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def _certificates_per_enrolment() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Certificate.enrolment_id, func.count()).group_by(Certificate.enrolment_id)
        ).all()
    )


def test_a_process_killed_mid_batch_loses_that_batch_and_resuming_issues_each_certificate_once(
    app, runner, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=8)
    job_id = _job("tests.issue-or-die", cohort, admin)
    deaths.clear()
    deaths[str(enrolments[4].id)] = 1  # in the second batch of three

    with pytest.raises(WorkerDied):
        job_runner.run_embedded(app, job_id)
    db.session.rollback()
    job = db.session.get(Job, job_id)
    assert (job.status, job.done) == (
        "running",
        3,
    )  # the first batch was committed, the second was not
    assert set(_certificates_per_enrolment()) == {e.id for e in enrolments[:3]}

    job_runner.release(job_id)  # as after Ctrl-C: resumable at once
    result = runner.invoke(args=["jobs", "resume"])
    assert result.exit_code == 0, result.output
    assert f"Job {job_id} done: 8 done, 0 skipped, 0 failed (of 8)." in result.output
    assert _certificates_per_enrolment() == {e.id: 1 for e in enrolments}
    attempts = dict(
        db.session.execute(
            select(JobItem.key, JobItem.attempts).where(JobItem.job_id == job_id)
        ).all()
    )
    assert attempts[str(enrolments[4].id)] == 2 and attempts[str(enrolments[0].id)] == 1


def test_an_item_that_kills_its_worker_every_time_is_given_up_and_the_rest_finish(
    app, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=5)
    job_id = _job("tests.issue-or-die", cohort, admin)
    deaths.clear()
    poison = str(enrolments[1].id)
    deaths[poison] = 99
    for _attempt in range(job_runner.MAX_ATTEMPTS):
        with pytest.raises(WorkerDied):
            job_runner.run_embedded(app, job_id)
    job_runner.run_embedded(app, job_id)

    job = wait_for(job_id)
    assert (job.status, job.done, job.failed) == ("done", 4, 1)
    assert "Gave up: the work stopped 3 times while on this item." in job.errors[poison]
    assert set(_certificates_per_enrolment()) == {e.id for e in enrolments} - {int(poison)}


def test_cancelling_stops_between_items_and_keeps_what_is_done(
    app, client, login, admin, make_cohort
):
    cohort, _enrolments = make_cohort(completed=6)
    job_id = _job("certificates.issue", cohort, admin)
    with job_runner.work_context(app):
        job_runner.plan(job_id)
        job_runner.run_batch(job_id, job_runner.pending_keys(job_id, 3))
    login(admin)
    response = client.post(f"/admin/jobs/{job_id}/cancel", follow_redirects=True)
    assert "The job stops after the item it is working on" in response.get_data(as_text=True)

    job_runner.run_embedded(app, job_id)
    job = wait_for(job_id)
    assert (job.status, job.done, job.total) == ("cancelled", 3, 6)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Cancelled" in page and "Cancel the job" not in page and "Resume" not in page
    again = client.post(f"/admin/jobs/{job_id}/cancel", follow_redirects=True)
    assert "This job has already ended." in again.get_data(as_text=True)


def test_a_waiting_job_cancelled_never_starts(app, admin, make_cohort):
    from lms.jobs.operations import request_cancel

    cohort, _ = make_cohort(completed=2)
    job = db.session.get(Job, _job("certificates.issue", cohort, admin))
    request_cancel(admin, job)
    db.session.commit()
    job_runner.run_embedded(app, job.id)
    assert wait_for(job.id).status == "cancelled"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_the_progress_page_refreshes_without_script_and_the_json_follows_the_counts(
    app, client, login, admin, make_cohort
):
    cohort, _ = make_cohort(completed=6)
    job_id = _job("certificates.issue", cohort, admin)
    with job_runner.work_context(app):
        job_runner.plan(job_id)
        job_runner.run_batch(job_id, job_runner.pending_keys(job_id, 3))
    login(admin)

    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'max="6" value="3"' in page and "Running" in page
    assert (
        "/lms-static/jobs.js" in page and "<script>" not in page
    )  # the CSP allows no inline script
    assert client.get("/lms-static/jobs.js").status_code == 200
    data = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert {
        k: data[k] for k in ("status", "total", "done", "processed", "percent", "finished")
    } == {
        "status": "running",
        "total": 6,
        "done": 3,
        "processed": 3,
        "percent": 50,
        "finished": False,
    }
    listing = client.get("/admin/jobs").get_data(as_text=True)
    assert "Issue certificates" in listing and cohort.name in listing and "3 / 6" in listing


def test_an_abandoned_job_offers_resume_and_finishes_when_resumed(
    app, client, login, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=5)
    job_id = _job("certificates.issue", cohort, admin)
    with job_runner.work_context(app):
        job_runner.plan(job_id)
        job_runner.run_batch(job_id, job_runner.pending_keys(job_id, 3))
    login(admin)
    response = client.post(f"/admin/jobs/{job_id}/resume", follow_redirects=True)
    assert "This job is still making progress; there is nothing to resume." in response.get_data(
        as_text=True
    )

    job = db.session.get(Job, job_id)
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["LMS_JOBS_STALE_AFTER"] + 1)
    db.session.commit()
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "This job has stopped making progress" in page
    assert client.post(f"/admin/jobs/{job_id}/resume").status_code == 302
    job = wait_for(job_id)
    assert (job.status, job.done) == ("done", 5)
    assert _certificates_per_enrolment() == {e.id: 1 for e in enrolments}


@pytest.mark.parametrize("who", ["anonymous", "learner", "trainer"])
def test_job_pages_are_for_administrators_only(
    app, client, login, make_user, admin, make_cohort, who
):
    cohort, _ = make_cohort(completed=1)
    job_id = _job("certificates.issue", cohort, admin)
    if who != "anonymous":
        login(make_user(roles=(who,)))
    for url in (
        "/admin/jobs",
        f"/admin/jobs/{job_id}",
        f"/admin/jobs/{job_id}.json",
        "/admin/certificates/bulk",
    ):
        status = client.get(url).status_code
        assert status in ((302, 401) if who == "anonymous" else (403,)), (url, status)
    assert client.post(f"/admin/jobs/{job_id}/cancel").status_code in (302, 401, 403)
    assert db.session.get(Job, job_id).cancel_requested is False


def test_a_missing_job_is_a_404(app, client, login, admin):
    login(admin)
    assert client.get("/admin/jobs/999").status_code == 404
    assert client.get("/admin/jobs/999.json").status_code == 404
