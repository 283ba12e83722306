"""The command line: bulk issuance with a progress bar, and the jobs commands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certificates.models import Certificate
from curriculum.db import db
from lms.jobs.models import Job


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "LMS_DEFAULT_LANGUAGE": "en",
    }  # the command line speaks the site's language


def test_issue_to_a_cohort_from_the_command_line_shows_progress_and_a_summary(
    app, runner, make_cohort
):
    cohort, enrolments = make_cohort(completed=3, failing=1)
    result = runner.invoke(args=["certificates", "issue", "--cohort", str(cohort.id)])
    assert result.exit_code == 0, result.output
    job = db.session.scalar(select(Job))
    assert f"Job {job.id}: Issue certificates — {cohort.name}" in result.output
    assert f"Job {job.id} done: 3 done, 1 skipped, 0 failed (of 4)." in result.output
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
    assert job.created_by_id is None


def test_issue_to_a_whole_course_by_its_slug(app, runner, make_cohort, make_course):
    course = make_course(slug="leaders", sequential=False)
    make_cohort(completed=2, course=course)
    result = runner.invoke(args=["certificates", "issue", "--course", "leaders"])
    assert result.exit_code == 0, result.output
    assert "2 done" in result.output


def test_bulk_issue_options_that_do_not_fit_together_are_refused(app, runner, make_cohort):
    cohort, _ = make_cohort(completed=1)
    for args, message in [
        (
            ["--cohort", str(cohort.id), "--course", "civics"],
            "give --email and --course, or --cohort ID",
        ),
        (["--cohort", str(cohort.id), "--force"], "--force issues one certificate at a time"),
        (["--email", "a@example.org", "--cohort", str(cohort.id)], "--email goes with --course"),
        (["--course", "nope"], "No course with the slug 'nope'."),
    ]:
        result = runner.invoke(args=["certificates", "issue", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    result = runner.invoke(args=["certificates", "issue", "--cohort", "999"])
    assert result.exit_code == 1 and "No cohort has the number 999." in result.output
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_reissue_from_the_command_line(app, runner, make_cohort):
    cohort, _ = make_cohort(completed=2)
    assert runner.invoke(args=["certificates", "issue", "--cohort", str(cohort.id)]).exit_code == 0
    result = runner.invoke(
        args=["certificates", "reissue", "--cohort", str(cohort.id), "--reason", "Logo changed"]
    )
    assert result.exit_code == 0, result.output
    assert "2 done" in result.output
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.superseded_by_id.is_not(None))
        )
        == 2
    )


def test_jobs_list_and_cancel(app, runner, make_cohort):
    cohort, _ = make_cohort(completed=1)
    runner.invoke(args=["certificates", "issue", "--cohort", str(cohort.id)])
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "done" in listing and "1/1" in listing and cohort.name in listing
    result = runner.invoke(args=["jobs", "cancel", str(db.session.scalar(select(Job.id)))])
    assert result.exit_code == 1 and "This job has already ended." in result.output
    assert "No abandoned job to resume." in runner.invoke(args=["jobs", "resume"]).output


def test_a_worker_needs_a_broker(app, runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 1 and "Set LMS_CELERY_BROKER_URL" in result.output
