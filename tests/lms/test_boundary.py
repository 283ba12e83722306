"""The request's one transaction boundary: what a view did is committed once it has answered below
400, and undone otherwise, before anything leaves by e-mail; the LMS's commit listeners hear the
LMS's sessions only; a certificate that fails to render is retried by a job."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from certificates import render
from certificates.models import Certificate
from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.audit.operations import record
from lms.errors import Conflict
from lms.jobs import runner
from lms.jobs.models import Job
from lms.learning import operations as learning
from lms.learning.models import Enrolment
from lms.mail import operations as mail
from lms.mail.models import OutboxMessage
from tests.waiting import wait_for


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def views(app):
    """Three views of the LMS (on one of its blueprints): each records an audit event and queues a
    mail, then answers 200, raises a domain error, or fails with a bug."""

    def work(outcome: str):
        record(None, "test.work", "test", 1)
        mail.send_mail("amina@example.org", "Ne doit partir qu'après le commit", "Bonjour")
        if outcome == "bug":
            raise RuntimeError("a bug after the operation")
        if outcome == "refused":
            raise Conflict("Refused after the operation.")
        return "done"

    app.add_url_rule("/test/work/<outcome>", "lms_core.test_work", work, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug answers the 500 page, as in production
    return app.test_client()


def test_a_view_that_answers_is_committed_once_and_its_mail_leaves(views, smtp):
    assert views.post("/test/work/ok").status_code == 200
    assert (count(AuditEvent), count(OutboxMessage)) == (1, 1)
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("outcome, status", [("bug", 500), ("refused", 409)])
def test_an_error_after_an_operation_leaves_nothing_written_and_sends_nothing(
    views, smtp, outcome, status
):
    assert views.post(f"/test/work/{outcome}").status_code == status
    assert (count(AuditEvent), count(OutboxMessage)) == (0, 0)
    assert smtp.messages == []


def test_a_host_apps_own_session_triggers_nothing_of_ours(app, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'host.sqlite3'}")
    with Session(engine) as host_session:
        # What our listeners would take (and hand to SMTP or a job runner) after a commit.
        host_session.info[mail.PENDING_KEY] = [(app, 1, "x@example.org", "host")]
        host_session.info["lms_jobs_to_dispatch"] = [(app, 1)]
        host_session.commit()
        assert host_session.info[mail.PENDING_KEY] == [(app, 1, "x@example.org", "host")]
        assert host_session.info["lms_jobs_to_dispatch"] == [(app, 1)]


def test_a_certificate_that_fails_to_render_is_pending_then_issued_by_a_job(
    app, client, login, make_user, make_course, monkeypatch
):
    course = make_course(sequential=False)
    user = make_user(email="fatima@example.org", name="Fatima Zahra", locale="en")
    enrolment = learning.enrol(user, course)
    db.session.commit()
    renderer = render.get_renderer()
    real_render = renderer.render
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the renderer is out of fonts")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(renderer, "render", fails_once)
    # No runner yet: the retry job waits, so the page in between can be seen.
    monkeypatch.setattr("lms.jobs.operations._dispatch", lambda app, job_id: None)
    for module in course.modules:
        for lesson in module.lessons:
            progress = learning.progress_for(enrolment, lesson)
            progress.status, progress.score = "done", 100
    db.session.flush()
    learning.complete_if_finished(enrolment)
    db.session.commit()

    assert count(Certificate) == 0
    assert db.session.get(Enrolment, enrolment.id).status == "completed"  # the completion stands
    job = db.session.scalar(select(Job).where(Job.kind == "certificates.pending"))
    # What administrators read in the jobs list (in the site's language, French here).
    assert job.subject == "Certificat en attente : RuntimeError: the renderer is out of fonts"
    login(user)
    page = client.get("/my").get_data(as_text=True)
    assert "Your certificate is being prepared" in page

    runner.dispatch(app, job.id)  # what the commit hands over, without the stand-in above
    assert wait_for(job.id).done == 1
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.enrolment_id == enrolment.id
    page = client.get("/my").get_data(as_text=True)
    assert certificate.serial in page and "being prepared" not in page
