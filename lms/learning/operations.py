"""Verbs of the learner's journey: enrol, join a cohort, mark done, answer a quiz, hand in an
assignment; and the trainer's verbs that complete lessons (review, attendance).

Every verb is idempotent and race-free: unique constraints, conditional updates and savepoints,
never "check then insert" alone. They flush; the view commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from curriculum.models import Course, Lesson
from lms.audit.operations import record
from lms.cohorts.models import Cohort, PrerequisiteWaiver
from lms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lms.i18n import current_language
from lms.signals import (
    completed_enrolment_progressed,
    course_completed,
    enrolled,
    lesson_completed,
    lesson_opened,
    quiz_attempted,
)
from lms.uploads import BadUpload, display_name, read_upload, store

from .grading import grade as _grade
from .grading import same_answers
from .models import Enrolment, LessonOpen, LessonProgress, QuizAttempt, Submission


class AttemptsExhausted(NotAllowed):
    pass


class UnansweredQuestions(InvalidInput):
    """Some questions have no answer: nothing is recorded and the form keeps what was ticked."""


# -- enrolment ----------------------------------------------------------------------------------


def get_or_create(model, defaults: dict | None = None, **keys):
    """The row with ``keys``, created if missing; safe when two requests race (unique keys)."""
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is not None:
        return row, False
    row = model(**keys, **(defaults or {}))
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(select(model).filter_by(**keys))
        if row is None:
            raise
        return row, False
    return row, True


def enrol(user, course: Course, cohort: Cohort | None = None) -> Enrolment:
    """Enrol ``user`` (idempotent). Without a cohort the course must allow self-enrolment."""
    if course.archived_at is not None or not course.published:
        raise NotFound(_("This course is not available."))
    if cohort is None and not course.self_enrolment:
        raise NotAllowed(
            _("This course is open through a cohort only: ask your trainer for the join code.")
        )
    if course.requires:
        check_requirements(user, course, cohort)
    enrolment, created = get_or_create(
        Enrolment,
        defaults={"cohort_id": cohort.id if cohort else None},
        user_id=user.id,
        course_id=course.id,
    )
    if not created and cohort is not None and enrolment.cohort_id != cohort.id:
        enrolment.cohort_id = cohort.id
    if created:
        record(
            user,
            "enrolment.created",
            "enrolment",
            enrolment.id,
            course=course.slug,
            cohort=cohort.id if cohort else None,
        )
        enrolled.send(current_app._get_current_object(), enrolment=enrolment)
    return enrolment


def missing_requirements(user, course: Course) -> list[Course]:
    """The courses ``course`` requires that ``user`` has not completed (in the pack's order)."""
    if not course.requires:
        return []
    required = db.session.scalars(select(Course).where(Course.slug.in_(course.requires))).all()
    completed = set(
        db.session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user.id, Enrolment.status == "completed"
            )
        )
    )
    order = {slug: index for index, slug in enumerate(course.requires)}
    return sorted((c for c in required if c.id not in completed), key=lambda c: order[c.slug])


class RequirementMissing(NotAllowed):
    """The learner has not completed a course this one requires (and no trainer waived it)."""


def check_requirements(user, course: Course, cohort: Cohort | None) -> None:
    """A new enrolment in a course that requires others: refused with the reason, unless she is
    enrolled already or a trainer of the cohort waived the requirement for her."""
    if db.session.scalar(select(Enrolment.id).filter_by(user_id=user.id, course_id=course.id)):
        return
    missing = missing_requirements(user, course)
    if not missing:
        return
    if cohort is not None and db.session.scalar(
        select(PrerequisiteWaiver.id).filter_by(cohort_id=cohort.id, user_id=user.id)
    ):
        return
    titles = ", ".join(f"“{c.title(current_language())}”" for c in missing)
    raise RequirementMissing(
        _(
            "This course follows %(courses)s: complete it first, or ask a trainer of your cohort.",
            courses=titles,
        )  # fmt: skip
    )


def find_cohort_by_code(code: str) -> Cohort:
    normalized = "".join(code.split()).upper()
    cohort = db.session.scalar(select(Cohort).where(Cohort.join_code == normalized))
    if cohort is None or cohort.archived_at is not None:
        raise NotFound(_("No cohort has this code. Check it with your trainer."))
    return cohort


def join_cohort(user, code: str) -> Enrolment:
    cohort = find_cohort_by_code(code)
    existing = db.session.scalar(
        select(Enrolment).filter_by(user_id=user.id, course_id=cohort.course_id)
    )
    if existing is not None and existing.cohort_id == cohort.id:
        return existing
    if cohort.capacity is not None:
        members = db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort.id)
        )
        if members >= cohort.capacity:
            raise Conflict(_("This cohort is full. Ask your trainer."))
    return enrol(user, cohort.course, cohort)


def new_join_code() -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def open_lesson(enrolment: Enrolment, lesson: Lesson) -> LessonOpen:
    """The learner opened the lesson's page: recorded (learning records replay it), and
    ``lesson_opened`` sent."""
    opening = LessonOpen(enrolment_id=enrolment.id, lesson_id=lesson.id, opened_at=utcnow())
    db.session.add(opening)
    db.session.flush()
    lesson_opened.send(
        current_app._get_current_object(), enrolment=enrolment, lesson=lesson, opening=opening
    )
    return opening


# -- progress -----------------------------------------------------------------------------------


def progress_for(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    progress, _created = get_or_create(
        LessonProgress, enrolment_id=enrolment.id, lesson_id=lesson.id
    )
    now = utcnow()
    progress.last_activity_at = now
    enrolment.last_activity_at = now
    return progress


def _check_lesson(enrolment: Enrolment, lesson: Lesson, kinds: tuple[str, ...]) -> None:
    if lesson.course_id != enrolment.course_id or lesson.archived_at is not None:
        raise NotFound(_("This lesson is not part of your course."))
    if lesson.kind not in kinds:
        raise InvalidInput(_("This action does not apply to this kind of lesson."))


def set_done(progress: LessonProgress) -> bool:
    """Mark done once; True if this call did it (a double click does nothing the second time)."""
    result = db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == progress.id, LessonProgress.status != "done")
        .values(status="done", completed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(progress)
    if result.rowcount != 1:
        return False
    lesson_completed.send(current_app._get_current_object(), progress=progress)
    return True


def complete_if_finished(enrolment: Enrolment) -> bool:
    """Complete the enrolment when every required lesson is done; send ``course_completed`` once.

    In-person sessions are left to the certificate's attendance rule (a learner may miss some);
    progress recorded after completion sends ``completed_enrolment_progressed`` instead, so the
    certificate's rule is evaluated again (e.g. a better quiz score, one more session attended).
    """
    if enrolment.status == "completed":
        completed_enrolment_progressed.send(current_app._get_current_object(), enrolment=enrolment)
        return False
    required = select(Lesson.id).where(
        Lesson.course_id == enrolment.course_id,
        Lesson.completes_course,
        Lesson.archived_at.is_(None),
    )
    total = db.session.scalar(select(func.count()).select_from(required.subquery()))
    done = db.session.scalar(
        select(func.count())
        .select_from(LessonProgress)
        .where(
            LessonProgress.enrolment_id == enrolment.id,
            LessonProgress.status == "done",
            LessonProgress.lesson_id.in_(required),
        )
    )
    if not total or done < total:
        return False
    result = db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.status != "completed")
        .values(status="completed", completed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(enrolment)
    record(enrolment.user, "enrolment.completed", "enrolment", enrolment.id)
    course_completed.send(current_app._get_current_object(), enrolment=enrolment)
    return True


def mark_done(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """A reading or video lesson, marked done by the learner."""
    _check_lesson(enrolment, lesson, ("reading", "video"))
    progress = progress_for(enrolment, lesson)
    if set_done(progress):
        complete_if_finished(enrolment)
    return progress


# -- quizzes ------------------------------------------------------------------------------------


@dataclass
class QuizResult:
    attempt: QuizAttempt
    progress: LessonProgress
    passed: bool
    #: question key -> True when answered exactly right
    correct: dict[str, bool] = field(default_factory=dict)
    #: the form had already been received: this is the attempt it recorded then
    repeated: bool = False


def submit_quiz(
    enrolment: Enrolment, lesson: Lesson, answers: dict[str, list[str]], attempt: int | None = None
) -> QuizResult:
    """Grade an attempt on the server and keep it; the best score counts.

    ``attempt`` is the number of the attempt the learner's page offered: a form sent twice (a
    double click, a resent page) finds its attempt already recorded and records nothing more.
    Other answers for a number already used (an old page, a second attempt made offline) are
    the next attempt if one is left, and refused with that reason otherwise.
    """
    _check_lesson(enrolment, lesson, ("quiz",))
    questions = lesson.live_questions
    unanswered = [str(number) for number, q in enumerate(questions, 1) if not answers.get(q.key)]
    if unanswered:
        raise UnansweredQuestions(_("Answer every question before you submit (unanswered: "
                                    "%(numbers)s).", numbers=", ".join(unanswered)))  # fmt: skip
    progress = progress_for(enrolment, lesson)
    # Serialise attempts of one learner on one quiz (PostgreSQL row lock; SQLite locks the file).
    db.session.flush()
    db.session.execute(
        select(LessonProgress.id).where(LessonProgress.id == progress.id).with_for_update()
    )
    db.session.refresh(progress)
    used = attempt is not None and attempt <= progress.attempts
    if used and (repeated := _recorded_attempt(progress, lesson, attempt, answers)):
        return repeated
    allowed = int(lesson.settings.get("attempts", 0) or 0)
    if allowed and progress.attempts >= allowed:
        if used:  # other answers for an attempt already recorded, and none left
            raise AttemptsExhausted(_("Answers for attempt %(n)d were already received; this "
                                      "attempt was not counted.", n=attempt))  # fmt: skip
        raise AttemptsExhausted(
            _("You have used your %(n)d attempts at this quiz. Your best score is kept.", n=allowed)
        )
    correct = _grade(questions, answers)
    score = round(100 * sum(correct.values()) / len(questions)) if questions else 0
    recorded = QuizAttempt(
        progress_id=progress.id, number=progress.attempts + 1, score=score, answers=answers
    )
    db.session.add(recorded)
    progress.attempts += 1
    progress.score = max(progress.score or 0, score)
    db.session.flush()
    passed = score >= int(lesson.settings.get("pass_mark", 0))
    quiz_attempted.send(
        current_app._get_current_object(),
        enrolment=enrolment,
        lesson=lesson,
        attempt=recorded,
        correct=correct,
        passed=passed,
    )
    if passed and (set_done(progress) or enrolment.status == "completed"):
        complete_if_finished(enrolment)
    return QuizResult(attempt=recorded, progress=progress, passed=passed, correct=correct)


def _recorded_attempt(progress: LessonProgress, lesson: Lesson, number: int, answers: dict):
    attempt = db.session.scalar(
        select(QuizAttempt).filter_by(progress_id=progress.id, number=number)
    )
    if attempt is None or not same_answers(attempt.answers, answers):
        return None  # not the same form sent again: other answers
    passed = attempt.score >= int(lesson.settings.get("pass_mark", 0))
    correct = _grade(lesson.live_questions, attempt.answers)
    return QuizResult(attempt, progress, passed, correct, repeated=True)


# -- assignments --------------------------------------------------------------------------------


def submit_assignment(enrolment: Enrolment, lesson: Lesson, text: str, upload=None) -> Submission:
    """Hand in (or hand in again) an assignment: a text answer and/or one file.

    The file's type is read from its content, not its name; it is stored outside the web root.
    """
    _check_lesson(enrolment, lesson, ("assignment",))
    if lesson.settings.get("team"):
        raise Conflict(_("This is team work: your circle hands it in once, from its page."))
    rules = lesson.settings.get("submission", {})
    text = (text or "").strip()
    has_file = upload is not None and bool(getattr(upload, "filename", ""))
    if has_file and not rules.get("file"):
        raise BadUpload(_("This assignment does not take a file."))
    if not text and not has_file:
        raise InvalidInput(_("Write your answer or attach a file."))
    if text and not rules.get("text", True) and not has_file:
        raise InvalidInput(_("This assignment expects a file."))

    existing = db.session.scalar(
        select(Submission).filter_by(enrolment_id=enrolment.id, lesson_id=lesson.id)
    )
    if existing is not None and existing.status == "accepted":
        raise Conflict(_("Your work was already accepted by your trainer."))

    stored = _store_upload(enrolment, lesson, upload, rules) if has_file else None
    progress_for(enrolment, lesson)
    submission, created = get_or_create(Submission, enrolment_id=enrolment.id, lesson_id=lesson.id)
    if not created:
        submission.version += 1
    submission.text = text
    submission.status = "submitted"
    submission.submitted_at = utcnow()
    if stored is not None:
        submission.file_name, submission.file_type, submission.file_size, submission.file_path = (
            stored
        )
    db.session.flush()
    return submission


def file_limit_mb(lesson: Lesson) -> int:
    """The largest file this assignment takes: the pack's limit, within the site's."""
    rules = lesson.settings.get("submission", {})
    return min(int(rules.get("max_file_mb", 5)), int(current_app.config["LMS_UPLOAD_MAX_MB"]))


def _store_upload(enrolment: Enrolment, lesson: Lesson, upload, rules: dict):
    allowed_types = set(rules.get("file_types", ["pdf", "jpeg", "png"]))
    data, kind = read_upload(upload, file_limit_mb(lesson), allowed_types)
    relative = store(f"submissions/{enrolment.id}", str(lesson.id), data, kind)
    return display_name(upload.filename, kind), kind, len(data), relative
