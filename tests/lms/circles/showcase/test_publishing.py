"""Publishing a project: each member says whether she agrees (and whether her first name may
appear); a facilitator publishes only when every member agrees and the title is given in both
languages; a member who takes her agreement back unpublishes it. Every step is audited."""

from __future__ import annotations

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles.models import CircleMember, Project


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_members_agree_then_the_facilitator_publishes(showcase_circle, as_user, trainer, client):
    circle = showcase_circle()
    salma, hamza = (m.user for m in circle.members)
    project_id, url = circle.project.id, f"/circles/{circle.id}"
    staff = as_user(trainer)

    # before anyone agrees: the facilitator's page says who is missing, publishing is refused
    page = staff.get(url + "/publishing").get_data(as_text=True)
    assert "Has not answered yet" in page and "waiting for: Salma, Hamza" in page
    refused = staff.post(url + "/publish")
    assert refused.status_code == 400
    assert "waiting for: Salma, Hamza" in refused.get_data(as_text=True)
    assert db.session.get(Project, project_id).published_at is None
    assert client.get(f"/projects/{project_id}").status_code == 404

    # Salma agrees and shows her first name; Hamza agrees without his name
    assert as_user(salma).post(url + "/consent", data={"publish": "y", "show_first_name": "y"}
                               ).status_code == 302  # fmt: skip
    hamza_client = as_user(hamza)
    hamza_client.post(url + "/consent", data={"publish": "y"})
    page = staff.get(url + "/publishing").get_data(as_text=True)
    assert page.count("Agrees") == 2 and "(first name shown)" in page

    assert staff.post(url + "/publish").status_code == 302
    project = db.session.get(Project, project_id)
    assert project.published_at is not None and project.published_by_id == trainer.id
    public = client.get(f"/projects/{project_id}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Salma" in text and "Idrissi" not in text and "Hamza" not in text
    assert actions()[-3:] == ["circle.consent", "circle.consent", "project.published"]

    # Hamza takes his agreement back: the project is no longer public
    response = hamza_client.post(url + "/consent", data={})
    assert "no longer public" in hamza_client.get(url + "/publishing").get_data(as_text=True)
    assert response.status_code == 302
    assert db.session.get(Project, project_id).published_at is None
    assert client.get(f"/projects/{project_id}").status_code == 404
    assert actions()[-2:] == ["circle.consent", "project.unpublished"]
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.data == {"reason": "consent_withdrawn"} and event.actor_id == hamza.id


def test_the_title_in_both_languages_is_needed(showcase_circle, as_user, trainer):
    circle = showcase_circle(second_title="")
    for member in circle.members:
        member.consents_to_publish = True
    db.session.commit()
    response = as_user(trainer).post(f"/circles/{circle.id}/publish")
    assert response.status_code == 400
    assert "title in French and in Arabic" in response.get_data(as_text=True)
    assert db.session.get(Project, circle.project.id).published_at is None
    assert "project.published" not in actions()


def test_a_facilitator_unpublishes(showcase_circle, as_user, trainer, client):
    circle = showcase_circle()
    for member in circle.members:
        member.consents_to_publish = True
    db.session.commit()
    staff = as_user(trainer)
    assert staff.post(f"/circles/{circle.id}/publish").status_code == 302
    assert staff.post(f"/circles/{circle.id}/publish").status_code == 409  # already published
    assert staff.post(f"/circles/{circle.id}/unpublish").status_code == 302
    assert client.get(f"/projects/{circle.project.id}").status_code == 404
    assert staff.post(f"/circles/{circle.id}/unpublish").status_code == 409
    assert actions().count("project.unpublished") == 1


def test_a_first_name_needs_the_agreement_to_publish(showcase_circle, as_user):
    circle = showcase_circle()
    salma = circle.members[0].user
    as_user(salma).post(f"/circles/{circle.id}/consent", data={"show_first_name": "y"})
    member = db.session.scalar(select(CircleMember).filter_by(user_id=salma.id))
    assert (member.consents_to_publish, member.show_first_name) == (False, False)
    assert member.consent_at is not None  # she answered "no", which is not "not yet"


def test_only_members_answer_and_only_facilitators_publish(showcase_circle, as_user, trainer):
    circle = showcase_circle()
    for member in circle.members:
        member.consents_to_publish = True
    db.session.commit()
    salma = circle.members[0].user
    assert as_user(trainer).post(f"/circles/{circle.id}/consent",
                                 data={"publish": "y"}).status_code == 403  # fmt: skip
    assert as_user(salma).post(f"/circles/{circle.id}/publish").status_code == 403
    assert db.session.get(Project, circle.project.id).published_at is None
