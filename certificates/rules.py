"""The course's certificate rule: required lessons, minimum quiz average, minimum attendance, and
the stage the member's circle's project must reach (``project_stage``).

``evaluate`` says whether an enrolment meets the rule and, when it does not, names every missing
requirement in words an administrator can act on; ``frozen_facts`` is what a certificate's
snapshot keeps of the rule and of its evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, load_only

from curriculum.db import db
from curriculum.models import Lesson, Module, live_lessons
from lms.circles.models import Project
from lms.circles.queries import member_project
from lms.learning.models import Enrolment, LessonProgress


@dataclass
class RuleResult:
    met: bool
    missing: list[str] = field(default_factory=list)
    quiz_average: int | None = None
    attendance: int | None = None
    lessons_done: int = 0
    lessons_required: int = 0
    #: the member's circle's project, when the rule asks for a project stage
    project: Project | None = None


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def evaluate(enrolment: Enrolment) -> RuleResult:
    rule = enrolment.course.certificate_rule or {}
    lessons = list(
        db.session.scalars(
            # only what the rule reads: not the lessons' HTML
            live_lessons(enrolment.course_id).options(
                load_only(
                    Lesson.id,
                    Lesson.slug,
                    Lesson.kind,
                    Lesson.required,
                    Lesson.module_id,
                    Lesson.settings,
                ),
                contains_eager(Lesson.module).load_only(Module.id, Module.slug),
            )
        )
    )
    progress = {
        row.lesson_id: row
        for row in db.session.scalars(
            select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
        )
    }

    def done(lesson: Lesson) -> bool:
        return lesson.id in progress and progress[lesson.id].done

    required_setting = rule.get("required_lessons", "all")
    if required_setting == "all" or not required_setting:
        # sessions are the attendance rule's business (below), not "every lesson"
        required = [lesson for lesson in lessons if lesson.completes_course]
    else:
        wanted = set(required_setting)
        required = [lesson for lesson in lessons if f"{lesson.module.slug}/{lesson.slug}" in wanted]
    result = RuleResult(
        met=True, lessons_required=len(required), lessons_done=sum(1 for x in required if done(x))
    )
    if result.lessons_done < result.lessons_required:
        result.missing.append(
            _(
                "%(done)d of %(total)d required lessons done.",
                done=result.lessons_done,
                total=result.lessons_required,
            )
        )

    quizzes = [lesson for lesson in lessons if counts_as_quiz(lesson, progress.get(lesson.id))]
    if quizzes:
        scores = [progress[q.id].score or 0 if q.id in progress else 0 for q in quizzes]
        result.quiz_average = round(sum(scores) / len(scores))
    minimum_quiz = rule.get("min_quiz_average")
    if minimum_quiz is not None and quizzes and result.quiz_average < minimum_quiz:
        result.missing.append(
            _(
                "Quiz average %(value)d%%, %(minimum)d%% needed.",
                value=result.quiz_average,
                minimum=minimum_quiz,
            )
        )

    sessions = [lesson for lesson in lessons if lesson.is_required_session]
    result.attendance = _percent(sum(1 for s in sessions if done(s)), len(sessions))
    minimum_attendance = rule.get("min_attendance")
    if minimum_attendance is not None and sessions and result.attendance < minimum_attendance:
        result.missing.append(
            _(
                "Attendance %(value)d%%, %(minimum)d%% needed.",
                value=result.attendance,
                minimum=minimum_attendance,
            )
        )
    stage = rule.get("project_stage")
    if stage:
        result.project = member_project(enrolment.user_id, enrolment.cohort_id)
        if result.project is None:
            result.missing.append(_("Not a member of a circle (its project must reach a stage)."))
        elif not result.project.reached(stage):
            result.missing.append(
                _(
                    "The circle's project is at the stage “%(stage)s”; “%(needed)s” needed.",
                    stage=STAGE_NAMES()[result.project.stage],
                    needed=STAGE_NAMES()[stage],
                )
            )
    result.met = not result.missing
    return result


def counts_as_quiz(lesson: Lesson, progress: LessonProgress | None) -> bool:
    """A required lesson in the quiz average: a quiz, or a scored SCORM package (one whose
    manifest sets a mastery score, or that reported a score for this learner)."""
    if not lesson.required or lesson.kind not in ("quiz", "scorm"):
        return False
    if lesson.kind == "quiz":
        return True
    declared = ((lesson.settings or {}).get("scorm") or {}).get("mastery_score") is not None
    return declared or (progress is not None and progress.score is not None)


def STAGE_NAMES() -> dict[str, str]:  # noqa: N802 - a table, translated when called
    return {
        "charter": _("Charter"),
        "diagnosis": _("Diagnosis"),
        "prototype": _("Prototype"),
        "pilot": _("Pilot"),
        "presented": _("Presented"),
    }


def criteria(rule: dict) -> dict:
    """What the rule asks, as the credential's criteria narrative says it."""
    required = rule.get("required_lessons")
    return {
        "required_lessons": None if required in (None, "all", []) else len(required),
        "min_quiz_average": rule.get("min_quiz_average"),
        "min_attendance": rule.get("min_attendance"),
        "project_stage": rule.get("project_stage") or None,
    }


def frozen_facts(rule: dict, result: RuleResult) -> dict:
    """For the snapshot, frozen at issue: the rule's criteria (a later edit of the rule does not
    change what issued certificates say) and, when the rule asks for a project stage, the
    circle's project named on the certificate."""
    facts: dict = {"criteria": criteria(rule)}
    if result.project is not None:
        facts["project"] = {"title": result.project.title, "stage": result.project.stage}
    return facts
