"""A learner added to a circle whose project is already public: the page stays public without
her first name; she is asked; the facilitators see that one member has not agreed; if she says
no, the project is unpublished and the facilitators are told."""

from __future__ import annotations

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles import operations
from lms.circles.models import Project
from lms.circles.showcase import operations as showcase
from lms.messages.models import Notification


def _notifications(user) -> list[str]:
    return [n.text for n in db.session.scalars(select(Notification).filter_by(user_id=user.id))]


def _published(showcase_circle, trainer):
    circle = showcase_circle()
    for member in circle.members:
        showcase.record_consent(member.user, circle, True, True)
    showcase.publish(trainer, circle.project)
    db.session.commit()
    return circle


def test_a_member_added_to_a_public_project_is_asked_and_the_facilitator_sees_it(
    showcase_circle, add_learners, as_user, trainer, client
):
    circle = _published(showcase_circle, trainer)
    (late,) = (e.user for e in add_learners(circle.cohort, 1, locale="en"))
    late.name = "Nora Bennani"
    operations.add_member(trainer, circle, late.id)
    db.session.commit()

    project = db.session.get(Project, circle.project.id)
    assert project.is_published  # still public, without her first name
    public = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Salma" in public and "Nora" not in public
    assert any("is public. Say whether you agree" in text for text in _notifications(late))
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "project.consent_asked")
    ).data == {"user": late.id}

    staff_page = as_user(trainer).get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "1 member has not agreed to publication." in staff_page
    own_page = as_user(late).get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "Give my answer" in own_page

    # she agrees: nothing is missing any more, and her first name may show
    as_user(late).post(
        f"/circles/{circle.id}/consent", data={"publish": "y", "show_first_name": "y"}
    )
    staff_page = as_user(trainer).get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "has not agreed" not in staff_page
    assert "Nora" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_a_new_member_who_declines_unpublishes_and_the_facilitator_is_told(
    showcase_circle, add_learners, as_user, trainer, client
):
    circle = _published(showcase_circle, trainer)
    trainer.locale = "en"
    (late,) = (e.user for e in add_learners(circle.cohort, 1))
    late.name = "Nora Bennani"
    operations.add_member(trainer, circle, late.id)
    db.session.commit()
    answered = as_user(late).post(f"/circles/{circle.id}/consent", data={})
    assert answered.status_code == 302
    project = db.session.get(Project, circle.project.id)
    assert not project.is_published
    assert client.get(f"/projects/{project.id}").status_code == 404
    told = _notifications(trainer)
    assert any("is no longer public: Nora Bennani" in text for text in told), told
