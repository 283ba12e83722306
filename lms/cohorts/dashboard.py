"""The cohort dashboard's figures: every learner's progress per module, the filters (not
started, behind schedule, inactive, completed) and the completion funnel.

Built from three queries whatever the size of the cohort (the live lessons, the learners, the
(enrolment, lesson) pairs that are done) and computed in Python: 500 learners × 40 lessons is
20,000 small tuples at most. With the logged-in user and the cohort (its course and trainers
joined) the page runs five queries.

Definitions (also shown on the page):

- *not started*: no lesson done yet;
- *behind schedule*: fewer required lessons done than the share of the cohort's dates already
  past (rounded down): halfway from ``starts_on`` to ``ends_on`` of a 10-lesson course, fewer
  than 5 done; never without both dates;
- *inactive*: no activity (or, for someone who never started, no enrolment) for 14 days;
- *completed*: the enrolment is complete. A completed learner is in no other filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from curriculum.db import db, utcnow
from curriculum.models import Lesson, Module, live_lessons
from lms.learning.models import Enrolment, LessonProgress
from lms.mail.models import is_placeholder_address
from lms.users.models import User

from .models import Cohort

INACTIVE_AFTER = timedelta(days=14)
FILTERS = ("not_started", "behind", "inactive", "completed")


# -- the dashboard ------------------------------------------------------------------------------


@dataclass
class ModuleColumn:
    module: Module
    #: the lessons that count for the module: those that complete the course (all of them if
    #: none does); in-person sessions are shown apart, as attendance
    lesson_ids: list[int] = field(default_factory=list)


@dataclass
class LearnerProgress:
    enrolment_id: int
    user_id: int
    name: str
    email: str
    status: str
    enrolled_at: datetime
    last_activity_at: datetime | None
    #: (done, counted) per module column
    modules: list[tuple[int, int]]
    done: int
    total: int
    flags: frozenset[str]
    #: required in-person sessions attended
    attended: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Dashboard:
    cohort: Cohort
    columns: list[ModuleColumn]
    learners: list[LearnerProgress]
    required_total: int
    #: required in-person sessions of the course
    sessions_total: int
    #: share of the required lessons a learner should have done today (None: no dates set)
    expected_share: float | None
    expected_lessons: int | None
    #: ("enrolled" | module, number of learners who reached it)
    funnel: list[tuple[Module | None, int]]

    def counts(self) -> dict[str, int]:
        return {
            name: sum(1 for learner in self.learners if name in learner.flags) for name in FILTERS
        }

    def filtered(self, name: str | None) -> list[LearnerProgress]:
        if name not in FILTERS:
            return self.learners
        return [learner for learner in self.learners if name in learner.flags]


def expected_share(cohort: Cohort, today: date) -> float | None:
    """How far through its dates the cohort is (0 before it starts, 1 after it ends)."""
    if cohort.starts_on is None or cohort.ends_on is None or cohort.ends_on <= cohort.starts_on:
        return None
    elapsed = (today - cohort.starts_on).days / (cohort.ends_on - cohort.starts_on).days
    return min(1.0, max(0.0, elapsed))


def _columns(course_id: int) -> tuple[list[ModuleColumn], list[int], list[int]]:
    """The live modules with the lessons that count for each, every lesson that completes the
    course, and every required in-person session."""
    rows = db.session.execute(
        live_lessons(
            course_id, Lesson.id, Lesson.completes_course, Lesson.is_required_session, Module
        )
    ).all()
    columns: list[ModuleColumn] = []
    lessons_of: dict[int, list[tuple[int, bool]]] = {}
    session_ids = []
    for lesson_id, completes_course, is_session, module in rows:
        if not columns or columns[-1].module.id != module.id:
            columns.append(ModuleColumn(module))
        lessons_of.setdefault(module.id, []).append((lesson_id, completes_course))
        if is_session:
            session_ids.append(lesson_id)
    required_ids = []
    for column in columns:
        lessons = lessons_of[column.module.id]
        counted = [lesson_id for lesson_id, completes_course in lessons if completes_course]
        required_ids.extend(counted)
        column.lesson_ids = counted or [lesson_id for lesson_id, _counts in lessons]
    return columns, required_ids, session_ids


def dashboard(cohort: Cohort, now: datetime | None = None) -> Dashboard:
    """Every learner of the cohort with their progress per module and flags (3 queries)."""
    now = now or utcnow()
    columns, required_ids, session_ids = _columns(cohort.course_id)
    learners = db.session.execute(
        select(
            Enrolment.id, Enrolment.user_id, User.name, User.email, Enrolment.status,
            Enrolment.enrolled_at, Enrolment.last_activity_at,
        )
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(User.name, Enrolment.id)
    ).all()  # fmt: skip
    done: dict[int, set[int]] = {}
    for enrolment_id, lesson_id in db.session.execute(
        select(LessonProgress.enrolment_id, LessonProgress.lesson_id)
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .where(Enrolment.cohort_id == cohort.id, LessonProgress.status == "done")
    ):
        done.setdefault(enrolment_id, set()).add(lesson_id)

    share = expected_share(cohort, now.date())
    expected = math.floor(share * len(required_ids) + 1e-9) if share is not None else None
    required, sessions = set(required_ids), set(session_ids)
    reached = [0] * len(columns)
    rows: list[LearnerProgress] = []
    for enrolment_id, user_id, name, email, status, enrolled_at, last_activity_at in learners:
        finished = done.get(enrolment_id, set())
        per_module = []
        through = True  # every module so far complete: the funnel counts how far each got
        for index, column in enumerate(columns):
            count = sum(1 for lesson_id in column.lesson_ids if lesson_id in finished)
            per_module.append((count, len(column.lesson_ids)))
            through = through and count == len(column.lesson_ids)
            if through:
                reached[index] += 1
        required_done = len(finished & required)
        flags = _flags(
            status, finished, required_done, expected, last_activity_at or enrolled_at, now
        )
        rows.append(
            LearnerProgress(
                enrolment_id, user_id, name, "" if is_placeholder_address(email) else email,
                status, enrolled_at, last_activity_at,
                per_module, required_done, len(required), flags, len(finished & sessions),
            )
        )  # fmt: skip
    funnel = [(None, len(rows))] + [(column.module, reached[i]) for i, column in enumerate(columns)]
    return Dashboard(cohort, columns, rows, len(required), len(sessions), share, expected, funnel)


def _flags(
    status: str,
    finished: set[int],
    required_done: int,
    expected: int | None,
    active_at: datetime,
    now: datetime,
) -> frozenset[str]:
    """The filters a learner falls under (their definitions are on the dashboard page too)."""
    if status == "completed":
        return frozenset({"completed"})
    flags = set()
    if not finished:
        flags.add("not_started")
    if expected is not None and required_done < expected:
        flags.add("behind")
    if active_at < now - INACTIVE_AFTER:
        flags.add("inactive")
    return frozenset(flags)


def learners_page(data: Dashboard, chosen: str | None, page: int, per_page: int) -> dict:
    """The dashboard's table: the learners of one filter (an unknown one shows everyone), one
    page of them (clamped to the pages there are)."""
    chosen = chosen if chosen in FILTERS else None
    learners = data.filtered(chosen)
    pages = max(1, math.ceil(len(learners) / per_page))
    page = min(max(page, 1), pages)
    return {
        "chosen": chosen,
        "learners": learners[(page - 1) * per_page : page * per_page],
        "matching": len(learners),
        "page": page,
        "pages": pages,
    }
