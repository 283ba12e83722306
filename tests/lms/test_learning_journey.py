"""A learner walks through a whole course; every progress figure is checked on the way."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import Cohort, CohortSession
from lms.learning import operations
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt, Submission
from lms.signals import course_completed

BASE = "/courses/civics"


@pytest.fixture
def completions(app):
    received = []

    def listener(sender, enrolment):
        received.append(enrolment.id)

    course_completed.connect(listener, app)
    yield received
    course_completed.disconnect(listener, app)


def progress_percent(client) -> str:
    html = client.get(BASE).get_data(as_text=True)
    start = html.index('aria-valuenow="') + len('aria-valuenow="')
    return html[start : html.index('"', start)]


def test_a_learner_completes_the_course_through_every_kind_of_lesson(app, client, make_user, login, make_course, completions):
    course = make_course()
    learner = make_user(email="salma@example.org")
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    cohort = Cohort(course_id=course.id, name="Taounate 2026", territory="Taounate", join_code="K7M2QX9P", trainers=[trainer])
    db.session.add(cohort)
    db.session.commit()
    login(learner)

    # Join with the cohort's code; 5 required lessons (one more is optional), none done.
    response = client.post("/join", data={"code": "k7m2 qx9p"})
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    assert enrolment.cohort_id == cohort.id
    assert progress_percent(client) == "0"
    assert "0 of 5 required lessons done." in client.get(BASE).get_data(as_text=True)

    # The second module is locked until the first is done.
    response = client.get(f"{BASE}/next-steps/wrap-up")
    assert "This module opens when you have done the required lessons of the previous one." in response.get_data(as_text=True)
    assert client.post(f"{BASE}/next-steps/wrap-up/done").status_code == 403

    # Reading: mark as done (twice: the double click changes nothing).
    assert client.post(f"{BASE}/basics/intro/done").status_code == 302
    assert client.post(f"{BASE}/basics/intro/done").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert progress_percent(client) == "20"

    # Quiz: a failed attempt, then a passed one; the best score is kept.
    response = client.post(f"{BASE}/basics/check/quiz", data={"q-q1": "b", "q-q2": ["a"], "q-q3": "true"})
    assert response.status_code == 302
    page = client.get(f"{BASE}/basics/check").get_data(as_text=True)
    assert "Result of attempt 1: 33%" in page
    assert "Because b" in page  # the explanation of the chosen choice
    assert progress_percent(client) == "20"
    client.post(f"{BASE}/basics/check/quiz", data={"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"})
    quiz_progress = db.session.scalar(select(LessonProgress).filter_by(enrolment_id=enrolment.id, status="done", score=100))
    assert quiz_progress is not None and quiz_progress.attempts == 2
    assert progress_percent(client) == "40"

    # Assignment: handed in with a PDF, then accepted by the trainer.
    response = client.post(
        f"{BASE}/basics/field-work/submission",
        data={"text": "Le transport scolaire à Tissa", "file": (io.BytesIO(b"%PDF-1.4 test"), "notes.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert submission.status == "submitted" and submission.file_type == "pdf"
    assert progress_percent(client) == "40"
    operations.review_submission(trainer, submission, accept=True, feedback="Bravo, **très clair**.")
    db.session.commit()
    page = client.get(f"{BASE}/basics/field-work").get_data(as_text=True)
    assert "Accepted" in page and "<strong>très clair</strong>" in page
    assert progress_percent(client) == "60"

    # Session: the trainer records attendance.
    session = CohortSession(cohort_id=cohort.id, lesson_id=submission.lesson_id + 1, starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC), place="Dar Chabab de Tissa")
    db.session.add(session)
    db.session.commit()
    assert "Dar Chabab de Tissa" in client.get(f"{BASE}/basics/meeting").get_data(as_text=True)
    operations.record_attendance(trainer, session, enrolment, present=True)
    db.session.commit()
    assert "Present" in client.get(f"{BASE}/basics/meeting").get_data(as_text=True)
    assert progress_percent(client) == "80"
    assert completions == []

    # The second module is now open; its last required lesson completes the course, once.
    client.post(f"{BASE}/next-steps/wrap-up/done")
    db.session.refresh(enrolment)
    assert enrolment.status == "completed" and enrolment.completed_at is not None
    assert completions == [enrolment.id]
    client.post(f"{BASE}/next-steps/extra/done")  # an optional lesson after completion
    assert completions == [enrolment.id]
    assert progress_percent(client) == "100"
    assert "Completed" in client.get("/my").get_data(as_text=True)


def test_tampered_quiz_answers_are_refused_and_nothing_is_recorded(app, client, make_user, login, make_course):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    for data in ({"q-q1": "zzz"}, {"q-unknown": "a"}, {"q-q1": ["a", "b"]}, {"answer": "a"}):
        assert client.post(f"{BASE}/basics/check/quiz", data=data).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_attempts_beyond_the_limit_are_refused_with_the_reason(app, client, make_user, login, make_course):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    for _ in range(3):
        client.post(f"{BASE}/basics/check/quiz", data={"q-q1": "b"})
    response = client.post(f"{BASE}/basics/check/quiz", data={"q-q1": "a"})
    assert response.status_code == 403
    assert "You have used your 3 attempts at this quiz" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "This file is not of an accepted type (JPEG, PDF, PNG)."),
        (b"%PDF-" + b"x" * (1024 * 1024 + 10), "The file is larger than 1 MB. Send a smaller file."),
    ],
)
def test_a_bad_file_is_refused_and_the_typed_answer_is_kept(app, client, make_user, login, make_course, payload, message):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    response = client.post(
        f"{BASE}/basics/field-work/submission",
        data={"text": "Mon diagnostic du douar", "file": (io.BytesIO(payload), "notes.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Mon diagnostic du douar</textarea>" in html
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_another_learners_submission_file_is_not_found(app, client, make_user, login, make_course):
    make_course(sequential=False)
    owner, other = make_user(), make_user()
    login(owner)
    client.post(f"{BASE}/enrol")
    client.post(
        f"{BASE}/basics/field-work/submission",
        data={"text": "", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 50), "photo.png")},
        content_type="multipart/form-data",
    )
    submission = db.session.scalar(select(Submission))
    response = client.get(f"/submissions/{submission.id}/file")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    response.close()
    client.post("/logout")
    login(other)
    assert client.get(f"/submissions/{submission.id}/file").status_code == 404


def test_a_course_open_through_cohorts_only_refuses_self_enrolment(app, client, make_user, login, make_course):
    make_course(self_enrolment=False)
    login(make_user())
    response = client.post(f"{BASE}/enrol")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_lessons_fall_back_to_the_default_language_with_a_notice(app, client, make_user, login, make_course):
    make_course(sequential=False, languages=("fr",))
    login(make_user(locale="en"))
    client.post(f"{BASE}/enrol")
    html = client.get(f"{BASE}/basics/intro").get_data(as_text=True)
    assert "it is shown in Français" in html
    assert 'lang="fr" dir="ltr"' in html and "Body of intro in fr" in html


def test_arabic_pages_are_right_to_left(app, client, make_user, login, make_course):
    make_course(sequential=False)
    login(make_user(locale="ar"))
    client.post(f"{BASE}/enrol")
    html = client.get(f"{BASE}/basics/intro").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_a_missed_session_neither_locks_the_next_module_nor_blocks_completion(app, client, make_user, login, make_course, completions):
    course = make_course()
    learner = make_user()
    trainer = make_user(roles=("trainer",))
    cohort = Cohort(course_id=course.id, name="Figuig", territory="Figuig", join_code="FIG2026A", trainers=[trainer])
    db.session.add(cohort)
    db.session.commit()
    login(learner)
    client.post("/join", data={"code": "FIG2026A"})
    enrolment = db.session.scalar(select(Enrolment))
    client.post(f"{BASE}/basics/intro/done")
    client.post(f"{BASE}/basics/check/quiz", data={"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"})
    client.post(f"{BASE}/basics/field-work/submission", data={"text": "Mon travail"})
    operations.review_submission(trainer, db.session.scalar(select(Submission)), accept=True, feedback="")
    meeting = db.session.scalar(select(Submission)).lesson_id + 1
    session = CohortSession(cohort_id=cohort.id, lesson_id=meeting, starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC), place="Figuig")
    db.session.add(session)
    db.session.flush()
    operations.record_attendance(trainer, session, enrolment, present=False)
    db.session.commit()
    # The next module is open despite the absence; finishing it completes the course.
    assert client.post(f"{BASE}/next-steps/wrap-up/done").status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == "completed" and completions == [enrolment.id]


def test_the_certificate_comes_when_the_rule_holds_after_completion(app, make_user, make_course):
    from certificates.models import Certificate

    course = make_course(sequential=False)
    learner, trainer = make_user(), make_user(roles=("trainer",))
    cohort = Cohort(course_id=course.id, name="Azilal", territory="Azilal", join_code="AZL2026B", trainers=[trainer])
    db.session.add(cohort)
    db.session.flush()
    enrolment = operations.enrol(learner, course, cohort)
    lessons = {lesson.slug: lesson for module in course.modules for lesson in module.lessons}
    operations.mark_done(enrolment, lessons["intro"])
    operations.mark_done(enrolment, lessons["wrap-up"])
    operations.submit_quiz(enrolment, lessons["check"], {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]})
    submission = operations.submit_assignment(enrolment, lessons["field-work"], "Mon travail")
    operations.review_submission(trainer, submission, accept=True, feedback="")
    db.session.commit()
    # Completed, but the attendance rule (75 %) is not met yet: no certificate.
    assert enrolment.status == "completed"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    # The trainer records the session: the rule holds now, and the certificate is issued.
    session = CohortSession(cohort_id=cohort.id, lesson_id=lessons["meeting"].id, starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC))
    db.session.add(session)
    db.session.flush()
    operations.record_attendance(trainer, session, enrolment, present=True)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
