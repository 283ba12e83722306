"""Read side of the learner's journey: catalogue, course outline with progress, lesson context,
"My learning". Each page is built from a fixed, small number of queries, whatever the number of
lessons or learners (asserted in tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, defer, joinedload

from curriculum.db import db
from curriculum.models import (
    Course,
    CourseAsset,
    Lesson,
    Module,
    QuizChoice,
    QuizQuestion,
    live_lessons,
)
from lms.access import authorized
from lms.errors import NotAllowed, NotFound
from lms.sessions.models import Attendance, CohortSession

from .models import Enrolment, LessonProgress, QuizAttempt, Submission


def published_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.archived_at.is_(None))
            .order_by(Course.id)
        )
    )


def courses_by_slug(slugs: list[str]) -> list[Course]:
    """The courses of ``slugs`` that exist, in that order (a course's required courses)."""
    if not slugs:
        return []
    found = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))}
    return [found[slug] for slug in slugs if slug in found]


def course_by_slug(slug: str) -> Course:
    course = db.session.scalar(
        select(Course).where(Course.slug == slug, Course.archived_at.is_(None))
    )
    if course is None or not course.published:
        raise NotFound()
    return course


def enrolment_of(user, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(Enrolment).filter_by(user_id=user.id, course_id=course.id))


@dataclass
class Tally:
    """What a learner's progress amounts to over some lessons (a module, a course): the lessons
    that complete the course, done of required, and apart the required sessions, attended of held."""

    done: int = 0
    required: int = 0
    sessions_attended: int = 0
    sessions: int = 0

    @classmethod
    def of(cls, lessons: list[Lesson], is_done) -> Tally:
        counted = [lesson for lesson in lessons if lesson.completes_course]
        sessions = [lesson for lesson in lessons if lesson.is_required_session]
        return cls(
            done=sum(1 for lesson in counted if is_done(lesson)),
            required=len(counted),
            sessions_attended=sum(1 for lesson in sessions if is_done(lesson)),
            sessions=len(sessions),
        )

    def percent(self, empty: int = 0) -> int:
        """Lessons done in percent (``empty`` when there is no lesson to do)."""
        return round(100 * self.done / self.required) if self.required else empty


@dataclass
class ModuleView:
    """A module with one learner's figures."""

    module: Module
    lessons: list[Lesson]
    locked: bool = False
    tally: Tally = field(default_factory=Tally)

    @property
    def percent(self) -> int:
        return self.tally.percent(empty=100)


@dataclass
class Outline:
    """A course's live modules and lessons, with one learner's progress (if enrolled)."""

    course: Course
    modules: list[ModuleView]
    enrolment: Enrolment | None
    progress: dict[int, LessonProgress] = field(default_factory=dict)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for view in self.modules for lesson in view.lessons]

    def is_done(self, lesson: Lesson) -> bool:
        row = self.progress.get(lesson.id)
        return row is not None and row.done

    @cached_property
    def tally(self) -> Tally:
        return Tally.of(self.lessons, self.is_done)

    @property
    def percent(self) -> int:
        return self.tally.percent()

    def module_of(self, lesson: Lesson) -> ModuleView:
        return next(view for view in self.modules if view.module.id == lesson.module_id)

    def next_step(self) -> Lesson | None:
        """Where to go on: the first lesson the learner can do themselves that is not done yet
        in an open module, required ones first (in-person sessions are the trainer's to record;
        the course page lists them with their dates)."""
        return next_step(self.lessons, self.is_done, lambda lesson: self.module_of(lesson).locked)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        lessons = self.lessons
        index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
        previous = lessons[index - 1] if index > 0 else None
        following = lessons[index + 1] if index + 1 < len(lessons) else None
        return previous, following


def next_step(lessons: list[Lesson], is_done, is_locked=lambda lesson: False) -> Lesson | None:
    """The first open lesson not done among those that complete the course, else the first open
    optional one not done (sessions are never a next step: the trainer records them)."""
    open_lessons = [
        lesson for lesson in lessons if lesson.kind != "session" and not is_locked(lesson)
    ]
    pending = [lesson for lesson in open_lessons if not is_done(lesson)]
    return next((lesson for lesson in pending if lesson.required), None) or next(
        iter(pending), None
    )


def _live_lessons(course_ids: list[int]) -> list[Lesson]:
    """Live lessons of these courses with their modules, in order, in one query."""
    if not course_ids:
        return []
    # Not the lessons' HTML: a page shows at most one body, loaded on access.
    statement = live_lessons(course_ids).options(
        contains_eager(Lesson.module), defer(Lesson.bodies)
    )
    return list(db.session.scalars(statement))


def _group(
    course: Course, lessons: list[Lesson], progress: dict[int, LessonProgress]
) -> list[ModuleView]:
    views: list[ModuleView] = []
    for lesson in lessons:
        if not views or views[-1].module.id != lesson.module_id:
            views.append(ModuleView(module=lesson.module, lessons=[]))
        views[-1].lessons.append(lesson)
    previous_complete = True

    def done(lesson: Lesson) -> bool:
        return lesson.id in progress and progress[lesson.id].done

    for view in views:
        view.tally = Tally.of(view.lessons, done)
        view.locked = course.sequential and not previous_complete
        # In-person sessions do not hold the next module back: a missed meeting counts against
        # the attendance rule of the certificate, it does not lock the learner out.
        previous_complete = previous_complete and view.tally.done == view.tally.required
    return views


def outline(course: Course, user) -> Outline:
    enrolment = enrolment_of(user, course)
    progress: dict[int, LessonProgress] = {}
    if enrolment is not None:
        rows = db.session.scalars(
            select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
        )
        progress = {row.lesson_id: row for row in rows}
    lessons = _live_lessons([course.id])
    return Outline(
        course=course,
        modules=_group(course, lessons, progress),
        enrolment=enrolment,
        progress=progress,
    )


def find_lesson(course_outline: Outline, module_slug: str, lesson_slug: str) -> Lesson:
    for view in course_outline.modules:
        if view.module.slug == module_slug:
            for lesson in view.lessons:
                if lesson.slug == lesson_slug:
                    return lesson
    raise NotFound()


def quiz_questions(lesson: Lesson) -> list[QuizQuestion]:
    statement = (
        select(QuizQuestion)
        .where(QuizQuestion.lesson_id == lesson.id, QuizQuestion.archived_at.is_(None))
        .options(joinedload(QuizQuestion.choices.and_(QuizChoice.archived_at.is_(None))))
        .order_by(QuizQuestion.position)
    )
    return list(db.session.scalars(statement).unique())


def attempts_of(progress: LessonProgress | None) -> list[QuizAttempt]:
    if progress is None:
        return []
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.progress_id == progress.id)
            .order_by(QuizAttempt.number)
        )
    )


def submission_of(enrolment: Enrolment | None, lesson: Lesson) -> Submission | None:
    if enrolment is None:
        return None
    return db.session.scalar(
        select(Submission).filter_by(enrolment_id=enrolment.id, lesson_id=lesson.id)
    )


@dataclass
class SessionInfo:
    session: CohortSession
    attendance: Attendance | None


def sessions_for(enrolment: Enrolment | None, lesson: Lesson) -> list[SessionInfo]:
    """The cohort's meetings for this session lesson, with the learner's attendance (one query)."""
    if enrolment is None or enrolment.cohort_id is None:
        return []
    statement = (
        select(CohortSession, Attendance)
        .outerjoin(
            Attendance,
            (Attendance.session_id == CohortSession.id) & (Attendance.enrolment_id == enrolment.id),
        )
        .where(CohortSession.cohort_id == enrolment.cohort_id, CohortSession.lesson_id == lesson.id)
        .order_by(CohortSession.starts_at)
    )
    return [SessionInfo(session=s, attendance=a) for s, a in db.session.execute(statement)]


@dataclass
class LearningItem:
    enrolment: Enrolment
    tally: Tally
    resume: Lesson | None

    @property
    def percent(self) -> int:
        return self.tally.percent()


def my_learning(user) -> list[LearningItem]:
    """Every enrolment of ``user`` with its progress and the lesson to resume (4 queries)."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .join(Enrolment.course)
            .options(contains_eager(Enrolment.course))
            .where(Enrolment.user_id == user.id)
            .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        )
    )
    if not enrolments:
        return []
    enrolment_ids = [e.id for e in enrolments]
    done_rows = db.session.execute(
        select(LessonProgress.enrolment_id, LessonProgress.lesson_id).where(
            LessonProgress.enrolment_id.in_(enrolment_ids), LessonProgress.status == "done"
        )
    )
    done: dict[int, set[int]] = {}
    for enrolment_id, lesson_id in done_rows:
        done.setdefault(enrolment_id, set()).add(lesson_id)
    lessons = _live_lessons([e.course_id for e in enrolments])
    by_course: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_course.setdefault(lesson.course_id, []).append(lesson)
    items = []
    for enrolment in enrolments:
        course_lessons = by_course.get(enrolment.course_id, [])
        finished = done.get(enrolment.id, set())

        def is_done(lesson: Lesson, finished: set[int] = finished) -> bool:
            return lesson.id in finished

        items.append(
            LearningItem(
                enrolment=enrolment,
                tally=Tally.of(course_lessons, is_done),
                # (modules open in order: the first required lesson not done is in an open one)
                resume=next_step(course_lessons, is_done),
            )
        )
    return items


def course_stats() -> dict[int, int]:
    """Number of live lessons per course (for the catalogue)."""
    rows = db.session.execute(
        select(Lesson.course_id, func.count())
        .where(Lesson.archived_at.is_(None))
        .group_by(Lesson.course_id)
    )
    return dict(rows.all())


# -- one lesson and one piece of work ------------------------------------------------------------


@dataclass
class LessonContext:
    course: Course
    outline: Outline
    lesson: Lesson
    enrolment: Enrolment | None
    locked: bool

    def require_learner(self) -> Enrolment:
        if self.enrolment is None:
            raise NotAllowed(_("Join the course to record your progress."))
        if self.locked:
            raise NotAllowed(_("This module opens when the previous one is done."))
        return self.enrolment


def load_lesson(course_slug: str, module_slug: str, lesson_slug: str, user) -> LessonContext:
    """The lesson and the current user's place in its course (404 if it does not exist)."""
    course = course_by_slug(course_slug)
    place = outline(course, user)
    lesson = find_lesson(place, module_slug, lesson_slug)
    locked = place.module_of(lesson).locked if place.enrolment else False
    return LessonContext(course, place, lesson, place.enrolment, locked)


def enrolled_course_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == user.id)))


def visible_submission_file(submission_id: int, user) -> Submission:
    """Handed-in work with a file, for its learner, the cohort's trainers and administrators
    (404 for anyone else: another learner's work does not exist for you)."""
    submission = db.session.get(Submission, submission_id)
    if submission is not None and not submission.file_path:
        submission = None
    return authorized(submission, "can_view", user, hide=True)


def course_asset(course: Course, path: str) -> CourseAsset:
    item = db.session.scalar(
        select(CourseAsset).filter_by(course_id=course.id, path=f"assets/{path}")
    )
    if item is None:
        raise NotFound()
    return item
