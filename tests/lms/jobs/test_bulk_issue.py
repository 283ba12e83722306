"""Issuing certificates to a whole cohort or course as a job, run by the embedded executor."""

from __future__ import annotations

from sqlalchemy import func, select

from certificates import operations as certificate_ops
from certificates.models import Certificate
from curriculum.db import db
from lms.jobs.models import Job, JobItem
from tests.waiting import wait_for


def _live_certificates_per_enrolment() -> dict[int, int]:
    rows = db.session.execute(
        select(Certificate.enrolment_id, func.count())
        .where(Certificate.live_enrolment_id.is_not(None))
        .group_by(Certificate.enrolment_id)
    )
    return dict(rows.all())


def test_an_admin_issues_a_cohorts_certificates_and_watches_the_job_end(
    app, client, login, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=4, failing=1, active=1)
    already = certificate_ops.issue_for_enrolment(enrolments[0])
    db.session.commit()
    login(admin)

    response = client.post("/admin/certificates/bulk/issue", data={"cohort": str(cohort.id)})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    job = wait_for(job_id)

    assert (job.status, job.total, job.done, job.skipped, job.failed) == ("done", 4, 3, 1, 0)
    assert _live_certificates_per_enrolment() == {e.id: 1 for e in enrolments[:4]}
    assert certificate_ops.live_certificate(enrolments[0].id).serial == already.serial
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Quiz average 50%, 70% needed." in page
    assert 'http-equiv="refresh"' not in page  # ended: nothing to refresh
    assert job.created_by_id == admin.id and job.subject.startswith(cohort.name)


def test_a_second_run_finds_nothing_left_to_issue(app, admin, make_cohort):
    from lms.jobs.operations import start_job

    cohort, enrolments = make_cohort(completed=3)
    first = start_job("certificates.issue", {"cohort_id": cohort.id}, admin)
    db.session.commit()
    assert wait_for(first.id).done == 3
    second = start_job("certificates.issue", {"cohort_id": cohort.id}, admin)
    db.session.commit()
    second = wait_for(second.id)
    assert (second.status, second.total) == ("done", 0)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3


def test_a_course_wide_job_covers_every_cohort_of_the_course(app, admin, make_cohort, make_course):
    from lms.jobs.operations import start_job

    course = make_course(slug="leaders", sequential=False)
    make_cohort(completed=2, course=course)
    make_cohort(completed=3, course=course)
    job = start_job("certificates.issue", {"course_id": course.id}, admin)
    db.session.commit()
    assert wait_for(job.id).done == 5


def test_one_broken_item_is_recorded_with_its_error_and_the_others_are_issued(
    app, client, login, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=4)
    broken = enrolments[2]
    broken.user.name = ""  # e.g. imported without a name: nothing to print on the certificate
    db.session.commit()
    login(admin)
    response = client.post("/admin/certificates/bulk/issue", data={"cohort": str(cohort.id)})
    job = wait_for(int(response.headers["Location"].split("/")[-1]))

    assert (job.status, job.done, job.failed) == ("done", 3, 1)
    item = db.session.scalar(
        select(JobItem).where(JobItem.job_id == job.id, JobItem.status == "failed")
    )
    assert item.key == str(broken.id) and item.error
    assert job.errors == {str(broken.id): item.error}
    assert set(_live_certificates_per_enrolment()) == {e.id for e in enrolments} - {broken.id}
    assert item.error in client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)


def test_choosing_both_a_cohort_and_a_course_or_neither_is_refused(
    app, client, login, admin, make_cohort
):
    cohort, _ = make_cohort(completed=1)
    login(admin)
    response = client.post(
        "/admin/certificates/bulk/issue",
        data={"cohort": str(cohort.id), "course": str(cohort.course_id)},
    )
    assert response.status_code == 400
    assert "Choose either a cohort or a course." in response.get_data(as_text=True)
    assert client.post("/admin/certificates/bulk/issue", data={}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
