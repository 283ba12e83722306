"""Which statements each learning event makes. The same functions serve the live events (the
signals' listeners) and ``lms xapi replay`` (the events read back from the database), so a
replayed event has the same statement, with the same id, as the live one."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from lms.learning.models import LessonProgress

from . import statements as st
from .statements import build

#: lessons whose completion carries the learner's score (a SCORM package's, as the runtime
#: committed it, or the best quiz attempt's)
SCORED_KINDS = ("quiz", "scorm")


def registered(enrolment) -> list[dict]:
    return [build(("course",), "registered", enrolment, st.course_activity(enrolment.course),
                  enrolment.enrolled_at)]  # fmt: skip


def lesson_opened(enrolment, lesson: Lesson, opening) -> list[dict]:
    verb = "experienced" if lesson.kind in st.EXPERIENCED_KINDS else "launched"
    return [
        build(
            ("open", opening.uuid),
            verb,
            enrolment,
            st.lesson_activity(lesson),
            opening.opened_at,
            parents=[st.module_activity(lesson.module)],
        )
    ]


def lesson_completed(progress, with_module: bool = True) -> list[dict]:
    """The lesson completed, and its module when this completion completed it (``replay``
    makes the modules' statements itself: ``with_module=False``)."""
    enrolment, lesson = progress.enrolment, progress.lesson
    moment = progress.completed_at or utcnow()
    result = {"completion": True}
    if progress.score is not None and lesson.kind in SCORED_KINDS:
        result["score"] = {"scaled": progress.score / 100, "raw": progress.score, "min": 0,
                           "max": 100}  # fmt: skip
    made = [
        build(
            ("lesson", lesson.id),
            "completed",
            enrolment,
            st.lesson_activity(lesson),
            moment,
            parents=[st.module_activity(lesson.module)],
            result=result,
        )  # fmt: skip
    ]
    if with_module and completes_module(progress):
        made.extend(module_completed(enrolment, lesson.module, moment))
    return made


def completes_module(progress) -> bool:
    """Whether this lesson's completion is the one that completed its module: a required
    lesson of the module, after which every required lesson is done (an optional lesson done
    later completes nothing)."""
    lesson = progress.lesson
    return (
        lesson.required
        and lesson.archived_at is None
        and module_done(progress.enrolment, lesson.module_id)
    )


def module_completed(enrolment, module, moment) -> list[dict]:
    return [build(("module", module.id), "completed", enrolment, st.module_activity(module),
                  moment, result={"completion": True})]  # fmt: skip


def module_done(enrolment, module_id: int) -> bool:
    required = select(Lesson.id).where(
        Lesson.module_id == module_id, Lesson.required, Lesson.archived_at.is_(None)
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
    return bool(total) and done >= total


def course_completed(enrolment) -> list[dict]:
    moment = enrolment.completed_at or utcnow()
    return [build(("course",), "completed", enrolment, st.course_activity(enrolment.course),
                  moment, result={"completion": True})]  # fmt: skip


def quiz_attempted(enrolment, lesson: Lesson, attempt, correct: dict[str, bool], passed: bool):
    """One ``answered`` per question (response and success), then ``passed`` or ``failed``."""
    quiz = st.lesson_activity(lesson)
    made = []
    for question in lesson.live_questions:
        ticked = list(attempt.answers.get(question.key, []))
        made.append(
            build(
                ("attempt", lesson.id, attempt.number, question.key),
                "answered",
                enrolment,
                st.question_activity(lesson, question),
                attempt.submitted_at,
                parents=[quiz],
                result={
                    "response": st._response(ticked, question),
                    "success": bool(correct.get(question.key)),
                },
            )
        )
    made.append(
        build(
            ("attempt", lesson.id, attempt.number),
            "passed" if passed else "failed",
            enrolment,
            quiz,
            attempt.submitted_at,
            parents=[st.module_activity(lesson.module)],
            result={
                "success": passed,
                "score": {
                    "scaled": attempt.score / 100,
                    "raw": attempt.score,
                    "min": 0,
                    "max": 100,
                },  # fmt: skip
            },
        )
    )
    return made


def attended(enrolment, session, attendance) -> list[dict]:
    if not attendance.present:
        return []
    lesson = session.lesson
    activity = {
        "objectType": "Activity",
        "id": f"{st.lesson_activity(lesson)['id']}/sessions/{session.id}",
        "definition": {
            "type": st.ACTIVITY_TYPES["meeting"],
            "name": st.language_map(lesson.titles, lesson.slug),
        },
    }
    return [build(("session", session.id), "attended", enrolment, activity,
                  attendance.recorded_at, parents=[st.lesson_activity(lesson)])]  # fmt: skip


def earned(certificate) -> list[dict]:
    """The certificate as the activity, identified by its verify URL: the one printed (and
    QR-coded) on it, as its signed snapshot holds it."""
    enrolment = certificate.enrolment
    verify_url = (certificate.snapshot or {}).get("verify_url") or (
        f"{st.base_url()}/verify/{certificate.serial}"
    )
    activity = {
        "objectType": "Activity",
        "id": verify_url,
        "definition": {
            "type": st.ACTIVITY_TYPES["certificate"],
            "name": st.language_map(enrolment.course.titles, enrolment.course.slug),
            "moreInfo": verify_url,
        },
    }
    return [build(("certificate", certificate.serial), "earned", enrolment, activity,
                  certificate.issued_at, result={"completion": True})]  # fmt: skip
