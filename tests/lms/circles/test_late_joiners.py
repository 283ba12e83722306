"""A learner who joins a circle after one of its milestones was accepted: the milestone counts as
done for her too (credited to the accepted version, audited), so a sequential course opens what
follows for her; a member who leaves keeps what she had."""

from __future__ import annotations

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles import milestones, operations
from lms.circles.models import CircleSettings
from lms.learning import queries as learning_queries
from lms.learning.models import Enrolment, LessonProgress


def _done(user, lesson) -> bool:
    status = db.session.scalar(
        select(LessonProgress.status)
        .join(Enrolment)
        .where(Enrolment.user_id == user.id, LessonProgress.lesson_id == lesson.id)
    )
    return status == "done"


def _accepted_charter(trainer, circle, lesson, author):
    submission = milestones.hand_in(author, circle, lesson, "Notre charte")
    milestones.review(trainer, submission, accept=True, feedback="")
    db.session.commit()
    return submission


def test_a_learner_added_after_acceptance_has_the_milestone_done_and_the_next_module_open(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b, late = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b], name="Tissa")
    submission = _accepted_charter(trainer, circle, team_lesson, a)
    assert not _done(late, team_lesson)
    assert learning_queries.outline(team_course, late).modules[1].locked

    operations.add_member(trainer, circle, late.id)
    db.session.commit()
    assert _done(late, team_lesson)
    assert not learning_queries.outline(team_course, late).modules[1].locked
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "milestone.credited")
    ).all()
    assert event.data["user"] == late.id and event.data["version"] == submission.version
    # her milestone page says it is accepted; she is not asked to hand it in again
    page = as_user(late).get(f"/circles/{circle.id}/milestones/{team_lesson.id}")
    assert page.status_code == 200 and "accepted" in page.get_data(as_text=True).lower()

    # a member who leaves keeps what she had
    operations.remove_member(b, circle, circle.membership_of(b))
    db.session.commit()
    assert _done(b, team_lesson)


def test_a_learner_joining_by_code_after_acceptance_is_credited(
    trainer, make_cohort, add_learners, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b, late = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b], name="Tissa")
    db.session.add(CircleSettings(cohort_id=cohort.id, self_formation=True, max_members=6))
    _accepted_charter(trainer, circle, team_lesson, b)

    operations.join_by_code(late, circle.code)
    db.session.commit()
    assert _done(late, team_lesson)
    assert not learning_queries.outline(team_course, late).modules[1].locked


def test_nothing_is_credited_for_work_not_yet_accepted(
    trainer, make_cohort, add_learners, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b, late = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b])
    milestones.hand_in(a, circle, team_lesson, "Notre charte")
    operations.add_member(trainer, circle, late.id)
    db.session.commit()
    assert not _done(late, team_lesson)
