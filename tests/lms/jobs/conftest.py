"""Fixtures of the job tests: a cohort of learners who completed the course (without the
automatic issuance, so that bulk issuance has work to do), and waiting for a job to end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import insert, select

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.operations import new_join_code
from lms.users.models import User
from lms.users.operations import create_user


@pytest.fixture
def make_cohort(app, make_course) -> Callable:
    """``make_cohort(completed=n, failing=k, active=m)`` → (cohort, [enrolments]): ``completed``
    learners finished the course with full marks, ``failing`` finished it with a quiz average below
    the rule, ``active`` have not finished. Nobody has a certificate yet."""
    counter = {"n": 0}

    def factory(
        completed: int = 3, failing: int = 0, active: int = 0, course=None, name: str | None = None
    ):
        course = course or make_course(slug=f"civics{counter['n'] or ''}", sequential=False)
        counter["n"] += 1
        cohort = Cohort(
            course_id=course.id,
            name=name or f"Azilal {counter['n']}",
            territory="Azilal",
            join_code=new_join_code(),
        )
        db.session.add(cohort)
        db.session.flush()
        lessons = list(db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)))
        enrolments = []
        plan = (
            [("completed", 100)] * completed
            + [("completed", 50)] * failing
            + [("active", None)] * active
        )
        for status, score in plan:
            number = len(enrolments) + 1
            user = create_user(
                f"learner{cohort.id}-{number}@example.org",
                f"Learner {number} of {cohort.name}",
                None,
                ["learner"],
                "fr",
            )
            enrolment = Enrolment(
                user_id=user.id,
                course_id=course.id,
                cohort_id=cohort.id,
                status=status,
                completed_at=utcnow() if status == "completed" else None,
            )
            db.session.add(enrolment)
            db.session.flush()
            if status == "completed":
                db.session.execute(
                    insert(LessonProgress),
                    [
                        {
                            "enrolment_id": enrolment.id,
                            "lesson_id": lesson.id,
                            "status": "done",
                            "score": score if lesson.kind == "quiz" else None,
                            "attempts": 1,
                        }
                        for lesson in lessons
                    ],
                )
            enrolments.append(enrolment)
        db.session.commit()
        return cohort, enrolments

    return factory


@pytest.fixture
def admin(make_user) -> User:
    return make_user(email="admin@example.org", name="Amina Admin", roles=("admin",), locale="en")
