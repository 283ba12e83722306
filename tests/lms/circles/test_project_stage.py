"""Who moves a project through its stages (members through the working stages one at a time; a
facilitator records the presentation, what followed, and any move back from it), and a
certificate whose rule asks for ``project_stage: presented``: earned by the members who completed
the course once the project is presented, whichever comes first."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles import milestones, operations
from lms.circles.models import Project
from lms.errors import NotAllowed
from lms.learning.models import Enrolment
from lms.learning.operations import mark_done

from .conftest import TEAM_MODULES
from .test_project import GOOD


def _details(project, **changes) -> operations.ProjectDetails:
    names = operations.ProjectDetails.__annotations__
    values = {name: getattr(project, name) or "" for name in names}
    return operations.ProjectDetails(**{**values, "title": values["title"] or "P", **changes})


def test_members_move_the_working_stages_one_at_a_time_a_facilitator_the_rest(
    trainer, make_cohort, add_learners, make_circle
):
    cohort = make_cohort([trainer])
    a, b = (e.user for e in add_learners(cohort, 2))
    project = make_circle(cohort, [a, b]).project
    with force_locale("en"):  # the messages matched
        with pytest.raises(NotAllowed, match="one stage at a time"):
            operations.update_project(a, project, _details(project, stage="pilot"))
        with pytest.raises(NotAllowed, match="facilitator"):
            operations.update_project(a, project, _details(project, stage="presented"))
        for stage in ("diagnosis", "prototype", "diagnosis", "prototype", "pilot"):
            operations.update_project(a, project, _details(project, stage=stage))
        assert project.stage == "pilot"
        with pytest.raises(NotAllowed, match="facilitator"):
            operations.update_project(b, project, _details(project, stage="presented"))

        operations.update_project(trainer, project, _details(project, stage="presented"))
        db.session.commit()
        with pytest.raises(NotAllowed, match="facilitator"):
            operations.update_project(a, project, _details(project, stage="pilot"))
        with pytest.raises(NotAllowed, match="what became of the project"):
            operations.update_project(a, project, _details(project, outcome="continued"))
        operations.update_project(a, project, _details(project, title="Un autre titre"))  # the rest
        operations.update_project(trainer, project, _details(project, outcome="stopped",
                                                             stop_reason="Pas de salle"))  # fmt: skip
        operations.update_project(trainer, project, _details(project, stage="pilot", outcome="",
                                                             stop_reason=""))  # fmt: skip
    db.session.commit()
    moves = [
        (event.actor_id, event.data["before"], event.data["after"])
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "project.stage_changed")
            .order_by(AuditEvent.id)
        )
    ]
    assert moves[-2:] == [(trainer.id, "pilot", "presented"), (trainer.id, "presented", "pilot")]


def test_the_form_shows_a_member_the_stages_she_may_set(
    trainer, make_cohort, add_learners, as_user, make_circle
):
    cohort = make_cohort([trainer])
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b], stage="diagnosis")
    url = f"/circles/{circle.id}/project"
    mine = as_user(a).get(url).get_data(as_text=True)
    assert 'value="prototype"' in mine and 'value="pilot"' not in mine
    assert 'value="presented"' not in mine and 'name="outcome"' not in mine
    assert "A facilitator of the cohort records the presentation" in mine
    theirs = as_user(trainer).get(url).get_data(as_text=True)
    assert 'value="presented"' in theirs and 'name="outcome"' in theirs
    refused = as_user(a).post(url, data={**GOOD, "stage": "presented"})
    assert refused.status_code == 400
    assert as_user(trainer).post(url, data={**GOOD, "stage": "presented"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, circle.project.id).stage == "presented"
    # a member edits the rest of a presented project; its stage and outcome stay
    saved = as_user(b).post(url, data={**GOOD, "stage": "presented", "title": "Nouveau titre"})
    assert saved.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, circle.project.id)
    assert project.title == "Nouveau titre" and project.stage == "presented"


def _certificates():
    return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


@pytest.fixture
def stage_course(make_course):
    course = make_course(slug="circles-presented", sequential=True, modules=TEAM_MODULES)
    course.certificate_rule = {**course.certificate_rule, "project_stage": "presented"}
    db.session.commit()
    return course


def _finish_course(trainer, circle, course, members):
    """The members do the course: the team charter accepted, each one's reading done."""
    lessons = {lesson.slug: lesson for m in course.modules for lesson in m.lessons}
    submission = milestones.hand_in(members[0], circle, lessons["our-charter"], "Charte")
    milestones.review(trainer, submission, accept=True, feedback="")
    for user in members:
        enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=user.id))
        mark_done(enrolment, lessons["data"])
    db.session.commit()


def test_members_earn_the_certificate_when_the_project_is_presented_after_the_course(
    trainer, make_cohort, add_learners, make_circle, stage_course
):
    cohort = make_cohort([trainer], course=stage_course)
    a, b, c = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b], title="Café-emploi", stage="pilot")
    make_circle(cohort, [c], stage="pilot")
    _finish_course(trainer, circle, stage_course, [a, b])
    statuses = db.session.scalars(select(Enrolment.status).order_by(Enrolment.id)).all()
    assert statuses == ["completed", "completed", "active"]
    assert _certificates() == []  # the project is not presented yet

    operations.update_project(trainer, circle.project, _details(circle.project, stage="presented"))
    db.session.commit()
    issued = _certificates()
    assert sorted(cert.enrolment.user_id for cert in issued) == sorted([a.id, b.id])
    assert all(cert.snapshot["project"]["title"] == "Café-emploi" for cert in issued)
    assert all(cert.issue_reason is None and cert.issued_by_id is None for cert in issued)


def test_members_earn_the_certificate_on_completion_once_the_project_is_presented(
    trainer, make_cohort, add_learners, make_circle, stage_course
):
    cohort = make_cohort([trainer], course=stage_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b], title="Café-emploi", stage="presented")
    _finish_course(trainer, circle, stage_course, [a, b])
    assert len(_certificates()) == 2
