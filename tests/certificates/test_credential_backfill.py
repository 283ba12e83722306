"""The back-fill job stopped partway (the process killed mid-batch) and resumed: every
certificate ends with exactly one credential, as the other jobs' resume tests check for theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from certificates.credentials import jobs
from certificates.credentials.models import CertificateCredential
from certificates.models import Certificate
from curriculum.db import db
from lms.jobs import runner as job_runner
from lms.jobs.models import Job
from lms.jobs.registry import JobKind, register
from lms.learning import operations as learning
from tests.certificates.test_issuance import finish


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_JOBS_BATCH_SIZE": 2}


class WorkerDied(BaseException):
    """Stands for the process being killed: nothing after it runs, nothing uncommitted stays."""


#: certificate id (as the job's key) → how many more times the "process dies" on it
deaths: dict[str, int] = {}


def backfill_or_die(job, key: str) -> None:
    if deaths.get(key, 0) > 0:
        deaths[key] -= 1
        raise WorkerDied(key)
    jobs.backfill_one(job, key)


register(
    JobKind(
        "tests.backfill-or-die",
        lambda: "Back-fill (or die)",
        jobs.prepare,
        jobs.certificates_without_credential,
        backfill_or_die,
    )
)


def _credentials_per_certificate() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(CertificateCredential.certificate_id, func.count()).group_by(
                CertificateCredential.certificate_id
            )
        ).all()
    )


def test_a_backfill_killed_partway_resumes_and_gives_each_certificate_one_credential(
    app, runner, make_user, make_course
):
    course = make_course(slug="civics", sequential=False)
    for number in range(5):
        enrolment = learning.enrol(make_user(email=f"l{number}@example.org"), course)
        db.session.commit()
        finish(enrolment, course)
    certificates = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    assert len(certificates) == 5
    db.session.execute(delete(CertificateCredential))  # issued before credentials existed
    job = Job(kind="tests.backfill-or-die", params={}, subject="back-fill")
    db.session.add(job)
    db.session.commit()
    deaths.clear()
    deaths[str(certificates[3])] = 1  # in the second batch of two

    with pytest.raises(WorkerDied):
        job_runner.run_embedded(app, job.id)
    db.session.rollback()
    assert set(_credentials_per_certificate()) == set(certificates[:2])  # the first batch

    job_runner.release(job.id)  # as after Ctrl-C: resumable at once
    result = runner.invoke(args=["jobs", "resume"])
    assert result.exit_code == 0, result.output
    assert f"Job {job.id} done: 5 done, 0 skipped, 0 failed (of 5)." in result.output
    assert _credentials_per_certificate() == dict.fromkeys(certificates, 1)
    again = runner.invoke(args=["certificates", "backfill-credentials"])
    assert again.exit_code == 0, again.output
    assert _credentials_per_certificate() == dict.fromkeys(certificates, 1)
