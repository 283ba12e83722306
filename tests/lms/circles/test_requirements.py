"""A course that requires another (``requires`` in course.yaml): joining one of its cohorts
before completing the required course is refused with the reason, unless a trainer of that
cohort lets the learner in (audited); and a certificate rule asking for a project stage names
the circle's project on the certificate."""

from __future__ import annotations

import shutil

from flask_babel import force_locale
from sqlalchemy import select

from certificates import operations as certificates
from certificates.models import CertificateFile
from certificates.rules import evaluate
from curriculum.db import db, utcnow
from lms.audit.models import AuditEvent
from lms.learning.models import Enrolment
from lms.learning.operations import enrol
from tests.certificates.test_render import pdftotext


def test_a_required_course_comes_first_unless_a_trainer_waives_it(
    trainer, make_user, make_course, make_cohort, as_user
):
    first = make_course(slug="spp", sequential=False)
    second = make_course(slug="circles-next", sequential=False)
    second.requires = ["spp"]
    db.session.commit()
    cohort = make_cohort([trainer], course=second, code="CIRCLE01")
    learner, done_learner = make_user(), make_user()
    finished = enrol(done_learner, first)
    finished.status, finished.completed_at = "completed", utcnow()
    db.session.commit()

    page = as_user(learner).get("/courses/circles-next").get_data(as_text=True)
    assert "Complete first:" in page and "Course spp" in page
    assert "After completing:" in as_user(learner).get("/courses").get_data(as_text=True)

    refused = as_user(learner).post("/join", data={"code": "CIRCLE01"})
    assert refused.status_code == 403 or refused.status_code == 400
    assert "This course follows “Course spp”" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Enrolment).filter_by(user_id=learner.id)) is None

    assert as_user(done_learner).post("/join", data={"code": "CIRCLE01"}).status_code == 302

    other_trainer = make_user(roles=("trainer",))
    waive = {"email": learner.email.upper(), "reason": "A suivi la masterclass en présentiel"}
    assert (
        as_user(other_trainer).post(f"/cohorts/{cohort.id}/circles/waivers", data=waive).status_code
        == 403
    )
    assert (
        as_user(trainer).post(f"/cohorts/{cohort.id}/circles/waivers", data=waive).status_code
        == 302
    )
    twice = as_user(trainer).post(f"/cohorts/{cohort.id}/circles/waivers", data=waive)
    assert twice.status_code == 400 and "may already join" in twice.get_data(as_text=True)
    unknown = as_user(trainer).post(f"/cohorts/{cohort.id}/circles/waivers",
                                    data={"email": "nobody@example.org"})  # fmt: skip
    assert "No account has this e-mail address" in unknown.get_data(as_text=True)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "cohort.requirement_waived")
    )
    assert event.actor_id == trainer.id and event.data["user"] == learner.id
    assert as_user(learner).post("/join", data={"code": "CIRCLE01"}).status_code == 302
    assert db.session.scalar(select(Enrolment).filter_by(user_id=learner.id)).cohort_id == cohort.id


def test_the_certificate_rule_asks_for_the_project_stage_and_names_the_project(
    trainer, make_user, make_course, make_cohort, add_learners, make_circle, client, tmp_path
):
    course = make_course(
        slug="circles-cert", sequential=False, modules=[("m", [{"slug": "r", "kind": "reading"}])]
    )
    course.certificate_rule = {**course.certificate_rule, "project_stage": "presented"}
    db.session.commit()
    cohort = make_cohort([trainer], course=course)
    enrolment_a, enrolment_b = add_learners(cohort, 2)
    circle = make_circle(cohort, [enrolment_a.user, enrolment_b.user], title="Café-emploi de Tissa",
                         stage="pilot")  # fmt: skip
    with force_locale("en"):
        result = evaluate(enrolment_a)
    assert not result.met
    assert any("“Pilot”; “Presented” needed" in item for item in result.missing)

    circle.project.stage = "presented"
    db.session.commit()
    lone = add_learners(cohort, 1)[0]
    with force_locale("en"):
        assert any("Not a member of a circle" in item for item in evaluate(lone).missing)

    certificate = certificates.issue_for_enrolment(enrolment_a, make_user(roles=("admin",)),
                                                   force=True, reason="test")  # fmt: skip
    db.session.commit()
    assert certificate.snapshot["project"] == {
        "title": "Café-emploi de Tissa",
        "stage": "presented",
    }
    verify = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Café-emploi de Tissa" in verify
    if shutil.which("pdftotext"):
        pdf = db.session.get(CertificateFile, certificate.id).data
        text = pdftotext(pdf, tmp_path)
        assert "Projet : Café-emploi de Tissa" in text and "المشروع" in text
