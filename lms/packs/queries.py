"""Read side of the packs page: the courses there are, with their live lessons counted."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Course, Lesson


def courses_with_lesson_counts() -> list[tuple[Course, int]]:
    counts = dict(
        db.session.execute(
            select(Lesson.course_id, func.count())
            .where(Lesson.archived_at.is_(None))
            .group_by(Lesson.course_id)
        ).all()
    )
    courses = db.session.scalars(select(Course).order_by(Course.slug))
    return [(course, counts.get(course.id, 0)) for course in courses]
