"""A learner walks through a whole course; every progress figure is checked on the way."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Lesson
from lms.cohorts.models import Cohort
from lms.learning import operations
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt, Submission
from lms.reviews.operations import review_submission
from lms.sessions.models import CohortSession
from lms.sessions.operations import record_attendance
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


def bars(html: str) -> list[int]:
    """Every progress bar's value on a page, in order."""
    return [int(value) for value in re.findall(r'aria-valuenow="(\d+)"', html)]


def figures(client) -> dict:
    """What the learner reads about their progress: the course page (course bar, module bars,
    lessons done, sessions attended) and "My learning" (its bar and its line)."""
    course_page = client.get(BASE).get_data(as_text=True)
    my_page = client.get("/my").get_data(as_text=True)
    course_bar, *module_bars = bars(course_page)
    lessons = re.search(r"(\d+) of (\d+) required lessons done\.", course_page)
    sessions = re.search(r"In-person sessions attended: (\d+) of (\d+)\.", course_page)
    return {
        "course": course_bar,
        "modules": module_bars,
        "lessons": (int(lessons[1]), int(lessons[2])),
        "sessions": (int(sessions[1]), int(sessions[2])),
        "my": bars(my_page),
        "my_line_matches": lessons[0] in my_page and sessions[0] in my_page,
    }


def quiz(client, path: str, answers: dict):
    """Answer the quiz as its page offers it (the page says which quiz and which attempt)."""
    page = client.get(path).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(lesson|attempt)" value="(\d+)">', page))
    return client.post(f"{path}/quiz", data={**hidden, **answers})


def test_a_learner_completes_the_course_through_every_kind_of_lesson(
    app, client, make_user, login, make_course, completions
):
    course = make_course()
    learner = make_user(email="salma@example.org")
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    cohort = Cohort(
        course_id=course.id,
        name="Taounate 2026",
        territory="Taounate",
        join_code="K7M2QX9P",
        trainers=[trainer],
    )
    db.session.add(cohort)
    db.session.commit()
    login(learner)

    # Join with the cohort's code: 4 required lessons to do (one more is optional) and one
    # in-person session, which counts through the certificate's attendance rule.
    response = client.post("/join", data={"code": "k7m2 qx9p"})
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    assert enrolment.cohort_id == cohort.id
    assert figures(client) == {
        "course": 0,
        "modules": [0, 0],
        "lessons": (0, 4),
        "sessions": (0, 1),
        "my": [0],
        "my_line_matches": True,
    }

    # The second module is locked until the first is done.
    response = client.get(f"{BASE}/next-steps/wrap-up")
    assert (
        "This module opens when you have done the required lessons of the previous one."
        in response.get_data(as_text=True)
    )
    assert client.post(f"{BASE}/next-steps/wrap-up/done").status_code == 403

    # Reading: mark as done (twice: the double click changes nothing).
    assert client.post(f"{BASE}/basics/intro/done").status_code == 302
    assert client.post(f"{BASE}/basics/intro/done").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert figures(client) == {
        "course": 25,
        "modules": [33, 0],
        "lessons": (1, 4),
        "sessions": (0, 1),
        "my": [25],
        "my_line_matches": True,
    }
    assert bars(client.get(f"{BASE}/basics/check").get_data(as_text=True)) == [
        33
    ]  # the module's bar on a lesson

    # Quiz: a failed attempt, then a passed one, then a worse one; the best score is kept.
    assert (
        quiz(
            client, f"{BASE}/basics/check", {"q-q1": "b", "q-q2": ["a"], "q-q3": "true"}
        ).status_code
        == 302
    )
    page = client.get(f"{BASE}/basics/check").get_data(as_text=True)
    assert "Result of attempt 1: 33%" in page and "Your best score: 33%" in page
    assert "Attempts: 1 of 3 used" in page
    assert "Because b" in page  # the explanation of the chosen choice
    assert figures(client)["lessons"] == (1, 4)
    quiz(client, f"{BASE}/basics/check", {"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"})
    quiz(client, f"{BASE}/basics/check", {"q-q1": "b", "q-q2": ["a", "b"], "q-q3": "false"})
    page = client.get(f"{BASE}/basics/check").get_data(as_text=True)
    assert (
        "Result of attempt 3: 33%" in page
        and "Your best score: 100%" in page
        and "Attempts: 3 of 3 used" in page
    )
    quiz_progress = db.session.scalar(
        select(LessonProgress).filter_by(enrolment_id=enrolment.id, status="done", score=100)
    )
    assert quiz_progress is not None and quiz_progress.attempts == 3
    assert figures(client) == {
        "course": 50,
        "modules": [67, 0],
        "lessons": (2, 4),
        "sessions": (0, 1),
        "my": [50],
        "my_line_matches": True,
    }

    # Assignment: handed in with a PDF (no change yet), then accepted by the trainer.
    response = client.post(
        f"{BASE}/basics/field-work/submission",
        data={
            "text": "Le transport scolaire à Tissa",
            "file": (io.BytesIO(b"%PDF-1.4 test"), "notes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert submission.status == "submitted" and submission.file_type == "pdf"
    assert figures(client)["lessons"] == (2, 4)
    review_submission(trainer, submission, accept=True, feedback="Bravo, **très clair**.")
    db.session.commit()
    page = client.get(f"{BASE}/basics/field-work").get_data(as_text=True)
    assert "Accepted" in page and "<strong>très clair</strong>" in page
    assert figures(client) == {
        "course": 75,
        "modules": [100, 0],
        "lessons": (3, 4),
        "sessions": (0, 1),
        "my": [75],
        "my_line_matches": True,
    }

    # Session: the trainer records attendance; the lessons' figures stay, the sessions' move.
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=submission.lesson_id + 1,
        starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC),
        place="Dar Chabab de Tissa",
    )
    db.session.add(session)
    db.session.commit()
    assert "Dar Chabab de Tissa" in client.get(f"{BASE}/basics/meeting").get_data(as_text=True)
    record_attendance(trainer, session, enrolment, present=True)
    db.session.commit()
    assert "Present" in client.get(f"{BASE}/basics/meeting").get_data(as_text=True)
    assert figures(client) == {
        "course": 75,
        "modules": [100, 0],
        "lessons": (3, 4),
        "sessions": (1, 1),
        "my": [75],
        "my_line_matches": True,
    }
    assert completions == []

    # The second module is now open; its last required lesson completes the course, once.
    client.post(f"{BASE}/next-steps/wrap-up/done")
    db.session.refresh(enrolment)
    assert enrolment.status == "completed" and enrolment.completed_at is not None
    assert completions == [enrolment.id]
    client.post(f"{BASE}/next-steps/extra/done")  # an optional lesson after completion
    assert completions == [enrolment.id]
    assert figures(client) == {
        "course": 100,
        "modules": [100, 100],
        "lessons": (4, 4),
        "sessions": (1, 1),
        "my": [100],
        "my_line_matches": True,
    }
    assert "Completed" in client.get("/my").get_data(as_text=True)


def test_a_resent_quiz_form_records_one_attempt_and_an_incomplete_one_none(
    app, client, make_user, login, make_course
):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    page = client.get(f"{BASE}/basics/check").get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(lesson|attempt)" value="(\d+)">', page))
    answers = {**hidden, "q-q1": "b", "q-q2": ["a"], "q-q3": "true"}
    # A double click: the same form twice is one attempt.
    assert client.post(f"{BASE}/basics/check/quiz", data=answers).status_code == 302
    assert client.post(f"{BASE}/basics/check/quiz", data=answers).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    # A question left unanswered: nothing recorded, the ticked answers stay ticked.
    response = client.post(
        f"{BASE}/basics/check/quiz", data={**hidden, "attempt": "2", "q-q1": "a", "q-q3": "false"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Answer every question before you submit (unanswered: 2)." in html
    assert 'name="q-q1" value="a" checked' in html and 'name="q-q3" value="false" checked' in html
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_tampered_quiz_answers_are_refused_and_nothing_is_recorded(
    app, client, make_user, login, make_course
):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    quiz_id = str(db.session.scalar(select(Lesson.id).filter_by(slug="check")))
    form = {"lesson": quiz_id, "attempt": "1", "q-q2": ["a", "b"], "q-q3": "true"}
    tampered = (
        {**form, "q-q1": "zzz"},  # no such choice
        {**form, "q-q1": "a", "q-unknown": "a"},  # no such question
        {**form, "q-q1": ["a", "b"]},  # two answers to a single-choice question
        {**form, "q-q1": "a", "answer": "a"},  # a field the form does not have
        {**form, "q-q1": "a", "lesson": "99999"},  # the answers of another quiz
        {k: v for k, v in form.items() if k != "lesson"} | {"q-q1": "a"},  # which quiz?
        {**form, "q-q1": "a", "attempt": "x"},
    )
    for data in tampered:
        assert client.post(f"{BASE}/basics/check/quiz", data=data).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_attempts_beyond_the_limit_are_refused_with_the_reason(
    app, client, make_user, login, make_course
):
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    wrong = {"q-q1": "b", "q-q2": ["a"], "q-q3": "false"}
    for _ in range(3):
        quiz(client, f"{BASE}/basics/check", wrong)
    quiz_id = str(db.session.scalar(select(Lesson.id).filter_by(slug="check")))
    response = client.post(
        f"{BASE}/basics/check/quiz", data={"lesson": quiz_id, "attempt": "4", **wrong}
    )
    assert response.status_code == 403
    assert "You have used your 3 attempts at this quiz" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "This file is not of an accepted type (JPEG, PDF, PNG)."),
        (
            b"%PDF-" + b"x" * (1024 * 1024 + 10),
            "The file is larger than 1 MB. Send a smaller file.",
        ),
    ],
)
def test_a_bad_file_is_refused_and_the_typed_answer_is_kept(
    app, client, make_user, login, make_course, payload, message
):
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


def test_a_file_far_over_the_limit_is_refused_with_the_form_and_the_typed_answer(
    app, client, make_user, login, make_course
):
    """Larger than any upload the site takes (a phone video picked by mistake): the learner
    gets the lesson page back with the reason, and what they wrote is still there."""
    make_course(sequential=False)
    app.config["LMS_UPLOAD_REQUEST_MAX_MB"] = 40
    login(make_user())
    client.post(f"{BASE}/enrol")
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024
    response = client.post(
        f"{BASE}/basics/field-work/submission",
        data={
            "text": "Mon diagnostic du douar",
            "file": (io.BytesIO(b"\x00" * too_big), "video.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The file is larger than 1 MB. Send a smaller file." in html
    assert "Mon diagnostic du douar</textarea>" in html
    assert 'data-max-bytes="1048576"' in html  # checked in the browser before sending, too
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


def test_a_file_is_stored_and_downloaded_under_the_extension_of_its_real_type(
    app, client, make_user, login, make_course
):
    """A PDF named ``polyglot.html`` would open as a web page once saved: its name keeps the
    learner's words but takes the type found in the content."""
    make_course(sequential=False)
    login(make_user())
    client.post(f"{BASE}/enrol")
    pdf = b"%PDF-1.4\n<html><script>alert(1)</script></html>"
    client.post(
        f"{BASE}/basics/field-work/submission",
        data={"text": "", "file": (io.BytesIO(pdf), "polyglot.html")},
        content_type="multipart/form-data",
    )
    submission = db.session.scalar(select(Submission))
    assert submission.file_name == "polyglot.pdf" and submission.file_path.endswith(".pdf")
    response = client.get(f"/submissions/{submission.id}/file")
    assert response.headers["Content-Type"] == "application/pdf"
    assert "filename=polyglot.pdf" in response.headers["Content-Disposition"]
    assert ".html" not in response.headers["Content-Disposition"]
    response.close()


def test_a_course_open_through_cohorts_only_refuses_self_enrolment(
    app, client, make_user, login, make_course
):
    make_course(self_enrolment=False)
    login(make_user())
    response = client.post(f"{BASE}/enrol")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_lessons_fall_back_to_the_default_language_with_a_notice(
    app, client, make_user, login, make_course
):
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


def test_a_missed_session_neither_locks_the_next_module_nor_blocks_completion(
    app, client, make_user, login, make_course, completions
):
    course = make_course()
    learner = make_user()
    trainer = make_user(roles=("trainer",))
    cohort = Cohort(
        course_id=course.id,
        name="Figuig",
        territory="Figuig",
        join_code="FIG2026A",
        trainers=[trainer],
    )
    db.session.add(cohort)
    db.session.commit()
    login(learner)
    client.post("/join", data={"code": "FIG2026A"})
    enrolment = db.session.scalar(select(Enrolment))
    client.post(f"{BASE}/basics/intro/done")
    quiz(client, f"{BASE}/basics/check", {"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"})
    client.post(f"{BASE}/basics/field-work/submission", data={"text": "Mon travail"})
    review_submission(trainer, db.session.scalar(select(Submission)), accept=True, feedback="")
    meeting = db.session.scalar(select(Submission)).lesson_id + 1
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=meeting,
        starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC),
        place="Figuig",
    )
    db.session.add(session)
    db.session.flush()
    record_attendance(trainer, session, enrolment, present=False)
    db.session.commit()
    # The next module is open despite the absence; finishing it completes the course, and the
    # figures say both things honestly: every lesson done, no session attended.
    assert client.post(f"{BASE}/next-steps/wrap-up/done").status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == "completed" and completions == [enrolment.id]
    assert figures(client) == {
        "course": 100,
        "modules": [100, 100],
        "lessons": (4, 4),
        "sessions": (0, 1),
        "my": [100],
        "my_line_matches": True,
    }
    assert "Attendance not recorded yet" in client.get(BASE).get_data(as_text=True)


def test_correcting_attendance_to_absent_takes_the_session_back(
    app, client, make_user, login, make_course
):
    course = make_course(sequential=False)
    learner, trainer = make_user(), make_user(roles=("trainer",))
    cohort = Cohort(
        course_id=course.id,
        name="Zagora",
        territory="Zagora",
        join_code="ZAG2026C",
        trainers=[trainer],
    )
    db.session.add(cohort)
    db.session.flush()
    enrolment = operations.enrol(learner, course, cohort)
    meeting = next(
        lesson for module in course.modules for lesson in module.lessons if lesson.kind == "session"
    )
    first, second = (
        CohortSession(
            cohort_id=cohort.id,
            lesson_id=meeting.id,
            starts_at=datetime(2026, 12, day, 9, tzinfo=UTC),
            place="Zagora",
        )
        for day in (5, 12)
    )
    db.session.add_all([first, second])
    db.session.flush()

    def attended() -> bool:
        return operations.progress_for(enrolment, meeting).done

    record_attendance(trainer, first, enrolment, present=True)
    assert attended()
    record_attendance(trainer, first, enrolment, present=False)  # a mis-tap, corrected
    assert not attended()
    # Present at the make-up meeting of the same lesson: a correction of the first keeps it.
    record_attendance(trainer, second, enrolment, present=True)
    record_attendance(trainer, first, enrolment, present=False)
    assert attended()
    db.session.commit()
    login(learner)
    assert figures(client)["sessions"] == (1, 1)


def test_the_certificate_comes_when_the_rule_holds_after_completion(app, make_user, make_course):
    from certificates.models import Certificate

    course = make_course(sequential=False)
    learner, trainer = make_user(), make_user(roles=("trainer",))
    cohort = Cohort(
        course_id=course.id,
        name="Azilal",
        territory="Azilal",
        join_code="AZL2026B",
        trainers=[trainer],
    )
    db.session.add(cohort)
    db.session.flush()
    enrolment = operations.enrol(learner, course, cohort)
    lessons = {lesson.slug: lesson for module in course.modules for lesson in module.lessons}
    operations.mark_done(enrolment, lessons["intro"])
    operations.mark_done(enrolment, lessons["wrap-up"])
    operations.submit_quiz(
        enrolment, lessons["check"], {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]}
    )
    submission = operations.submit_assignment(enrolment, lessons["field-work"], "Mon travail")
    review_submission(trainer, submission, accept=True, feedback="")
    db.session.commit()
    # Completed, but the attendance rule (75 %) is not met yet: no certificate.
    assert enrolment.status == "completed"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    # The trainer records the session: the rule holds now, and the certificate is issued.
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=lessons["meeting"].id,
        starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC),
    )
    db.session.add(session)
    db.session.flush()
    record_attendance(trainer, session, enrolment, present=True)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
