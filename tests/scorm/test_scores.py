"""A scored SCORM package counts like a quiz: in the certificate rule's quiz average (hence the
certificate's "Quiz average" and its evidence) and on the trainer's and the learner's pages."""

from __future__ import annotations

from sqlalchemy import select

from certificates.rules import evaluate
from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from tests.conftest import PASSWORD

from .commits import send


def test_a_scored_package_is_in_the_quiz_average(client, learner, scorm_lesson):
    answer = send(client, scorm_lesson, {"lesson_status": "passed", "score": {"raw": "60"}})
    assert answer.json == {"saved": True, "sequence": 1, "score": 60, "done": True}
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    result = evaluate(enrolment)
    assert result.quiz_average == 60
    assert not result.met and result.missing == ["Quiz average 60%, 70% needed."]


def test_a_package_with_a_mastery_score_counts_before_it_reports_one(learner, scorm_lesson):
    scorm_lesson.settings = {"scorm": {**scorm_lesson.settings["scorm"], "mastery_score": 80}}
    db.session.commit()
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    assert evaluate(enrolment).quiz_average == 0


def test_the_packages_score_shows_to_the_trainer_and_the_learner(
    app, client, make_user, learner, scorm_lesson
):
    send(client, scorm_lesson, {"lesson_status": "passed", "score": {"raw": "85"}})
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert "Best score: 85%" in client.get("/courses/water", environ_base=en).get_data(True)
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    cohort = Cohort(course_id=scorm_lesson.course_id, name="Aglou", join_code="SCORM26",
                    trainers=[trainer])  # fmt: skip
    db.session.add(cohort)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    enrolment.cohort = cohort
    db.session.commit()
    staff = app.test_client()
    staff.post("/login", data={"email": trainer.email, "password": PASSWORD})
    page = staff.get(f"/cohorts/{cohort.id}/learners/{enrolment.id}", environ_base=en)
    assert page.status_code == 200
    assert "Best score: 85%" in page.get_data(as_text=True)
