"""Filling a cohort with many learners fast (bulk inserts), for tests and benchmarks."""

from __future__ import annotations

from sqlalchemy import insert, select

from curriculum.db import db, utcnow
from lms.learning.models import Enrolment, LessonProgress
from lms.users.models import User

CHUNK = 20000


def fill_cohort(
    course_id: int, cohort_id: int, learners: int, lesson_ids: list[int], tag: str
) -> None:
    """``learners`` accounts enrolled in the cohort, learner n having done the first
    n % (lessons + 1) lessons; e-mails are ``<tag>-<n>@example.org``. Commits."""
    enrolment_ids = _enrol_learners(course_id, cohort_id, learners, tag, name="Learner")
    _write_progress(
        {"enrolment_id": eid, "lesson_id": lid, "status": "done"}
        for n, eid in enumerate(enrolment_ids)
        for lid in lesson_ids[: n % (len(lesson_ids) + 1)]
    )


def fill_completed(
    course_id: int, cohort_id: int, learners: int, lessons: list, tag: str, score: int = 100
) -> list[int]:
    """``learners`` accounts enrolled in the cohort who completed the course: every lesson done,
    quizzes at ``score``; e-mails are ``<tag>-<n>@example.org``. Commits; the enrolment ids."""
    now = utcnow()
    enrolment_ids = _enrol_learners(
        course_id, cohort_id, learners, tag, name="Apprenante",
        user={"locale": "fr", "created_at": now},
        enrolment={"status": "completed", "enrolled_at": now, "completed_at": now},
    )  # fmt: skip
    _write_progress(
        {
            "enrolment_id": eid,
            "lesson_id": lesson.id,
            "status": "done",
            "attempts": 1,
            "score": score if lesson.kind == "quiz" else None,
            "first_activity_at": now,
            "last_activity_at": now,
            "completed_at": now,
        }
        for eid in enrolment_ids
        for lesson in lessons
    )
    return enrolment_ids


def _enrol_learners(
    course_id: int, cohort_id: int, learners: int, tag: str, name: str,
    user: dict | None = None, enrolment: dict | None = None,
) -> list[int]:  # fmt: skip
    """Accounts ``<tag>-<n>@example.org`` enrolled in the cohort; their enrolment ids in order."""
    db.session.execute(
        insert(User),
        [
            {
                "email": f"{tag}-{n}@example.org",
                "email_key": f"{tag}-{n}@example.org",
                "name": f"{name} {tag}-{n:05d}",
                **(user or {}),
            }
            for n in range(learners)
        ],
    )
    user_ids = db.session.scalars(
        select(User.id).where(User.email_key.like(f"{tag}-%@example.org")).order_by(User.id)
    ).all()
    db.session.execute(
        insert(Enrolment),
        [
            {"user_id": uid, "course_id": course_id, "cohort_id": cohort_id, **(enrolment or {})}
            for uid in user_ids
        ],
    )
    return list(
        db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort_id).order_by(Enrolment.id)
        )
    )


def _write_progress(rows) -> None:
    rows = list(rows)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(LessonProgress), rows[start : start + CHUNK])
    db.session.commit()
