"""The learner's main pages run a fixed number of SQL queries, whatever the number of lessons and
learners; completing is race-free on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.learning import operations
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt
from lms.signals import course_completed
from lms.users.models import User
from tests.concurrency import mark_done_twice_at_once, submit_quiz_twice_at_once

MAX_QUERIES = 8


def big_course(make_course, modules: int):
    specs = []
    for m in range(modules):
        lessons = [{"slug": f"read-{i}", "kind": "reading"} for i in range(6)]
        lessons.append(
            {
                "slug": "check",
                "kind": "quiz",
                "settings": {"pass_mark": 50, "attempts": 0},
                "questions": [(f"q{i}", "single", [("a", True), ("b", False)]) for i in range(5)],
            }
        )
        lessons.append(
            {"slug": "work", "kind": "assignment", "settings": {"submission": {"text": True}}}
        )
        lessons.append({"slug": "meeting", "kind": "session", "settings": {"duration_minutes": 90}})
        specs.append((f"module-{m}", lessons))
    return make_course(slug="big", sequential=False, modules=specs)


def populate(course, learners: int, done_per_learner: int):
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    for n in range(learners):
        user = User(email=f"p{n}@example.org", email_key=f"p{n}@example.org", name=f"P {n}")
        db.session.add(user)
        db.session.flush()
        enrolment = Enrolment(user_id=user.id, course_id=course.id)
        db.session.add(enrolment)
        db.session.flush()
        for lesson in lessons[:done_per_learner]:
            db.session.add(
                LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id, status="done")
            )
    db.session.commit()


@pytest.mark.parametrize("size", [(1, 0), (6, 40)])
def test_course_lesson_and_my_learning_pages_have_a_bounded_number_of_queries(
    app, client, make_user, login, make_course, count_queries, size
):
    modules, others = size
    course = big_course(make_course, modules)
    populate(course, others, done_per_learner=10)
    make_course(slug="second", sequential=False)
    learner = make_user()
    login(learner)
    client.post("/courses/big/enrol")
    client.post("/courses/second/enrol")
    client.post("/courses/big/module-0/read-0/done")
    quiz = next(lesson for lesson in course.modules[0].lessons if lesson.slug == "check")
    answers = {f"q-q{i}": "b" for i in range(5)}
    for attempt in (1, 2):  # the quiz page shows its attempts
        response = client.post(
            "/courses/big/module-0/check/quiz",
            data={"lesson": quiz.id, "attempt": attempt, **answers},
        )
        assert response.status_code == 302
    assert (
        client.post(
            "/courses/big/module-0/work/submission", data={"text": "Mon travail"}
        ).status_code
        == 302
    )
    pages = [
        "/courses/big", "/courses/big/module-0/read-1", "/courses/big/module-0/check",
        "/courses/big/module-0/work", "/courses/big/module-0/meeting", "/my",
    ]  # fmt: skip
    for url in pages:
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        # a lesson page also records that it was opened (one INSERT, for the learning records)
        opens = [q for q in queries if q.startswith("INSERT INTO lms_lesson_opens")]
        reads = [q for q in queries if q not in opens]
        assert len(opens) <= 1 and len(reads) <= MAX_QUERIES, (url, len(queries), queries)


def test_two_requests_completing_at_once_make_one_completion_and_one_signal(
    app, make_user, make_course, backend
):
    if backend != "postgresql":
        pytest.skip("two concurrent connections need PostgreSQL")
    course = make_course(sequential=False, modules=[("only", [{"slug": "a", "kind": "reading"}])])
    user = make_user()
    enrolment = operations.enrol(user, course)
    db.session.commit()
    lesson_id = course.modules[0].lessons[0].id
    enrolment_id = enrolment.id
    signals = []

    def listener(sender, enrolment):
        signals.append(enrolment.id)

    course_completed.connect(listener, app)
    errors = mark_done_twice_at_once(app, enrolment_id, lesson_id)
    course_completed.disconnect(listener, app)
    db.session.expire_all()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert signals == [enrolment_id]
    assert db.session.get(Enrolment, enrolment_id).status == "completed"


def test_a_quiz_form_sent_twice_at_once_records_one_attempt(app, make_user, make_course, backend):
    if backend != "postgresql":
        pytest.skip("two concurrent connections need PostgreSQL")
    course = make_course(sequential=False)
    enrolment = operations.enrol(make_user(), course)
    db.session.commit()
    quiz = next(
        lesson for module in course.modules for lesson in module.lessons if lesson.kind == "quiz"
    )
    answers = {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]}
    errors = submit_quiz_twice_at_once(app, enrolment.id, quiz.id, answers, attempt=1)
    db.session.expire_all()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    assert db.session.scalar(select(LessonProgress.attempts)) == 1
